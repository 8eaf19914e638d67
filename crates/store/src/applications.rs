//! Applications to join from the portal's public form, kept until the
//! applicant confirms their address. As with login links, only a token's
//! hash is stored, and the one statement that reads a pending application
//! also uses it up, so two instances cannot both lodge it.

use sqlx::Row;

use crate::people::token_hash;
use crate::{Result, Store};

/// A confirmed application, as it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingApplication {
    pub email: String,
    /// The application as its service wrote it (JSON).
    pub application: String,
}

impl Store {
    /// Keeps an application until `expires_at`; its link is made later.
    pub async fn add_pending_application(
        &self,
        email: &str,
        application: &str,
        (now_ms, expires_at): (i64, i64),
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO pending_applications (email, application, created_at, expires_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(email)
        .bind(application)
        .bind(now_ms)
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Gives a pending application the token of its confirmation link.
    pub async fn set_pending_application_token(&self, id: i64, token: &str) -> Result<()> {
        sqlx::query("UPDATE pending_applications SET token_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Uses up the pending application of `token` if it is unused and
    /// unexpired; `None` for any other token.
    pub async fn use_pending_application(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<PendingApplication>> {
        let row = sqlx::query(
            "UPDATE pending_applications SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING email, application",
        )
        .bind(token_hash(token))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PendingApplication {
                email: r.try_get("email")?,
                application: r.try_get("application")?,
            })
        })
        .transpose()
    }

    /// Whether `token` names a pending application still waiting, without
    /// using it up: the confirmation page asks before it lodges.
    pub async fn pending_application_waits(&self, token: &str, now_ms: i64) -> Result<bool> {
        let row = sqlx::query(
            "SELECT id FROM pending_applications \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}
