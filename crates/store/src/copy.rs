//! Backups, restores and moves between backends.
//!
//! A SQLite backup is `VACUUM INTO`: one read transaction, so a consistent
//! snapshot while the gateway and poller go on writing. A move copies every
//! table row by row, in an order where each row's references already exist,
//! with the audit entries exactly as stored, so the chain still verifies.

use std::path::{Path, PathBuf};

use sqlx::any::{AnyArguments, AnyRow, AnyTypeInfoKind};
use sqlx::query::Query;
use sqlx::{Any, Column, Row, ValueRef};

use crate::{Backend, Result, Store, StoreError, Verdict};

/// Every table, each after the tables it references. A test checks this
/// against the migrated schema, so a new table cannot be left out of moves.
pub const TABLES: &[&str] = &[
    "organisations",
    "tiers",
    "tenants",
    "tenant_secrets",
    "tenant_params",
    "servers",
    "server_reservations",
    "meetings",
    "callbacks",
    "recordings",
    "usage_samples",
    "quota_refusals",
    "cost_lines",
    "statements",
    "audit_log",
    "audit_head",
    "usage_rollups",
    "rollup_state",
    "membership_events",
    "people",
    "representatives",
    "api_tokens",
    "documents",
    "acceptances",
    "consortium_rules",
    "proposals",
    "proposal_roll",
    "ballots",
    "outbox",
    "forum_topics",
    "forum_accounts",
    "forum_votes",
    "contributions",
    "logins",
    "sessions",
    "login_links",
    "pending_applications",
];

/// Tables a fresh installation already fills: a move replaces their rows.
const SEEDED: &[&str] = &["tiers", "audit_head", "rollup_state"];

/// What checking a database found: it is usable when `problems` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub audit: Verdict,
    pub problems: Vec<String>,
}

/// Rows copied per table, in copy order.
pub type Copied = Vec<(&'static str, u64)>;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} already exists: a backup never overwrites a file")]
    Exists(PathBuf),
    #[error("backups of PostgreSQL are made with pg_dump (see the operator's guide)")]
    NotSqlite,
    #[error("the target database already holds {0}: moves go into a new, empty database")]
    NotEmpty(String),
    #[error("the backup {} is not usable: {}", .0.display(), .1.join("; "))]
    Unusable(PathBuf, Vec<String>),
    #[error("cannot write {path}: {error}", path = .0.display(), error = .1)]
    Io(PathBuf, std::io::Error),
}

impl Store {
    /// Writes a consistent snapshot of this SQLite database to `path`, then
    /// checks the written file as [`check_file`] does.
    pub async fn backup(&self, path: &Path) -> Result<Check, CopyError> {
        if self.backend != Backend::Sqlite {
            return Err(CopyError::NotSqlite);
        }
        if path.exists() {
            return Err(CopyError::Exists(path.to_path_buf()));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await
            .map_err(StoreError::from)?;
        restrict(path)?;
        check_file(path).await
    }

    /// SQLite's own page check, every migration applied and the audit
    /// chain intact.
    pub async fn check(&self) -> Result<Check> {
        let mut problems = Vec::new();
        if self.backend == Backend::Sqlite {
            let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&self.pool)
                .await?;
            if verdict != "ok" {
                problems.push(format!("integrity check: {verdict}"));
            }
        }
        if !self.is_ready().await? {
            problems.push("migrations are missing".into());
        }
        let audit = self.verify_audit().await?;
        if let Some(b) = &audit.broken {
            problems.push(format!("audit entry {}: {}", b.seq, b.reason));
        }
        Ok(Check { audit, problems })
    }

