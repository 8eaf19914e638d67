//! The `plenary` binary as operators run it: output with nowhere to go
//! never makes it panic, and `serve` never starts on a database that is
//! not there.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use testkit::{Cli, free_port};

const BIN: &str = env!("CARGO_BIN_EXE_plenary");

/// A pipe whose reader is already gone: every write to it fails with EPIPE.
fn reader_gone() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

fn plenary(cli: &Cli, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["--database", &cli.dir.sqlite_url()])
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null());
    cmd
}

#[test]
fn a_command_whose_reader_has_gone_ends_quietly() {
    let cli = Cli::new(BIN);
    cli.ok(&[
        "org",
        "add",
        "hosting-coop",
        "--member",
        "--class",
        "producer",
    ]);
    cli.ok(&["org", "apply", "radio", "--legal-name", "Community Radio"]);
    for args in [&["proposal", "show", "1"][..], &["tier", "list"]] {
        let out = plenary(&cli, args)
            .stdout(reader_gone())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// A server process, killed if the test ends before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Stops a server the way a service manager does.
fn terminate(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap()
}

async fn get(url: &str) -> Option<String> {
    let res = reqwest::get(url).await.ok()?;
    res.status().is_success().then_some(())?;
    res.text().await.ok()
}

/// How many times the poller has called getMeetings, from `/metrics`.
fn polls(metrics: &str) -> u64 {
    metrics
        .lines()
        .find(|l| l.starts_with("plenary_backend_latency_seconds_count{call=\"getMeetings\"}"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn serve_keeps_serving_and_polling_when_its_output_and_logs_have_nowhere_to_go() {
    let cli = Cli::new(BIN);
    cli.ok(&["migrate"]);
    // A server that refuses connections: every poll fails and is logged.
    let dead = format!("http://127.0.0.1:{}/bigbluebutton/api", free_port());
    cli.ok(&["server", "add", &dead, "--secret", "s"]);
    let port = free_port();
    let mut child = Running(
        plenary(&cli, &["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("PLENARY_LOG", "debug")
            .env("PLENARY_POLL_INTERVAL_SECS", "0.2")
            .stdout(reader_gone())
            .stderr(reader_gone())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let mut before = None;
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(m) = get(&format!("{base}/metrics")).await
            && polls(&m) > 0
        {
            before = Some(polls(&m));
            break;
        }
        assert!(child.0.try_wait().unwrap().is_none(), "serve exited");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = before.expect("serve answers and polls");
    for _ in 0..20 {
        assert!(
            get(&format!("{base}/readyz")).await.is_some(),
            "serve answers"
        );
    }
    let mut after = before;
    while after <= before + 2 && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        after = get(&format!("{base}/metrics"))
            .await
            .map_or(after, |m| polls(&m));
    }
    assert!(after > before + 2, "the poller stopped at {before} polls");
    let status = terminate(&mut child.0);
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn serve_refuses_a_missing_database_and_names_plenary_migrate() {
    let cli = Cli::new(BIN);
    let db = cli.dir.path().join("plenary.db");
    let mut serve = plenary(&cli, &["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while serve.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = serve.kill();
            panic!("serve started on a database that did not exist");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = serve.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("plenary migrate"), "{err}");
    assert!(!db.exists(), "serve created a database");
    cli.ok(&["migrate"]);
    assert!(db.exists(), "migrate creates the database");
}
