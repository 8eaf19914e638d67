//! The tenants' callback URLs, each behind a one-time token that Plenary
//! gave the BBB server instead. Only the token's SHA-256 is kept, so a copy
//! of the database cannot be used to call the URLs.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, token_hash};

/// One callback URL of a meeting being created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCallback<'a> {
    /// The token in the URL given to the server.
    pub token: &'a str,
    pub kind: &'a str,
    /// The tenant's own URL.
    pub url: &'a str,
}

/// What a token stands for: the tenant's URL and the meeting it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackTarget {
    pub id: i64,
    pub kind: String,
    pub url: String,
    pub used_at: Option<i64>,
    pub tenant_id: i64,
    pub tenant_name: String,
    /// The ID the tenant uses.
    pub meeting_id: String,
    /// The namespaced ID the server knows.
    pub backend_id: String,
    /// The server that holds (or held) the meeting, whose secret signs its callbacks.
    pub server_id: i64,
}

fn target_from(r: &AnyRow) -> Result<CallbackTarget> {
    Ok(CallbackTarget {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        url: r.try_get("url")?,
        used_at: r.try_get("used_at")?,
        tenant_id: r.try_get("tenant_id")?,
        tenant_name: r.try_get("tenant_name")?,
        meeting_id: r.try_get("meeting_id")?,
        backend_id: r.try_get("backend_id")?,
        server_id: r.try_get("server_id")?,
    })
}

impl Store {
    /// Keeps a meeting's callback URLs, all or none.
    pub async fn add_callbacks(
        &self,
        meeting_ref: i64,
        callbacks: &[NewCallback<'_>],
        now_ms: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for c in callbacks {
            sqlx::query(
                "INSERT INTO callbacks (token_hash, kind, meeting_ref, url, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash(c.token))
            .bind(c.kind)
            .bind(meeting_ref)
            .bind(c.url)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The callback a token stands for, used or not.
    pub async fn callback(&self, token: &str) -> Result<Option<CallbackTarget>> {
        sqlx::query(
            "SELECT c.id, c.kind, c.url, c.used_at, m.tenant_id, t.name AS tenant_name, \
             m.meeting_id, m.backend_id, m.server_id \
             FROM callbacks c JOIN meetings m ON m.id = c.meeting_ref \
             JOIN tenants t ON t.id = m.tenant_id WHERE c.token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(target_from)
        .transpose()
    }

    /// Marks a callback used; true only for the first call, so concurrent
    /// or repeated calls of one URL are forwarded once.
    pub async fn use_callback(&self, id: i64, now_ms: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE callbacks SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now_ms)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
