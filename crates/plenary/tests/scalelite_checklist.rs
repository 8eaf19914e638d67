//! Scenarios from Scalelite's request specs that the other files do not
//! already cover, so operators moving from Scalelite find what they expect.

use crate::common;

use common::{Env, Setup, key, params, succeeded, text, xml};
use store::{ParamMode, ParamRule};

async fn record_and_end(env: &Env, id: &str, topic: &str) {
    let acme = env.acme();
    acme.call(
        "create",
        &[("meetingID", id), ("record", "true"), ("meta_topic", topic)],
    )
    .await;
    acme.join(id, "Ada").await;
    acme.call("end", &[("meetingID", id)]).await;
}

#[tokio::test]
async fn get_meetings_and_get_meeting_info_answer_post_requests() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("posted").await;
    for (call, body) in [("getMeetings", ""), ("getMeetingInfo", "meetingID=posted")] {
        let url = acme.endpoint.signed_url(call, &params(&[]));
        let url = if body.is_empty() {
            url
        } else {
            // BBB 2.x rule: the checksum covers the sorted body parameters.
            let sum = bbb::checksum::sign(bbb::Algorithm::Sha256, call, body, "acme-secret-1");
            format!("{}?checksum={sum}", url.split('?').next().unwrap())
        };
        let el = xml(env
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body))
        .await;
        assert!(succeeded(&el), "{call}: {el:?}");
    }
    env.shutdown().await;
}

#[tokio::test]
async fn calls_to_an_unreachable_server_are_internal_errors() {
    let env = Env::with(Setup {
        servers: 1,
        ..Setup::default()
    })
    .await;
    let acme = env.acme();
    acme.create("stranded").await;
    env.sim.servers[0].set_faults(sim::Faults {
        down: true,
        ..sim::Faults::default()
    });
    for call in ["getMeetingInfo", "isMeetingRunning"] {
        assert_eq!(
            key(&acme.call(call, &[("meetingID", "stranded")]).await),
            "internalError",
            "{call}"
        );
    }
    assert_eq!(key(&acme.call("getMeetings", &[]).await), "internalError");
    env.shutdown().await;
}

#[tokio::test]
async fn end_closes_the_record_even_when_the_server_does_not_answer() {
    let env = Env::with(Setup {
        servers: 1,
        ..Setup::default()
    })
    .await;
    let acme = env.acme();
    acme.create("stranded").await;
    env.sim.servers[0].set_faults(sim::Faults {
        down: true,
        ..sim::Faults::default()
    });
    assert_eq!(
        key(&acme.call("end", &[("meetingID", "stranded")]).await),
        "internalError"
    );
    let tenant = env.app.store.tenant("acme").await.unwrap();
    assert!(
        env.app
            .store
            .live_meeting(tenant.id, "stranded")
            .await
            .unwrap()
            .is_none()
    );
    env.shutdown().await;
}

#[tokio::test]
async fn tenant_settings_give_defaults_the_caller_may_change_and_overrides_it_may_not() {
    let env = Env::start().await;
    let store = &env.app.store;
    let tenant = store.tenant("acme").await.unwrap();
    for (mode, param, value) in [
        (ParamMode::Default, "maxParticipants", "25"),
        (ParamMode::Override, "record", "false"),
    ] {
        let rule = ParamRule {
            call: "create".into(),
            mode,
            param: param.into(),
            value: value.into(),
        };
        store
            .set_tenant_param_rule(&tenant, &rule, &common::act())
            .await
            .unwrap();
    }
    let acme = env.acme();
    acme.call("create", &[("meetingID", "ruled"), ("record", "true")])
        .await;
    let info = acme.call("getMeetingInfo", &[("meetingID", "ruled")]).await;
    assert_eq!(text(&info, "maxUsers"), "25");
    assert_eq!(text(&info, "recording"), "false");
    acme.call("create", &[("meetingID", "own"), ("maxParticipants", "8")])
        .await;
    assert_eq!(
        text(
            &acme.call("getMeetingInfo", &[("meetingID", "own")]).await,
            "maxUsers"
        ),
        "8"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn join_parameter_policy_reaches_the_join_url() {
    let mut setup = Setup::default();
    setup.config.override_join_params = "userdata-bbb_auto_join_audio=true".into();
    setup.config.join_exclude_params = "userdata-bbb_custom_style_url".into();
    let env = Env::with(setup).await;
    let acme = env.acme();
    acme.create("styled").await;
    let location = acme
        .join_location(&[
            ("meetingID", "styled"),
            ("fullName", "Ada"),
            (
                "userdata-bbb_custom_style_url",
                "https://evil.example/x.css",
            ),
        ])
        .await;
    assert!(
        location.contains("userdata-bbb_auto_join_audio=true"),
        "{location}"
    );
    assert!(!location.contains("evil.example"), "{location}");
    env.shutdown().await;
}

#[tokio::test]
async fn join_by_post_is_not_supported() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("posted").await;
    let url = acme.endpoint.signed_url(
        "join",
        &params(&[
            ("meetingID", "posted"),
            ("fullName", "Ada"),
            ("redirect", "false"),
        ]),
    );
    assert_eq!(key(&xml(env.http.post(url)).await), "unsupportedRequest");
    env.shutdown().await;
}

#[tokio::test]
async fn recordings_filter_by_several_meetings_by_state_and_by_metadata() {
    let env = Env::start().await;
    record_and_end(&env, "r1", "budget").await;
    record_and_end(&env, "r2", "minutes").await;
    record_and_end(&env, "r3", "budget").await;
    let acme = env.acme();
    let ids = |el: &bbb::Element| {
        let mut v: Vec<String> = el
            .child("recordings")
            .map(|r| r.elements().map(|e| text(e, "meetingID")).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(
        ids(&acme.call("getRecordings", &[("meetingID", "r1,r2")]).await),
        ["r1", "r2"]
    );
    assert_eq!(
        ids(&acme
            .call("getRecordings", &[("meta_topic", "budget")])
            .await),
        ["r1", "r3"]
    );
    let r2 = acme.call("getRecordings", &[("meetingID", "r2")]).await;
    let record_id = text(
        r2.child("recordings").unwrap().child("recording").unwrap(),
        "recordID",
    );
    acme.call(
        "publishRecordings",
        &[("recordID", &record_id), ("publish", "false")],
    )
    .await;
    assert_eq!(
        ids(&acme
            .call("getRecordings", &[("state", "unpublished")])
            .await),
        ["r2"]
    );
    assert_eq!(
        ids(&acme
            .call("getRecordings", &[("limit", "1"), ("offset", "1")])
            .await)
        .len(),
        1
    );
    env.shutdown().await;
}
