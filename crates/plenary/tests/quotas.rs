//! A tenant's tier, enforced at create through the gateway: new meetings over
//! a limit are refused with a clear message, running meetings are never cut,
//! and every meeting carries the tier's caps in BBB's own parameters.

use crate::common;

use common::{Env, FrontEnd, act, key, succeeded, text};

async fn on_tier(env: &Env, tier: &str) {
    env.app
        .store
        .set_tenant_tier("acme", Some(tier), &act())
        .await
        .unwrap();
}

/// Puts acme on a tier named `name`, level3's limits changed by `limit`.
async fn on_custom_tier(env: &Env, name: &str, limit: impl FnOnce(&mut store::Tier)) {
    let store = &env.app.store;
    let mut tier = store.tier("level3").await.unwrap();
    tier.name = name.into();
    limit(&mut tier);
    store.save_tier(&tier, &act()).await.unwrap();
    on_tier(env, name).await;
}

/// Creates `n` distinct meetings at once, spread over the front ends;
/// returns the answers' message keys (empty for a meeting created).
async fn burst(front_ends: &[FrontEnd], n: usize) -> Vec<String> {
    let creates = (0..n).map(|i| {
        let fe = front_ends[i % front_ends.len()].clone();
        async move {
            let el = fe.create(&format!("burst-{i}")).await;
            if succeeded(&el) {
                String::new()
            } else {
                key(&el)
            }
        }
    });
    futures::future::join_all(creates).await
}

#[tokio::test]
async fn the_tiers_caps_are_injected_and_clamped() {
    let env = Env::start().await;
    on_tier(&env, "free").await;
    let acme = env.acme();
    acme.call(
        "create",
        &[
            ("meetingID", "capped"),
            ("maxParticipants", "500"),
            ("duration", "0"),
            ("record", "true"),
        ],
    )
    .await;
    let info = acme
        .call("getMeetingInfo", &[("meetingID", "capped")])
        .await;
    assert_eq!(text(&info, "maxUsers"), "5");
    assert_eq!(text(&info, "duration"), "60");
    assert_eq!(text(&info, "recording"), "false");
    env.shutdown().await;
}

#[tokio::test]
async fn smaller_values_asked_by_the_caller_are_kept() {
    let env = Env::start().await;
    on_tier(&env, "level2").await;
    let acme = env.acme();
    acme.call(
        "create",
        &[
            ("meetingID", "small"),
            ("maxParticipants", "4"),
            ("duration", "30"),
        ],
    )
    .await;
    let info = acme.call("getMeetingInfo", &[("meetingID", "small")]).await;
    assert_eq!(
        (
            text(&info, "maxUsers").as_str(),
            text(&info, "duration").as_str()
        ),
        ("4", "30")
    );
    env.shutdown().await;
}

#[tokio::test]
async fn a_new_meeting_over_the_concurrent_meeting_limit_is_refused_and_counted() {
    let env = Env::start().await;
    on_tier(&env, "free").await;
    let acme = env.acme();
    assert!(succeeded(&acme.create("first").await));
    let refused = acme.create("second").await;
    assert_eq!(key(&refused), "meetingLimitReached");
    assert!(text(&refused, "message").contains("1 meeting(s) at the same time"));
    // The running meeting is untouched, and its repeat create still answers.
    assert_eq!(key(&acme.create("first").await), "duplicateWarning");
    let tenant = env.app.store.tenant("acme").await.unwrap();
    assert_eq!(
        env.app.store.quota_refusals(tenant.id, 0).await.unwrap(),
        [("concurrent_meetings".to_string(), 1)]
    );
    env.shutdown().await;
}

#[tokio::test]
async fn a_new_meeting_over_the_concurrent_participant_limit_is_refused() {
    let env = Env::start().await;
    on_custom_tier(&env, "tiny-crowd", |t| t.concurrent_participants = 3).await;
    let acme = env.acme();
    acme.create("busy").await;
    for name in ["Ada", "Bo", "Cy"] {
        acme.join("busy", name).await;
    }
    env.poll().await;
    assert_eq!(key(&acme.create("another").await), "attendeeLimitReached");
    // Joins to running meetings are never refused by the tier.
    acme.join("busy", "Di").await;
    env.shutdown().await;
}

#[tokio::test]
async fn a_burst_of_creates_starts_no_more_meetings_than_the_tier_allows_at_once() {
    let env = Env::start().await;
    on_custom_tier(&env, "one-at-a-time", |t| {
        (t.concurrent_meetings, t.rooms_per_month) = (1, 0)
    })
    .await;
    let keys = burst(&[env.acme()], 20).await;
    assert_eq!(keys.iter().filter(|k| k.is_empty()).count(), 1, "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.is_empty() || k == "meetingLimitReached"),
        "{keys:?}"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn a_burst_of_creates_opens_no_more_rooms_than_the_tier_allows_a_month() {
    let env = Env::start().await;
    on_custom_tier(&env, "one-room", |t| {
        (t.concurrent_meetings, t.rooms_per_month) = (0, 1)
    })
    .await;
    let keys = burst(&[env.acme()], 20).await;
    assert_eq!(keys.iter().filter(|k| k.is_empty()).count(), 1, "{keys:?}");
    assert!(
        keys.iter().all(|k| k.is_empty() || k == "roomLimitReached"),
        "{keys:?}"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn an_ended_meeting_stops_counting_at_once() {
    let env = Env::start().await;
    on_custom_tier(&env, "small-crowd", |t| t.concurrent_participants = 3).await;
    let acme = env.acme();
    acme.create("morning").await;
    for name in ["Ada", "Bo", "Cy"] {
        acme.join("morning", name).await;
    }
    env.poll().await;
    assert_eq!(key(&acme.create("too-many").await), "attendeeLimitReached");
    acme.call("end", &[("meetingID", "morning")]).await;
    // No poll in between: the end itself frees the tier.
    assert!(succeeded(&acme.create("afternoon").await));
    env.shutdown().await;
}

#[tokio::test]
async fn rooms_per_month_count_distinct_meeting_ids() {
    let env = Env::start().await;
    on_tier(&env, "free").await;
    let acme = env.acme();
    acme.create("our-room").await;
    acme.call("end", &[("meetingID", "our-room")]).await;
    assert_eq!(key(&acme.create("other-room").await), "roomLimitReached");
    assert!(
        succeeded(&acme.create("our-room").await),
        "the month's room may be reopened"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn moving_a_tenant_to_another_tier_changes_only_new_meetings() {
    let env = Env::start().await;
    on_tier(&env, "free").await;
    let acme = env.acme();
    acme.create("before").await;
    on_tier(&env, "level1").await;
    acme.create("after").await;
    let before = acme
        .call("getMeetingInfo", &[("meetingID", "before")])
        .await;
    let after = acme.call("getMeetingInfo", &[("meetingID", "after")]).await;
    assert_eq!(text(&before, "maxUsers"), "5");
    assert_eq!(text(&after, "maxUsers"), "10");
    env.shutdown().await;
}

#[tokio::test]
async fn tenants_without_a_tier_have_no_limits() {
    let env = Env::start().await;
    let acme = env.acme();
    for i in 0..8 {
        assert!(succeeded(&acme.create(&format!("free-for-all-{i}")).await));
    }
    assert_eq!(
        text(
            &acme
                .call("getMeetingInfo", &[("meetingID", "free-for-all-0")])
                .await,
            "maxUsers"
        ),
        "0"
    );
    env.shutdown().await;
}
