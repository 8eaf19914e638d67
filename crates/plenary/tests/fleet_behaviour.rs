//! Placement under bursts, health hysteresis, and what happens when a server
//! dies with meetings on it.

use crate::common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

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

/// A server that answers every call only after `ms` milliseconds.
fn hung(ms: u64) -> sim::Faults {
    sim::Faults {
        latency_ms: ms,
        ..sim::Faults::default()
    }
}

/// Two servers polled every second, so a three-second hang outlasts a round.
fn two_servers_polled_every_second() -> Setup {
    let mut setup = Setup {
        servers: 2,
        ..Setup::default()
    };
    setup.config.poll_interval_secs = 1.0;
    setup
}

#[tokio::test]
async fn a_hung_server_does_not_mark_healthy_ones_down() {
    let env = Env::with(two_servers_polled_every_second()).await;
    let acme = env.acme();
    acme.create("kept").await;
    let healthy = env.server_holding("acme", "kept").await.expect("placed");
    let hanging = 1 - healthy;
    env.sim.servers[hanging].set_faults(hung(3_000));
    env.poll().await;
    env.poll().await;
    let routes = env.app.fleet.routes();
    assert_eq!(routes[hanging].health, Health::Down, "the hung server");
    assert_eq!(routes[healthy].health, Health::Up, "the healthy server");
    assert!(
        succeeded(&acme.call("getMeetingInfo", &[("meetingID", "kept")]).await),
        "the healthy server keeps its meetings"
    );
    let next = acme.create("next").await;
    assert!(succeeded(&next), "{next:?}");
    assert_eq!(env.server_holding("acme", "next").await, Some(healthy));
    env.shutdown().await;
}

/// Two servers polled one after the other every two seconds, each
/// answering in 1.2 s: the second cannot be recorded within the round.
fn two_slow_servers_polled_in_turn() -> Setup {
    let mut setup = two_servers_polled_every_second();
    setup.config.poll_interval_secs = 2.0;
    setup.config.poll_concurrency = 1;
    setup
}

