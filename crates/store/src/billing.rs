//! Cost lines, contributions and frozen statements of billing periods.

use sqlx::Row;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{Act, Change};
use crate::servers::server_subject;
use crate::{Result, Store, StoreError, found};

/// A cost of a period (`org_id` empty), or an organisation's declared
/// contribution (`org_id` set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    pub period: String,
    pub label: String,
    pub cents: i64,
    pub org_id: Option<i64>,
}

/// A closed period's frozen statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedStatement {
    /// The statement as computed at closing (JSON).
    pub body: String,
    pub closed_at: i64,
    /// The audit log's head right after closing; none for periods closed
    /// before Plenary stored it.
    pub audit_head: Option<String>,
}

impl Store {
    pub async fn add_cost_line(&self, line: &CostLine, act: &Act) -> Result<()> {
        if self.statement(&line.period).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "period {} is closed",
                line.period
            )));
        }
        let mut tx = self.begin_audited().await?;
        sqlx::query("INSERT INTO cost_lines (period, label, cents, org_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&line.period)
            .bind(&line.label)
            .bind(line.cents)
            .bind(line.org_id)
            .bind(act.at_ms)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            kind: if line.org_id.is_some() {
                "bill.contribution"
            } else {
                "bill.cost"
            },
            subject: period_subject(&line.period),
            detail: json!({"label": line.label, "cents": line.cents, "org_id": line.org_id}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    pub async fn cost_lines(&self, period: &str) -> Result<Vec<CostLine>> {
        let rows = sqlx::query(
            "SELECT period, label, cents, org_id FROM cost_lines WHERE period = $1 ORDER BY id",
        )
        .bind(period)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CostLine {
                    period: r.try_get("period")?,
                    label: r.try_get("label")?,
                    cents: r.try_get("cents")?,
                    org_id: r.try_get("org_id")?,
                })
            })
            .collect()
    }

    /// Freezes a period's statement; a closed period cannot be closed again.
    /// The log keeps the statement's SHA-256, so a later edit of the frozen
    /// body shows; the head after that entry is stored with the statement
    /// (in the same transaction) for members to hold the log to.
    pub async fn close_statement(
        &self,
        period: &str,
        body: &str,
        act: &Act,
    ) -> Result<ClosedStatement> {
        let mut tx = self.begin_audited().await?;
        sqlx::query("INSERT INTO statements (period, body, closed_at) VALUES ($1, $2, $3)")
            .bind(period)
            .bind(body)
            .bind(act.at_ms)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, format!("a closed statement for {period}")))?;
        let change = Change {
            kind: "bill.close",
            subject: period_subject(period),
            detail: json!({"statement_sha256": hex::encode(Sha256::digest(body.as_bytes()))}),
        };
        let entry = Self::append_audited(&mut tx, act, change).await?;
        sqlx::query("UPDATE statements SET audit_head = $1 WHERE period = $2")
            .bind(&entry.hash)
            .bind(period)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ClosedStatement {
            body: body.to_string(),
            closed_at: act.at_ms,
            audit_head: Some(entry.hash),
        })
    }

    pub async fn statement(&self, period: &str) -> Result<Option<ClosedStatement>> {
        let row =
            sqlx::query("SELECT body, closed_at, audit_head FROM statements WHERE period = $1")
                .bind(period)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(ClosedStatement {
                body: r.try_get("body")?,
                closed_at: r.try_get("closed_at")?,
                audit_head: r.try_get("audit_head")?,
            })
        })
        .transpose()
    }

    /// Every closed period's statement, by period, oldest first.
    pub async fn statements(&self) -> Result<Vec<(String, ClosedStatement)>> {
        let rows = sqlx::query(
            "SELECT period, body, closed_at, audit_head FROM statements ORDER BY period",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("period")?,
                    ClosedStatement {
                        body: r.try_get("body")?,
                        closed_at: r.try_get("closed_at")?,
                        audit_head: r.try_get("audit_head")?,
                    },
                ))
            })
            .collect()
    }

    pub async fn set_server_cost(
        &self,
        id: i64,
        monthly_cost_cents: i64,
        owner_org_id: Option<i64>,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query(
            "UPDATE servers SET monthly_cost_cents = $1, owner_org_id = $2 WHERE id = $3",
        )
        .bind(monthly_cost_cents)
        .bind(owner_org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        found(done, || format!("server {id}"))?;
        let change = Change {
            kind: "server.cost",
            subject: server_subject(id),
            detail: json!({"monthly_cost_cents": monthly_cost_cents, "owner_org_id": owner_org_id}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }
}

fn period_subject(period: &str) -> String {
    format!("period:{period}")
}
