//! The persistence facade. Callers see domain-level async functions; behind
//! them one set of portable SQL statements runs on SQLite (the embedded
//! default) or PostgreSQL (for several Plenary instances behind a balancer).
//!
//! House rules for portability through sqlx's `Any` driver: times are BIGINT
//! Unix milliseconds, flags BIGINT 0/1, money BIGINT cents, every aggregate is
//! cast to BIGINT, placeholders are `$n`. Every statement is exercised by the
//! conformance tests on both backends.

mod audit;
mod billing;
mod leader;
mod meetings;
mod outbox;
mod people;
mod proposals;
mod register;
mod rollups;
mod samples;
mod servers;
mod tenants;
mod tiers;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use audit::{Act, AuditEntry, Broken, GENESIS, Verdict, entry_hash, fingerprint};
pub use billing::CostLine;
pub use leader::Leadership;
pub use meetings::{Claim, MeetingRecord, NewMeeting};
pub use outbox::OutboxMessage;
pub use people::{
    IssuedToken, Person, Representative, TOKEN_ID_LEN, TokenInfo, TokenOwner, new_token,
    token_hash, token_id,
};
pub use proposals::{
    Ballot, NewBallot, NewProposal, Opening, Proposal, RollEntry, ballot_commitment,
};
pub use register::{Document, MembershipEvent, MembershipStep, Organisation, RegisterPatch};
pub use rollups::Rollup;
pub use samples::UsageSample;
pub use servers::{Health, NewServer, Server, ServerPatch, ServerPoll, ServerState};
pub use tenants::{NewTenant, ParamMode, ParamRule, Tenant};
pub use tiers::Tier;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("invalid value stored in the database: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot lock {0}: {1}")]
    LockFile(String, std::io::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Unique-constraint violations become `Conflict`, so callers can answer
    /// "already exists" instead of a database error.
    fn from_insert(e: sqlx::Error, what: impl Into<String>) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict(what.into()),
            _ => Self::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite database file, beside which leadership is locked; none
    /// for PostgreSQL and in-memory databases.
    sqlite_file: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and applies the
    /// migrations embedded in the binary.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens without migrating, for `readyz` and `migrate` themselves.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let mut sqlite_file = None;
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            sqlite_file = sqlite_file_of(path);
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = if path.contains("mode=") {
                format!("sqlite://{path}")
            } else {
                format!("sqlite://{path}{sep}mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets the poller write while the gateway reads.
                        conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            backend,
            sqlite_file,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// True when the database answers and every embedded migration is applied.
    pub async fn is_ready(&self) -> Result<bool> {
        let applied: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM _sqlx_migrations WHERE success = $1",
        )
        .bind(true)
        .fetch_one(&self.pool)
        .await
        .or_else(|e| match e {
            // No migrations table yet: reachable, not ready.
            sqlx::Error::Database(_) => Ok(0),
            e => Err(e),
        })?;
        let expected = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").migrations.len(),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").migrations.len(),
        };
        Ok(applied as usize >= expected)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The file of a `sqlite:` URL's path and options, unless it is in memory.
fn sqlite_file_of(path_and_options: &str) -> Option<PathBuf> {
    let (path, options) = path_and_options
        .split_once('?')
        .unwrap_or((path_and_options, ""));
    let in_memory = path.is_empty() || path == ":memory:" || options.contains("mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

/// Rows per multi-row INSERT. Small on purpose: SQLite finds each bound
/// parameter by name with a linear search, so a statement's binding cost
/// grows with the square of its parameters; a few hundred keep it cheap.
const INSERT_BATCH: usize = 16;

/// `($1, $2, …), ($n+1, …)`: the VALUES of a multi-row INSERT of `rows`
/// rows of `columns` columns.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An UPDATE that changed no row means its subject does not exist.
fn found(done: sqlx::any::AnyQueryResult, what: impl FnOnce() -> String) -> Result<()> {
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(what()));
    }
    Ok(())
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}
