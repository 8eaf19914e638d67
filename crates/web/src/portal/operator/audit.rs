//! The audit log: whether its chain holds, its head (what members compare
//! with a head published earlier), and its entries, newest first, a page
//! at a time, with who acted and on what by name, linked where the portal
//! has a page for it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use store::AuditEntry;

use super::super::PortalState;
use super::super::page::{Nav, PageResult, render};
use super::super::when::utc;
use super::super::who::Names;
use super::fleet::server_name;
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
    pub subject: Subject,
    pub detail: String,
    pub hash: String,
}

/// What an entry changed, as an operator reads it: the log stores stable
/// keys (`server:7`, `tenant:school-main`) so that its hashes never depend
/// on a name that can change.
#[derive(Debug, PartialEq, Eq)]
pub struct Subject {
    pub text: String,
    pub href: Option<String>,
}

impl Subject {
    fn of(key: &str, servers: &HashMap<i64, String>) -> Self {
        let (kind, rest) = key.split_once(':').unwrap_or((key, ""));
        let named = |what: &str, href: Option<String>| Self {
            text: format!("{what} {rest}"),
            href,
        };
        match kind {
            "server" => match rest.parse().ok().and_then(|id| servers.get(&id)) {
                Some(name) => Self {
                    text: format!("server {name}"),
                    href: Some(format!("/portal/operator/servers/{rest}")),
                },
                None => named("removed server", None),
            },
            "tenant" => named("tenant", Some(format!("/portal/operator/tenants/{rest}"))),
            "period" => named("period", Some(format!("/portal/operator/billing/{rest}"))),
            "proposal" => named("proposal", Some(format!("/portal/proposals/{rest}"))),
            "org" => named("organisation", None),
            "tier" | "person" | "operator" | "document" => named(kind, None),
            _ => Self {
                text: key.to_string(),
                href: None,
            },
        }
    }
}

impl EntryRow {
    fn of(e: AuditEntry, names: &Names, servers: &HashMap<i64, String>) -> Self {
        Self {
            seq: e.seq,
            at: utc(e.at_ms),
            actor: names.name(&e.actor),
            kind: e.kind,
            subject: Subject::of(&e.subject, servers),
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
    let servers: HashMap<i64, String> = consortium
        .servers(&op.actor)
        .await?
        .into_iter()
        .map(|s| (s.id, server_name(&s.url)))
        .collect();
    let mut rows: Vec<EntryRow> = consortium
        .audit_entries(&op.actor, None, after, upto - after)
        .await?
        .into_iter()
        .map(|e| EntryRow::of(e, &names, &servers))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(key: &str) -> Subject {
        let servers = HashMap::from([(7, "bbb7.example.org".to_string())]);
        Subject::of(key, &servers)
    }

    #[test]
    fn a_server_is_named_by_its_address_and_linked_to_its_page() {
        assert_eq!(
            subject("server:7"),
            Subject {
                text: "server bbb7.example.org".into(),
                href: Some("/portal/operator/servers/7".into()),
            }
        );
    }

    #[test]
    fn a_removed_server_is_said_to_be_removed_and_not_linked() {
        assert_eq!(
            subject("server:8"),
            Subject {
                text: "removed server 8".into(),
                href: None,
            }
        );
    }

    #[test]
    fn tenants_periods_and_proposals_link_to_their_pages() {
        assert_eq!(
            subject("tenant:school-main").href.as_deref(),
            Some("/portal/operator/tenants/school-main")
        );
        assert_eq!(
            subject("period:2026-11").href.as_deref(),
            Some("/portal/operator/billing/2026-11")
        );
        assert_eq!(
            subject("proposal:3").href.as_deref(),
            Some("/portal/proposals/3")
        );
        assert_eq!(subject("org:school").text, "organisation school");
    }

    #[test]
    fn an_unknown_key_is_shown_as_it_is_stored() {
        assert_eq!(subject("rules").text, "rules");
        assert_eq!(subject("rules").href, None);
    }
}
