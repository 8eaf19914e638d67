//! Usage reports, fair use and statements from the command line, on a
//! database seeded with known samples.

use std::process::{Command, Output};

use billing::meter::Metering;
use store::{Act, Health, NewServer, NewTenant, Store, UsageSample};
use testkit::TempDir;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

fn utc(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn act() -> Act {
    Act::new("operator:test", 0)
}

struct Db {
    dir: TempDir,
    store: Store,
    server_id: i64,
}

impl Db {
    /// Organisations `org-<tenant>`, each with one tenant on `tier`.
    async fn with(tenants: &[(&str, &str)]) -> Self {
        let dir = TempDir::new("usage");
        let store = Store::open(&dir.sqlite_url()).await.unwrap();
        let server = store
            .add_server(
                NewServer {
                    url: "https://bbb1.example.org/bigbluebutton/",
                    secret: "s",
                    algorithm: bbb::Algorithm::Sha256,
                    weight: 1,
                    pool: None,
                    capacity: 200,
                    health: Health::Up,
                },
                &act(),
            )
            .await
            .unwrap();
        store
            .set_server_cost(server.id, 10_000, None, &act())
            .await
            .unwrap();
        for (name, tier) in tenants {
            let org = format!("org-{name}");
            store.add_organisation(&org, &org, &act()).await.unwrap();
            store
                .create_tenant(
                    NewTenant {
                        name,
                        host: None,
                        pool: None,
                        secret: "secret",
                    },
                    &act(),
                )
                .await
                .unwrap();
            store
                .set_tenant_organisation(name, Some(&org), &act())
                .await
                .unwrap();
            store
                .set_tenant_tier(name, Some(tier), &act())
                .await
                .unwrap();
        }
        Self {
            dir,
            store,
            server_id: server.id,
        }
    }

    /// One meeting of `tenant` with `people` (one on the microphone), polled
    /// every minute for `minutes` from `from_ms`.
    async fn meeting(&self, tenant: &str, room: &str, from_ms: i64, minutes: i64, people: i64) {
        let t = self.store.tenant(tenant).await.unwrap();
        let samples: Vec<UsageSample> = (0..minutes)
            .map(|m| UsageSample {
                at_ms: from_ms + m * MIN,
                meeting_ref: None,
                tenant_id: t.id,
                server_id: self.server_id,
                backend_id: format!("{room}~{tenant}"),
                origin: None,
                participants: people,
                moderators: 1,
                mic: 1,
                listen_only: people - 1,
                webcams: 0,
                breakout: false,
            })
            .collect();
        self.store.insert_samples(&samples).await.unwrap();
    }

    fn run(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_plenary"))
            .args(["--database", &self.dir.sqlite_url()])
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("PLENARY_TIME_ZONE")
            .envs(env.iter().copied())
            .output()
            .expect("plenary runs")
    }

    fn ok(&self, env: &[(&str, &str)], args: &[&str]) -> String {
        let out = self.run(env, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, env: &[(&str, &str)], args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(env, args)).unwrap()
    }

    fn fails(&self, env: &[(&str, &str)], args: &[&str]) -> String {
        let out = self.run(env, args);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}

fn minutes_of(report: &serde_json::Value, key: &str) -> i64 {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tenant"] == key)
        .map_or(0, |r| r["participant_minutes"].as_i64().unwrap())
}

const PARIS: [(&str, &str); 1] = [("PLENARY_TIME_ZONE", "Europe/Paris")];

#[tokio::test]
async fn a_paris_month_runs_from_local_midnight_to_local_midnight() {
    let db = Db::with(&[("acme", "level1")]).await;
    // 23:30 on 28 February in Paris; then 00:30 on 1 March; then 00:30 on
    // 1 April, after the clocks went forward (UTC+2).
    db.meeting("acme", "feb", utc("2026-02-28T22:30:00Z"), 10, 1)
        .await;
    db.meeting("acme", "mar", utc("2026-02-28T23:30:00Z"), 10, 2)
        .await;
    db.meeting("acme", "apr", utc("2026-03-31T22:30:00Z"), 10, 4)
        .await;
    let report = |period| {
        db.json(
            &PARIS,
            &["usage", "report", "--period", period, "--format", "json"],
        )
    };
    assert_eq!(minutes_of(&report("2026-02"), "acme"), 10);
    assert_eq!(minutes_of(&report("2026-03"), "acme"), 20);
    assert_eq!(minutes_of(&report("2026-04"), "acme"), 40);
    let utc_march = db.json(
        &[],
        &["usage", "report", "--period", "2026-03", "--format", "json"],
    );
    assert_eq!(
        minutes_of(&utc_march, "acme"),
        40,
        "in UTC the April meeting is in March"
    );
    let days = db.json(
        &PARIS,
        &[
            "usage", "report", "--period", "2026-03", "--every", "day", "--format", "json",
        ],
    );
    assert_eq!(days["rows"][0]["period"], "2026-03-01");
}

#[tokio::test]
async fn a_bad_time_zone_is_a_readable_configuration_error() {
    let db = Db::with(&[]).await;
    let err = db.fails(
        &[("PLENARY_TIME_ZONE", "Mars/Olympus")],
        &["usage", "report"],
    );
    assert!(
        err.contains("time_zone") && err.contains("Mars/Olympus"),
        "{err}"
    );
}

#[tokio::test]
async fn report_options_that_cannot_be_answered_are_refused_plainly() {
    let db = Db::with(&[("acme", "level1")]).await;
    let cases: [(&[&str], &str); 5] = [
        (&["--tenant", "nobody"], "no tenant \"nobody\""),
        (&["--org", "nobody"], "no organisation \"nobody\""),
        (
            &["--by", "server", "--tenant", "acme"],
            "--by server covers every tenant",
        ),
        (
            &["--by", "org", "--tenant", "acme"],
            "use --org with --by org",
        ),
        (&["--period", "2026-13"], "not a month such as 2026-11"),
    ];
    for (args, message) in cases {
        let err = db.fails(&[], &[&["usage", "report"], args].concat());
        assert!(err.contains(message), "{args:?}: {err}");
    }
    assert!(
        db.fails(&[], &["usage", "report", "--by", "planet"])
            .contains("invalid value")
    );
}

#[tokio::test]
async fn reports_are_broken_down_by_any_dimension_and_filtered_by_owner() {
    let db = Db::with(&[("acme", "level1"), ("globex", "level1")]).await;
    let at = utc("2026-11-02T09:00:00Z");
    db.meeting("acme", "a", at, 30, 2).await;
    db.meeting("globex", "g", at, 30, 3).await;
    let report = |args: &[&str]| {
        db.json(
            &[],
            &[
                &["usage", "report", "--period", "2026-11", "--format", "json"],
                args,
            ]
            .concat(),
        )
    };
    let server = report(&["--by", "server"]);
    assert_eq!(server["rows"][0]["participant_minutes"], 150);
    assert_eq!(server["rows"][0]["peak_participants"], 5);
    assert_eq!(report(&["--by", "pool"])["rows"][0]["pool"], "(shared)");
    let org = report(&["--by", "org", "--org", "org-globex"]);
    assert_eq!(org["rows"].as_array().unwrap().len(), 1);
    assert_eq!(org["rows"][0]["participant_minutes"], 90);
    let csv = db.ok(
        &[],
        &[
            "usage", "report", "--period", "2026-11", "--org", "org-acme", "--format", "csv",
        ],
    );
    assert!(csv.starts_with("tenant,org,meetings,"), "{csv}");
    assert_eq!(csv.lines().count(), 2, "the header and acme: {csv}");
}

#[tokio::test]
async fn fair_use_lists_who_is_over_and_why() {
    // The free tier allows 5 concurrent participants and 3 000 minutes.
    let db = Db::with(&[("crowded", "free"), ("calm", "free")]).await;
    let start = utc("2026-11-02T08:00:00Z");
    db.meeting("crowded", "big", start, 5 * 60, 8).await;
    db.meeting("calm", "small", start, 30, 2).await;
    let listing = db.json(
        &[],
        &[
            "usage", "fair-use", "--period", "2026-11", "--format", "json",
        ],
    );
    let rows = listing["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["tenant"] == "crowded"), "{listing}");
    let rule = |name: &str| rows.iter().find(|r| r["rule"] == name).unwrap().clone();
    let concurrency = rule("hours-above-concurrency");
    assert_eq!(
        (concurrency["level"].as_str(), concurrency["used"].as_str()),
        (Some("over"), Some("5")),
        "five hours above 5 concurrent participants, four allowed"
    );
    let minutes = rule("participant-minutes");
    assert_eq!(
        (minutes["level"].as_str(), minutes["used"].as_str()),
        (Some("near"), Some("2400"))
    );
    let report = db.ok(
        &[],
        &["usage", "report", "--period", "2026-11", "--by", "org"],
    );
    assert!(
        report.contains("over: crowded participant-minutes 2400 of 3000 (80%); crowded hours-above-concurrency 5 of 4 (125%)"),
        "{report}"
    );
    let table = db.ok(&[], &["usage", "fair-use", "--period", "2026-12"]);
    assert!(
        table.contains("Every tenant is within fair use in 2026-12."),
        "{table}"
    );
}

#[tokio::test]
async fn a_closed_period_recomputes_identically_after_its_samples_are_rolled_up_and_pruned() {
    let db = Db::with(&[("acme", "level1"), ("globex", "level2")]).await;
    let start = utc("2026-11-02T09:00:00Z");
    db.meeting("acme", "a", start, 90, 4).await;
    db.meeting("globex", "g", start + 30 * MIN, 45, 10).await;
    let preview = || {
        db.json(
            &[],
            &["bill", "preview", "--period", "2026-11", "--format", "json"],
        )
    };
    let before = preview();
    assert_eq!(before["shares"][0]["participant_minutes"], 360);
    db.ok(&[], &["bill", "close", "--period", "2026-11"]);
    let frozen = db.store.statement("2026-11").await.unwrap().unwrap().body;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&frozen).unwrap(),
        before
    );

    let metering = Metering::new(db.store.clone(), MIN);
    let done = metering.roll_up(start + 48 * HOUR, 0).await.unwrap();
    assert!(done.pruned > 0);
    assert_eq!(preview(), before, "the same statement from the rollups");

    let audit = db.json(
        &[],
        &["audit", "list", "--subject", "period:2026-11", "--json"],
    );
    let close = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "bill.close")
        .expect("closing is in the audit trail");
    // The detail is stored as JSON text, exactly as it is hashed.
    let detail: serde_json::Value =
        serde_json::from_str(close["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["statement_sha256"], sha256_hex(&frozen));
    assert!(db.ok(&[], &["audit", "verify"]).contains("intact"));
}

fn sha256_hex(body: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(body.as_bytes()))
}
