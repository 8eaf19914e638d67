//! Back-pressure on the BBB API: a tenant over its request rate is refused
//! in BBB XML while another tenant is served, requests over their size are
//! refused (a declared body before it is read), and a server answering in
//! 10 s holds up only the calls made to it. On the JSON API, a token over
//! its rate is refused with a 429 problem while another token is served.

use crate::common;

use std::time::{Duration, Instant};

use common::{Env, FrontEnd, Setup, key, succeeded};
use sim::Faults;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn env_with(change: impl FnOnce(&mut plenary::config::Config)) -> Env {
    let mut setup = Setup::default();
    change(&mut setup.config);
    Env::with(setup).await
}

#[tokio::test]
async fn a_tenant_over_its_rate_gets_a_bbb_error_while_another_tenant_is_served() {
    let env = env_with(|c| {
        c.tenant_rate_per_sec = 0.001;
        c.tenant_rate_burst = 5;
    })
    .await;
    let running = |front: FrontEnd| async move {
        front
            .call("isMeetingRunning", &[("meetingID", "room-1")])
            .await
    };
    for _ in 0..5 {
        assert!(succeeded(&running(env.acme()).await));
    }
    let refused = running(env.acme()).await;
    assert_eq!(key(&refused), "tooManyRequests", "{refused:?}");
    assert!(succeeded(&running(env.globex()).await), "globex is served");
    env.shutdown().await;
}

/// Writes `head` on a raw connection and reads what comes back within 5 s.
async fn raw_exchange(env: &Env, head: &str, body: &[u8]) -> String {
    let mut conn = tokio::net::TcpStream::connect(env.app.addr).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    while !String::from_utf8_lossy(&answer).contains("</response>") {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, conn.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_declared_over_the_limit_is_refused_before_it_is_read() {
    let env = env_with(|c| c.api_max_body_bytes = 1024).await;
    // 100 MB announced, none sent: the answer can only come unread.
    let answer = raw_exchange(
        &env,
        "POST /t/acme/bigbluebutton/api/create?meetingID=m HTTP/1.1\r\n\
         Host: localhost\r\nContent-Type: text/xml\r\nContent-Length: 100000000\r\n\r\n",
        b"<modules>",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("<messageKey>requestTooLarge</messageKey>"),
        "{answer}"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_as_bbb_xml() {
    let env = env_with(|c| c.api_max_body_bytes = 1024).await;
    let chunk = "x".repeat(4096);
    let body = format!("{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len());
    let answer = raw_exchange(
        &env,
        "POST /t/acme/bigbluebutton/api/create?meetingID=m HTTP/1.1\r\n\
         Host: localhost\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
        body.as_bytes(),
    )
    .await;
    assert!(
        answer.contains("<returncode>FAILED</returncode>"),
        "{answer}"
    );
    assert!(answer.contains("too large"), "{answer}");
    env.shutdown().await;
}

#[tokio::test]
async fn a_query_over_the_limit_is_refused_as_bbb_xml() {
    let env = env_with(|c| c.api_max_query_bytes = 1024).await;
    let name = "n".repeat(2048);
    let answer = env
        .acme()
        .call("create", &[("meetingID", "long"), ("name", &name)])
        .await;
    assert_eq!(key(&answer), "requestTooLarge", "{answer:?}");
    assert!(succeeded(&env.acme().create("short").await));
    env.shutdown().await;
}

fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[(samples.len() * 99).div_ceil(100) - 1]
}

/// `n` getMeetingInfo calls one after another, each timed.
async fn timed_info_calls(front: &FrontEnd, id: &str, n: usize) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let answer = front.call("getMeetingInfo", &[("meetingID", id)]).await;
        samples.push(started.elapsed());
        assert!(succeeded(&answer), "{answer:?}");
    }
    samples
}

#[tokio::test]
async fn a_server_answering_in_10_s_does_not_move_the_p99_of_calls_to_the_other_servers() {
    const SLOTS: usize = 4;
    let env = env_with(|c| c.server_max_calls_in_flight = SLOTS).await;
    let acme = env.acme();
    // One meeting on each server (placement alternates on an empty fleet).
    let mut on = [None, None];
    for i in 0..20 {
        let id = format!("m-{i}");
        assert!(succeeded(&acme.create(&id).await));
        if let Some(server) = env.server_holding("acme", &id).await {
            on[server].get_or_insert(id);
        }
        if on.iter().all(Option::is_some) {
            break;
        }
    }
    let [Some(slow), Some(fast)] = on else {
        panic!("no meeting on each server: {on:?}")
    };

    let before = p99(timed_info_calls(&acme, &fast, 100).await);
    env.sim.servers[0].set_faults(Faults {
        latency_ms: 10_000,
        ..Faults::default()
    });
    let stuck: Vec<_> = (0..5 * SLOTS)
        .map(|_| {
            let (front, id) = (acme.clone(), slow.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                let answer = front.call("getMeetingInfo", &[("meetingID", &id)]).await;
                (started.elapsed(), succeeded(&answer))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = p99(timed_info_calls(&acme, &fast, 100).await);
    println!("getMeetingInfo p99 on the other server: {before:?} before, {during:?} during");
    assert!(
        during <= before.max(Duration::from_millis(25)) * 4,
        "p99 {before:?} before, {during:?} with a 10 s server"
    );

    // Beyond its slots, calls to the slow server fail at once, not in 10 s.
    let mut refused_at_once = 0;
    for call in stuck {
        let (took, ok) = call.await.unwrap();
        if !ok && took < Duration::from_secs(2) {
            refused_at_once += 1;
        }
    }
    assert_eq!(refused_at_once, 4 * SLOTS);
    env.shutdown().await;
}

#[tokio::test]
async fn a_token_over_its_rate_gets_a_429_problem_with_retry_after_while_another_token_is_served() {
    let env = env_with(|c| {
        c.api_token_rate_per_sec = 0.5;
        c.api_token_rate_burst = 3;
    })
    .await;
    let act = store::Act::new("operator:test", 0);
    for name in ["ada", "bob"] {
        let store = &env.app.store;
        store
            .add_person(name, name, &format!("{name}@mail.example"), &act)
            .await
            .unwrap();
        store
            .add_token(&format!("token-of-{name}"), Some(name), "test", &act)
            .await
            .unwrap();
    }
    let me = |token: &'static str| {
        env.http
            .get(format!("{}/api/v1/me", env.app.url()))
            .bearer_auth(token)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(me("token-of-ada").await.unwrap().status(), 200);
    }
    let refused = me("token-of-ada").await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=2).contains(&retry_after),
        "one request takes 2 s at 0.5/s, less what passed: {retry_after}"
    );
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:plenary:problem:too-many-requests");
    assert_eq!(problem["status"], 429);
    assert_eq!(
        me("token-of-bob").await.unwrap().status(),
        200,
        "bob is served"
    );
    env.shutdown().await;
}
