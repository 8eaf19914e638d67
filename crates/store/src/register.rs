//! The register: organisations (which own tenants and may be members of the
//! consortium), their membership history, versioned documents they accept,
//! and the consortium's rules. Which step may follow which is decided by the
//! governance crate; this module records what it decided.

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Act, Change};
use crate::vocabulary::{OrgKind, RegisterStatus};
use crate::{Result, Store, StoreError, found};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub legal_name: String,
    /// The legal form (`co-operative`, `association`…), as the governance
    /// crate names it; none when it was never recorded.
    pub legal_form: Option<String>,
    pub created_at: i64,
    pub kind: OrgKind,
    /// The member class (`consumer`, `producer`…); none for a plain customer.
    pub member_class: Option<String>,
    pub status: RegisterStatus,
    pub weight: i64,
    pub contact: String,
    /// The membership state with its dates (JSON, from the governance crate).
    pub membership: Option<String>,
}

/// The register fields an operator may set; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterPatch {
    pub legal_name: Option<String>,
    pub legal_form: Option<String>,
    pub kind: Option<String>,
    pub member_class: Option<String>,
    pub weight: Option<i64>,
    pub contact: Option<String>,
}

/// One step of an organisation's membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipStep {
    pub status: String,
    /// When the step takes effect (a joining date, the end of a notice).
    pub effective_at: i64,
    pub note: String,
    /// The new membership state with its dates (JSON).
    pub membership: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipEvent {
    pub at_ms: i64,
    pub status: String,
    pub effective_at: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub body: String,
    pub sha256: String,
    pub published_at: i64,
}

const ORG_COLUMNS: &str = "id, name, legal_name, legal_form, created_at, kind, member_class, status, weight, contact, membership";

fn organisation_from(r: &AnyRow) -> Result<Organisation> {
    let name: String = r.try_get("name")?;
    let row = format!("organisation {name:?}");
    Ok(Organisation {
        id: r.try_get("id")?,
        name,
        legal_name: r.try_get("legal_name")?,
        legal_form: r.try_get("legal_form")?,
        created_at: r.try_get("created_at")?,
        kind: OrgKind::read(&r.try_get::<String, _>("kind")?, &row)?,
        member_class: r.try_get("member_class")?,
        status: RegisterStatus::read(&r.try_get::<String, _>("status")?, &row)?,
        weight: r.try_get("weight")?,
        contact: r.try_get("contact")?,
        membership: r.try_get("membership")?,
    })
}

fn document_from(r: &AnyRow) -> Result<Document> {
    Ok(Document {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        version: r.try_get("version")?,
        body: r.try_get("body")?,
        sha256: r.try_get("sha256")?,
        published_at: r.try_get("published_at")?,
    })
}

/// How the audit log names an organisation.
pub(crate) fn org_subject(name: &str) -> String {
    format!("org:{name}")
}

