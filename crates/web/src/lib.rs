//! Plenary's HTTP surface for people. [`api`] is the admin and organisation
//! JSON API under `/api/v1` (bearer tokens, JSON problems, an OpenAPI
//! document); [`rooms`] serves the signed links to an organisation's
//! internal meeting room. Both only translate HTTP to the consortium's
//! procedures and back: the rules are the consortium's. [`serve`] is the
//! HTTP server every router of the process runs on, with its connection
//! limits and timeouts.

pub mod api;
pub mod portal;
pub mod rooms;
pub mod serve;

use std::sync::Arc;

/// The current time in UTC Unix milliseconds; tests inject their own.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;
