//! The audit log: whether its chain holds, its head (what members compare
//! with a head published earlier), and its entries, newest first, a page
//! at a time, with who acted by name.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use store::AuditEntry;

use super::super::PortalState;
use super::super::page::{Nav, PageResult, render};
use super::super::when::utc;
use super::super::who::Names;
use super::{Operator, Tab};

/// Entries on one page.
const PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct Asked {
    /// Show the page of entries up to this one; the newest by default.
    upto: Option<i64>,
}

pub struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub detail: String,
    pub hash: String,
}

impl EntryRow {
    fn of(e: AuditEntry, names: &Names) -> Self {
        Self {
            seq: e.seq,
            at: utc(e.at_ms),
            actor: names.name(&e.actor),
            kind: e.kind,
            subject: e.subject,
            detail: e.detail,
            hash: e.hash,
        }
    }
}

#[derive(Template)]
#[template(path = "portal/operator/audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    intact: bool,
    entries_total: i64,
    head: String,
    broken: Option<(i64, String)>,
    rows: Vec<EntryRow>,
    older: Option<i64>,
    newer: Option<i64>,
}

pub async fn log(
    State(state): State<PortalState>,
    op: Operator,
    Query(asked): Query<Asked>,
) -> PageResult {
    let consortium = &state.api.consortium;
    let verdict = consortium.verify_audit(&op.actor, None).await?;
    let (last, _) = consortium.audit_head(&op.actor).await?;
    let upto = asked.upto.unwrap_or(last).clamp(0, last);
    let after = (upto - PAGE).max(0);
    let names = Names::of_people(consortium.store()).await?;
    let mut rows: Vec<EntryRow> = consortium
        .audit_entries(&op.actor, None, after, upto - after)
        .await?
        .into_iter()
        .map(|e| EntryRow::of(e, &names))
        .collect();
    rows.reverse();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            nav: op.nav(),
            tabs: Tab::Audit.links(),
            intact: verdict.broken.is_none(),
            entries_total: verdict.entries,
            head: verdict.head,
            broken: verdict.broken.map(|b| (b.seq, b.reason)),
            rows,
            older: (after > 0).then_some(after),
            newer: (upto < last).then_some((upto + PAGE).min(last)),
        },
    ))
}
