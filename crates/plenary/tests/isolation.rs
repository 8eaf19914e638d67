//! No tenant can see, join, end or learn about another tenant's meeting: it
//! gets exactly the answer it would get for a meeting that does not exist.

use crate::common;

use common::{Env, Setup, key, succeeded, text, xml};

#[tokio::test]
async fn two_tenants_may_use_the_same_meeting_id() {
    let env = Env::start().await;
    let (acme, globex) = (env.acme(), env.globex());
    let a = acme.create("board").await;
    let g = globex.create("board").await;
    assert!(succeeded(&a) && succeeded(&g));
    assert_eq!(
        key(&g),
        "",
        "a second tenant's create is a new meeting, not a duplicate"
    );
    assert_ne!(text(&a, "internalMeetingID"), text(&g, "internalMeetingID"));
    acme.join("board", "Ada").await;
    let a_info = acme.call("getMeetingInfo", &[("meetingID", "board")]).await;
    let g_info = globex
        .call("getMeetingInfo", &[("meetingID", "board")])
        .await;
    assert_eq!(text(&a_info, "participantCount"), "1");
    assert_eq!(text(&g_info, "participantCount"), "0");
    env.shutdown().await;
}

#[tokio::test]
async fn another_tenants_meeting_is_not_found_for_info_end_chat_and_running() {
    let env = Env::start().await;
    let (acme, globex) = (env.acme(), env.globex());
    acme.create("secret-plans").await;
    acme.join("secret-plans", "Ada").await;
    let id = [("meetingID", "secret-plans")];
    assert_eq!(key(&globex.call("getMeetingInfo", &id).await), "notFound");
    assert_eq!(key(&globex.call("end", &id).await), "notFound");
    assert_eq!(
        key(&globex
            .call(
                "sendChatMessage",
                &[("meetingID", "secret-plans"), ("message", "hi")]
            )
            .await),
        "notFound"
    );
    assert_eq!(
        text(&globex.call("isMeetingRunning", &id).await, "running"),
        "false"
    );
    let document = globex
        .endpoint
        .signed_url("insertDocument", &common::params(&id));
    let el = xml(env
        .http
        .post(document)
        .header("content-type", "text/xml")
        .body("<modules/>"))
    .await;
    assert_eq!(key(&el), "notFound");
    // The meeting is untouched.
    assert_eq!(
        text(&acme.call("isMeetingRunning", &id).await, "running"),
        "true"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn another_tenants_meeting_cannot_be_joined() {
    let env = Env::start().await;
    env.acme().create("secret-plans").await;
    let location = env
        .globex()
        .join_location(&[("meetingID", "secret-plans"), ("fullName", "Eve")])
        .await;
    assert!(location.contains("invalidMeetingIdentifier"), "{location}");
    env.shutdown().await;
}

#[tokio::test]
async fn a_backend_meeting_id_named_directly_is_just_an_unknown_id() {
    let env = Env::start().await;
    env.acme().create("secret-plans").await;
    let globex = env.globex();
    for id in ["secret-plans~acme", "secret-plans~acme~globex"] {
        assert_eq!(
            key(&globex.call("getMeetingInfo", &[("meetingID", id)]).await),
            "notFound",
            "{id}"
        );
    }
    env.shutdown().await;
}

#[tokio::test]
async fn get_meetings_shows_only_the_tenants_own() {
    let env = Env::start().await;
    env.acme().create("a-room").await;
    env.globex().create("g-room").await;
    let listed: Vec<String> =
        bbb::meeting::meetings_of(&env.globex().call("getMeetings", &[]).await)
            .into_iter()
            .map(|m| m.meeting_id)
            .collect();
    assert_eq!(listed, ["g-room"]);
    env.shutdown().await;
}

#[tokio::test]
async fn another_tenants_recordings_are_invisible_and_unchangeable() {
    let env = Env::start().await;
    let (acme, globex) = (env.acme(), env.globex());
    let created = acme
        .call("create", &[("meetingID", "taped"), ("record", "true")])
        .await;
    acme.join("taped", "Ada").await;
    acme.call("end", &[("meetingID", "taped")]).await;
    globex.create("other").await;
    let record_id = text(&created, "internalMeetingID");
    assert_eq!(
        key(&globex.call("getRecordings", &[]).await),
        "noRecordings"
    );
    assert_eq!(
        key(&globex
            .call("getRecordings", &[("recordID", &record_id)])
            .await),
        "noRecordings"
    );
    for (call, extra) in [
        ("publishRecordings", Some(("publish", "false"))),
        ("updateRecordings", None),
        ("deleteRecordings", None),
    ] {
        let mut p = vec![("recordID", record_id.as_str())];
        p.extend(extra);
        assert_eq!(key(&globex.call(call, &p).await), "notFound", "{call}");
    }
    // Still there for its owner.
    let own = acme.call("getRecordings", &[]).await;
    assert_eq!(own.child("recordings").unwrap().elements().count(), 1);
    env.shutdown().await;
}

#[tokio::test]
async fn a_disabled_tenant_is_refused_and_its_secrets_rotate() {
    let env = Env::start().await;
    let store = &env.app.store;
    let acme = store.tenant("acme").await.unwrap();
    store
        .add_tenant_secret(&acme, "acme-secret-2", &common::act())
        .await
        .unwrap();
    let new = env.tenant("acme", "acme-secret-2");
    assert!(succeeded(&new.call("getMeetings", &[]).await));
    assert!(succeeded(&env.acme().call("getMeetings", &[]).await));
    store
        .remove_tenant_secret(&acme, "acme-secret-1", &common::act())
        .await
        .unwrap();
    assert_eq!(
        key(&env.acme().call("getMeetings", &[]).await),
        "checksumError"
    );
    store
        .set_tenant_enabled("acme", false, &common::act())
        .await
        .unwrap();
    assert_eq!(key(&new.call("getMeetings", &[]).await), "tenantDisabled");
    env.shutdown().await;
}

#[tokio::test]
async fn a_cached_tenant_is_read_again_once_its_cache_time_has_passed() {
    let mut setup = Setup::default();
    setup.config.tenant_cache_secs = 0.05;
    let env = Env::with_cache(setup).await;
    assert!(succeeded(&env.acme().call("getMeetings", &[]).await));
    env.app
        .store
        .set_tenant_enabled("acme", false, &common::act())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        key(&env.acme().call("getMeetings", &[]).await),
        "tenantDisabled"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn breakout_rooms_belong_to_the_tenant_of_their_parent() {
    let env = Env::start().await;
    let created = env.acme().create("plenum").await;
    let parent = text(&created, "internalMeetingID");
    let index = env.server_holding("acme", "plenum").await.unwrap();
    // BBB itself creates breakout rooms, signed with the server's secret.
    let server = bbb::client::Backend::new(
        &env.sim.servers[index].url(),
        common::SIM_SECRET,
        bbb::Algorithm::Sha256,
    )
    .unwrap();
    let breakout_id = format!("{parent}-1");
    let room = env
        .client
        .call(
            &server,
            "create",
            &common::params(&[
                ("meetingID", &breakout_id),
                ("isBreakout", "true"),
                ("parentMeetingID", &parent),
                ("sequence", "1"),
            ]),
            None,
        )
        .await
        .unwrap();
    assert!(succeeded(&room));
    let listed = |el: &bbb::Element| {
        bbb::meeting::meetings_of(el)
            .into_iter()
            .map(|m| m.meeting_id)
            .collect::<Vec<_>>()
    };
    let acme = listed(&env.acme().call("getMeetings", &[]).await);
    assert!(
        acme.contains(&"plenum".to_string()) && acme.contains(&breakout_id),
        "{acme:?}"
    );
    assert_eq!(
        key(&env.globex().call("getMeetings", &[]).await),
        "noMeetings"
    );
    env.poll().await;
    let tenant = env.app.store.tenant("acme").await.unwrap();
    let samples = env
        .app
        .store
        .samples_of_tenant(tenant.id, 0, i64::MAX)
        .await
        .unwrap();
    assert!(
        samples
            .iter()
            .any(|s| s.breakout && s.backend_id == breakout_id)
    );
    env.shutdown().await;
}

#[tokio::test]
async fn a_breakout_room_cannot_name_another_tenants_meeting_as_its_parent() {
    let env = Env::with(Setup {
        servers: 1,
        ..Setup::default()
    })
    .await;
    let created = env.acme().create("plenum").await;
    let parent = text(&created, "internalMeetingID");
    for named in [parent.as_str(), "plenum", "plenum~acme"] {
        let fake = env
            .globex()
            .call(
                "create",
                &[
                    ("meetingID", "fake"),
                    ("name", "Fake"),
                    ("isBreakout", "true"),
                    ("parentMeetingID", named),
                ],
            )
            .await;
        assert_eq!(key(&fake), "parentMeetingIdMissing", "{named}");
    }
    let acme: Vec<String> = bbb::meeting::meetings_of(&env.acme().call("getMeetings", &[]).await)
        .into_iter()
        .map(|m| m.meeting_id)
        .collect();
    assert_eq!(acme, ["plenum"]);
    env.shutdown().await;
}

#[tokio::test]
async fn a_breakout_room_of_the_tenants_own_meeting_gets_its_internal_id_as_parent() {
    let env = Env::start().await;
    let acme = env.acme();
    let parent = text(&acme.create("plenum").await, "internalMeetingID");
    let room = acme
        .call(
            "create",
            &[
                ("meetingID", "plenum-room-1"),
                ("name", "Room 1"),
                ("isBreakout", "true"),
                ("parentMeetingID", "plenum"),
            ],
        )
        .await;
    assert!(succeeded(&room), "{room:?}");
    let info = acme
        .call("getMeetingInfo", &[("meetingID", "plenum-room-1")])
        .await;
    assert_eq!(
        (text(&info, "isBreakout"), text(&info, "parentMeetingID")),
        ("true".to_string(), parent)
    );
    env.shutdown().await;
}
