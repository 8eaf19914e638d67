//! What other instances changed. Every instance caches tenants (with their
//! secrets), servers and live meetings; on PostgreSQL, triggers (migration
//! 0016) notify every committed change on one channel, whichever process
//! made it, and each instance listens and drops what changed. SQLite has
//! a single instance, which changes its caches itself.

use std::sync::Arc;

use sqlx::postgres::PgListener;

use crate::{Result, Store};

const CHANNEL: &str = "plenary_changes";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A tenant, its secrets or its parameter rules.
    Tenant,
    /// A server added, removed, or changed in what routing depends on.
    Server,
    /// A meeting record ended, discarded or moved to another server.
    Meeting(i64),
    /// The listener lost its connection, so notices may have been missed:
    /// anything may have changed.
    Missed,
}

impl Change {
    fn parse(payload: &str) -> Option<Self> {
        match payload {
            "tenant" => Some(Self::Tenant),
            "server" => Some(Self::Server),
            other => other
                .strip_prefix("meeting:")
                .and_then(|id| id.parse().ok())
                .map(Self::Meeting),
        }
    }
}

/// A PostgreSQL URL, which may carry a password: never printed.
pub(crate) struct ListenUrl(pub(crate) String);

impl std::fmt::Debug for ListenUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("postgres://…")
    }
}

/// The changes committed by every instance, in commit order.
pub struct Changes {
    url: Arc<ListenUrl>,
    listener: Option<PgListener>,
}

impl Store {
    /// Listens for changes; `None` on SQLite, where there is no other
    /// instance to hear from.
    pub async fn changes(&self) -> Result<Option<Changes>> {
        let Some(url) = &self.listen_url else {
            return Ok(None);
        };
        Ok(Some(Changes {
            url: url.clone(),
            listener: Some(listen(&url.0).await?),
        }))
    }
}

async fn listen(url: &str) -> Result<PgListener> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

impl Changes {
    /// The next change. A lost connection answers [`Change::Missed`] at
    /// once, and again once listening anew (the caches refilled in between
    /// may be stale too); an error means listening again failed, and the
    /// caller waits before calling again.
    pub async fn next(&mut self) -> Result<Change> {
        loop {
            let Some(listener) = &mut self.listener else {
                self.listener = Some(listen(&self.url.0).await?);
                return Ok(Change::Missed);
            };
            match listener.try_recv().await {
                Ok(Some(notice)) => {
                    if let Some(change) = Change::parse(notice.payload()) {
                        return Ok(change);
                    }
                    tracing::warn!(payload = notice.payload(), "unknown change notice ignored");
                }
                // Already listening again on a new connection.
                Ok(None) => return Ok(Change::Missed),
                Err(e) => {
                    tracing::warn!(error = %e, "lost the change listener's connection");
                    self.listener = None;
                    return Ok(Change::Missed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_what_changed() {
        assert_eq!(Change::parse("tenant"), Some(Change::Tenant));
        assert_eq!(Change::parse("server"), Some(Change::Server));
        assert_eq!(Change::parse("meeting:42"), Some(Change::Meeting(42)));
        assert_eq!(Change::parse("meeting:x"), None);
        assert_eq!(Change::parse("other"), None);
    }
}
