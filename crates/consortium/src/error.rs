use store::StoreError;

/// Why a procedure did not happen. Each variant maps to one answer at the
/// edges: a CLI message, an HTTP status with a JSON problem.
#[derive(Debug, thiserror::Error)]
pub enum ConsortiumError {
    #[error("not found: {0}")]
    NotFound(String),
    /// The request conflicts with the current state (a closed proposal, an
    /// existing name).
    #[error("{0}")]
    Conflict(String),
    /// The rules refuse it (too early to close, a missing reason…).
    #[error("{0}")]
    Refused(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request itself is malformed.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ConsortiumError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            // The store names only the thing; say what is wrong with it.
            e @ StoreError::Conflict(_) => Self::Conflict(e.to_string()),
            e => Self::Store(e),
        }
    }
}

impl ConsortiumError {
    /// A rule of the governance crate said no.
    pub(crate) fn refused(e: impl std::fmt::Display) -> Self {
        Self::Refused(e.to_string())
    }

    pub(crate) fn invalid(e: impl std::fmt::Display) -> Self {
        Self::Invalid(e.to_string())
    }

    /// What is stored does not read back: a bug or a hand-edited row.
    pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> Self {
        Self::Store(StoreError::Corrupt(format!("{what}: {e}")))
    }
}

pub type Result<T, E = ConsortiumError> = std::result::Result<T, E>;
