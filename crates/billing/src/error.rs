//! What a billing call can answer instead of its result.

use metering::period::PeriodError;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A period not written `YYYY-MM`, or out of range.
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error("time out of range: {0}")]
    Time(#[from] jiff::Error),
    /// No such tenant, or one the caller may not see.
    #[error("no tenant {0:?}")]
    NoTenant(String),
    /// No such organisation, or one the caller may not see.
    #[error("no organisation {0:?}")]
    NoOrganisation(String),
    /// A filter that does not apply to the dimension asked for.
    #[error("{0}")]
    Filter(String),
    /// A dimension or cut that is not one of the report's.
    #[error("{0}")]
    Invalid(String),
    /// The caller may know the thing exists but not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{period} is not closed yet: see `plenary bill preview --period {period}`")]
    NotClosed { period: String },
    /// A closed month in which the organisation had no share.
    #[error("{org} has no share in the statement of {period}")]
    NoShare { org: String, period: String },
    /// A closed period's stored statement that does not read as one.
    #[error("the statement stored for {period} is not readable: {reason}")]
    CorruptStatement { period: String, reason: String },
    /// A report that could not be written as CSV.
    #[error("CSV: {0}")]
    Csv(String),
    #[error("currency: {0}")]
    Currency(#[from] metering::money::CurrencyError),
}
