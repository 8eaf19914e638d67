//! The HTTP server closes what would otherwise hold a connection for
//! ever: headers or bodies sent too slowly, idle keep-alive connections,
//! and it serves at most `http_max_connections` at once.

use crate::common;

use std::time::Duration;

use common::{Env, Setup};
use plenary::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn env_with(limits: impl FnOnce(&mut Config)) -> Env {
    let mut setup = Setup {
        servers: 1,
        ..Setup::default()
    };
    limits(&mut setup.config);
    Env::with(setup).await
}

async fn connect(env: &Env) -> TcpStream {
    TcpStream::connect(env.app.addr).await.unwrap()
}

/// Whether the server closes the connection within `bound` (reading and
/// dropping whatever it answers first).
async fn closed_within(stream: &mut TcpStream, bound: Duration) -> bool {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(bound, async {
        while let Ok(n) = stream.read(&mut buf).await
            && n > 0
        {}
    })
    .await
    .is_ok()
}

/// Generous: the settings below are a second or two.
const BOUND: Duration = Duration::from_secs(8);

#[tokio::test]
async fn a_client_sending_its_headers_slowly_is_disconnected_after_the_header_timeout() {
    let env = env_with(|c| c.http_header_timeout_secs = 1.0).await;
    let (mut reader, mut writer) = connect(&env).await.into_split();
    writer
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: plenary\r\n")
        .await
        .unwrap();
    let drip = tokio::spawn(async move {
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(b"X-Slow: 1\r\n").await.is_err() {
                return;
            }
        }
    });
    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(BOUND, reader.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "still connected while dripping headers"
    );
    drip.abort();
    env.shutdown().await;
}

#[tokio::test]
async fn a_body_sent_slowly_is_cut_off_after_the_body_timeout() {
    let env = env_with(|c| c.http_body_timeout_secs = 1.0).await;
    let mut stream = connect(&env).await;
    stream
        .write_all(
            b"POST /t/acme/bigbluebutton/api/create HTTP/1.1\r\nHost: plenary\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nmeetingID=",
        )
        .await
        .unwrap();
    assert!(
        closed_within(&mut stream, BOUND).await,
        "still waiting for the body"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let env = env_with(|c| c.http_idle_timeout_secs = 1.0).await;
    let mut stream = connect(&env).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: plenary\r\n\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut stream, BOUND).await,
        "idle connection kept open"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn with_the_connection_limit_reached_a_request_waits_until_idle_connections_close() {
    let env = env_with(|c| {
        c.http_max_connections = 2;
        c.http_idle_timeout_secs = 1.0;
    })
    .await;
    let mut idle = [connect(&env).await, connect(&env).await];
    let answer = env
        .http
        .get(format!("{}/healthz", env.app.url()))
        .timeout(BOUND)
        .send()
        .await
        .expect("served once the idle connections timed out");
    assert_eq!(answer.status(), 200);
    for stream in &mut idle {
        assert!(
            closed_within(stream, Duration::from_millis(500)).await,
            "the request was served beside connections over the limit"
        );
    }
    env.shutdown().await;
}
