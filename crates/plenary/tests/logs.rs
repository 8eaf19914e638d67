//! Logs, even at debug level, never hold what would let a reader join a
//! meeting or sign a call: meeting passwords, checksums, signed join links,
//! tenant or server secrets.

#[allow(dead_code)] // the logs test uses a small part of the harness
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Env, SIM_SECRET, params};

/// Everything the process logs, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn checksum_of(url: &str) -> String {
    url.split("checksum=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn debug_logs_hold_no_password_checksum_or_secret() {
    let logs = Captured::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter("debug")
        .with_writer(move || sink.clone())
        .try_init()
        .unwrap();
    let env = Env::start().await;
    let acme = env.acme();
    acme.call(
        "create",
        &[
            ("meetingID", "secretive"),
            ("name", "Board"),
            ("attendeePW", "attendee-pw-4711"),
            ("moderatorPW", "moderator-pw-0815"),
        ],
    )
    .await;
    let join = acme.endpoint.signed_url(
        "join",
        &params(&[
            ("meetingID", "secretive"),
            ("fullName", "Ada"),
            ("password", "moderator-pw-0815"),
        ]),
    );
    let location = acme
        .join_location(&[
            ("meetingID", "secretive"),
            ("fullName", "Ada"),
            ("password", "moderator-pw-0815"),
        ])
        .await;
    assert!(
        location.contains("checksum="),
        "a signed join link: {location}"
    );
    env.shutdown().await;

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("DEBUG"), "debug logs were captured:\n{logs}");
    for secret in [
        "attendee-pw-4711",
        "moderator-pw-0815",
        "acme-secret-1",
        SIM_SECRET,
        &checksum_of(&join),
        &checksum_of(&location),
    ] {
        assert!(!logs.contains(secret), "{secret} is in the logs:\n{logs}");
    }
}
