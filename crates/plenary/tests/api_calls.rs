//! Every BBB call through the gateway, answered as a BBB server would, with
//! the scenarios of Scalelite's request specs that apply.

use crate::common;

use common::{Env, Setup, key, params, succeeded, text, xml};

#[tokio::test]
async fn the_index_answers_without_a_checksum_on_get_and_post() {
    let env = Env::start().await;
    for path in [
        "/bigbluebutton/api",
        "/bigbluebutton/api/",
        "/t/acme/bigbluebutton/api/",
    ] {
        let url = format!("{}{path}", env.app.url());
        for request in [env.http.get(&url), env.http.post(&url)] {
            let el = xml(request).await;
            assert!(succeeded(&el));
            assert_eq!(text(&el, "version"), "2.0");
        }
    }
    env.shutdown().await;
}

#[tokio::test]
async fn unknown_calls_and_paths_are_unsupported_requests() {
    let env = Env::start().await;
    assert_eq!(
        key(&env.acme().call("getJoinUrl", &[]).await),
        "unsupportedRequest"
    );
    let el = xml(env
        .http
        .get(format!("{}/bigbluebutton/other/thing", env.app.url())))
    .await;
    assert_eq!(key(&el), "unsupportedRequest");
    env.shutdown().await;
}

#[tokio::test]
async fn calls_that_need_a_meeting_id_say_so() {
    let env = Env::start().await;
    let acme = env.acme();
    for call in [
        "create",
        "end",
        "isMeetingRunning",
        "getMeetingInfo",
        "sendChatMessage",
    ] {
        assert_eq!(
            key(&acme.call(call, &[]).await),
            "missingParamMeetingID",
            "{call}"
        );
    }
    let el = acme.call("create", &[("meetingID", "a,b")]).await;
    assert_eq!(key(&el), "validationError");
    env.shutdown().await;
}

#[tokio::test]
async fn create_answers_with_the_tenants_own_meeting_id() {
    let env = Env::start().await;
    let el = env.acme().create("weekly").await;
    assert!(succeeded(&el), "{el:?}");
    assert_eq!(text(&el, "meetingID"), "weekly");
    assert!(text(&el, "internalMeetingID").contains('-'));
    assert!(text(&el, "createTime").parse::<i64>().unwrap() > 1_600_000_000_000);
    env.shutdown().await;
}

#[tokio::test]
async fn a_repeated_create_is_idempotent_and_stays_on_its_server() {
    let env = Env::start().await;
    let acme = env.acme();
    let first = acme.create("weekly").await;
    let server = env.server_holding("acme", "weekly").await;
    for _ in 0..3 {
        let again = acme.create("weekly").await;
        assert!(succeeded(&again));
        assert_eq!(key(&again), "duplicateWarning");
        assert_eq!(
            text(&again, "internalMeetingID"),
            text(&first, "internalMeetingID")
        );
    }
    assert_eq!(env.server_holding("acme", "weekly").await, server);
    env.shutdown().await;
}

#[tokio::test]
async fn create_by_post_passes_the_modules_body_through() {
    let env = Env::start().await;
    let url = env.acme().endpoint.signed_url(
        "create",
        &params(&[("meetingID", "slides"), ("name", "Slides")]),
    );
    let modules = r#"<modules><module name="presentation"><document url="https://example.org/a.pdf" filename="a.pdf"/></module></modules>"#;
    let el = xml(env
        .http
        .post(url)
        .header("content-type", "text/xml")
        .body(modules))
    .await;
    assert!(succeeded(&el), "{el:?}");
    assert_eq!(text(&el, "meetingID"), "slides");
    env.shutdown().await;
}

#[tokio::test]
async fn a_post_body_of_an_unsupported_type_is_refused() {
    let env = Env::start().await;
    let url = env
        .acme()
        .endpoint
        .signed_url("create", &params(&[("meetingID", "m1")]));
    let el = xml(env
        .http
        .post(url)
        .header("content-type", "image/png")
        .body("x"))
    .await;
    assert_eq!(key(&el), "unsupportedContentType");
    env.shutdown().await;
}

