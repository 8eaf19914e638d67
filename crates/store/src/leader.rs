//! Which instance polls, and which runs the consortium's duties. With
//! several Plenary instances on one PostgreSQL database, exactly one must
//! poll (or every sample would be stored twice) and exactly one must run
//! the duties (or a reminder would be mailed twice); a session-level
//! advisory lock per role elects it, and is released when its connection
//! closes (on shutdown or a crash alike). SQLite serves one instance, which
//! always leads.

use sqlx::AnyConnection;

use crate::{Backend, Result, Store};

/// Arbitrary, fixed keys for the advisory locks, one per role: the two
/// roles may be held by different instances.
const POLLER_LOCK_KEY: i64 = 0x0050_4c45_4e41_5259; // "PLENARY" in ASCII
const DUTIES_LOCK_KEY: i64 = 0x0044_5554_4945_5321; // "DUTIES!" in ASCII

/// Held while this instance has a role; dropping it gives the role up.
pub struct Leadership {
    connection: Option<AnyConnection>,
}

impl Leadership {
    /// Whether the lock is still held: a lost connection (a database
    /// restart) loses it, and this instance must then stand again.
    pub async fn confirm(&mut self) -> bool {
        match &mut self.connection {
            None => true,
            Some(conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
        }
    }
}

impl Store {
    /// Becomes the poller if no other instance is, without waiting.
    pub async fn try_lead_polling(&self) -> Result<Option<Leadership>> {
        self.try_lead(POLLER_LOCK_KEY).await
    }

    /// Becomes the instance that runs the consortium's duties (reminders,
    /// closing, leaves, sending the outbox) if no other instance is.
    pub async fn try_lead_duties(&self) -> Result<Option<Leadership>> {
        self.try_lead(DUTIES_LOCK_KEY).await
    }

    async fn try_lead(&self, key: i64) -> Result<Option<Leadership>> {
        if self.backend == Backend::Sqlite {
            return Ok(Some(Leadership { connection: None }));
        }
        let mut conn = self.pool.acquire().await?;
        let won: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
        // The lock belongs to this session: keep the connection out of the
        // pool so no one else's queries run on it, and so closing it unlocks.
        Ok(won.then(|| Leadership {
            connection: Some(conn.detach()),
        }))
    }
}
