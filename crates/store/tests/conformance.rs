//! One story of the store, told on SQLite and on PostgreSQL: every statement
//! the facade runs must behave the same on both.

use std::convert::Infallible;

use store::{
    Act, Claim, Health, NewCallback, NewMeeting, NewServer, NewTenant, ParamMode, ParamRule,
    Rollup, ServerCost, ServerPatch, ServerPoll, ServerRound, ServerState, Store, StoreError,
    TenantPatch, TenantPlace, TenantUsage, UsageCounts, UsageSample,
};

/// An operator acting at a fixed time.
fn act() -> Act {
    Act::new("operator:test", 1_000)
}

async fn on_both_backends<F, Fut>(story: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let story = &story;
    testkit::on_both_backends("store", move |url| async move {
        story(Store::open(&url).await.expect("store opens")).await
    })
    .await;
}

fn tenant<'a>(name: &'a str, secret: &'a str) -> NewTenant<'a> {
    NewTenant {
        name,
        host: None,
        pool: None,
        secret,
    }
}

fn server(url: &str) -> NewServer<'_> {
    NewServer {
        url,
        secret: "s",
        algorithm: bbb::Algorithm::Sha256,
        weight: 1,
        pool: None,
        capacity: 200,
        health: Health::Unstable,
    }
}