#[tokio::test]
async fn join_redirects_to_the_server_signed_with_its_own_secret() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("weekly").await;
    let location = acme
        .join_location(&[
            ("meetingID", "weekly"),
            ("fullName", "Ada"),
            ("role", "MODERATOR"),
        ])
        .await;
    let server = env
        .sim
        .servers
        .iter()
        .find(|s| location.starts_with(&s.url()))
        .expect("a simulated server");
    let query = location.split_once('?').unwrap().1;
    assert!(query.contains("meetingID=weekly%7Eacme"), "{location}");
    let verified = bbb::checksum::verify(
        bbb::checksum::SignedRequest {
            call: "join",
            raw_query: query,
            body_params: None,
        },
        [common::SIM_SECRET],
        bbb::AlgorithmSet::all(),
    );
    assert_eq!(verified, Ok(bbb::Algorithm::Sha256), "{}", server.url());
    env.shutdown().await;
}

#[tokio::test]
async fn a_joined_participant_makes_the_meeting_run() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("weekly").await;
    assert_eq!(
        text(
            &acme
                .call("isMeetingRunning", &[("meetingID", "weekly")])
                .await,
            "running"
        ),
        "false"
    );
    acme.join("weekly", "Ada").await;
    assert_eq!(
        text(
            &acme
                .call("isMeetingRunning", &[("meetingID", "weekly")])
                .await,
            "running"
        ),
        "true"
    );
    let info = acme
        .call("getMeetingInfo", &[("meetingID", "weekly")])
        .await;
    assert_eq!(text(&info, "participantCount"), "1");
    assert_eq!(text(&info, "meetingID"), "weekly");
    env.shutdown().await;
}

