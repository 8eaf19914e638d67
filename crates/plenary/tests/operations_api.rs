//! The operations over the JSON API, as a permission matrix over real HTTP
//! on SQLite and PostgreSQL: every role and every scope of token against
//! every operations endpoint, across organisations. An organisation admin's
//! attempt on another organisation's tenant answers exactly like a missing
//! one.

mod common;
mod coop;

use coop::schemas::Schemas;
use coop::{Consortium, Extras, OPERATOR};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use store::{Act, NewTenant, TokenScope};

/// `school`'s admin.
const ADMIN: &str = "sue";
/// `sue`, read-only.
const ADMIN_READ_ONLY: &str = "sue-read-only";
/// An operator's read-only token.
const OPERATOR_READ_ONLY: &str = "ops-read-only";
/// An operator's token limited to `school`.
const OPERATOR_SCHOOL: &str = "ops-school";
/// Admin of `hosting`, delegate of `school`, through a token limited to `school`.
const TWO_HATS_SCHOOL: &str = "tom-school";
/// An operator's token made before operators needed a name.
const NAMELESS_OPERATOR: &str = "ops-nameless";
/// `school`'s delegate (the harness names its token after the organisation).
const DELEGATE: &str = "school";

async fn scoped(
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
async fn platform(database_url: String) -> Consortium {
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
fn fingerprint(tenant: &str) -> String {
    store::fingerprint(&format!("{tenant}-secret"))
}

#[tokio::test]
async fn the_operations_permission_matrix_holds_on_both_databases() {
    testkit::on_both_backends("operations-matrix", |url| async move {
        let c = platform(url).await;
        let school_secret = format!(
            "/api/v1/tenants/school-rooms/secrets/{}",
            fingerprint("school-rooms")
        );
        let hosting_secret = format!(
            "/api/v1/tenants/hosting-rooms/secrets/{}",
            fingerprint("hosting-rooms")
        );
        use StatusCode as S;
        let g = Method::GET;
        let p = Method::POST;
        let d = Method::DELETE;
        let rows: Vec<(&str, Method, &str, StatusCode)> = vec![
            // servers: operators only, read-only tokens included
            (OPERATOR, g.clone(), "/api/v1/servers", S::OK),
            (OPERATOR_READ_ONLY, g.clone(), "/api/v1/servers", S::OK),
            (OPERATOR_SCHOOL, g.clone(), "/api/v1/servers", S::FORBIDDEN),
            (ADMIN, g.clone(), "/api/v1/servers", S::FORBIDDEN),
            (DELEGATE, g.clone(), "/api/v1/servers", S::FORBIDDEN),
            // tiers: operators and admins
            (OPERATOR, g.clone(), "/api/v1/tiers", S::OK),
            (ADMIN, g.clone(), "/api/v1/tiers", S::OK),
            (ADMIN_READ_ONLY, g.clone(), "/api/v1/tiers", S::OK),
            (DELEGATE, g.clone(), "/api/v1/tiers", S::FORBIDDEN),
            // one tenant
            (OPERATOR, g.clone(), "/api/v1/tenants/hosting-rooms", S::OK),
            (OPERATOR, g.clone(), "/api/v1/tenants/coop", S::OK),
            (
                OPERATOR_READ_ONLY,
                g.clone(),
                "/api/v1/tenants/school-rooms",
                S::OK,
            ),
            (
                OPERATOR_SCHOOL,
                g.clone(),
                "/api/v1/tenants/school-rooms",
                S::OK,
            ),
            (
                OPERATOR_SCHOOL,
                g.clone(),
                "/api/v1/tenants/hosting-rooms",
                S::NOT_FOUND,
            ),
            (
                OPERATOR_SCHOOL,
                g.clone(),
                "/api/v1/tenants/coop",
                S::NOT_FOUND,
            ),
            (ADMIN, g.clone(), "/api/v1/tenants/school-rooms", S::OK),
            (
                ADMIN_READ_ONLY,
                g.clone(),
                "/api/v1/tenants/school-rooms",
                S::OK,
            ),
            (
                ADMIN,
                g.clone(),
                "/api/v1/tenants/hosting-rooms",
                S::NOT_FOUND,
            ),
            (ADMIN, g.clone(), "/api/v1/tenants/coop", S::NOT_FOUND),
            (ADMIN, g.clone(), "/api/v1/tenants/nowhere", S::NOT_FOUND),
            (
                DELEGATE,
                g.clone(),
                "/api/v1/tenants/school-rooms",
                S::FORBIDDEN,
            ),
            (
                DELEGATE,
                g.clone(),
                "/api/v1/tenants/hosting-rooms",
                S::NOT_FOUND,
            ),
            (
                TWO_HATS_SCHOOL,
                g.clone(),
                "/api/v1/tenants/school-rooms",
                S::FORBIDDEN,
            ),
            (
                TWO_HATS_SCHOOL,
                g.clone(),
                "/api/v1/tenants/hosting-rooms",
                S::NOT_FOUND,
            ),
            ("tom", g.clone(), "/api/v1/tenants/hosting-rooms", S::OK),
            // secrets
            (
                ADMIN_READ_ONLY,
                p.clone(),
                "/api/v1/tenants/school-rooms/secrets",
                S::FORBIDDEN,
            ),
            (
                OPERATOR_READ_ONLY,
                p.clone(),
                "/api/v1/tenants/school-rooms/secrets",
                S::FORBIDDEN,
            ),
            (
                DELEGATE,
                p.clone(),
                "/api/v1/tenants/school-rooms/secrets",
                S::FORBIDDEN,
            ),
            (
                ADMIN,
                p.clone(),
                "/api/v1/tenants/hosting-rooms/secrets",
                S::NOT_FOUND,
            ),
            (
                OPERATOR_SCHOOL,
                p.clone(),
                "/api/v1/tenants/hosting-rooms/secrets",
                S::NOT_FOUND,
            ),
            (
                ADMIN,
                p.clone(),
                "/api/v1/tenants/school-rooms/secrets",
                S::CREATED,
            ),
            (
                OPERATOR_SCHOOL,
                p.clone(),
                "/api/v1/tenants/school-rooms/secrets",
                S::CREATED,
            ),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/tenants/hosting-rooms/secrets",
                S::CREATED,
            ),
            (ADMIN, d.clone(), &hosting_secret, S::NOT_FOUND),
            (ADMIN_READ_ONLY, d.clone(), &school_secret, S::FORBIDDEN),
            (ADMIN, d.clone(), &school_secret, S::NO_CONTENT),
            (OPERATOR, d.clone(), &hosting_secret, S::NO_CONTENT),
            // the platform's switches: operators with a full token only
            (ADMIN, p.clone(), "/api/v1/servers/1/cordon", S::FORBIDDEN),
            (
                OPERATOR_READ_ONLY,
                p.clone(),
                "/api/v1/servers/1/cordon",
                S::FORBIDDEN,
            ),
            (
                OPERATOR_SCHOOL,
                p.clone(),
                "/api/v1/servers/1/cordon",
                S::FORBIDDEN,
            ),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/servers/1/cordon",
                S::NO_CONTENT,
            ),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/servers/1/enable",
                S::NO_CONTENT,
            ),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/servers/99/disable",
                S::NOT_FOUND,
            ),
            (ADMIN, p.clone(), "/api/v1/servers/1/panic", S::FORBIDDEN),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/servers/99/panic",
                S::NOT_FOUND,
            ),
            (
                ADMIN,
                p.clone(),
                "/api/v1/tenants/school-rooms/disable",
                S::FORBIDDEN,
            ),
            (
                OPERATOR_SCHOOL,
                p.clone(),
                "/api/v1/tenants/school-rooms/disable",
                S::FORBIDDEN,
            ),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/tenants/hosting-rooms/disable",
                S::NO_CONTENT,
            ),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/tenants/hosting-rooms/enable",
                S::NO_CONTENT,
            ),
            (
                OPERATOR,
                p.clone(),
                "/api/v1/tenants/nowhere/enable",
                S::NOT_FOUND,
            ),
            // the audit log: operators read it whole
            (OPERATOR, g.clone(), "/api/v1/audit?limit=5", S::OK),
            (
                OPERATOR_READ_ONLY,
                g.clone(),
                "/api/v1/audit?subject=tenant:school-rooms",
                S::OK,
            ),
            (OPERATOR_SCHOOL, g.clone(), "/api/v1/audit", S::FORBIDDEN),
            (ADMIN, g.clone(), "/api/v1/audit", S::FORBIDDEN),
            // the consortium's endpoints through scoped tokens
            (OPERATOR_READ_ONLY, g.clone(), "/api/v1/rules", S::OK),
            (
                OPERATOR_READ_ONLY,
                Method::PUT,
                "/api/v1/rules",
                S::FORBIDDEN,
            ),
            (OPERATOR_SCHOOL, Method::PUT, "/api/v1/rules", S::FORBIDDEN),
            (
                ADMIN_READ_ONLY,
                p.clone(),
                "/api/v1/organisations/school/notice",
                S::FORBIDDEN,
            ),
            // a nameless operator token acts for nobody
            (
                NAMELESS_OPERATOR,
                g.clone(),
                "/api/v1/servers",
                S::UNAUTHORIZED,
            ),
            (NAMELESS_OPERATOR, g.clone(), "/api/v1/me", S::UNAUTHORIZED),
        ];
        let schemas = Schemas::of(&c).await;
        let mut wrong = Vec::new();
        for (token, method, path, expected) in rows {
            let body = (method == Method::PUT).then(|| json!({}));
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
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        c.env.shutdown().await;
    })
    .await;
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn an_admin_lists_only_their_organisations_tenants_with_the_greenlight_endpoint() {
    let dir = testkit::TempDir::new("operations-list");
    let c = platform(dir.sqlite_url()).await;
    let mine = c.get(ADMIN, "/api/v1/tenants").await;
    assert_eq!(names(&mine), ["school-rooms"]);
    assert!(
        mine[0]["endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/t/school-rooms/bigbluebutton/api/"),
        "{mine}"
    );
    assert_eq!(
        names(&c.get(OPERATOR, "/api/v1/tenants").await),
        ["coop", "hosting-rooms", "school-rooms"]
    );
    assert_eq!(
        names(&c.get(OPERATOR_SCHOOL, "/api/v1/tenants").await),
        ["school-rooms"]
    );
    assert!(names(&c.get(DELEGATE, "/api/v1/tenants").await).is_empty());
    c.env.shutdown().await;
}