#[tokio::test]
async fn a_fresh_database_is_ready_after_migrating_twice() {
    on_both_backends(|s| async move {
        s.migrate().await.unwrap();
        assert!(s.is_ready().await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn tenants_keep_their_secrets_and_refuse_duplicates() {
    on_both_backends(|s| async move {
        let t = s
            .create_tenant(tenant("acme", "one"), &act())
            .await
            .unwrap();
        assert!(t.enabled);
        assert!(matches!(
            s.create_tenant(tenant("acme", "x"), &act()).await,
            Err(StoreError::Conflict(_))
        ));
        s.add_tenant_secret(&t, "two", &act()).await.unwrap();
        assert_eq!(s.tenant_secrets(t.id).await.unwrap(), ["one", "two"]);
        s.remove_tenant_secret(&t, "one", &act()).await.unwrap();
        assert!(matches!(
            s.remove_tenant_secret(&t, "two", &act()).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(s.tenant_secrets(t.id).await.unwrap(), ["two"]);
        s.set_tenant_enabled("acme", false, &act()).await.unwrap();
        assert!(!s.tenant("acme").await.unwrap().enabled);
        assert!(matches!(
            s.set_tenant_enabled("nobody", true, &act()).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn a_tenant_is_created_in_place_and_patched_in_one_audited_change_each() {
    on_both_backends(|s| async move {
        let org = s.add_organisation("acme", "ACME", &act()).await.unwrap();
        let level1 = s.tier("level1").await.unwrap();
        let place = TenantPlace {
            org_id: Some(org.id),
            tier_id: Some(level1.id),
        };
        let t = s
            .create_tenant_in(tenant("acme-gl", "x"), place, &act())
            .await
            .unwrap();
        assert_eq!((t.org_id, t.tier_id), (Some(org.id), Some(level1.id)));
        s.create_tenant(
            NewTenant {
                host: Some("rooms.beta.example"),
                ..tenant("beta", "y")
            },
            &act(),
        )
        .await
        .unwrap();
        let patched = s
            .update_tenant(
                "acme-gl",
                TenantPatch {
                    tier_id: Some(None),
                    pool: Some(Some("eu")),
                    host: Some(Some("rooms.acme.example")),
                    ..TenantPatch::default()
                },
                &act(),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                patched.org_id,
                patched.tier_id,
                patched.pool.as_deref(),
                patched.host.as_deref()
            ),
            (Some(org.id), None, Some("eu"), Some("rooms.acme.example")),
            "a patch changes only what it names"
        );
        assert!(matches!(
            s.update_tenant(
                "acme-gl",
                TenantPatch {
                    host: Some(Some("rooms.beta.example")),
                    ..TenantPatch::default()
                },
                &act()
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            s.update_tenant("nobody", TenantPatch::default(), &act())
                .await,
            Err(StoreError::NotFound(_))
        ));
        let kinds: Vec<String> = s
            .audit_entries(Some("tenant:acme-gl"), 0, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, ["tenant.create", "tenant.update"]);
    })
    .await;
}

#[tokio::test]
async fn tenants_are_found_by_exact_host() {
    on_both_backends(|s| async move {
        let new = NewTenant {
            host: Some("bbb.acme.org"),
            ..tenant("acme", "x")
        };
        s.create_tenant(new, &act()).await.unwrap();
        assert_eq!(
            s.tenant_by_host("bbb.acme.org")
                .await
                .unwrap()
                .unwrap()
                .name,
            "acme"
        );
        assert!(s.tenant_by_host("other.org").await.unwrap().is_none());
        assert_eq!(s.tenants().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn parameter_rules_are_upserted_and_removed() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let mut rule = ParamRule {
            call: "create".into(),
            mode: ParamMode::Override,
            param: "record".into(),
            value: "false".into(),
        };
        s.set_tenant_param_rule(&t, &rule, &act()).await.unwrap();
        rule.value = "true".into();
        s.set_tenant_param_rule(&t, &rule, &act()).await.unwrap();
        assert_eq!(s.tenant_param_rules(t.id).await.unwrap(), [rule]);
        s.remove_tenant_param_rule(&t, "create", ParamMode::Override, "record", &act())
            .await
            .unwrap();
        assert!(s.tenant_param_rules(t.id).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn servers_record_state_patches_and_polls() {
    on_both_backends(|s| async move {
        let a = s
            .add_server(server("http://a/bigbluebutton/api"), &act())
            .await
            .unwrap();
        assert_eq!(
            (a.state, a.health),
            (ServerState::Enabled, Health::Unstable)
        );
        assert!(matches!(
            s.add_server(server("http://a/bigbluebutton/api"), &act())
                .await,
            Err(StoreError::Conflict(_))
        ));
        s.set_server_state(a.id, ServerState::Cordoned, &act())
            .await
            .unwrap();
        let patched = s
            .update_server(
                a.id,
                ServerPatch {
                    weight: Some(3),
                    pool: Some(Some("eu")),
                    ..Default::default()
                },
                &act(),
            )
            .await
            .unwrap();
        assert_eq!((patched.weight, patched.pool.as_deref()), (3, Some("eu")));
        assert_eq!(patched.state, ServerState::Cordoned);
        let poll = ServerPoll {
            health: Health::Up,
            load: 42,
            meetings: 2,
            participants: 9,
            at_ms: 5_000,
        };
        s.record_server_poll(a.id, poll).await.unwrap();
        let seen = s.server(a.id).await.unwrap();
        assert_eq!(
            (seen.health, seen.load, seen.meetings, seen.polled_at),
            (Health::Up, 42, 2, Some(5_000))
        );
        assert!(matches!(s.server(999).await, Err(StoreError::NotFound(_))));
    })
    .await;
}

#[tokio::test]
async fn a_server_is_added_at_a_cost_and_patched_whole() {
    on_both_backends(|s| async move {
        let org = s.add_organisation("host", "Host", &act()).await.unwrap();
        let cost = ServerCost {
            monthly_cost_cents: 12_000,
            owner_org_id: Some(org.id),
        };
        let a = s
            .add_server_at_cost(server("http://a"), cost, &act())
            .await
            .unwrap();
        assert_eq!(
            (a.monthly_cost_cents, a.owner_org_id),
            (12_000, Some(org.id))
        );
        s.add_server(server("http://b"), &act()).await.unwrap();
        let moved = s
            .update_server(
                a.id,
                ServerPatch {
                    url: Some("http://c"),
                    monthly_cost_cents: Some(9_000),
                    owner_org_id: Some(None),
                    ..ServerPatch::default()
                },
                &act(),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                moved.url.as_str(),
                moved.monthly_cost_cents,
                moved.owner_org_id,
                moved.weight
            ),
            ("http://c", 9_000, None, 1)
        );
        assert!(matches!(
            s.update_server(
                a.id,
                ServerPatch {
                    url: Some("http://b"),
                    ..ServerPatch::default()
                },
                &act()
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn live_meetings_carry_their_main_room_at_the_last_poll_that_saw_them() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let mut records = Vec::new();
        for (id, at) in [("r1", 100), ("r2", 200), ("r3", 300)] {
            let Claim::New(m) = claim(&s, new_meeting(t.id, id, a.id, at)).await else {
                panic!("{id} is new")
            };
            records.push(m);
        }
        s.end_meeting(records[2].id, 350).await.unwrap();
        let sample = |at_ms, meeting: &store::MeetingRecord, participants, breakout| UsageSample {
            at_ms,
            meeting_ref: Some(meeting.id),
            tenant_id: t.id,
            server_id: a.id,
            backend_id: meeting.backend_id.clone(),
            origin: None,
            participants,
            moderators: 0,
            mic: 0,
            listen_only: 0,
            webcams: participants / 2,
            breakout,
        };
        s.insert_samples(&[
            sample(250, &records[0], 9, false),
            sample(400, &records[0], 6, false),
            sample(400, &records[0], 40, true),
            sample(400, &records[2], 8, false),
        ])
        .await
        .unwrap();
        let live: Vec<(String, i64, i64)> = s
            .live_meetings()
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.record.meeting_id, m.participants, m.webcams))
            .collect();
        assert_eq!(live, [("r1".into(), 6, 3), ("r2".into(), 0, 0)]);
    })
    .await;
}

fn new_meeting<'a>(
    tenant_id: i64,
    meeting_id: &'a str,
    server_id: i64,
    now_ms: i64,
) -> NewMeeting<'a> {
    NewMeeting {
        tenant_id,
        meeting_id,
        backend_id: meeting_id,
        server_id,
        now_ms,
        rooms_since_ms: 0,
        counts: UsageCounts::ALL,
    }
}

/// Claims without any limit.
async fn claim(s: &Store, new: NewMeeting<'_>) -> Claim {
    let admitted = s.claim_meeting(new, |_| Ok::<_, Infallible>(())).await;
    match admitted.unwrap() {
        Ok(claim) => claim,
        Err(never) => match never {},
    }
}

/// The usage a claim of `new` is decided on (the claim itself is refused).
async fn usage_seen(s: &Store, new: NewMeeting<'_>) -> TenantUsage {
    s.claim_meeting(new, |u| Err(u.clone()))
        .await
        .unwrap()
        .expect_err("refused")
}

#[tokio::test]
async fn a_callback_token_names_its_meeting_and_is_used_once() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let Claim::New(m) = claim(&s, new_meeting(t.id, "room", a.id, 10)).await else {
            panic!("a new claim")
        };
        let given = NewCallback {
            token: "tok-1",
            kind: "end",
            url: "https://front.example/ended",
        };
        s.add_callbacks(m.id, &[given], 10).await.unwrap();
        let found = s.callback("tok-1").await.unwrap().unwrap();
        assert_eq!(
            (
                found.kind.as_str(),
                found.url.as_str(),
                found.meeting_id.as_str()
            ),
            ("end", "https://front.example/ended", "room")
        );
        assert_eq!((found.tenant_id, found.server_id), (t.id, a.id));
        assert_eq!(found.tenant_name, "acme");
        assert_eq!(found.used_at, None);
        assert!(s.callback("tok-2").await.unwrap().is_none());
        assert!(s.use_callback(found.id, 20).await.unwrap());
        assert!(!s.use_callback(found.id, 30).await.unwrap());
        assert_eq!(
            s.callback("tok-1").await.unwrap().unwrap().used_at,
            Some(20)
        );
    })
    .await;
}

#[tokio::test]
async fn a_meeting_id_is_claimed_once_while_live_and_again_after_it_ends() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let b = s.add_server(server("http://b"), &act()).await.unwrap();
        let new = |server_id| new_meeting(t.id, "room", server_id, 10);
        let Claim::New(first) = claim(&s, new(a.id)).await else {
            panic!("first claim is new")
        };
        let Claim::Existing(again) = claim(&s, new(b.id)).await else {
            panic!("second claim finds the first")
        };
        assert_eq!(again.server_id, a.id);
        s.set_meeting_internal_id(first.id, "abc-10").await.unwrap();
        let live = s.live_meeting(t.id, "room").await.unwrap().unwrap();
        assert_eq!(live.internal_id.as_deref(), Some("abc-10"));
        assert_eq!(s.release_server_meetings(a.id, 20).await.unwrap(), 1);
        assert!(s.live_meeting(t.id, "room").await.unwrap().is_none());
        let Claim::New(second) = claim(&s, new(b.id)).await else {
            panic!("a released meeting can be claimed afresh")
        };
        assert_eq!(second.server_id, b.id);
        assert_eq!(s.servers_of_tenant(t.id).await.unwrap(), [a.id, b.id]);
        assert_eq!(s.live_meetings_on_server(b.id).await.unwrap().len(), 1);
        assert_eq!(s.live_meetings_of_tenant(t.id).await.unwrap().len(), 1);
        s.end_meeting(second.id, 30).await.unwrap();
        s.discard_meeting(second.id).await.unwrap();
        assert!(
            s.live_meeting(t.id, "room").await.unwrap().is_none(),
            "a discarded create leaves no record"
        );
    })
    .await;
}

#[tokio::test]
async fn a_claim_refused_by_its_limit_records_nothing() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let refused = s
            .claim_meeting(new_meeting(t.id, "room", a.id, 10), |_| Err("full"))
            .await
            .unwrap();
        assert_eq!(refused, Err("full"));
        assert!(s.live_meeting(t.id, "room").await.unwrap().is_none());
        assert!(matches!(
            s.claim_meeting(new_meeting(t.id + 99, "room", a.id, 10), |_| Err(()))
                .await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn a_burst_of_claims_is_decided_one_at_a_time() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let ids: Vec<String> = (0..20).map(|i| format!("room-{i}")).collect();
        let claims = ids.iter().map(|id| {
            s.claim_meeting(new_meeting(t.id, id, a.id, 10), |u| {
                if u.live_meetings >= 1 || u.rooms >= 1 {
                    Err(())
                } else {
                    Ok(())
                }
            })
        });
        let admitted = futures::future::join_all(claims)
            .await
            .into_iter()
            .filter(|c| matches!(c, Ok(Ok(Claim::New(_)))))
            .count();
        assert_eq!(admitted, 1);
        assert_eq!(s.live_meetings_of_tenant(t.id).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn usage_counts_live_meetings_rooms_and_the_last_polls_participants() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let mut records = Vec::new();
        for (id, at) in [("r1", 100), ("r2", 200), ("r3", 300)] {
            let Claim::New(m) = claim(&s, new_meeting(t.id, id, a.id, at)).await else {
                panic!("{id} is new")
            };
            records.push(m);
        }
        s.end_meeting(records[0].id, 150).await.unwrap();
        let sample = |at_ms, meeting: &store::MeetingRecord, participants| UsageSample {
            at_ms,
            meeting_ref: Some(meeting.id),
            tenant_id: t.id,
            server_id: a.id,
            backend_id: meeting.backend_id.clone(),
            origin: None,
            participants,
            moderators: 0,
            mic: 0,
            listen_only: 0,
            webcams: 0,
            breakout: false,
        };
        s.insert_samples(&[
            sample(400, &records[1], 50),
            sample(500, &records[0], 7),
            sample(500, &records[1], 3),
            sample(500, &records[2], 4),
        ])
        .await
        .unwrap();
        let since = |rooms_since_ms, meeting_id| NewMeeting {
            rooms_since_ms,
            ..new_meeting(t.id, meeting_id, a.id, 600)
        };
        assert_eq!(
            usage_seen(&s, since(0, "r1")).await,
            TenantUsage {
                live_meetings: 2,
                live_participants: 7,
                rooms: 3,
                room_already_used: true,
            }
        );
        s.end_meeting(records[2].id, 550).await.unwrap();
        let usage = usage_seen(&s, since(150, "r9")).await;
        assert_eq!(
            (usage.live_meetings, usage.live_participants),
            (1, 3),
            "an ended meeting stops counting before the next poll"
        );
        assert_eq!((usage.rooms, usage.room_already_used), (2, false));
    })
    .await;
}

#[tokio::test]
async fn a_claim_no_server_confirmed_moves_to_another_server() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let b = s.add_server(server("http://b"), &act()).await.unwrap();
        let Claim::New(m) = claim(&s, new_meeting(t.id, "room", a.id, 10)).await else {
            panic!("new")
        };
        s.move_meeting(m.id, b.id).await.unwrap();
        let live = s.live_meeting(t.id, "room").await.unwrap().unwrap();
        assert_eq!(live.server_id, b.id);
        s.set_meeting_internal_id(m.id, "abc-10").await.unwrap();
        assert!(
            matches!(
                s.move_meeting(m.id, a.id).await,
                Err(StoreError::NotFound(_))
            ),
            "a meeting its server confirmed stays there"
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_end_of_a_meeting_on_a_server_is_known() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let b = s.add_server(server("http://b"), &act()).await.unwrap();
        let claim_at = |server_id, now_ms| {
            claim(
                &s,
                NewMeeting {
                    backend_id: "room~acme",
                    ..new_meeting(t.id, "room", server_id, now_ms)
                },
            )
        };
        assert_eq!(
            s.last_ended_on_server(a.id, "room~acme").await.unwrap(),
            None
        );
        claim_at(a.id, 10).await;
        s.release_server_meetings(a.id, 20).await.unwrap();
        let Claim::New(again) = claim_at(a.id, 30).await else {
            panic!("claimed afresh")
        };
        s.end_meeting(again.id, 40).await.unwrap();
        claim_at(b.id, 50).await;
        assert_eq!(
            s.last_ended_on_server(a.id, "room~acme").await.unwrap(),
            Some(40)
        );
        assert_eq!(
            s.last_ended_on_server(b.id, "room~acme").await.unwrap(),
            None
        );
        assert_eq!(
            s.last_ended_on_server(a.id, "other~acme").await.unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn samples_are_stored_whole_and_read_back_in_order() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let sample = |at_ms, webcams| UsageSample {
            at_ms,
            meeting_ref: None,
            tenant_id: t.id,
            server_id: a.id,
            backend_id: "room__acme".into(),
            origin: Some("gl.acme.org".into()),
            participants: 5,
            moderators: 1,
            mic: 2,
            listen_only: 3,
            webcams,
            breakout: at_ms == 2,
        };
        s.insert_samples(&[sample(2, 1), sample(1, 0)])
            .await
            .unwrap();
        let got = s.samples_of_tenant(t.id, 0, 10).await.unwrap();
        assert_eq!(got, [sample(1, 0), sample(2, 1)]);
        assert!(s.samples_of_tenant(t.id, 2, 2).await.unwrap().is_empty());
        assert_eq!(s.samples_between(0, 2).await.unwrap(), [sample(1, 0)]);
        assert!(
            s.samples_of_tenant(t.id + 1, 0, 10)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_round_is_the_newest_timestamp_in_the_window() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let b = s.add_server(server("http://b"), &act()).await.unwrap();
        let sample = |at_ms, server_id, webcams| UsageSample {
            at_ms,
            meeting_ref: None,
            tenant_id: t.id,
            server_id,
            backend_id: format!("room-{webcams}"),
            origin: None,
            participants: 5,
            moderators: 1,
            mic: 2,
            listen_only: 3,
            webcams,
            breakout: false,
        };
        s.insert_samples(&[
            sample(1_000, a.id, 1),
            sample(1_000, b.id, 2),
            sample(2_000, a.id, 3),
        ])
        .await
        .unwrap();
        let webcams = |round: Vec<store::RoundMeeting>| {
            let mut w: Vec<(i64, i64)> = round.iter().map(|m| (m.server_id, m.webcams)).collect();
            w.sort_unstable();
            w
        };
        assert_eq!(webcams(s.last_round(0, 3_000).await.unwrap()), [(a.id, 3)]);
        assert_eq!(
            webcams(s.last_round(0, 2_000).await.unwrap()),
            [(a.id, 1), (b.id, 2)]
        );
        let one = s.last_round(1_500, 2_500).await.unwrap();
        assert_eq!(
            one,
            [store::RoundMeeting {
                server_id: a.id,
                participants: 5,
                moderators: 1,
                mic: 2,
                listen_only: 3,
                webcams: 3,
            }]
        );
        assert!(s.last_round(2_001, 9_000).await.unwrap().is_empty());
    })
    .await;
}

const HOUR: i64 = 3_600_000;

fn rollup(hour: i64, key: &str, participant_ms: i64, peak: i64) -> Rollup {
    Rollup {
        hour_ms: hour * HOUR,
        dim: "tenant".into(),
        key: key.into(),
        participant_ms,
        bytes_out: i64::MAX / 4,
        peak_participants: peak,
        ..Rollup::default()
    }
}

#[tokio::test]
async fn rolling_an_hour_up_again_replaces_its_rows() {
    on_both_backends(|s| async move {
        assert_eq!(s.rolled_to().await.unwrap(), 0);
        s.save_rollups(0, HOUR, &[rollup(0, "acme", 5, 2)])
            .await
            .unwrap();
        s.save_rollups(0, HOUR, &[rollup(0, "acme", 7, 3)])
            .await
            .unwrap();
        assert_eq!(
            s.rollups("tenant", 0, HOUR).await.unwrap(),
            [rollup(0, "acme", 7, 3)]
        );
        assert_eq!(s.rolled_to().await.unwrap(), HOUR);
        // A re-roll of an earlier hour never moves the mark back.
        s.save_rollups(0, HOUR / 2, &[]).await.unwrap();
        assert_eq!(s.rolled_to().await.unwrap(), HOUR);
    })
    .await;
}

#[tokio::test]
async fn rollup_totals_sum_the_hours_and_keep_the_largest_peak() {
    on_both_backends(|s| async move {
        // More rows than one INSERT batch holds.
        let many: Vec<Rollup> = (0..450)
            .map(|i| rollup(0, &format!("t{i:03}"), i, 1))
            .chain([rollup(1, "t000", 10, 9), rollup(2, "t000", 100, 4)])
            .collect();
        s.save_rollups(0, 3 * HOUR, &many).await.unwrap();
        let totals = s.rollup_totals("tenant", 0, 2 * HOUR).await.unwrap();
        assert_eq!(totals.len(), 450);
        let first = &totals[0];
        assert_eq!(
            (
                first.key.as_str(),
                first.participant_ms,
                first.peak_participants
            ),
            ("t000", 10, 9)
        );
        assert_eq!(first.bytes_out, 2 * (i64::MAX / 4), "sums stay 64-bit");
        assert!(
            s.rollup_totals("org", 0, 3 * HOUR)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(s.rollups("tenant", HOUR, 3 * HOUR).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn rollups_of_some_keys_leave_the_others_out() {
    on_both_backends(|s| async move {
        // More keys than one query binds.
        let many: Vec<Rollup> = (0..450)
            .flat_map(|i| {
                [
                    rollup(0, &format!("t{i:03}"), i, 1),
                    rollup(1, &format!("t{i:03}"), i, 2),
                ]
            })
            .chain([rollup(2, "t000", 100, 4)])
            .collect();
        s.save_rollups(0, 3 * HOUR, &many).await.unwrap();
        let two = ["t001".to_string(), "t000".to_string()];
        assert_eq!(
            s.rollups_of("tenant", &two, HOUR, 3 * HOUR).await.unwrap(),
            [
                rollup(1, "t000", 0, 2),
                rollup(1, "t001", 1, 2),
                rollup(2, "t000", 100, 4)
            ]
        );
        let keys: Vec<String> = (0..450).rev().map(|i| format!("t{i:03}")).collect();
        let all = s.rollups_of("tenant", &keys, 0, 3 * HOUR).await.unwrap();
        assert_eq!(
            all,
            s.rollups("tenant", 0, 3 * HOUR).await.unwrap(),
            "in hour then key order"
        );
        assert!(
            s.rollups_of("org", &two, 0, 3 * HOUR)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.rollups_of("tenant", &[], 0, 3 * HOUR)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn pruning_keeps_every_sample_not_yet_rolled_up() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let at = |at_ms| UsageSample {
            at_ms,
            meeting_ref: None,
            tenant_id: t.id,
            server_id: a.id,
            backend_id: "room~acme".into(),
            origin: None,
            participants: 1,
            moderators: 1,
            mic: 1,
            listen_only: 0,
            webcams: 0,
            breakout: false,
        };
        s.insert_samples(&[at(10), at(HOUR + 10), at(2 * HOUR + 10)])
            .await
            .unwrap();
        assert_eq!(s.next_sample_at(11).await.unwrap(), Some(HOUR + 10));
        assert_eq!(s.next_sample_at(3 * HOUR).await.unwrap(), None);
        assert_eq!(
            s.prune_samples(i64::MAX).await.unwrap(),
            0,
            "nothing rolled up yet"
        );
        s.save_rollups(0, 2 * HOUR, &[]).await.unwrap();
        assert_eq!(s.prune_samples(i64::MAX).await.unwrap(), 2);
        assert_eq!(
            s.samples_between(0, i64::MAX).await.unwrap(),
            [at(2 * HOUR + 10)]
        );
    })
    .await;
}

#[tokio::test]
async fn every_new_database_has_the_seeded_tiers() {
    on_both_backends(|s| async move {
        let names: Vec<String> = s
            .tiers()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["free", "level1", "level2", "level3", "multi"]);
        let free = s.tier("free").await.unwrap();
        assert_eq!(
            (
                free.participants_per_meeting,
                free.meeting_minutes,
                free.price_cents
            ),
            (5, 60, 0)
        );
        assert!(!free.recording);
    })
    .await;
}

#[tokio::test]
async fn tiers_are_saved_and_replaced_by_name() {
    on_both_backends(|s| async move {
        let mut t = s.tier("level1").await.unwrap();
        t.name = "school".into();
        t.price_cents = 1234;
        let saved = s.save_tier(&t, &act()).await.unwrap();
        assert_eq!(saved.price_cents, 1234);
        t.price_cents = 999;
        t.recording = false;
        let replaced = s.save_tier(&t, &act()).await.unwrap();
        assert_eq!(
            (replaced.id, replaced.price_cents, replaced.recording),
            (saved.id, 999, false)
        );
        assert_eq!(s.tier_by_id(saved.id).await.unwrap().name, "school");
        assert!(matches!(s.tier("nope").await, Err(StoreError::NotFound(_))));
    })
    .await;
}

#[tokio::test]
async fn tenants_belong_to_an_organisation_and_a_tier() {
    on_both_backends(|s| async move {
        let org = s
            .add_organisation("acme", "ACME Housing Co-op", &act())
            .await
            .unwrap();
        assert!(matches!(
            s.add_organisation("acme", "x", &act()).await,
            Err(StoreError::Conflict(_))
        ));
        let legal_name = store::RegisterPatch {
            legal_name: Some("ACME Housing Co-operative".into()),
            ..store::RegisterPatch::default()
        };
        s.set_register("acme", &legal_name, &act()).await.unwrap();
        assert_eq!(
            s.organisation("acme").await.unwrap().legal_name,
            "ACME Housing Co-operative"
        );
        assert_eq!(s.organisation("acme").await.unwrap().legal_form, None);
        let form = store::RegisterPatch {
            legal_form: Some("co-operative".into()),
            ..store::RegisterPatch::default()
        };
        s.set_register("acme", &form, &act()).await.unwrap();
        let acme = s.organisation("acme").await.unwrap();
        assert_eq!(
            (acme.legal_form.as_deref(), acme.legal_name.as_str()),
            (Some("co-operative"), "ACME Housing Co-operative"),
            "a patch changes only what it names"
        );
        assert_eq!(s.organisations().await.unwrap().len(), 1);
        s.create_tenant(tenant("acme-gl", "x"), &act())
            .await
            .unwrap();
        s.set_tenant_organisation("acme-gl", Some("acme"), &act())
            .await
            .unwrap();
        s.set_tenant_tier("acme-gl", Some("level2"), &act())
            .await
            .unwrap();
        let t = s.tenant("acme-gl").await.unwrap();
        assert_eq!(t.org_id, Some(org.id));
        assert_eq!(t.tier_id, Some(s.tier("level2").await.unwrap().id));
        s.set_tenant_tier("acme-gl", None, &act()).await.unwrap();
        assert_eq!(s.tenant("acme-gl").await.unwrap().tier_id, None);
        assert!(matches!(
            s.set_tenant_tier("acme-gl", Some("gold"), &act()).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.set_tenant_tier("nobody", None, &act()).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn quota_refusals_are_counted_per_reason() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        s.record_quota_refusal(t.id, "concurrentMeetings", "m1", 10)
            .await
            .unwrap();
        s.record_quota_refusal(t.id, "concurrentMeetings", "m2", 20)
            .await
            .unwrap();
        s.record_quota_refusal(t.id, "rooms", "m3", 30)
            .await
            .unwrap();
        assert_eq!(
            s.quota_refusals(t.id, 15).await.unwrap(),
            [
                ("concurrentMeetings".to_string(), 1),
                ("rooms".to_string(), 1)
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn periods_collect_costs_and_close_once() {
    on_both_backends(|s| async move {
        let org = s
            .add_organisation("host", "Hosting Co-op", &act())
            .await
            .unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        s.set_server_cost(a.id, 30_000, Some(org.id), &act())
            .await
            .unwrap();
        let seen = s.server(a.id).await.unwrap();
        assert_eq!(
            (seen.monthly_cost_cents, seen.owner_org_id),
            (30_000, Some(org.id))
        );
        let line = |label: &str, cents, org_id| store::CostLine {
            period: "2026-11".into(),
            label: label.into(),
            cents,
            org_id,
        };
        s.add_cost_line(&line("transit", 5_000, None), &act())
            .await
            .unwrap();
        s.add_cost_line(&line("admin hours", 2_000, Some(org.id)), &act())
            .await
            .unwrap();
        assert_eq!(s.cost_lines("2026-11").await.unwrap().len(), 2);
        assert!(s.cost_lines("2026-10").await.unwrap().is_empty());
        let closed = s
            .close_statement("2026-11", "{\"frozen\":true}", &act())
            .await
            .unwrap();
        assert!(matches!(
            s.close_statement("2026-11", "{}", &act()).await,
            Err(StoreError::Conflict(_))
        ));
        let (_, head) = s.audit_head().await.unwrap();
        assert_eq!(closed.audit_head.as_deref(), Some(head.as_str()));
        assert_eq!(
            s.statement("2026-11").await.unwrap(),
            Some(store::ClosedStatement {
                body: "{\"frozen\":true}".to_string(),
                closed_at: 1_000,
                audit_head: Some(head),
            })
        );
        assert!(matches!(
            s.add_cost_line(&line("late", 1, None), &act()).await,
            Err(StoreError::Conflict(_))
        ));
    })
    .await;
}

/// Two instances on one database, as two `plenary serve` processes are.
async fn on_both_backends_twice<F, Fut>(story: F)
where
    F: Fn(Store, Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let story = &story;
    testkit::on_both_backends("leader", move |url| async move {
        let a = Store::open(&url).await.expect("store opens");
        let b = Store::open(&url).await.expect("store opens again");
        story(a, b).await
    })
    .await;
}

#[tokio::test]
async fn one_instance_at_a_time_leads_polling() {
    on_both_backends_twice(|a, b| async move {
        let lead = a
            .try_lead_polling()
            .await
            .unwrap()
            .expect("the first instance leads");
        assert!(
            b.try_lead_polling().await.unwrap().is_none(),
            "a second instance follows"
        );
        drop(lead);
        // The lock goes with its session; the follower takes over once it has.
        let mut taken = None;
        for _ in 0..50 {
            taken = b.try_lead_polling().await.unwrap();
            if taken.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(taken.is_some(), "leadership passes on when the leader goes");
    })
    .await;
}

#[tokio::test]
async fn polling_and_duties_are_led_separately() {
    on_both_backends_twice(|a, b| async move {
        let _polls = a.try_lead_polling().await.unwrap().expect("a polls");
        let _duties = b
            .try_lead_duties()
            .await
            .unwrap()
            .expect("the duties are free while another instance polls");
        assert!(a.try_lead_duties().await.unwrap().is_none(), "b runs them");
    })
    .await;
}

fn recording(tenant_id: i64, record_id: &str) -> store::RecordingRow {
    store::RecordingRow {
        id: 0,
        tenant_id,
        record_id: record_id.into(),
        meeting_id: "room".into(),
        internal_meeting_id: record_id.into(),
        name: "Room".into(),
        is_breakout: false,
        published: true,
        deleted: false,
        start_time: 100,
        end_time: 200,
        participants: 2,
        metadata: vec![("topic".into(), "budget".into())],
        formats: vec![store::PlaybackFormat {
            kind: "presentation".into(),
            length: 1,
            processing_time: 5,
            bytes: 42,
            files: vec!["metadata.xml".into()],
            previews: Vec::new(),
        }],
        bytes: 42,
        server_id: Some(7),
        imported_at: 300,
        updated_at: 300,
    }
}

#[tokio::test]
async fn a_recording_is_indexed_for_its_tenant_and_never_taken_by_another() {
    on_both_backends(|s| async move {
        let acme = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let globex = s
            .create_tenant(tenant("globex", "y"), &act())
            .await
            .unwrap();
        let id = s.save_recording(&recording(acme.id, "r-1")).await.unwrap();
        let again = s.save_recording(&recording(acme.id, "r-1")).await.unwrap();
        assert_eq!(id, again, "a second import replaces the first");
        assert!(matches!(
            s.save_recording(&recording(globex.id, "r-1")).await,
            Err(StoreError::Conflict(_))
        ));
        let mut expected = recording(acme.id, "r-1");
        expected.id = id;
        assert_eq!(s.recording("r-1").await.unwrap(), Some(expected.clone()));
        assert_eq!(s.tenant_recordings(acme.id).await.unwrap(), [expected]);
        assert!(s.tenant_recordings(globex.id).await.unwrap().is_empty());

        s.set_recording_published(id, false, 400).await.unwrap();
        let meta = vec![("topic".to_string(), "minutes".to_string())];
        s.set_recording_metadata(id, &meta, 410).await.unwrap();
        let changed = s.recording("r-1").await.unwrap().unwrap();
        assert_eq!(
            (changed.state(), changed.metadata, changed.updated_at),
            ("unpublished", meta, 410)
        );
        s.mark_recording_deleted(id, 420).await.unwrap();
        let gone = s.recording("r-1").await.unwrap().unwrap();
        assert_eq!(
            (gone.state(), gone.formats.len(), gone.bytes),
            ("deleted", 0, 0)
        );
        assert!(matches!(
            s.set_recording_published(id + 100, true, 1).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn the_meeting_a_recording_was_made_in_is_found_by_its_server_and_backend_id() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let b = s.add_server(server("http://b"), &act()).await.unwrap();
        let Claim::New(m) = claim(&s, new_meeting(t.id, "room", a.id, 10)).await else {
            panic!("a new claim")
        };
        s.end_meeting(m.id, 20).await.unwrap();
        let held = s
            .meeting_held_on(a.id, &m.backend_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((held.tenant_id, held.meeting_id.as_str()), (t.id, "room"));
        assert!(
            s.meeting_held_on(b.id, &m.backend_id)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn several_servers_live_meetings_are_read_at_once_each_under_its_server() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let b = s.add_server(server("http://b"), &act()).await.unwrap();
        let c = s.add_server(server("http://c"), &act()).await.unwrap();
        claim(&s, new_meeting(t.id, "one", a.id, 10)).await;
        claim(&s, new_meeting(t.id, "two", a.id, 10)).await;
        let Claim::New(ended) = claim(&s, new_meeting(t.id, "three", b.id, 10)).await else {
            panic!("claimed")
        };
        claim(&s, new_meeting(t.id, "four", b.id, 10)).await;
        s.end_meeting(ended.id, 20).await.unwrap();
        let live = s
            .live_meetings_on_servers(&[a.id, b.id, c.id])
            .await
            .unwrap();
        let ids = |server: i64| -> Vec<&str> {
            live[&server]
                .iter()
                .map(|r| r.meeting_id.as_str())
                .collect()
        };
        assert_eq!(ids(a.id), ["one", "two"]);
        assert_eq!(ids(b.id), ["four"]);
        assert!(ids(c.id).is_empty(), "a server without meetings is listed");
    })
    .await;
}

#[tokio::test]
async fn several_servers_polls_are_recorded_together_or_not_at_all() {
    on_both_backends(|s| async move {
        let t = s.create_tenant(tenant("acme", "x"), &act()).await.unwrap();
        let a = s.add_server(server("http://a"), &act()).await.unwrap();
        let b = s.add_server(server("http://b"), &act()).await.unwrap();
        let Claim::New(on_a) = claim(&s, new_meeting(t.id, "one", a.id, 10)).await else {
            panic!("claimed")
        };
        let Claim::New(on_b) = claim(&s, new_meeting(t.id, "two", b.id, 10)).await else {
            panic!("claimed")
        };
        let poll = ServerPoll {
            health: Health::Up,
            load: 0,
            meetings: 0,
            participants: 0,
            at_ms: 30,
        };
        let round = |server_id, ended| ServerRound {
            server_id,
            ended,
            internal_ids: &[],
            samples: &[],
            poll,
            settled_before_ms: 0,
        };
        let unknown_tenant = [UsageSample {
            at_ms: 30,
            meeting_ref: None,
            tenant_id: t.id + 100,
            server_id: b.id,
            backend_id: "two".into(),
            origin: None,
            participants: 1,
            moderators: 1,
            mic: 0,
            listen_only: 0,
            webcams: 0,
            breakout: false,
        }];
        let refused = ServerRound {
            samples: &unknown_tenant,
            ..round(b.id, &[])
        };
        let a_ended = [on_a.id];
        assert!(
            s.record_server_rounds(&[round(a.id, &a_ended), refused])
                .await
                .is_err()
        );
        assert_eq!(
            s.live_meetings_on_server(a.id).await.unwrap().len(),
            1,
            "nothing of a refused batch is written"
        );
        let b_ended = [on_b.id];
        s.record_server_rounds(&[round(a.id, &a_ended), round(b.id, &b_ended)])
            .await
            .unwrap();
        let live = s.live_meetings_on_servers(&[a.id, b.id]).await.unwrap();
        assert!(live.values().all(Vec::is_empty));
    })
    .await;
}
