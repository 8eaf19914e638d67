//! What a billing call can answer instead of its result.

use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A month not written `YYYY-MM`.
    #[error("{0:?} is not a month such as 2026-11")]
    Month(String),
    #[error("time out of range: {0}")]
    Time(#[from] jiff::Error),
    #[error("no tenant {0:?}")]
    NoTenant(String),
    #[error("no organisation {0:?}")]
    NoOrganisation(String),
    /// A filter that does not apply to the dimension asked for.
    #[error("{0}")]
    Filter(String),
    #[error("{period} is not closed yet: see `plenary bill preview --period {period}`")]
    NotClosed { period: String },
    /// A closed period's stored statement that does not read as one.
    #[error("the statement stored for {period} is not readable: {reason}")]
    CorruptStatement { period: String, reason: String },
    #[error("currency: {0}")]
    Currency(#[from] metering::money::CurrencyError),
}
