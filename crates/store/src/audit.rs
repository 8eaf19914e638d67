//! The tamper-evident audit log. Every register, tenant, tier, billing and
//! governance change appends one entry in the same transaction as the change
//! itself, so a change without its entry (or the reverse) cannot be stored.
//!
//! Each entry's hash covers its own fields and the previous entry's hash
//! (see [`entry_hash`]); altering, removing or reordering any stored entry
//! breaks the chain from that entry on, and `audit_head` catches a cut tail.

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{Result, Store};

/// The hash the first entry commits to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether an actor names someone: `system`, or `operator:NAME`,
/// `person:NAME`… with a name after the colon.
pub fn names_someone(actor: &str) -> bool {
    let name = actor.split_once(':').map_or(actor, |(_, name)| name);
    !name.trim().is_empty() && !actor.chars().any(char::is_control)
}

/// Who makes a change, and when: every audited write takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Act {
    /// `operator:<name>`, `org:<org>/<person>`, `system`…
    pub actor: String,
    pub at_ms: i64,
}

impl Act {
    pub fn new(actor: impl Into<String>, at_ms: i64) -> Self {
        Self {
            actor: actor.into(),
            at_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    /// What happened, dotted: `tenant.create`, `proposal.open`…
    pub kind: String,
    /// What it happened to: `tenant:alpha`, `proposal:7`…
    pub subject: String,
    /// The change, as JSON text (hashed exactly as stored).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub entries: i64,
    /// The last entry's hash: what members compare with a published head.
    pub head: String,
    pub broken: Option<Broken>,
}

/// The first entry at which the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub reason: String,
}

/// SHA-256 over a version tag and each field as `<byte length>:<bytes>\n`;
/// the length prefixes keep field boundaries unambiguous, so anyone can
/// recompute it from an export with a few lines of any language.
pub fn entry_hash(
    seq: i64,
    at_ms: i64,
    actor: &str,
    kind: &str,
    subject: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"plenary-audit-v1\n");
    for field in [
        seq.to_string().as_str(),
        at_ms.to_string().as_str(),
        actor,
        kind,
        subject,
        detail,
        prev_hash,
    ] {
        h.update(format!("{}:", field.len()).as_bytes());
        h.update(field.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

impl AuditEntry {
    fn recomputed_hash(&self) -> String {
        entry_hash(
            self.seq,
            self.at_ms,
            &self.actor,
            &self.kind,
            &self.subject,
            &self.detail,
            &self.prev_hash,
        )
    }
}

/// Checks entries in order, carrying what the next one must commit to.
struct Walk {
    expected_seq: i64,
    prev_hash: String,
}

impl Walk {
    fn new() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }

    fn step(&mut self, e: &AuditEntry) -> Result<(), Broken> {
        let broken = |reason: String| Broken { seq: e.seq, reason };
        if e.seq != self.expected_seq {
            return Err(Broken {
                seq: self.expected_seq,
                reason: format!("entry is missing (found {} next)", e.seq),
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(broken(format!(
                "does not commit to entry {}: its previous hash is {}, the chain says {}",
                e.seq - 1,
                e.prev_hash,
                self.prev_hash
            )));
        }
        if e.recomputed_hash() != e.hash {
            return Err(broken(
                "its content does not match its hash (altered after it was written)".into(),
            ));
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&e.hash);
        Ok(())
    }
}

const ENTRY_COLUMNS: &str = "seq, at, actor, kind, subject, detail, prev_hash, hash";

fn entry_from(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at")?,
        actor: r.try_get("actor")?,
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// A short, stable name for a secret that reveals nothing of it: what the
/// log and the CLI show instead of the secret.
pub fn fingerprint(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))[..12].to_string()
}

/// A change on its way into the log.
pub(crate) struct Change<'a> {
    pub kind: &'a str,
    pub subject: String,
    pub detail: serde_json::Value,
}

impl Store {
    /// Starts a transaction that will end with an audit entry. Its first
    /// statement is a write on the head row, so audited writers queue here
    /// (SQLite's write lock, PostgreSQL's row lock) instead of failing later.
    pub(crate) async fn begin_audited(&self) -> Result<Transaction<'static, Any>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Appends the change's entry and commits the transaction begun by
    /// [`Store::begin_audited`].
    pub(crate) async fn commit_audited(
        mut tx: Transaction<'static, Any>,
        act: &Act,
        change: Change<'_>,
    ) -> Result<AuditEntry> {
        let entry = Self::append_audited(&mut tx, act, change).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Appends the change's entry inside the transaction begun by
    /// [`Store::begin_audited`], for a change that records the new head
    /// itself before committing.
    pub(crate) async fn append_audited(
        tx: &mut Transaction<'static, Any>,
        act: &Act,
        change: Change<'_>,
    ) -> Result<AuditEntry> {
        if !names_someone(&act.actor) {
            return Err(crate::StoreError::UnnamedActor(act.actor.clone()));
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
        let seq = head.try_get::<i64, _>("seq")? + 1;
        let prev_hash: String = head.try_get("hash")?;
        let detail = change.detail.to_string();
        let hash = entry_hash(
            seq,
            act.at_ms,
            &act.actor,
            change.kind,
            &change.subject,
            &detail,
            &prev_hash,
        );
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, kind, subject, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(seq)
        .bind(act.at_ms)
        .bind(&act.actor)
        .bind(change.kind)
        .bind(&change.subject)
        .bind(&detail)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
        Ok(AuditEntry {
            seq,
            at_ms: act.at_ms,
            actor: act.actor.clone(),
            kind: change.kind.to_string(),
            subject: change.subject,
            detail,
            prev_hash,
            hash,
        })
    }

    /// Records an event that changes nothing else (a reminder sent, a
    /// result exported).
    pub async fn record_event(
        &self,
        act: &Act,
        kind: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<AuditEntry> {
        let tx = self.begin_audited().await?;
        Self::commit_audited(
            tx,
            act,
            Change {
                kind,
                subject: subject.to_string(),
                detail,
            },
        )
        .await
    }

    /// The number of entries and the last entry's hash, as the head row says.
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok((r.try_get("seq")?, r.try_get("hash")?))
    }

    /// Entries after `after_seq`, oldest first, optionally of one subject.
    pub async fn audit_entries(
        &self,
        subject: Option<&str>,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let condition = if subject.is_some() {
            "AND subject = $3"
        } else {
            ""
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 {condition} ORDER BY seq LIMIT $2"
        )))
        .bind(after_seq)
        .bind(limit);
        if let Some(s) = subject {
            query = query.bind(s);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(entry_from)
            .collect()
    }

    /// Walks the whole log in pages (memory stays bounded however long it
    /// is) and reports the first entry where the chain breaks.
    pub async fn verify_audit(&self) -> Result<Verdict> {
        self.walk_audit(None).await
    }

    /// Like [`Store::verify_audit`], and the log must also hold `head`, a
    /// head published earlier (with a closed proposal or bill): a tail cut
    /// off together with the head row is invisible to the chain alone.
    pub async fn verify_audit_against(&self, head: &str) -> Result<Verdict> {
        self.walk_audit(Some(head)).await
    }

    async fn walk_audit(&self, published: Option<&str>) -> Result<Verdict> {
        const PAGE: i64 = 1_000;
        let mut walk = Walk::new();
        let mut entries = 0;
        let mut seen = published.is_none_or(|h| h == GENESIS);
        loop {
            let page = self
                .audit_entries(None, walk.expected_seq - 1, PAGE)
                .await?;
            for e in &page {
                if let Err(broken) = walk.step(e) {
                    return Ok(Verdict {
                        entries,
                        head: walk.prev_hash,
                        broken: Some(broken),
                    });
                }
                seen |= published == Some(e.hash.as_str());
                entries += 1;
            }
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        let (head_seq, head_hash) = self.audit_head().await?;
        let broken = if head_seq != entries || head_hash != walk.prev_hash {
            Some(Broken {
                seq: head_seq.max(entries),
                reason: format!(
                    "the head says {head_seq} entries ending in {head_hash}, the log holds {entries}"
                ),
            })
        } else if !seen {
            Some(Broken {
                seq: entries + 1,
                reason: format!(
                    "the published head {} is not in the log: entries after entry {entries} were removed, or the head is not this log's",
                    published.unwrap_or_default()
                ),
            })
        } else {
            None
        };
        Ok(Verdict {
            entries,
            head: walk.prev_hash,
            broken,
        })
    }
}

/// Whether `s` is written as an audit hash: 64 lower-case hex digits.
pub fn is_audit_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at_ms: 1_000 * seq,
            actor: "operator:ada".into(),
            kind: "tenant.create".into(),
            subject: format!("tenant:t{seq}"),
            detail: "{}".into(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = e.recomputed_hash();
        e
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map_or(GENESIS.to_string(), |e| e.hash.clone());
            out.push(entry(seq, &prev));
        }
        out
    }

    fn first_break(entries: &[AuditEntry]) -> Option<i64> {
        let mut walk = Walk::new();
        entries
            .iter()
            .find_map(|e| walk.step(e).err())
            .map(|b| b.seq)
    }

    #[test]
    fn an_intact_chain_walks_to_the_end() {
        assert_eq!(first_break(&chain(5)), None);
    }

    #[test]
    fn an_altered_detail_breaks_at_that_entry() {
        let mut c = chain(5);
        c[2].detail = r#"{"forged":true}"#.into();
        assert_eq!(first_break(&c), Some(3));
    }

    #[test]
    fn a_rehashed_forgery_breaks_at_the_next_entry() {
        let mut c = chain(5);
        c[2].actor = "operator:mallory".into();
        c[2].hash = c[2].recomputed_hash();
        assert_eq!(first_break(&c), Some(4));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(first_break(&c), Some(2));
    }

    #[test]
    fn an_audit_hash_is_64_lower_case_hex_digits() {
        assert!(is_audit_hash(GENESIS));
        assert!(is_audit_hash(&entry(1, GENESIS).hash));
        for bad in [
            "",
            "abc",
            &GENESIS.to_uppercase().replace('0', "A"),
            &format!("{GENESIS}0"),
        ] {
            assert!(!is_audit_hash(bad), "{bad}");
        }
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let a = entry_hash(1, 1, "ab", "c", "s", "{}", GENESIS);
        let b = entry_hash(1, 1, "a", "bc", "s", "{}", GENESIS);
        assert_ne!(a, b);
    }
}