#[tokio::test]
async fn a_round_ends_at_the_poll_interval_and_counts_an_overrun() {
    let env = Env::with(two_slow_servers_polled_in_turn()).await;
    for server in &env.sim.servers {
        server.set_faults(hung(1_200));
    }
    let started = Instant::now();
    let report = env.poll().await;
    let took = started.elapsed();
    assert!(report.overrun, "{report:?}");
    assert_eq!(
        (report.polled, report.failed, report.unfinished),
        (1, 0, 1),
        "the second server is left for the next round, not failed"
    );
    assert!(
        took < Duration::from_millis(2_400),
        "the round took {took:?}"
    );
    // Other tests of this binary share the counter: it is there, at least 1.
    let metrics = env.metrics().await;
    let overruns = metrics
        .lines()
        .find_map(|l| l.strip_prefix("plenary_poll_overruns_total "))
        .and_then(|n| n.trim().parse::<f64>().ok());
    assert!(overruns >= Some(1.0), "{metrics}");
    let health: Vec<_> = env.app.fleet.routes().iter().map(|r| r.health).collect();
    assert!(
        health.iter().all(|h| *h == Health::Up),
        "an unfinished server keeps its health: {health:?}"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn two_rounds_asked_at_once_run_one_after_the_other() {
    let env = Env::with(two_servers_polled_every_second()).await;
    for server in &env.sim.servers {
        server.set_faults(hung(600));
    }
    let fleet = &env.app.fleet;
    let timed = || async {
        let report = fleet.poll_once().await.unwrap();
        (report, Instant::now())
    };
    let started = Instant::now();
    let ((first, first_done), (second, second_done)) = tokio::join!(timed(), timed());
    assert_eq!((first.polled, second.polled), (2, 2));
    let (earlier, later) = if first_done < second_done {
        (first_done, second_done)
    } else {
        (second_done, first_done)
    };
    assert!(
        earlier - started >= Duration::from_millis(600)
            && later - earlier >= Duration::from_millis(600),
        "the second round started when the first ended: {:?} then {:?}",
        earlier - started,
        later - earlier
    );
    env.shutdown().await;
}

/// The metadata of a meeting as its simulated server holds it, if it runs there.
fn metadata_on(env: &Env, server: usize, backend_id: &str) -> Option<Vec<(String, String)>> {
    let snapshot = env.sim.servers[server].snapshot();
    let meeting = snapshot["meetings"]
        .as_array()?
        .iter()
        .find(|m| m["meeting_id"] == backend_id)?;
    Some(serde_json::from_value(meeting["metadata"].clone()).expect("metadata pairs"))
}

#[tokio::test]
async fn a_client_cannot_set_plenary_metadata_in_any_case() {
    let env = Env::start().await;
    env.acme()
        .call(
            "create",
            &[
                ("meetingID", "sly"),
                ("name", "Sly"),
                ("meta_PLENARY-TENANT", "globex"),
                ("meta_Plenary-Note", "x"),
            ],
        )
        .await;
    let server = env.server_holding("acme", "sly").await.expect("placed");
    let metadata = metadata_on(&env, server, "sly~acme").expect("the meeting runs");
    let plenary: Vec<(&str, &str)> = metadata
        .iter()
        .filter(|(k, _)| k.starts_with("plenary-"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(plenary, [("plenary-tenant", "acme")]);
    env.shutdown().await;
}

/// Creates a meeting straight on a simulated server, as something other
/// than Plenary's gateway would; answers the server's internal meeting ID.
async fn create_on_server(env: &Env, server: usize, pairs: &[(&str, &str)]) -> String {
    let backend = bbb::client::Backend::new(
        &env.sim.servers[server].url(),
        common::SIM_SECRET,
        bbb::Algorithm::Sha256,
    )
    .unwrap();
    let answer = env
        .client
        .call(&backend, "create", &common::params(pairs), None)
        .await
        .unwrap();
    assert!(succeeded(&answer), "{answer:?}");
    common::text(&answer, "internalMeetingID")
}

#[tokio::test]
async fn usage_is_attributed_by_the_namespaced_meeting_id_not_by_metadata() {
    let env = Env::start().await;
    create_on_server(
        &env,
        0,
        &[
            ("meetingID", "unrecorded~acme"),
            ("name", "Unrecorded"),
            ("meta_plenary-tenant", "globex"),
        ],
    )
    .await;
    env.poll().await;
    let store = &env.app.store;
    let samples_of = |name: &'static str| async move {
        let tenant = store.tenant(name).await.unwrap();
        store
            .samples_of_tenant(tenant.id, 0, i64::MAX)
            .await
            .unwrap()
    };
    assert!(
        samples_of("globex").await.is_empty(),
        "nothing billed to globex"
    );
    assert!(
        samples_of("acme")
            .await
            .iter()
            .any(|s| s.backend_id == "unrecorded~acme")
    );
    env.shutdown().await;
}

#[tokio::test]
async fn a_recovered_server_ends_the_meetings_released_from_it() {
    let clock = std::sync::Arc::new(sim::ManualClock::new(fleet::system_clock()()));
    let mut setup = Setup {
        servers: 2,
        clock: Some(clock.clone()),
        ..Setup::default()
    };
    setup.config.server_unhealthy_threshold = 1;
    let env = Env::with(setup).await;
    let acme = env.acme();
    acme.create("standup").await;
    let old = env.server_holding("acme", "standup").await.expect("placed");
    env.sim.servers[old].set_faults(sim::Faults {
        down: true,
        ..sim::Faults::default()
    });
    assert_eq!(env.poll().await.released, 1);
    acme.create("standup").await;
    let new = env.server_holding("acme", "standup").await.expect("moved");
    assert_ne!(new, old);
    // Long enough after the release that no end can still be under way.
    clock.advance(60_000);
    env.sim.servers[old].set_faults(sim::Faults::default());
    env.poll().await;
    assert!(
        metadata_on(&env, old, "standup~acme").is_none(),
        "the stale copy is ended on the recovered server"
    );
    let tenant = env.app.store.tenant("acme").await.unwrap();
    let samples = env
        .app
        .store
        .samples_of_tenant(tenant.id, sim::Clock::now_ms(&*clock), i64::MAX)
        .await
        .unwrap();
    let standups: Vec<i64> = samples
        .iter()
        .filter(|s| s.backend_id == "standup~acme")
        .map(|s| s.server_id)
        .collect();
    let new_id = env.app.fleet.routes()[new].server_id;
    assert_eq!(standups, [new_id], "metered once, where it runs now");
    env.shutdown().await;
}

#[tokio::test]
async fn a_record_left_without_its_internal_id_gets_it_from_the_next_poll() {
    let env = Env::start().await;
    let tenant = env.app.store.tenant("acme").await.unwrap();
    let server_id = env.app.fleet.routes()[0].server_id;
    // The state a crash between the server's create and its record leaves.
    env.app
        .store
        .claim_meeting(
            store::NewMeeting {
                tenant_id: tenant.id,
                meeting_id: "crashed",
                backend_id: "crashed~acme",
                server_id,
                now_ms: env.app.fleet.now_ms(),
                rooms_since_ms: 0,
                counts: store::UsageCounts::ALL,
            },
            |_| Ok::<(), std::convert::Infallible>(()),
        )
        .await
        .unwrap()
        .unwrap();
    let internal = create_on_server(&env, 0, &[("meetingID", "crashed~acme"), ("name", "C")]).await;
    env.poll().await;
    let record = env
        .app
        .store
        .live_meeting(tenant.id, "crashed")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.internal_id, Some(internal));
    env.shutdown().await;
}

#[tokio::test]
async fn two_instances_on_one_sqlite_file_elect_one_poller_and_one_duty_runner() {
    let dir = testkit::TempDir::new("two-instances");
    let config = plenary::config::Config {
        database_url: dir.sqlite_url(),
        listen: "127.0.0.1:0".parse().unwrap(),
        poll_interval_secs: 0.1,
        duties_interval_secs: 1.0,
        ..plenary::config::Config::default()
    };
    let start = || {
        plenary::app::App::start_with(
            &config,
            fleet::system_clock(),
            plenary::app::Polling::Background,
        )
    };
    // As `plenary migrate` would, before either instance serves.
    store::Store::open(&config.database_url)
        .await
        .unwrap()
        .close()
        .await;
    let (a, b) = (start().await.unwrap(), start().await.unwrap());
    let leaders = || {
        [&a, &b]
            .iter()
            .filter(|app| app.fleet.leads_polling())
            .count()
    };
    for _ in 0..100 {
        if leaders() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Several rounds later, the other instance still follows.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(leaders(), 1);
    let outsider = store::Store::open(&config.database_url).await.unwrap();
    assert!(
        outsider.try_lead_duties().await.unwrap().is_none(),
        "one of the two runs the duties, and the lock lets no other"
    );
    let (leader, follower) = if a.fleet.leads_polling() {
        (a, b)
    } else {
        (b, a)
    };
    leader.shutdown().await;
    let mut took_over = false;
    for _ in 0..100 {
        took_over = follower.fleet.leads_polling();
        if took_over {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(took_over, "the follower leads once the leader has gone");
    follower.shutdown().await;
}
