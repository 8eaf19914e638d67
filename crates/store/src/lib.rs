//! The persistence facade. Callers see domain-level async functions; behind
//! them one set of portable SQL statements runs on SQLite (the embedded
//! default) or PostgreSQL (for several Plenary instances behind a balancer).
//!
//! House rules for portability through sqlx's `Any` driver: times are BIGINT
//! Unix milliseconds, flags BIGINT 0/1, money BIGINT cents, every aggregate is
//! cast to BIGINT, placeholders are `$n`. Every statement is exercised by the
//! conformance tests on both backends.

mod applications;
mod audit;
mod billing;
mod callbacks;
mod changes;
mod contributions;
mod copy;
mod forum;
mod leader;
mod live;
mod logins;
mod meetings;
mod outbox;
mod people;
mod proposals;
mod recordings;
mod register;
mod reservations;
mod rollups;
mod rounds;
mod samples;
mod servers;
mod tenants;
mod tiers;
mod vocabulary;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use applications::PendingApplication;
pub use audit::{
    Act, AuditEntry, Broken, GENESIS, Verdict, entry_hash, fingerprint, is_audit_hash,
    names_someone,
};
pub use billing::{ClosedStatement, CostLine};
pub use callbacks::{CallbackTarget, NewCallback};
pub use changes::{Change, Changes};
pub use contributions::{ContributionRecord, NewContribution};
pub use copy::{Check, Copied, CopyError, TABLES, check_file, restore_file};
pub use forum::ForumVote;
pub use leader::Leadership;
pub use live::{LiveView, Stamp};
pub use logins::{Login, LoginOwner, Session, UsedLink};
pub use meetings::{Claim, LiveMeeting, MeetingRecord, NewMeeting, TenantUsage, UsageCounts};
pub use outbox::OutboxMessage;
pub use people::{
    Grant, IssuedToken, Person, Representative, TOKEN_ID_LEN, TokenInfo, TokenOwner, TokenScope,
    new_token, token_hash, token_id,
};
pub use proposals::{
    Ballot, NewBallot, NewProposal, Opening, OutcomeStatement, Proposal, RollEntry,
    ballot_commitment, statement_hash,
};
pub use recordings::{PlaybackFormat, Preview, RecordingRow};
pub use register::{Document, MembershipEvent, MembershipStep, Organisation, RegisterPatch};
pub use reservations::{Reservation, SharedLoad};
pub use rollups::Rollup;
pub use rounds::ServerRound;
pub use samples::{RoundMeeting, UsageSample};
pub use servers::{Health, NewServer, Server, ServerCost, ServerPatch, ServerPoll, ServerState};
pub use tenants::{NewTenant, ParamMode, ParamRule, Tenant, TenantPatch, TenantPlace};
pub use tiers::Tier;
pub use vocabulary::{OrgKind, ProposalState, RegisterStatus, Role};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    Conflict(String),
    /// A change whose actor names nobody (`operator:` with no name).
    #[error("an audited change must name who makes it, not {0:?}")]
    UnnamedActor(String),
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
    #[error("the database file {} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("the database file {} was removed or replaced while in use", .0.display())]
    Replaced(PathBuf),
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
    /// The SQLite file as it was opened, for readiness (SQLite goes on
    /// working on a deleted file, which a restart would then recreate
    /// empty) and for the leadership locks beside it.
    file: Option<Arc<DatabaseFile>>,
    /// Shared by every clone, so the gateway, the poller and the
    /// operations API change the same view.
    live: Arc<LiveView>,
    /// Where to listen for other instances' changes (PostgreSQL only).
    listen_url: Option<Arc<changes::ListenUrl>>,
}

#[derive(Debug)]
struct DatabaseFile {
    path: PathBuf,
    identity: FileIdentity,
}

/// What tells one file from another at the same path.
#[cfg(unix)]
type FileIdentity = (u64, u64);
#[cfg(not(unix))]
type FileIdentity = ();

fn file_identity(path: &Path) -> std::io::Result<FileIdentity> {
    let meta = std::fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(())
    }
}

/// The file of a `sqlite:` URL; none for an in-memory database or another backend.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path.is_empty() || path == ":memory:" || query.contains("mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

impl Store {
    /// Like [`Store::open`], but refuses to create a database: a SQLite
    /// file that is missing is an error, not a new empty database.
    pub async fn open_existing(url: &str) -> Result<Self> {
        if let Some(path) = sqlite_file(url)
            && !path.exists()
        {
            return Err(StoreError::Missing(path));
        }
        Self::open(url).await
    }

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
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
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
        // A read-only file (a backup being checked) keeps its journal mode.
        let pragmas = if url.contains("mode=ro") {
            "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON"
        } else {
            // WAL lets the poller write while the gateway reads.
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON"
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every query was a third of a join's database
            // time; a dead connection fails its query instead, and the pool
            // replaces it.
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(pragmas).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let file = sqlite_file(&url).and_then(|path| {
            let identity = file_identity(&path).ok()?;
            Some(Arc::new(DatabaseFile { path, identity }))
        });
        Ok(Self {
            pool,
            backend,
            file,
            live: Arc::default(),
            listen_url: (backend == Backend::Postgres)
                .then(|| Arc::new(changes::ListenUrl(url.clone()))),
        })
    }

    /// The SQLite file is still the one opened.
    fn check_file(&self) -> Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        match file_identity(&file.path) {
            Ok(identity) if identity == file.identity => Ok(()),
            Ok(_) => Err(StoreError::Replaced(file.path.clone())),
            Err(_) => Err(StoreError::Missing(file.path.clone())),
        }
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

    /// True when the database answers and every embedded migration is
    /// applied; an error when it does not answer or, for SQLite, when its
    /// file was removed or replaced since it was opened.
    pub async fn is_ready(&self) -> Result<bool> {
        self.check_file()?;
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
