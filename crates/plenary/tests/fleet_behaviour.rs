//! Placement under bursts, health hysteresis, and what happens when a server
//! dies with meetings on it.

mod common;

use std::collections::HashMap;

use common::{Env, Setup, key, succeeded};
use store::{Health, ServerState};

#[tokio::test]
async fn a_burst_of_200_creates_spreads_over_20_servers() {
    let env = Env::with(Setup {
        servers: 20,
        ..Setup::default()
    })
    .await;
    let acme = env.acme();
    let creates = (0..200).map(|i| {
        let acme = acme.clone();
        async move { acme.create(&format!("burst-{i}")).await }
    });
    let answers = futures::future::join_all(creates).await;
    assert!(answers.iter().all(succeeded));
    let mut per_server: HashMap<i64, usize> = HashMap::new();
    let tenant = env.app.store.tenant("acme").await.unwrap();
    for m in env
        .app
        .store
        .live_meetings_of_tenant(tenant.id)
        .await
        .unwrap()
    {
        *per_server.entry(m.server_id).or_default() += 1;
    }
    let max = per_server.values().max().copied().unwrap_or(0);
    assert_eq!(per_server.values().sum::<usize>(), 200);
    assert!(
        max <= 12,
        "a server holds {max} of 200 meetings: {per_server:?}"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn a_server_that_dies_is_declared_down_and_its_meeting_moves_on_recreate() {
    let mut setup = Setup {
        servers: 2,
        ..Setup::default()
    };
    setup.config.server_unhealthy_threshold = 3;
    let env = Env::with(setup).await;
    let acme = env.acme();
    acme.create("standup").await;
    acme.join("standup", "Ada").await;
    let dead = env.server_holding("acme", "standup").await.expect("placed");
    env.sim.servers[dead].set_faults(sim::Faults {
        down: true,
        ..sim::Faults::default()
    });
    // Servers were registered in the simulator's order, so routes line up.
    let health = |env: &Env| env.app.fleet.routes()[dead].health;
    let tenant = env.app.store.tenant("acme").await.unwrap();
    env.poll().await;
    assert_eq!(health(&env), Health::Unstable, "one failure: unstable");
    assert!(
        env.app
            .store
            .live_meeting(tenant.id, "standup")
            .await
            .unwrap()
            .is_some(),
        "meetings are not forgotten on one failed poll"
    );
    env.poll().await;
    assert_eq!(health(&env), Health::Unstable);
    let report = env.poll().await;
    assert_eq!(health(&env), Health::Down, "three failures: down");
    assert_eq!(report.released, 1);
    let again = acme.create("standup").await;
    assert!(succeeded(&again), "{again:?}");
    let now_on = env
        .server_holding("acme", "standup")
        .await
        .expect("re-created");
    assert_ne!(now_on, dead);
    env.shutdown().await;
}

#[tokio::test]
async fn a_recovered_server_comes_back_up_after_enough_good_polls() {
    let mut setup = Setup {
        servers: 1,
        ..Setup::default()
    };
    setup.config.server_unhealthy_threshold = 1;
    setup.config.server_healthy_threshold = 2;
    let env = Env::with(setup).await;
    let fault = |down| sim::Faults {
        down,
        ..sim::Faults::default()
    };
    env.sim.servers[0].set_faults(fault(true));
    env.poll().await;
    assert_eq!(env.app.fleet.routes()[0].health, Health::Down);
    env.sim.servers[0].set_faults(fault(false));
    env.poll().await;
    assert_ne!(env.app.fleet.routes()[0].health, Health::Up);
    env.poll().await;
    assert_eq!(env.app.fleet.routes()[0].health, Health::Up);
    env.shutdown().await;
}

#[tokio::test]
async fn a_cordoned_server_keeps_its_meetings_and_takes_no_new_ones() {
    let env = Env::with(Setup {
        servers: 2,
        ..Setup::default()
    })
    .await;
    let acme = env.acme();
    acme.create("kept").await;
    let tenant = env.app.store.tenant("acme").await.unwrap();
    let record = env
        .app
        .store
        .live_meeting(tenant.id, "kept")
        .await
        .unwrap()
        .unwrap();
    env.app
        .store
        .set_server_state(record.server_id, ServerState::Cordoned, &common::act())
        .await
        .unwrap();
    env.poll().await;
    assert_eq!(key(&acme.create("kept").await), "duplicateWarning");
    for i in 0..5 {
        acme.create(&format!("new-{i}")).await;
        let r = env
            .app
            .store
            .live_meeting(tenant.id, &format!("new-{i}"))
            .await
            .unwrap()
            .unwrap();
        assert_ne!(r.server_id, record.server_id);
    }
    assert!(succeeded(
        &acme.call("getMeetingInfo", &[("meetingID", "kept")]).await
    ));
    env.shutdown().await;
}

#[tokio::test]
async fn joins_to_a_disabled_server_are_server_unavailable() {
    let env = Env::with(Setup {
        servers: 1,
        ..Setup::default()
    })
    .await;
    let acme = env.acme();
    acme.create("off").await;
    let id = env.app.fleet.routes()[0].server_id;
    env.app
        .store
        .set_server_state(id, ServerState::Disabled, &common::act())
        .await
        .unwrap();
    env.poll().await;
    let location = acme
        .join_location(&[("meetingID", "off"), ("fullName", "Ada")])
        .await;
    assert!(location.contains("serverUnavailable"), "{location}");
    env.shutdown().await;
}

#[tokio::test]
async fn every_poll_stores_a_usage_sample_per_meeting_for_its_tenant() {
    let env = Env::start().await;
    env.acme().create("metered").await;
    env.acme().join("metered", "Ada").await;
    env.globex().create("other").await;
    env.poll().await;
    let acme = env.app.store.tenant("acme").await.unwrap();
    let samples = env
        .app
        .store
        .samples_of_tenant(acme.id, 0, i64::MAX)
        .await
        .unwrap();
    let last = samples
        .iter()
        .rev()
        .find(|s| s.backend_id == "metered~acme")
        .expect("a sample");
    assert_eq!(last.participants, 1);
    assert!(last.meeting_ref.is_some());
    assert!(samples.iter().all(|s| s.tenant_id == acme.id));
    env.shutdown().await;
}
