//! The optional TLS listener: the same server, over HTTPS, with the
//! certificate the fleet hands out.
#![cfg(feature = "tls")]

use bbb::client::Backend;
use bbb::{Algorithm, Params};

const SECRET: &str = "tls-secret";

#[tokio::test]
async fn a_server_answers_over_https_with_the_certificate_it_hands_out() {
    let fleet = sim::start(
        sim::SimConfig {
            secret: SECRET.into(),
            tick: std::time::Duration::ZERO,
            tls: true,
            ..sim::SimConfig::default()
        },
        std::sync::Arc::new(sim::SystemClock),
    )
    .await
    .unwrap();
    let pem = fleet.certificate_pem.clone().expect("a certificate");
    let addr = fleet.servers[0].tls_addr().expect("a TLS listener");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let backend = Backend::new(
        &format!("https://{addr}/bigbluebutton/api"),
        SECRET,
        Algorithm::Sha256,
    )
    .unwrap();
    let mut p = Params::new();
    p.push("meetingID", "over-tls");
    p.push("name", "Over TLS");
    let body = http
        .get(backend.signed_url("create", &p))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<returncode>SUCCESS</returncode>"), "{body}");
    assert!(
        fleet.servers[0].snapshot()["meetings"]
            .to_string()
            .contains("over-tls"),
        "the meeting is the plain listener's server's too"
    );
    fleet.shutdown().await;
}

#[tokio::test]
async fn a_fleet_without_tls_has_no_certificate_and_no_tls_listener() {
    let fleet = sim::start(
        sim::SimConfig::default(),
        std::sync::Arc::new(sim::SystemClock),
    )
    .await
    .unwrap();
    assert!(fleet.certificate_pem.is_none());
    assert!(fleet.servers[0].tls_addr().is_none());
    fleet.shutdown().await;
}
