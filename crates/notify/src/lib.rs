//! Email notifications of governance events (a proposal opened, a reminder to
//! vote, an outcome, an application, a change of membership), sent over SMTP
//! one message per call. Failures say whether a retry may help, so that the
//! caller's outbox can back off and try again or give up.
//!
//! With the `sink` feature, [`sink::SmtpSink`] is an in-process SMTP server
//! that captures what it receives, for tests.

pub mod config;
pub mod mailer;
pub mod message;
#[cfg(feature = "sink")]
pub mod sink;

pub use config::{ConfigError, Password, Security, SmtpConfig};
pub use mailer::{Failure, Mailer, SendError};
pub use message::{
    AccessLink, AccessPurpose, Addressee, ApplicationConfirmation, ApplicationReceived,
    BallotReplaced, MembershipChanged, Notification, Outcome, OutcomeStated, ProposalChanged,
    ProposalOpened, Reminder, RulesSummary,
};