#[tokio::test]
async fn join_errors_are_redirects_carrying_the_bbb_error() {
    let env = Env::start().await;
    let acme = env.acme();
    let location = acme
        .join_location(&[("meetingID", "nowhere"), ("fullName", "Ada")])
        .await;
    assert!(location.starts_with("/?errors="), "{location}");
    assert!(location.contains("invalidMeetingIdentifier"));
    let custom = acme
        .join_location(&[
            ("meetingID", "nowhere"),
            ("fullName", "Ada"),
            ("redirectErrorUrl", "https://gl.acme.org/rooms"),
        ])
        .await;
    assert!(
        custom.starts_with("https://gl.acme.org/rooms?errors="),
        "{custom}"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn join_with_redirect_false_answers_xml() {
    let env = Env::start().await;
    let acme = env.acme();
    assert_eq!(
        key(&acme
            .call(
                "join",
                &[
                    ("meetingID", "nowhere"),
                    ("fullName", "Ada"),
                    ("redirect", "false")
                ]
            )
            .await),
        "invalidMeetingIdentifier"
    );
    acme.create("weekly").await;
    let el = acme
        .call(
            "join",
            &[
                ("meetingID", "weekly"),
                ("fullName", "Ada"),
                ("redirect", "false"),
            ],
        )
        .await;
    assert!(succeeded(&el), "{el:?}");
    assert_eq!(key(&el), "successfullyJoined");
    assert_eq!(
        key(&acme
            .call("join", &[("meetingID", "weekly"), ("redirect", "false")])
            .await),
        "missingParamFullName"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn end_stops_the_meeting_and_unknown_meetings_are_not_found() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("weekly").await;
    let el = acme.call("end", &[("meetingID", "weekly")]).await;
    assert_eq!(key(&el), "sentEndMeetingRequest");
    assert_eq!(
        key(&acme.call("end", &[("meetingID", "weekly")]).await),
        "notFound"
    );
    assert_eq!(
        key(&acme
            .call("getMeetingInfo", &[("meetingID", "weekly")])
            .await),
        "notFound"
    );
    assert_eq!(
        text(
            &acme
                .call("isMeetingRunning", &[("meetingID", "weekly")])
                .await,
            "running"
        ),
        "false"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn get_meetings_lists_the_tenants_meetings_or_says_there_are_none() {
    let env = Env::start().await;
    let acme = env.acme();
    let empty = acme.call("getMeetings", &[]).await;
    assert!(succeeded(&empty));
    assert_eq!(key(&empty), "noMeetings");
    for id in ["a1", "a2", "a3"] {
        acme.create(id).await;
    }
    let el = acme.call("getMeetings", &[]).await;
    let mut ids: Vec<String> = bbb::meeting::meetings_of(&el)
        .into_iter()
        .map(|m| m.meeting_id)
        .collect();
    ids.sort();
    assert_eq!(ids, ["a1", "a2", "a3"]);
    env.shutdown().await;
}

#[tokio::test]
async fn get_meetings_survives_a_dead_server() {
    let env = Env::with(Setup {
        servers: 2,
        ..Setup::default()
    })
    .await;
    let acme = env.acme();
    for i in 0..6 {
        acme.create(&format!("m{i}")).await;
    }
    env.sim.servers[0].set_faults(sim::Faults {
        down: true,
        ..sim::Faults::default()
    });
    let el = acme.call("getMeetings", &[]).await;
    assert!(succeeded(&el), "{el:?}");
    let listed = bbb::meeting::meetings_of(&el).len();
    assert!(
        listed > 0 && listed < 6,
        "only the live server's meetings: {listed}"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn get_meetings_can_be_disabled_as_in_scalelite() {
    let mut setup = Setup::default();
    setup.config.get_meetings_api_disabled = true;
    let env = Env::with(setup).await;
    env.acme().create("m1").await;
    assert_eq!(
        key(&env.acme().call("getMeetings", &[]).await),
        "noMeetings"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn insert_document_and_chat_messages_reach_the_meeting() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("weekly").await;
    let chat = acme
        .call(
            "sendChatMessage",
            &[
                ("meetingID", "weekly"),
                ("message", "hello"),
                ("userName", "Bot"),
            ],
        )
        .await;
    assert!(succeeded(&chat), "{chat:?}");
    assert_eq!(
        key(&acme
            .call(
                "sendChatMessage",
                &[("meetingID", "nope"), ("message", "x")]
            )
            .await),
        "notFound"
    );
    let url = acme
        .endpoint
        .signed_url("insertDocument", &params(&[("meetingID", "weekly")]));
    let el = xml(env
        .http
        .post(url)
        .header("content-type", "application/xml")
        .body(r#"<modules><module name="presentation"><document url="https://example.org/b.pdf" filename="b.pdf"/></module></modules>"#)
        ).await;
    assert!(succeeded(&el), "{el:?}");
    env.shutdown().await;
}

#[tokio::test]
async fn recordings_are_listed_published_updated_and_deleted() {
    let env = Env::start().await;
    let acme = env.acme();
    let created = acme
        .call(
            "create",
            &[
                ("meetingID", "taped"),
                ("name", "Taped"),
                ("record", "true"),
            ],
        )
        .await;
    acme.join("taped", "Ada").await;
    acme.call("end", &[("meetingID", "taped")]).await;
    let list = acme.call("getRecordings", &[("meetingID", "taped")]).await;
    let recordings = list.child("recordings").expect("a recordings list");
    let recording = recordings
        .child("recording")
        .expect("the meeting's recording");
    assert_eq!(text(recording, "meetingID"), "taped");
    let record_id = text(recording, "recordID");
    assert_eq!(record_id, text(&created, "internalMeetingID"));
    let published = acme
        .call(
            "publishRecordings",
            &[("recordID", &record_id), ("publish", "false")],
        )
        .await;
    assert_eq!(text(&published, "published"), "false");
    let updated = acme
        .call(
            "updateRecordings",
            &[("recordID", &record_id), ("meta_topic", "budget")],
        )
        .await;
    assert_eq!(text(&updated, "updated"), "true");
    let deleted = acme
        .call("deleteRecordings", &[("recordID", &record_id)])
        .await;
    assert_eq!(text(&deleted, "deleted"), "true");
    assert_eq!(
        key(&acme.call("deleteRecordings", &[]).await),
        "missingParamRecordID"
    );
    assert_eq!(
        key(&acme
            .call("publishRecordings", &[("recordID", &record_id)])
            .await),
        "missingParamPublish"
    );
    assert_eq!(
        key(&acme.call("getRecordings", &[("meetingID", "none")]).await),
        "noRecordings"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn the_maximum_duration_and_parameter_policy_shape_every_create() {
    let mut setup = Setup::default();
    setup.config.max_meeting_duration = 60;
    setup.config.override_create_params = "record=false".into();
    setup.config.default_create_params = "muteOnStart=true".into();
    let env = Env::with(setup).await;
    let acme = env.acme();
    acme.call(
        "create",
        &[
            ("meetingID", "long"),
            ("duration", "600"),
            ("record", "true"),
        ],
    )
    .await;
    let info = acme.call("getMeetingInfo", &[("meetingID", "long")]).await;
    assert_eq!(text(&info, "duration"), "60");
    assert_eq!(text(&info, "recording"), "false");
    let metadata = info.child("metadata").unwrap();
    assert_eq!(text(metadata, "plenary-tenant"), "acme");
    env.shutdown().await;
}

#[tokio::test]
async fn create_without_any_server_is_an_internal_error() {
    let env = Env::with(Setup {
        servers: 1,
        ..Setup::default()
    })
    .await;
    env.sim.servers[0].set_faults(sim::Faults {
        down: true,
        ..sim::Faults::default()
    });
    env.poll().await;
    let el = env.acme().create("lonely").await;
    assert_eq!(key(&el), "internalError");
    env.shutdown().await;
}

#[tokio::test]
async fn a_create_failing_on_its_server_is_sent_to_another() {
    let env = Env::with(Setup {
        servers: 2,
        ..Setup::default()
    })
    .await;
    env.sim.servers[0].set_faults(sim::Faults {
        error_rate: 1.0,
        ..sim::Faults::default()
    });
    let acme = env.acme();
    for i in 0..4 {
        let id = format!("resilient-{i}");
        let el = acme.create(&id).await;
        assert!(succeeded(&el), "{id}: {el:?}");
        assert_eq!(env.server_holding("acme", &id).await, Some(1), "{id}");
    }
    env.shutdown().await;
}

#[tokio::test]
async fn control_characters_in_any_create_parameter_are_refused() {
    let env = Env::start().await;
    let acme = env.acme();
    for (bad_key, bad_value) in [
        ("name", "Weekly\u{1}"),
        ("meetingID", "room\u{7}"),
        ("meta_bbb-origin", "greenlight\u{b}"),
        ("moderatorPW", "\u{0}"),
        ("meta_x\u{1f}", "v"),
    ] {
        let mut pairs = vec![("meetingID", "room"), ("name", "Weekly")];
        pairs.retain(|(k, _)| *k != bad_key);
        pairs.push((bad_key, bad_value));
        let el = acme.call("create", &pairs).await;
        assert_eq!(key(&el), "validationError", "{bad_key}: {el:?}");
    }
    assert_eq!(key(&acme.call("getMeetings", &[]).await), "noMeetings");
    let el = acme
        .call(
            "create",
            &[("meetingID", "room"), ("name", "Weekly\tmeeting\r\n")],
        )
        .await;
    assert!(succeeded(&el), "tabs and line breaks are XML: {el:?}");
    env.shutdown().await;
}

#[tokio::test]
async fn a_control_character_in_a_joining_name_is_refused() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("room").await;
    let location = acme
        .join_location(&[("meetingID", "room"), ("fullName", "Ada\u{1b}[31m")])
        .await;
    assert!(location.contains("validationError"), "{location}");
    env.shutdown().await;
}
