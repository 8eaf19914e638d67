//! Metering from the poller's samples, checked to the minute against a
//! scripted meeting: known people, microphones and webcams at known times,
//! a missed poll, and a server that goes down, across an hour boundary; the
//! same numbers before and after the hours are rolled up and the samples
//! pruned.

use crate::common;

use std::sync::Arc;

use common::{Env, Setup};
use sim::UserSpec;
use testkit::TempPostgres;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
/// 2026-11-02T00:58:00Z: inside the reported month, two minutes before an hour.
const START: i64 = 1_793_577_600_000 + 58 * MIN;

fn person(name: &str, mic: bool, webcams: u32) -> UserSpec {
    UserSpec {
        full_name: Some(name.into()),
        mic: Some(mic),
        listen_only: Some(!mic),
        webcams: Some(webcams),
        ..UserSpec::default()
    }
}

#[tokio::test]
async fn a_scripted_meeting_is_metered_to_the_minute_before_and_after_its_rollup() {
    scripted_meeting(None, "acme").await;
}

#[tokio::test]
async fn the_scripted_meeting_is_rolled_up_alike_on_postgresql() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    // Its own tenant: the two tests share the process's metrics.
    scripted_meeting(Some(pg.fresh_database_url()), "initech").await;
}

async fn scripted_meeting(database_url: Option<String>, tenant: &'static str) {
    let clock = Arc::new(sim::ManualClock::new(START));
    let mut setup = Setup {
        servers: 1,
        clock: Some(clock.clone()),
        database_url,
        tenants: vec![(tenant, "metered-secret")],
        ..Setup::default()
    };
    setup.config.server_unhealthy_threshold = 2;
    let env = Env::with(setup).await;
    env.tenant(tenant, "metered-secret").create("metered").await;
    let meeting = format!("metered~{tenant}");
    let meeting = meeting.as_str();
    let server = &env.sim.servers[0];
    let ada = server.add_user(meeting, &person("Ada", true, 1)).unwrap();
    server.add_user(meeting, &person("Bo", false, 0)).unwrap();
    let cy = server.add_user(meeting, &person("Cy", false, 0)).unwrap();
    let poll_at = |minute: i64| {
        clock.set(START + minute * MIN);
        env.poll()
    };
    poll_at(0).await; // 3 people, 1 webcam
    poll_at(1).await; // the same
    server.change_user(
        meeting,
        &cy,
        &UserSpec {
            webcams: Some(1),
            ..UserSpec::default()
        },
    );
    poll_at(2).await; // 3 people, 2 webcams; the poll at minute 3 is missed
    server.remove_user(meeting, &ada);
    poll_at(4).await; // 2 people (Ada left, taking her webcam), 1 webcam
    server.set_faults(sim::Faults {
        down: true,
        ..sim::Faults::default()
    });
    poll_at(5).await;
    let report = poll_at(6).await;
    assert_eq!(report.released, 1, "the down server's meeting is released");

    let before = usage(&env, &["--period", "2026-11"]);
    let acme = tenant_row(&before, tenant);
    // Minute by minute: 0 → 3 people, 1 → 3, 2–3 → 3 (the missed poll is
    // bridged), 4 → 2; nothing is counted while the server is down.
    assert_eq!(acme["participant_minutes"], 14);
    assert_eq!(acme["meeting_minutes"], 5);
    assert_eq!(acme["mic_minutes"], 4);
    assert_eq!(acme["listen_only_minutes"], 10);
    assert_eq!(acme["webcam_minutes"], 7);
    assert_eq!(acme["peak_participants"], 3);
    assert_eq!(acme["meetings"], 1);

    let metering = billing::meter::Metering::new(env.app.store.clone(), MIN);
    let done = metering.roll_up(START + 2 * HOUR, 0).await.unwrap();
    assert_eq!(
        done.hours, 2,
        "the hour before the boundary and the one after"
    );
    assert!(
        done.pruned > 0,
        "a retention of 0 prunes every rolled-up sample"
    );
    assert!(
        env.app
            .store
            .samples_between(0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        usage(&env, &["--period", "2026-11"])["rows"],
        before["rows"],
        "the rollups give the numbers the samples gave"
    );
    let hours = usage(&env, &["--period", "2026-11", "--every", "hour"]);
    let per_hour: Vec<(String, i64, i64)> = hours["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_string(),
                r["participant_minutes"].as_i64().unwrap(),
                r["meetings"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_hour,
        [
            ("2026-11-02T00:00+00:00".to_string(), 6, 1),
            ("2026-11-02T01:00+00:00".to_string(), 8, 0),
        ],
        "the meeting is counted once, in the hour it began"
    );
    let metrics = env.metrics().await;
    assert!(
        metrics.contains(&format!(
            "plenary_metered_participant_minutes_total{{tenant=\"{tenant}\"}} 14"
        )),
        "{metrics}"
    );
    env.shutdown().await;
}

/// `plenary usage report --format json` with these arguments.
fn usage(env: &Env, args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["--database", &env.database_url(), "usage", "report"])
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn tenant_row(report: &serde_json::Value, tenant: &str) -> serde_json::Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant"] == tenant)
        .unwrap()
        .clone()
}
