//! What monitoring sees: liveness, readiness, Scalelite's health check and
//! Prometheus metrics named `plenary_*` with tenant and server labels.

use crate::common;

use common::{Env, Setup};

async fn get(env: &Env, path: &str) -> (u16, String) {
    let res = env
        .http
        .get(format!("{}{path}", env.app.url()))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn health_endpoints_answer_as_monitors_expect() {
    let env = Env::start().await;
    assert_eq!(get(&env, "/healthz").await.0, 200);
    assert_eq!(
        get(&env, "/readyz").await,
        (200, "{\"status\":\"ready\"}".into())
    );
    assert_eq!(get(&env, "/health_check").await, (200, "success".into()));
    env.shutdown().await;
}

#[tokio::test]
async fn metrics_count_calls_time_backends_and_show_meetings_by_server_and_by_tenant() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("watched").await;
    acme.join("watched", "Ada").await;
    acme.call("getMeetingInfo", &[("meetingID", "watched")])
        .await;
    env.poll().await;
    let (status, body) = get(&env, "/metrics").await;
    assert_eq!(status, 200);
    for expected in [
        "plenary_api_requests_total{call=\"create\",tenant=\"acme\",outcome=\"success\"}",
        "plenary_api_requests_total{call=\"join\",tenant=\"acme\",outcome=\"redirect\"}",
        "plenary_backend_latency_seconds_bucket{call=\"getMeetingInfo\"",
        "plenary_servers{health=\"up\"}",
        "plenary_meetings{server=\"127.0.0.1:",
        "plenary_meetings_participants{server=\"127.0.0.1:",
        "plenary_meetings_video_participants{server=\"127.0.0.1:",
        "plenary_tenant_meetings{tenant=\"acme\"} 1",
        "plenary_tenant_meetings_participants{tenant=\"acme\"}",
        "plenary_tenant_meetings_video_participants{tenant=\"acme\"}",
    ] {
        assert!(body.contains(expected), "missing {expected} in:\n{body}");
    }
    // Two small label sets, never their product: a fleet of 1,000 servers
    // and 200 tenants would otherwise publish half a million series.
    assert!(
        !body
            .lines()
            .any(|l| l.contains("tenant=") && l.contains("server=")),
        "a series labelled by tenant and server in:\n{body}"
    );
    assert!(!body.contains("acme-secret-1"), "no secret in metrics");
    env.shutdown().await;
}

#[tokio::test]
async fn a_failed_join_lands_on_a_page_that_says_why() {
    let env = Env::start().await;
    let location = env
        .acme()
        .join_location(&[("meetingID", "nowhere"), ("fullName", "Ada")])
        .await;
    let (status, page) = get(&env, &location).await;
    assert_eq!(status, 200);
    assert!(page.contains("The meeting could not be joined"), "{page}");
    assert!(page.contains("does not exist"), "{page}");
    env.shutdown().await;
}

#[tokio::test]
async fn readiness_fails_once_the_database_file_is_deleted() {
    let env = Env::start().await;
    let url = env.database_url();
    let path = url.strip_prefix("sqlite://").unwrap();
    std::fs::remove_file(path).unwrap();
    let (status, body) = get(&env, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("does not exist"), "{body}");
    assert_eq!(get(&env, "/health_check").await.0, 503);
    env.shutdown().await;
}

#[tokio::test]
async fn unknown_call_names_share_one_metrics_label() {
    let env = Env::start().await;
    for i in 0..20 {
        let url = format!("{}/bigbluebutton/api/made-up-{i}", env.app.url());
        env.http.get(url).send().await.unwrap();
    }
    let (_, body) = get(&env, "/metrics").await;
    assert!(body.contains("call=\"unknown\""), "{body}");
    assert!(!body.contains("made-up-"), "{body}");
    env.shutdown().await;
}

#[tokio::test]
async fn metrics_answer_only_unforwarded_local_callers_by_default() {
    let env = Env::start().await;
    assert_eq!(get(&env, "/metrics").await.0, 200);
    let proxied = env
        .http
        .get(format!("{}/metrics", env.app.url()))
        .header("X-Forwarded-For", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 404, "a proxied caller is not local");
    env.shutdown().await;
}

#[tokio::test]
async fn metrics_need_the_bearer_token_when_one_is_set() {
    let mut setup = Setup::default();
    setup.config.metrics_token = Some(plenary::config::Secret::new("scrape-me"));
    let env = Env::with(setup).await;
    let metrics = |token: Option<&str>| {
        let req = env.http.get(format!("{}/metrics", env.app.url()));
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    };
    assert_eq!(metrics(None).send().await.unwrap().status(), 404);
    assert_eq!(
        metrics(Some("scrape-you")).send().await.unwrap().status(),
        404
    );
    assert_eq!(
        metrics(Some("scrape-me")).send().await.unwrap().status(),
        200
    );
    env.shutdown().await;
}

#[tokio::test]
async fn metrics_listen_moves_metrics_off_the_main_address() {
    let mut setup = Setup::default();
    setup.config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let env = Env::with(setup).await;
    assert_eq!(get(&env, "/metrics").await.0, 404);
    let at = env.app.metrics_addr.expect("a metrics address");
    let res = env
        .http
        .get(format!("http://{at}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    env.shutdown().await;
}
