//! The view of live meetings that `join`, `isMeetingRunning` and
//! `getMeetingInfo` read instead of the database stays exact: a meeting
//! created is in it at once, one ended (through the gateway, on its server,
//! or by another process) leaves it, and a restart rebuilds it from the
//! database.

use crate::common;

use std::sync::Arc;

use bbb::client::Backend;
use bbb::{Algorithm, Params};
use common::{Env, SIM_SECRET, Setup, key};

/// An environment on a clock the test moves, so a meeting can be older
/// than the grace a poll gives new meetings.
async fn env_on_a_clock() -> (Env, Arc<sim::ManualClock>) {
    let clock = Arc::new(sim::ManualClock::new(fleet::system_clock()()));
    let env = Env::with(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    (env, clock)
}

async fn in_view(env: &Env, meeting_id: &str) -> Option<store::MeetingRecord> {
    let tenant = env.app.store.tenant("acme").await.unwrap();
    env.app.store.live_view().get(tenant.id, meeting_id)
}

/// `join` with `redirect=false`: BBB's XML answer, whose key says whether
/// the gateway found the meeting.
async fn join_key(env: &Env, meeting_id: &str) -> String {
    let answer = env
        .acme()
        .call(
            "join",
            &[
                ("meetingID", meeting_id),
                ("fullName", "Ada"),
                ("redirect", "false"),
            ],
        )
        .await;
    key(&answer)
}

#[tokio::test]
async fn a_created_meeting_is_in_the_view_at_once_on_its_server() {
    let env = Env::start().await;
    env.acme().create("room").await;
    let record = in_view(&env, "room").await.expect("in the view");
    let acme = env.app.store.tenant("acme").await.unwrap();
    assert_eq!(record.tenant_id, acme.id);
    assert_eq!(record.backend_id, "room~acme");
    assert!(record.internal_id.is_some(), "with BBB's internal ID");
    env.shutdown().await;
}

#[tokio::test]
async fn a_meeting_ended_through_the_gateway_leaves_the_view() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("room").await;
    acme.call("end", &[("meetingID", "room")]).await;
    assert!(in_view(&env, "room").await.is_none());
    assert_eq!(join_key(&env, "room").await, "invalidMeetingIdentifier");
    env.shutdown().await;
}

#[tokio::test]
async fn a_meeting_ended_on_its_server_leaves_the_view_at_the_next_poll() {
    let (env, clock) = env_on_a_clock().await;
    env.acme().create("room").await;
    let server = env.server_holding("acme", "room").await.expect("placed");
    let direct = Backend::new(&env.sim.servers[server].url(), SIM_SECRET, Algorithm::Sha1).unwrap();
    let mut p = Params::new();
    p.push("meetingID", "room~acme");
    env.client.call(&direct, "end", &p, None).await.unwrap();
    assert!(
        in_view(&env, "room").await.is_some(),
        "nothing has told the gateway yet"
    );
    clock.advance(60_000);
    assert_eq!(env.poll().await.ended, 1);
    assert!(in_view(&env, "room").await.is_none());
    assert_eq!(join_key(&env, "room").await, "invalidMeetingIdentifier");
    env.shutdown().await;
}

#[tokio::test]
async fn a_meeting_released_by_another_process_leaves_the_view_at_the_next_poll() {
    let env = Env::start().await;
    env.acme().create("room").await;
    let record = in_view(&env, "room").await.expect("in the view");
    // As `plenary server panic` would, from its own process.
    let other = store::Store::open(&env.database_url()).await.unwrap();
    other
        .release_server_meetings(record.server_id, fleet::system_clock()())
        .await
        .unwrap();
    other.close().await;
    env.poll().await;
    assert!(in_view(&env, "room").await.is_none());
    env.shutdown().await;
}

#[tokio::test]
async fn a_restart_rebuilds_the_view_from_the_database() {
    let env = Env::start().await;
    let acme = env.acme();
    acme.create("kept").await;
    acme.create("gone").await;
    acme.call("end", &[("meetingID", "gone")]).await;
    let restarted = store::Store::open(&env.database_url()).await.unwrap();
    assert!(
        !restarted.live_view().enabled(),
        "a CLI command never loads it"
    );
    restarted.keep_live_meetings().await.unwrap();
    let tenant = restarted.tenant("acme").await.unwrap();
    let kept = restarted.live_view().get(tenant.id, "kept");
    assert_eq!(kept, in_view(&env, "kept").await);
    assert!(kept.is_some());
    assert!(restarted.live_view().get(tenant.id, "gone").is_none());
    restarted.close().await;
    env.shutdown().await;
}

#[tokio::test]
async fn a_meeting_created_by_another_instance_is_found_and_then_kept() {
    let env = Env::start().await;
    env.acme().create("room").await;
    let tenant = env.app.store.tenant("acme").await.unwrap();
    let record = in_view(&env, "room").await.expect("in the view");
    // Another instance's record, unknown to this view until a miss reads it.
    env.app.store.live_view().forget(record.id);
    assert!(in_view(&env, "room").await.is_none());
    let found = env.app.store.live_meeting(tenant.id, "room").await.unwrap();
    assert_eq!(
        found.map(|r| r.id),
        Some(record.id),
        "a miss reads the database"
    );
    assert!(
        in_view(&env, "room").await.is_some(),
        "and keeps what it found"
    );
    env.shutdown().await;
}