impl Store {
    pub async fn add_organisation(
        &self,
        name: &str,
        legal_name: &str,
        act: &Act,
    ) -> Result<Organisation> {
        let mut tx = self.begin_audited().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO organisations (name, legal_name, created_at) VALUES ($1, $2, $3) \
             RETURNING {ORG_COLUMNS}"
        )))
        .bind(name)
        .bind(legal_name)
        .bind(act.at_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("organisation {name:?}")))?;
        let org = organisation_from(&row)?;
        let change = Change {
            kind: "org.add",
            subject: org_subject(name),
            detail: json!({"legal_name": legal_name}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(org)
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(organisation_from)
        .collect()
    }

    /// Every organisation's name by ID, for reports that name them.
    pub async fn organisation_names(&self) -> Result<std::collections::HashMap<i64, String>> {
        Ok(self
            .organisations()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    pub async fn organisation(&self, name: &str) -> Result<Organisation> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations WHERE name = $1"
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("organisation {name:?}")))?;
        organisation_from(&row)
    }

    /// Sets the given register fields of an organisation in one audited change.
    pub async fn set_register(&self, name: &str, patch: &RegisterPatch, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query(
            "UPDATE organisations SET legal_name = COALESCE($1, legal_name), kind = COALESCE($2, kind), \
             member_class = COALESCE($3, member_class), weight = COALESCE($4, weight), \
             contact = COALESCE($5, contact), legal_form = COALESCE($7, legal_form) WHERE name = $6",
        )
        .bind(patch.legal_name.as_deref())
        .bind(patch.kind.as_deref())
        .bind(patch.member_class.as_deref())
        .bind(patch.weight)
        .bind(patch.contact.as_deref())
        .bind(name)
        .bind(patch.legal_form.as_deref())
        .execute(&mut *tx)
        .await?;
        found(done, || format!("organisation {name:?}"))?;
        let change = Change {
            kind: "org.set",
            subject: org_subject(name),
            detail: json!({"legal_name": patch.legal_name, "legal_form": patch.legal_form, "kind": patch.kind,
                "member_class": patch.member_class, "weight": patch.weight, "contact": patch.contact}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// Records a membership step: the organisation's status and dates, and
    /// its history, in one audited change.
    pub async fn record_membership(
        &self,
        name: &str,
        step: &MembershipStep,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("organisation {name:?}")))?;
        sqlx::query("UPDATE organisations SET status = $1, membership = $2 WHERE id = $3")
            .bind(&step.status)
            .bind(&step.membership)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO membership_events (org_id, at, status, effective_at, note) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(act.at_ms)
        .bind(&step.status)
        .bind(step.effective_at)
        .bind(&step.note)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "org.membership",
            subject: org_subject(name),
            detail: json!({"status": step.status, "effective_at": step.effective_at, "note": step.note}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// An organisation's membership steps, oldest first.
    pub async fn membership_history(&self, org_id: i64) -> Result<Vec<MembershipEvent>> {
        sqlx::query(
            "SELECT at, status, effective_at, note FROM membership_events WHERE org_id = $1 ORDER BY id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(MembershipEvent {
                at_ms: r.try_get("at")?,
                status: r.try_get("status")?,
                effective_at: r.try_get("effective_at")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
    }

    /// Publishes the next version of a document; earlier versions stay.
    pub async fn publish_document(&self, name: &str, body: &str, act: &Act) -> Result<Document> {
        let mut tx = self.begin_audited().await?;
        let version: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM documents WHERE name = $1",
        )
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        let sha = hex::encode(Sha256::digest(body.as_bytes()));
        let row = sqlx::query(
            "INSERT INTO documents (name, version, body, sha256, published_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, name, version, body, sha256, published_at",
        )
        .bind(name)
        .bind(version + 1)
        .bind(body)
        .bind(&sha)
        .bind(act.at_ms)
        .fetch_one(&mut *tx)
        .await?;
        let doc = document_from(&row)?;
        let change = Change {
            kind: "document.publish",
            subject: format!("document:{name}"),
            detail: json!({"version": doc.version, "sha256": sha}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(doc)
    }

    /// The latest version of a document, if any was published.
    pub async fn document(&self, name: &str) -> Result<Option<Document>> {
        sqlx::query(
            "SELECT id, name, version, body, sha256, published_at FROM documents WHERE name = $1 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(document_from)
        .transpose()
    }

    /// Every version of every document, by name then version.
    pub async fn documents(&self) -> Result<Vec<Document>> {
        sqlx::query(
            "SELECT id, name, version, body, sha256, published_at FROM documents ORDER BY name, version",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(document_from)
        .collect()
    }

    /// Records that an organisation accepted a document version (once).
    pub async fn accept_document(&self, org: &str, document: &Document, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let org_id: i64 = sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
            .bind(org)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("organisation {org:?}")))?;
        sqlx::query(
            "INSERT INTO acceptances (org_id, document_id, accepted_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, document_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(document.id)
        .bind(act.at_ms)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "document.accept",
            subject: org_subject(org),
            detail: json!({"document": document.name, "version": document.version, "sha256": document.sha256}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// The document versions an organisation accepted, as `(name, version, at)`.
    pub async fn acceptances(&self, org_id: i64) -> Result<Vec<(String, i64, i64)>> {
        sqlx::query(
            "SELECT d.name, d.version, a.accepted_at FROM acceptances a JOIN documents d ON d.id = a.document_id \
             WHERE a.org_id = $1 ORDER BY d.name, d.version",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
    }

    /// The consortium's rules as stored JSON, if they were ever set.
    pub async fn consortium_rules(&self) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM consortium_rules WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Puts the consortium's rules in place; `decision` is the proposal
    /// that decided them, if a decision did.
    pub async fn set_consortium_rules(
        &self,
        body: &serde_json::Value,
        decision: Option<i64>,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        sqlx::query(
            "INSERT INTO consortium_rules (id, body, updated_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(body.to_string())
        .bind(act.at_ms)
        .execute(&mut *tx)
        .await?;
        let change = match decision {
            None => Change {
                kind: "rules.set",
                subject: "rules".into(),
                detail: body.clone(),
            },
            Some(proposal) => Change {
                kind: "rules.amend",
                subject: "rules".into(),
                detail: json!({"proposal": proposal, "rules": body}),
            },
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }
}
