//! The permission matrix over real HTTP, on SQLite and PostgreSQL: every
//! role and every scope of token (read-only, limited to one organisation,
//! an operator's without a name) against every endpoint of the API, across
//! organisations, with each answer checked against the OpenAPI document.
//! An organisation admin's attempt on another organisation's things
//! answers exactly like a missing one. A route without rows fails
//! `every_route_has_rows_that_succeed_and_rows_that_are_refused`.

use crate::coop;
use crate::matrix;
use crate::platform;

use std::collections::BTreeMap;

use matrix::{Row, billing, consortium, operations};
use platform::*;
use reqwest::StatusCode;
use serde_json::Value;

/// Fails the test with every row that answered otherwise.
async fn holds(c: &Consortium, rows: Vec<Row>) {
    let wrong = wrong_answers_with_bodies(c, rows).await;
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn the_operations_rows_hold_on_both_databases() {
    testkit::on_both_backends("operations-matrix", |url| async move {
        let c = platform(url).await;
        holds(&c, operations::rows()).await;
        c.env.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_billing_rows_hold_on_both_databases() {
    testkit::on_both_backends("billing-matrix", |url| async move {
        let c = billed(url).await;
        holds(&c, billing::rows()).await;
        c.env.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_consortium_rows_hold_on_both_databases() {
    testkit::on_both_backends("consortium-matrix", |url| async move {
        let c = platform(url).await;
        let rules = c.get(OPERATOR, "/api/v1/rules").await;
        holds(&c, consortium::before_the_lead_time(&rules)).await;
        c.clock.advance(8 * coop::DAY);
        holds(&c, consortium::after_the_lead_time()).await;
        c.env.shutdown().await;
    })
    .await;
}

/// Whether `path` (with its query) is an instance of the route `template`.
fn instance_of(path: &str, template: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (segments, parts): (Vec<&str>, Vec<&str>) =
        (path.split('/').collect(), template.split('/').collect());
    segments.len() == parts.len()
        && parts
            .iter()
            .zip(&segments)
            .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
}

/// The routes no bearer token is asked of: the document, and the forum's
/// webhook, which only a configured forum's signature opens (refused here).
const OPEN: [&str; 2] = ["/api/v1/openapi.json", "/api/v1/forum/webhook"];

#[test]
fn every_route_has_rows_that_succeed_and_rows_that_are_refused() {
    let rows: Vec<Row> = operations::rows()
        .into_iter()
        .chain(billing::rows())
        .chain(consortium::before_the_lead_time(&Value::Null))
        .chain(consortium::after_the_lead_time())
        .collect();
    let mut statuses: BTreeMap<(String, &str), Vec<StatusCode>> = BTreeMap::new();
    for (method, template) in web::api::routes() {
        let answered = rows
            .iter()
            .filter(|(_, m, path, _, _)| *m == method && instance_of(path, template))
            .map(|row| row.4);
        statuses
            .entry((method.to_string(), template))
            .or_default()
            .extend(answered);
    }
    let refusals = [
        StatusCode::UNAUTHORIZED,
        StatusCode::FORBIDDEN,
        StatusCode::NOT_FOUND,
    ];
    let missing: Vec<String> = statuses
        .into_iter()
        .filter_map(|((method, template), s)| {
            let open = OPEN.contains(&template);
            let succeeds = s.iter().any(StatusCode::is_success) || (open && !s.is_empty());
            let refused = open || s.iter().any(|s| refusals.contains(s));
            (!succeeds || !refused)
                .then(|| format!("{method} {template}: succeeds {succeeds}, refused {refused}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "routes without rows in the matrix:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_path_is_an_instance_of_its_route_only() {
    assert!(instance_of(
        "/api/v1/tenants/a?x=1",
        "/api/v1/tenants/{name}"
    ));
    assert!(!instance_of("/api/v1/tenants", "/api/v1/tenants/{name}"));
    assert!(!instance_of(
        "/api/v1/tenants/a/enable",
        "/api/v1/tenants/{name}"
    ));
}
