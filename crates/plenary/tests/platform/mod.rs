//! A platform behind the JSON API for the permission matrices and the
//! CLI's parity with the API: tenants of `school` and `hosting`, an admin
//! of each, and a token of every scope; and the OpenAPI document that real
//! answers are checked against.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use store::{Act, NewTenant, TokenScope, UsageSample};

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

/// `hosting`'s admin (and `school`'s deputy).
pub const TOM: &str = "tom";
/// The month the harness's clock is in, and the one before, closed.
pub const NOW: &str = "2026-01";
pub const CLOSED: &str = "2025-12";

/// One minute, in milliseconds.
pub const MINUTE: i64 = 60_000;

/// A server that costs 100.00 a month, and an hour's meeting of each
/// tenant on it, through a front end, last month and this one, so every
/// report and statement has lines to check.
pub async fn metered(c: &Consortium) {
    let store = &c.env.app.store;
    let server = store.servers().await.unwrap()[0].id;
    store
        .set_server_cost(
            server,
            10_000,
            None,
            &store::Act::new("operator:test", c.now()),
        )
        .await
        .unwrap();
    for tenant in ["school-rooms", "hosting-rooms"] {
        let tenant_id = store.tenant(tenant).await.unwrap().id;
        for start in [
            c.now() - 10 * crate::coop::DAY,
            c.now() - crate::coop::DAY / 4,
        ] {
            let samples: Vec<UsageSample> = (0..60)
                .map(|m| UsageSample {
                    at_ms: start + m * MINUTE,
                    meeting_ref: None,
                    tenant_id,
                    server_id: server,
                    backend_id: format!("weekly~{tenant}"),
                    origin: Some("rooms.example".into()),
                    participants: 12,
                    moderators: 1,
                    mic: 2,
                    listen_only: 4,
                    webcams: 3,
                    breakout: false,
                })
                .collect();
            store.insert_samples(&samples).await.unwrap();
        }
    }
}

/// The platform with metered use, and last month closed.
pub async fn billed(url: String) -> Consortium {
    let c = platform(url).await;
    metered(&c).await;
    let (status, body) = c
        .call(
            OPERATOR,
            Method::POST,
            &format!("/api/v1/periods/{CLOSED}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    c
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
