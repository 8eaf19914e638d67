//! A platform behind the JSON API for the permission matrices and the
//! CLI's parity with the API: tenants of `school` and `hosting`, an admin
//! of each, and a token of every scope; and the OpenAPI document that real
//! answers are checked against.

#![allow(dead_code)] // each test binary uses a different part of the harness

use reqwest::{Method, StatusCode};
use serde_json::Value;
use store::{Act, NewTenant, TokenScope};

pub use crate::coop::schemas::Schemas;
pub use crate::coop::{Consortium, Extras, OPERATOR};

/// `school`'s admin.
pub const ADMIN: &str = "sue";
/// `sue`, read-only.
pub const ADMIN_READ_ONLY: &str = "sue-read-only";
/// An operator's read-only token.
pub const OPERATOR_READ_ONLY: &str = "ops-read-only";
/// An operator's token limited to `school`.
pub const OPERATOR_SCHOOL: &str = "ops-school";
/// Admin of `hosting`, delegate of `school`, through a token limited to `school`.
pub const TWO_HATS_SCHOOL: &str = "tom-school";
/// An operator's token made before operators needed a name.
pub const NAMELESS_OPERATOR: &str = "ops-nameless";
/// `school`'s delegate (the harness names its token after the organisation).
pub const DELEGATE: &str = "school";

pub async fn scoped(
    c: &Consortium,
    token: &str,
    person: Option<&str>,
    read_only: bool,
    org: Option<&str>,
) {
    let scope = TokenScope {
        read_only,
        organisation: org.map(str::to_string),
    };
    c.env
        .app
        .store
        .add_scoped_token(
            token,
            person,
            "ops",
            &scope,
            &Act::new("operator:test", c.now()),
        )
        .await
        .unwrap();
}

/// The coop's consortium with a tenant for `school` and one for `hosting`,
/// and a token of every kind.
pub async fn platform(database_url: String) -> Consortium {
    let c = Consortium::with(Extras {
        database_url: Some(database_url),
        ..Extras::default()
    })
    .await;
    let store = &c.env.app.store;
    let act = Act::new("operator:test", c.now());
    for (tenant, org) in [("school-rooms", "school"), ("hosting-rooms", "hosting")] {
        store
            .create_tenant(
                NewTenant {
                    name: tenant,
                    host: None,
                    pool: None,
                    secret: &format!("{tenant}-secret"),
                },
                &act,
            )
            .await
            .unwrap();
        store
            .set_tenant_organisation(tenant, Some(org), &act)
            .await
            .unwrap();
    }
    c.person(ADMIN, "sue", Some(("school", "admin"))).await;
    c.person("tom", "tom", Some(("hosting", "admin"))).await;
    store
        .set_representative("school", "tom", "deputy", &act)
        .await
        .unwrap();
    scoped(&c, ADMIN_READ_ONLY, Some("sue"), true, None).await;
    scoped(&c, OPERATOR_READ_ONLY, None, true, None).await;
    scoped(&c, OPERATOR_SCHOOL, None, false, Some("school")).await;
    scoped(&c, TWO_HATS_SCHOOL, Some("tom"), false, Some("school")).await;
    store
        .add_token(NAMELESS_OPERATOR, None, "", &act)
        .await
        .unwrap();
    c
}

/// The fingerprint of the secret `platform` gave `tenant`.
pub fn fingerprint(tenant: &str) -> String {
    store::fingerprint(&format!("{tenant}-secret"))
}

/// What went wrong in a matrix of `(token, method, path, expected)`: each
/// request answered otherwise, or with a body the document does not
/// describe. `body` gives the request's body, if any.
pub async fn wrong_answers(
    c: &Consortium,
    rows: Vec<(&str, Method, &str, StatusCode)>,
    body: impl Fn(&Method, &str) -> Option<Value>,
) -> Vec<String> {
    let rows = rows.into_iter().map(|(token, method, path, expected)| {
        let body = body(&method, path);
        (token, method, path.to_string(), body, expected)
    });
    wrong_answers_with_bodies(c, rows).await
}

/// What went wrong in a matrix of `(token, method, path, body, expected)`,
/// asked in order, so a row may rely on the changes of those before it.
pub async fn wrong_answers_with_bodies<'a>(
    c: &Consortium,
    rows: impl IntoIterator<Item = (&'a str, Method, String, Option<Value>, StatusCode)>,
) -> Vec<String> {
    let schemas = Schemas::of(c).await;
    let mut wrong = Vec::new();
    for (token, method, path, body, expected) in rows {
        let path = path.as_str();
        let (status, answer) = c.call(token, method.clone(), path, body).await;
        if status != expected {
            wrong.push(format!(
                "{token} {method} {path}: expected {expected}, got {status} {answer}"
            ));
        }
        if let Err(e) = schemas.check(&method, path, status, &answer) {
            wrong.push(format!(
                "{token} {method} {path}: {status} {answer} is not as documented: {e}"
            ));
        }
    }
    wrong
}
