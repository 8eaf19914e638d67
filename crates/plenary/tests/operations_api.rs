//! The operations over the JSON API, over real HTTP: what each answer
//! holds and keeps hidden. Who may call each endpoint is the permission
//! matrix's (`permission_matrix.rs`).

use crate::common;
use crate::platform;

use platform::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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

#[tokio::test]
async fn an_added_server_never_answers_its_secret() {
    let dir = testkit::TempDir::new("operations-server-secret");
    let c = platform(dir.sqlite_url()).await;
    let secret = "the-server-secret-42";
    let (status, added) = c
        .call(
            OPERATOR,
            Method::POST,
            "/api/v1/servers",
            Some(
                json!({"url": "https://bbb9.example", "secret": secret, "owner": "hosting",
                "monthly_cost_cents": 12000, "pool": "eu"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        (
            &added["owner"],
            &added["pool"],
            &added["monthly_cost_cents"]
        ),
        (&json!("hosting"), &json!("eu"), &json!(12000))
    );
    let id = added["id"].as_i64().unwrap();
    let (_, changed) = c
        .call(
            OPERATOR,
            Method::PATCH,
            &format!("/api/v1/servers/{id}"),
            Some(json!({"secret": "a-new-server-secret", "owner": null})),
        )
        .await;
    assert_eq!(changed["owner"], Value::Null, "null clears");
    assert_eq!(changed["pool"], "eu", "what is left out stays");
    let everything = [
        added.to_string(),
        changed.to_string(),
        c.get(OPERATOR, "/api/v1/servers").await.to_string(),
        c.get(OPERATOR, &format!("/api/v1/audit?subject=server:{id}"))
            .await
            .to_string(),
    ]
    .concat();
    for secret in [secret, "a-new-server-secret"] {
        assert!(!everything.contains(secret), "{secret} shown: {everything}");
    }
    c.env.shutdown().await;
}

#[tokio::test]
async fn a_new_tenant_answers_its_generated_secret_once_and_is_moved_in_one_change() {
    let dir = testkit::TempDir::new("operations-new-tenant");
    let c = platform(dir.sqlite_url()).await;
    let response = c
        .http
        .post(c.url("/api/v1/tenants"))
        .bearer_auth(OPERATOR)
        .json(
            &json!({"name": "new-rooms", "organisation": "school", "tier": "level1",
            "host": "Rooms.School.Example"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let created: Value = response.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(
        created["secret_fingerprints"],
        json!([store::fingerprint(secret)])
    );
    assert_eq!(
        (&created["organisation"], &created["tier"], &created["host"]),
        (
            &json!("school"),
            &json!("level1"),
            &json!("rooms.school.example")
        )
    );
    let (_, moved) = c
        .call(
            OPERATOR,
            Method::PATCH,
            "/api/v1/tenants/new-rooms",
            Some(json!({"tier": null, "pool": "eu"})),
        )
        .await;
    assert_eq!(
        (&moved["organisation"], &moved["tier"], &moved["pool"]),
        (&json!("school"), &Value::Null, &json!("eu"))
    );
    let shown = c.get(ADMIN, "/api/v1/tenants/new-rooms").await;
    assert!(!shown.to_string().contains(secret), "never shown again");
    let kinds: Vec<String> = c
        .env
        .app
        .store
        .audit_entries(Some("tenant:new-rooms"), 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["tenant.create", "tenant.update"]);
    c.env.shutdown().await;
}

#[tokio::test]
async fn an_admin_sees_their_own_live_meetings_by_the_ids_their_front_end_uses() {
    let dir = testkit::TempDir::new("operations-meetings");
    let c = platform(dir.sqlite_url()).await;
    let school = c.env.tenant("school-rooms", "school-rooms-secret");
    school.create("maths").await;
    school.join("maths", "Ada").await;
    c.env
        .tenant("hosting-rooms", "hosting-rooms-secret")
        .create("board")
        .await;
    c.env.poll().await;
    let mine = c.get(ADMIN, "/api/v1/meetings").await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(
        (
            &mine[0]["tenant"],
            &mine[0]["meeting_id"],
            &mine[0]["participants"]
        ),
        (&json!("school-rooms"), &json!("maths"), &json!(1))
    );
    let all = c.get(OPERATOR, "/api/v1/meetings").await;
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["meeting_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["maths", "board"], "never the server's namespaced IDs");
    assert_eq!(
        c.get(OPERATOR, "/api/v1/meetings?tenant=hosting-rooms")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    c.env.shutdown().await;
}

#[tokio::test]
async fn pools_count_their_servers_and_tenants() {
    let dir = testkit::TempDir::new("operations-pools");
    let c = platform(dir.sqlite_url()).await;
    let (status, _) = c
        .call(
            OPERATOR,
            Method::PATCH,
            "/api/v1/tenants/school-rooms",
            Some(json!({"pool": "eu"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        c.get(OPERATOR, "/api/v1/pools").await,
        json!([
            {"name": null, "servers": 1, "tenants": 2},
            {"name": "eu", "servers": 0, "tenants": 1},
        ])
    );
    c.env.shutdown().await;
}

#[tokio::test]
async fn the_audit_log_pages_its_entries_with_hashes_that_lead_to_the_verified_head() {
    let dir = testkit::TempDir::new("operations-audit");
    let c = platform(dir.sqlite_url()).await;
    let head = c.get(ADMIN, "/api/v1/audit/head").await;
    let entries = head["entries"].as_i64().unwrap();
    let mut after = 0;
    let mut last = String::new();
    loop {
        let page = c
            .get(OPERATOR, &format!("/api/v1/audit?after={after}&limit=3"))
            .await;
        for entry in page["entries"].as_array().unwrap() {
            if !last.is_empty() {
                assert_eq!(entry["prev_hash"], json!(last));
            }
            last = entry["hash"].as_str().unwrap().to_string();
        }
        match page["next_after"].as_i64() {
            Some(next) => after = next,
            None => break,
        }
    }
    assert!(entries > 3, "more than one page");
    assert_eq!(head["head"], json!(last));
    let verified = c
        .get(ADMIN, &format!("/api/v1/audit/verify?head={last}"))
        .await;
    assert_eq!(
        (&verified["intact"], &verified["entries"]),
        (&json!(true), &json!(entries))
    );
    c.env.shutdown().await;
}

/// The README's `curl` examples, one command a line (continued lines
/// joined), from every block marked as such.
fn readme_curl_examples() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    readme
        .split("<!-- curl examples -->\n```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .flat_map(|block| {
            block
                .replace("\\\n", " ")
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
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
