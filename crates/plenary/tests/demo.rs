//! `plenary demo` as a new user runs it: one command, no setup, and what it
//! prints is enough to use the gateway and the consortium.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// `plenary demo` with `args`, with its data directory in `data`, until it
/// has printed its welcome; then Ctrl-C. Returns what it printed.
fn run_demo(data: &testkit::TempDir, args: &[&str]) -> String {
    let mut demo = demo_command(data)
        .args(["demo", "--port", "0", "--servers", "2"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the demo starts");
    let stdout = demo.stdout.take().expect("piped");
    let mut seen = String::new();
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("readable output");
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("Press Ctrl-C to stop") {
            break;
        }
    }
    let _ = Command::new("kill")
        .args(["-INT", &demo.id().to_string()])
        .status();
    // Read on to the end, as a terminal would, so stopping can print.
    lines.for_each(drop);
    let status = demo.wait().expect("the demo stops");
    assert!(
        status.success(),
        "the demo stops cleanly on Ctrl-C: {status:?}\n{seen}"
    );
    seen
}

fn demo_command(data: &testkit::TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plenary"));
    command
        .env("XDG_DATA_HOME", data.path())
        .env_remove("DATABASE_URL")
        .env_remove("PLENARY_DATABASE_URL");
    command
}

#[test]
fn the_demo_starts_with_a_fleet_tenants_and_a_consortium_with_open_proposals() {
    let data = testkit::TempDir::new("demo");
    let seen = run_demo(&data, &[]);
    let own = data.path().join("plenary").join("demo.db");
    for expected in [
        "Plenary demo is running at http://127.0.0.1:",
        &format!(
            "Database: sqlite://{} (the demo's own, recreated on every run)",
            own.display()
        ),
        "/t/coop-hosting/bigbluebutton/api/",
        "#1 Admit Community Radio Co-op as a consumer member",
        "#2 Adopt the fair-use policy",
        "PLENARY_TOKEN=pl_",
    ] {
        assert!(
            seen.contains(expected),
            "{expected:?} missing from:\n{seen}"
        );
    }
}

/// The demo's organisations, read from `url` after the demo stopped.
fn organisations_in(url: &str) -> Vec<String> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = store::Store::open(url).await.expect("the database opens");
        let names = store
            .organisations()
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        store.close().await;
        names
    })
}

/// The demo on the database `url`: it says so, fills it, and leaves its own
/// default file alone; a second run refuses the database, which now holds
/// data.
fn the_demo_uses(url: &str) {
    let data = testkit::TempDir::new("demo-given");
    let seen = run_demo(&data, &["--database", url]);
    assert!(
        seen.contains("(as given)") && seen.contains("--database "),
        "the demo names the database it uses:\n{seen}"
    );
    let orgs = organisations_in(url);
    for org in [
        "coop-hosting",
        "uni-vienna",
        "tenants-union",
        "community-radio",
    ] {
        assert!(orgs.iter().any(|o| o == org), "{org} in {orgs:?}");
    }
    assert!(
        !data.path().join("plenary").join("demo.db").exists(),
        "the demo's own file is not made"
    );
    let again = demo_command(&data)
        .args(["demo", "--port", "0", "--database", url])
        .output()
        .expect("the demo runs");
    assert!(!again.status.success());
    let why = String::from_utf8_lossy(&again.stderr);
    assert!(why.contains("the demo fills an empty database"), "{why}");
}

#[test]
fn the_demo_fills_the_sqlite_database_it_is_given() {
    let dir = testkit::TempDir::new("demo-sqlite");
    the_demo_uses(&dir.sqlite_url());
}

#[test]
fn the_demo_fills_the_postgresql_database_it_is_given() {
    let Some(pg) = testkit::TempPostgres::start() else {
        return;
    };
    the_demo_uses(&pg.fresh_database_url());
}
