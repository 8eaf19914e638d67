//! Contributions members give besides their fees, recorded for
//! organisations and individuals alike. What a kind and an amount mean is
//! the governance crate's; this module records what it checked.

use serde_json::json;
use sqlx::Row;

use crate::audit::{Act, Change};
use crate::register::org_subject;
use crate::{Result, Store, StoreError};

/// A contribution to record: `amount` in the kind's smallest unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContribution<'a> {
    pub kind: &'a str,
    pub amount: i64,
    pub day: &'a str,
    pub note: &'a str,
}

/// A recorded contribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionRecord {
    pub id: i64,
    pub org: String,
    pub kind: String,
    pub amount: i64,
    pub day: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

impl Store {
    /// Records what `org` gave, in one audited change.
    pub async fn record_contribution(
        &self,
        org: &str,
        c: &NewContribution<'_>,
        act: &Act,
    ) -> Result<ContributionRecord> {
        let mut tx = self.begin_audited().await?;
        let org_id: i64 = sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
            .bind(org)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("organisation {org:?}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contributions (org_id, kind, amount, day, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org_id)
        .bind(c.kind)
        .bind(c.amount)
        .bind(c.day)
        .bind(c.note)
        .bind(&act.actor)
        .bind(act.at_ms)
        .fetch_one(&mut *tx)
        .await?;
        let change = Change {
            kind: "org.contribution",
            subject: org_subject(org),
            detail: json!({"id": id, "kind": c.kind, "amount": c.amount, "day": c.day, "note": c.note}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(ContributionRecord {
            id,
            org: org.to_owned(),
            kind: c.kind.to_owned(),
            amount: c.amount,
            day: c.day.to_owned(),
            note: c.note.to_owned(),
            recorded_by: act.actor.clone(),
            recorded_at: act.at_ms,
        })
    }

    /// Every recorded contribution, by organisation name, then day, then
    /// the order of recording.
    pub async fn contributions(&self) -> Result<Vec<ContributionRecord>> {
        sqlx::query(
            "SELECT c.id, o.name, c.kind, c.amount, c.day, c.note, c.recorded_by, c.recorded_at \
             FROM contributions c JOIN organisations o ON o.id = c.org_id \
             ORDER BY o.name, c.day, c.id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ContributionRecord {
                id: r.try_get("id")?,
                org: r.try_get("name")?,
                kind: r.try_get("kind")?,
                amount: r.try_get("amount")?,
                day: r.try_get("day")?,
                note: r.try_get("note")?,
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
    }
}
