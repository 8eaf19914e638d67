//! The gateway checks checksums exactly as a BBB server does.

use crate::common;

use bbb::Algorithm;
use bbb::checksum::sign;
use common::{Env, Setup, key, succeeded, xml};

#[tokio::test]
async fn all_four_algorithms_are_accepted() {
    let env = Env::start().await;
    for alg in Algorithm::ALL {
        let fe = env.front_end(
            &format!("{}/t/acme/bigbluebutton/api", env.app.url()),
            "acme-secret-1",
            alg,
        );
        let el = fe.call("isMeetingRunning", &[("meetingID", "room")]).await;
        assert!(succeeded(&el), "{alg}: {el:?}");
    }
    env.shutdown().await;
}

async fn raw(env: &Env, call: &str, query: &str) -> bbb::Element {
    let url = format!("{}/t/acme/bigbluebutton/api/{call}?{query}", env.app.url());
    xml(env.http.get(url)).await
}

#[tokio::test]
async fn upper_case_hex_is_accepted() {
    let env = Env::start().await;
    let q = "meetingID=room";
    let sum = sign(Algorithm::Sha256, "isMeetingRunning", q, "acme-secret-1").to_uppercase();
    assert!(succeeded(
        &raw(&env, "isMeetingRunning", &format!("{q}&checksum={sum}")).await
    ));
    env.shutdown().await;
}

#[tokio::test]
async fn the_raw_query_is_hashed_as_sent_in_any_order_and_encoding() {
    let env = Env::start().await;
    let q = "name=A%20b&meetingID=room%7E1";
    let sum = sign(Algorithm::Sha1, "isMeetingRunning", q, "acme-secret-1");
    assert!(succeeded(
        &raw(&env, "isMeetingRunning", &format!("checksum={sum}&{q}")).await
    ));
    env.shutdown().await;
}

#[tokio::test]
async fn a_wrong_missing_or_odd_length_checksum_is_a_checksum_error() {
    let env = Env::start().await;
    let q = "meetingID=room";
    let wrong = sign(Algorithm::Sha1, "isMeetingRunning", q, "not-the-secret");
    for query in [
        format!("{q}&checksum={wrong}"),
        q.to_string(),
        format!("{q}&checksum=abc123"),
        format!("{q}&checksum="),
    ] {
        assert_eq!(
            key(&raw(&env, "isMeetingRunning", &query).await),
            "checksumError",
            "{query}"
        );
    }
    env.shutdown().await;
}

#[tokio::test]
async fn a_checksum_for_another_call_does_not_verify() {
    let env = Env::start().await;
    let q = "meetingID=room";
    let sum = sign(Algorithm::Sha1, "getMeetingInfo", q, "acme-secret-1");
    assert_eq!(
        key(&raw(&env, "end", &format!("{q}&checksum={sum}")).await),
        "checksumError"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn algorithms_refused_by_configuration_fail() {
    let mut setup = Setup::default();
    setup.config.checksum_algorithms = "sha256:sha512".into();
    let env = Env::with(setup).await;
    let q = "meetingID=room";
    let sha1 = sign(Algorithm::Sha1, "isMeetingRunning", q, "acme-secret-1");
    assert_eq!(
        key(&raw(&env, "isMeetingRunning", &format!("{q}&checksum={sha1}")).await),
        "checksumError"
    );
    let sha256 = sign(Algorithm::Sha256, "isMeetingRunning", q, "acme-secret-1");
    assert!(succeeded(
        &raw(&env, "isMeetingRunning", &format!("{q}&checksum={sha256}")).await
    ));
    env.shutdown().await;
}

#[tokio::test]
async fn post_parameters_in_the_body_verify_only_when_the_checksum_covers_them() {
    let env = Env::start().await;
    let url = format!(
        "{}/t/acme/bigbluebutton/api/isMeetingRunning",
        env.app.url()
    );
    let post = |sum: String| {
        xml(env
            .http
            .post(format!("{url}?checksum={sum}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("meetingID=room"))
    };
    // BBB 2.x: all parameters sorted by key.
    let v2 = sign(
        Algorithm::Sha256,
        "isMeetingRunning",
        "meetingID=room",
        "acme-secret-1",
    );
    let el = post(v2).await;
    assert!(succeeded(&el), "{el:?}");
    // BBB 3.0: the checksum covers the (here empty) URL query string, and
    // so none of the body's parameters.
    let v3 = sign(Algorithm::Sha256, "isMeetingRunning", "", "acme-secret-1");
    assert_eq!(key(&post(v3).await), "checksumError");
    env.shutdown().await;
}

#[tokio::test]
async fn a_signed_create_url_replayed_as_a_post_cannot_add_unsigned_fields() {
    let env = Env::start().await;
    let acme = env.acme();
    let url = acme.endpoint.signed_url(
        "create",
        &common::params(&[("meetingID", "replayed"), ("name", "Replayed")]),
    );
    let el = xml(env
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("moderatorPW=chosen-by-me&record=true&meta_origin=forged"))
    .await;
    assert_eq!(key(&el), "checksumError", "{el:?}");
    assert_eq!(
        key(&acme
            .call("getMeetingInfo", &[("meetingID", "replayed")])
            .await),
        "notFound"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn an_unknown_tenant_gets_a_checksum_error_like_scalelite() {
    let env = Env::start().await;
    let fe = env.tenant("nobody", "whatever-secret");
    assert_eq!(key(&fe.call("getMeetings", &[]).await), "checksumError");
    env.shutdown().await;
}
