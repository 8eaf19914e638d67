//! What monitoring sees: liveness, readiness, Scalelite's health check and
//! Prometheus metrics named `plenary_*` with tenant and server labels.

mod common;

use common::Env;

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
async fn metrics_count_calls_time_backends_and_show_meetings_by_tenant_and_server() {
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
        "plenary_meetings{tenant=\"acme\",server=\"127.0.0.1:",
        "plenary_meetings_participants{tenant=\"acme\",server=\"127.0.0.1:",
        "plenary_meetings_video_participants{tenant=\"acme\",server=\"127.0.0.1:",
    ] {
        assert!(body.contains(expected), "missing {expected} in:\n{body}");
    }
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