#[tokio::test]
async fn another_organisation_s_tenant_answers_exactly_like_a_missing_one() {
    let dir = testkit::TempDir::new("operations-hidden");
    let c = platform(dir.sqlite_url()).await;
    let (_, hidden) = c
        .call(ADMIN, Method::GET, "/api/v1/tenants/hosting-rooms", None)
        .await;
    let (_, missing) = c
        .call(ADMIN, Method::GET, "/api/v1/tenants/nowhere-rooms", None)
        .await;
    assert_eq!(
        hidden["detail"]
            .as_str()
            .unwrap()
            .replace("hosting", "nowhere"),
        missing["detail"].as_str().unwrap()
    );
    assert_eq!(hidden["type"], missing["type"]);
    c.env.shutdown().await;
}

#[tokio::test]
async fn a_new_secret_is_shown_once_and_never_cached_and_its_rotation_names_the_admin() {
    let dir = testkit::TempDir::new("operations-secret");
    let c = platform(dir.sqlite_url()).await;
    let response = c
        .http
        .post(c.url("/api/v1/tenants/school-rooms/secrets"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let added: Value = response.json().await.unwrap();
    let secret = added["secret"].as_str().unwrap();
    assert_eq!(added["fingerprint"], store::fingerprint(secret));
    let shown = c.get(ADMIN, "/api/v1/tenants/school-rooms").await;
    assert!(!shown.to_string().contains(secret), "never shown again");
    assert_eq!(shown["secret_fingerprints"].as_array().unwrap().len(), 2);
    let entries = c
        .env
        .app
        .store
        .audit_entries(Some("tenant:school-rooms"), 0, 100)
        .await
        .unwrap();
    assert_eq!(entries.last().unwrap().actor, "person:sue");
    c.env.shutdown().await;
}

/// What a face answered: whether it did it, and the part compared.
fn picked(value: &Value, pick: &str) -> Value {
    match pick {
        "names" => json!(names(value)),
        field => value[field].clone(),
    }
}

/// Every command that reads or changes tenants has its API twin, asked by
/// the same actor with the same result: both call the same function.
#[tokio::test]
async fn the_command_line_and_the_api_answer_alike() {
    let cli = testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"));
    let c = platform(cli.dir.sqlite_url()).await;
    let hosting = "hosting-rooms-secret";
    let rows: Vec<(&str, Vec<&str>, Method, String, &str)> = vec![
        (
            OPERATOR,
            vec!["tenant", "list", "--json"],
            Method::GET,
            "/api/v1/tenants".into(),
            "names",
        ),
        (
            ADMIN,
            vec!["tenant", "list", "--json"],
            Method::GET,
            "/api/v1/tenants".into(),
            "names",
        ),
        (
            OPERATOR_SCHOOL,
            vec!["tenant", "list", "--json"],
            Method::GET,
            "/api/v1/tenants".into(),
            "names",
        ),
        (
            DELEGATE,
            vec!["tenant", "list", "--json"],
            Method::GET,
            "/api/v1/tenants".into(),
            "names",
        ),
        (
            ADMIN,
            vec!["tenant", "show", "school-rooms", "--json"],
            Method::GET,
            "/api/v1/tenants/school-rooms".into(),
            "secret_fingerprints",
        ),
        (
            ADMIN,
            vec!["tenant", "show", "hosting-rooms", "--json"],
            Method::GET,
            "/api/v1/tenants/hosting-rooms".into(),
            "",
        ),
        (
            DELEGATE,
            vec!["tenant", "show", "school-rooms", "--json"],
            Method::GET,
            "/api/v1/tenants/school-rooms".into(),
            "",
        ),
        (
            ADMIN_READ_ONLY,
            vec!["tenant", "add-secret", "school-rooms"],
            Method::POST,
            "/api/v1/tenants/school-rooms/secrets".into(),
            "",
        ),
        (
            ADMIN,
            vec!["tenant", "add-secret", "hosting-rooms"],
            Method::POST,
            "/api/v1/tenants/hosting-rooms/secrets".into(),
            "",
        ),
        (
            ADMIN,
            vec!["tenant", "remove-secret", "hosting-rooms", hosting],
            Method::DELETE,
            format!(
                "/api/v1/tenants/hosting-rooms/secrets/{}",
                fingerprint("hosting-rooms")
            ),
            "",
        ),
    ];
    let mut wrong = Vec::new();
    for (token, args, method, path, pick) in rows {
        let out = cli.run_with(&args, &[("PLENARY_TOKEN", token)]);
        let (status, api) = c.call(token, method, &path, None).await;
        let by_cli = out.status.success();
        let by_api = status.is_success();
        let same = by_cli == by_api
            && (pick.is_empty()
                || picked(&serde_json::from_slice(&out.stdout).unwrap(), pick)
                    == picked(&api, pick));
        if !same {
            wrong.push(format!(
                "{token} {args:?} / {path}: CLI {by_cli} {} {}; API {status} {api}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    c.env.shutdown().await;
}

/// The README's `curl` examples, one command a line (continued lines joined).
fn readme_curl_examples() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let block = readme
        .split("<!-- curl examples -->\n```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the README's operations section has its curl examples");
    block
        .replace("\\\n", " ")
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_readme_s_curl_examples_work() {
    let env = common::Env::start().await;
    env.app
        .store
        .add_token("readme-token", None, "ops", &common::act())
        .await
        .unwrap();
    let examples = readme_curl_examples();
    assert!(examples.len() >= 5, "{examples:?}");
    for example in examples {
        let url = env.app.url();
        let line = example.clone();
        // Blocking, off the runtime that serves the answers.
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("sh")
                .args(["-c", &line])
                .env("PLENARY", &url)
                .env("TOKEN", "readme-token")
                .output()
                .expect("sh runs")
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{example}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    env.shutdown().await;
}
