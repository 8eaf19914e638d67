//! The optional mirror of proposals into a Discourse forum. The platform stays
//! the system of record; a topic per proposal (its `external_id` is the
//! proposal ID) carries the discussion, and lifecycle updates arrive as replies.
//!
//! When its rules allow, a proposal's topic carries a [`poll`] whose
//! votes Plenary reads back and counts as the ballots of delegates and
//! deputies.
//!
//! [`Discourse`] calls the forum's API, [`webhook`] checks what the forum sends
//! back, and with the `fake` feature `fake::FakeDiscourse` stands in for a
//! forum in tests.

mod client;
mod config;
#[cfg(feature = "fake")]
pub mod fake;
pub mod poll;
pub mod webhook;

pub use client::{Discourse, ForumError, Post, Topic, backoff};
pub use config::{ConfigError, DiscourseConfig};
