//! `plenary demo` as a new user runs it: one command, no setup, and what it
//! prints is enough to use the gateway and the consortium.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn the_demo_starts_with_a_fleet_tenants_and_a_consortium_with_open_proposals() {
    let data = testkit::TempDir::new("demo");
    let mut demo = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["demo", "--port", "0", "--servers", "2"])
        .env("XDG_DATA_HOME", data.path())
        .env_remove("DATABASE_URL")
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
    for expected in [
        "Plenary demo is running at http://127.0.0.1:",
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
