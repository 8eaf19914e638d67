//! Failed authentication is throttled per address: after a few bad
//! checksums or unknown tokens an address is refused, unchecked, until its
//! window ends, on both APIs, while other addresses are served as before.

use crate::common;

use std::net::IpAddr;

use common::{Env, Setup, key, params, succeeded, xml};

async fn env(configure: impl FnOnce(&mut plenary::config::Config)) -> Env {
    let mut setup = Setup {
        servers: 1,
        ..Setup::default()
    };
    setup.config.auth_throttle_failures = 3;
    configure(&mut setup.config);
    Env::with(setup).await
}

/// A client whose connections come from `ip` (any 127.0.0.0/8 address).
fn from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(ip))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_address_sending_bad_checksums_is_refused_unchecked_while_others_are_served() {
    let env = env(|_| {}).await;
    let guess = env
        .tenant("acme", "not-the-secret")
        .endpoint
        .signed_url("getMeetings", &params(&[]));
    let here = from([127, 0, 0, 1]);
    for _ in 0..3 {
        assert_eq!(key(&xml(here.get(&guess)).await), "checksumError");
    }
    let good = env.acme().endpoint.signed_url("getMeetings", &params(&[]));
    assert_eq!(
        key(&xml(here.get(&good)).await),
        "tooManyFailures",
        "not even a good checksum is checked"
    );
    assert!(
        succeeded(&xml(from([127, 0, 0, 2]).get(&good)).await),
        "another address is served"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn an_address_sending_unknown_tokens_gets_a_429_problem_while_others_are_checked() {
    let env = env(|_| {}).await;
    let me = format!("{}/api/v1/me", env.app.url());
    let here = from([127, 0, 0, 1]);
    for _ in 0..3 {
        let res = here.get(&me).bearer_auth("pl_guess").send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = here.get(&me).bearer_auth("pl_guess").send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["type"], "urn:plenary:problem:too-many-failures");
    let other = from([127, 0, 0, 2]);
    let res = other.get(&me).bearer_auth("pl_guess").send().await.unwrap();
    assert_eq!(res.status(), 401, "another address is still checked");
    env.shutdown().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_throttled() {
    let env = env(|c| c.trusted_proxies = "127.0.0.1".into()).await;
    let me = format!("{}/api/v1/me", env.app.url());
    let via_proxy = |client: &str| {
        env.http
            .get(&me)
            .bearer_auth("pl_guess")
            .header("X-Forwarded-For", client)
    };
    for _ in 0..3 {
        via_proxy("203.0.113.7").send().await.unwrap();
    }
    assert_eq!(via_proxy("203.0.113.7").send().await.unwrap().status(), 429);
    assert_eq!(
        via_proxy("203.0.113.8").send().await.unwrap().status(),
        401,
        "the proxy's other clients are not refused"
    );
    env.shutdown().await;
}
