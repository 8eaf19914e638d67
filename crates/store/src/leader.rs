//! Which instance polls, and which runs the consortium's duties. With
//! several Plenary instances on one database, exactly one must poll (or
//! every sample would be stored twice) and exactly one must run the duties
//! (or a reminder would be mailed twice). Each role is a lock that the
//! operating system or the database releases when its holder goes, on
//! shutdown or a crash alike:
//! - on PostgreSQL, a session-level advisory lock per role, held by a
//!   connection kept out of the pool;
//! - on SQLite, an exclusive OS lock (`flock`) on a file per role beside the
//!   database file, so a second process on the same file follows.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use sqlx::AnyConnection;

use crate::{Backend, Result, Store, StoreError};

/// One role that a single instance holds at a time.
#[derive(Debug, Clone, Copy)]
enum Role {
    Polling,
    Duties,
}

impl Role {
    /// Arbitrary, fixed advisory lock keys: the two roles may be held by
    /// different instances.
    fn advisory_key(self) -> i64 {
        match self {
            Self::Polling => 0x0050_4c45_4e41_5259, // "PLENARY" in ASCII
            Self::Duties => 0x0044_5554_4945_5321,  // "DUTIES!" in ASCII
        }
    }

    fn lock_file(self, database: &Path) -> PathBuf {
        let suffix = match self {
            Self::Polling => "poller.lock",
            Self::Duties => "duties.lock",
        };
        let mut name = database.as_os_str().to_owned();
        name.push(format!(".{suffix}"));
        PathBuf::from(name)
    }
}

/// Held while this instance has a role; dropping it gives the role up.
pub struct Leadership {
    hold: Hold,
}

enum Hold {
    Session(AnyConnection),
    /// The lock lasts as long as the file stays open.
    File {
        _open: File,
    },
    /// An in-memory SQLite database has no other instance to share it with.
    Sole,
}

impl Leadership {
    /// Whether the lock is still held: a lost connection (a database
    /// restart) loses it, and this instance must then stand again. A file
    /// lock lasts as long as its open file.
    pub async fn confirm(&mut self) -> bool {
        match &mut self.hold {
            Hold::Session(conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
            Hold::File { .. } | Hold::Sole => true,
        }
    }
}

impl Store {
    /// Becomes the poller if no other instance is, without waiting.
    pub async fn try_lead_polling(&self) -> Result<Option<Leadership>> {
        self.try_lead(Role::Polling).await
    }

    /// Becomes the instance that runs the consortium's duties (reminders,
    /// closing, leaves, sending the outbox) if no other instance is.
    pub async fn try_lead_duties(&self) -> Result<Option<Leadership>> {
        self.try_lead(Role::Duties).await
    }

    async fn try_lead(&self, role: Role) -> Result<Option<Leadership>> {
        match (self.backend, self.file.as_deref()) {
            (Backend::Sqlite, Some(database)) => try_lock_file(&role.lock_file(&database.path)),
            (Backend::Sqlite, None) => Ok(Some(Leadership { hold: Hold::Sole })),
            (Backend::Postgres, _) => self.try_advisory_lock(role.advisory_key()).await,
        }
    }

    async fn try_advisory_lock(&self, key: i64) -> Result<Option<Leadership>> {
        let mut conn = self.pool.acquire().await?;
        let won: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
        // The lock belongs to this session: keep the connection out of the
        // pool so no one else's queries run on it, and so closing it unlocks.
        Ok(won.then(|| Leadership {
            hold: Hold::Session(conn.detach()),
        }))
    }
}

/// `flock` locks belong to an open file, so two stores in one process
/// exclude each other as two processes do, and a dead process holds none.
fn try_lock_file(path: &Path) -> Result<Option<Leadership>> {
    let failed = |e| StoreError::LockFile(path.display().to_string(), e);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(failed)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Leadership {
            hold: Hold::File { _open: file },
        })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(failed(e)),
    }
}
