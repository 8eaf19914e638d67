//! Plenary's usage reports, fair use, capacity, bills and statements over
//! the store: the rules the command line, the API and the pages all call
//! the same way, each returning a typed, serialisable result.

pub mod capacity;
pub mod error;
pub mod fair_use;
pub mod history;
pub mod live;
pub mod meter;
pub use metering::period;
pub mod service;
pub mod settings;
pub mod statements;
pub mod table;
pub mod usage;

pub use error::BillingError;
pub use service::Billing;
pub use settings::Settings;