    /// Copies every row of `from` into this database, which must be new:
    /// migrated, with nothing but what migrations seed. One transaction, so
    /// a failed move leaves the target as empty as it was.
    pub async fn copy_from(&self, from: &Store) -> Result<Copied, CopyError> {
        for table in ["organisations", "tenants", "servers", "audit_log"] {
            let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"
            )))
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::from)?;
            if rows > 0 {
                return Err(CopyError::NotEmpty(format!("{rows} rows in {table}")));
            }
        }
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        for table in SEEDED {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        }
        let mut copied = Vec::with_capacity(TABLES.len());
        let mut with_ids = Vec::new();
        for &table in TABLES {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
                .fetch_all(&from.pool)
                .await
                .map_err(StoreError::from)?;
            for row in &rows {
                insert(table, row)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("copying a row of {table}: {e}")))?;
            }
            if rows
                .first()
                .is_some_and(|r| r.columns().iter().any(|c| c.name() == "id"))
            {
                with_ids.push(table);
            }
            copied.push((table, rows.len() as u64));
        }
        if self.backend == Backend::Postgres {
            // Rows came with their ids: the identity sequences must go on
            // after them, or the next insert collides.
            for table in with_ids {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT CAST(setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) AS BIGINT) FROM {table}"
                )))
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(copied)
    }

    /// Every table's row count, in copy order: what a move must preserve.
    pub async fn row_counts(&self) -> Result<Copied> {
        let mut counts = Vec::with_capacity(TABLES.len());
        for &table in TABLES {
            let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"
            )))
            .fetch_one(&self.pool)
            .await?;
            counts.push((table, rows as u64));
        }
        Ok(counts)
    }
}

/// Opens a backup file read-only and checks it; the file is left as it was.
pub async fn check_file(path: &Path) -> Result<Check, CopyError> {
    if !path.is_file() {
        return Err(StoreError::Missing(path.to_path_buf()).into());
    }
    let store = Store::connect(&format!("sqlite://{}?mode=ro", path.display())).await?;
    let check = store.check().await;
    store.close().await;
    Ok(check?)
}

/// Replaces the SQLite database at `target` with a checked backup. The
/// backup is copied beside the target and renamed over it, so the target
/// is at every moment either the old database or the whole new one.
/// Serving instances must be stopped first.
pub async fn restore_file(backup: &Path, target: &Path) -> Result<Check, CopyError> {
    let check = check_file(backup).await?;
    if !check.problems.is_empty() {
        return Err(CopyError::Unusable(backup.to_path_buf(), check.problems));
    }
    let io = |e| CopyError::Io(target.to_path_buf(), e);
    let partial = target.with_extension("restoring");
    std::fs::copy(backup, &partial).map_err(io)?;
    restrict(&partial)?;
    // A WAL left by the old database would be replayed into the new one.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
    }
    std::fs::rename(&partial, target).map_err(io)?;
    Ok(check)
}

/// Database files hold tenant secrets: readable by their owner only.
fn restrict(path: &Path) -> Result<(), CopyError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CopyError::Io(path.to_path_buf(), e))?;
    }
    Ok(())
}

/// The INSERT of one row as read, each value bound with its column's type
/// (a NULL too, which PostgreSQL types strictly).
fn insert<'q>(table: &str, row: &'q AnyRow) -> Query<'q, Any, AnyArguments> {
    let columns: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        crate::placeholders(1, columns.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (i, column) in row.columns().iter().enumerate() {
        let value_kind = row
            .try_get_raw(i)
            .map(|v| v.type_info().kind())
            .unwrap_or(AnyTypeInfoKind::Null);
        let kind = match value_kind {
            AnyTypeInfoKind::Null => column.type_info().kind(),
            k => k,
        };
        query = match kind {
            AnyTypeInfoKind::Bool => query.bind(row.try_get::<Option<bool>, _>(i).ok().flatten()),
            AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
                query.bind(row.try_get::<Option<f64>, _>(i).ok().flatten())
            }
            AnyTypeInfoKind::Text => query.bind(row.try_get::<Option<String>, _>(i).ok().flatten()),
            AnyTypeInfoKind::Blob => {
                query.bind(row.try_get::<Option<Vec<u8>>, _>(i).ok().flatten())
            }
            _ => query.bind(row.try_get::<Option<i64>, _>(i).ok().flatten()),
        };
    }
    query
}
