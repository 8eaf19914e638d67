//! The audit log: pages of entries with their hashes for operators, and
//! its head and verification for anyone, so members can check it.

use store::{AuditEntry, Verdict};

use super::read_operations;
use crate::{Action, Actor, Consortium, ConsortiumError, Result};

/// The largest page of entries one read answers.
pub const MAX_AUDIT_PAGE: i64 = 1000;

fn read_consortium(actor: &Actor) -> Result<()> {
    actor
        .may(Action::ReadConsortium)
        .map_err(|r| r.into_error("audit log"))
}

impl Consortium {
    /// A page of the audit log, oldest first, after entry `after`: at
    /// least one entry and at most [`MAX_AUDIT_PAGE`].
    pub async fn audit_entries(
        &self,
        actor: &Actor,
        subject: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        read_operations(actor, "audit log")?;
        Ok(self
            .store
            .audit_entries(subject, after, limit.clamp(1, MAX_AUDIT_PAGE))
            .await?)
    }

    /// The number of entries and the last one's hash, to publish or compare.
    pub async fn audit_head(&self, actor: &Actor) -> Result<(i64, String)> {
        read_consortium(actor)?;
        Ok(self.store.audit_head().await?)
    }

    /// Walks the whole chain and, given a head published earlier, checks
    /// the log still holds it.
    pub async fn verify_audit(&self, actor: &Actor, against: Option<&str>) -> Result<Verdict> {
        read_consortium(actor)?;
        Ok(match against {
            Some(head) if !store::is_audit_hash(head) => {
                return Err(ConsortiumError::Invalid(format!(
                    "{head:?} is not an audit head: 64 lower-case hex digits, as the audit log's head gives"
                )));
            }
            Some(head) => self.store.verify_audit_against(head).await?,
            None => self.store.verify_audit().await?,
        })
    }
}
