//! Backups, restores and moves to PostgreSQL, as an operator runs them on
//! a live installation, and upgrades from the first released schema.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::Env;
use testkit::{TempDir, TempPostgres};

fn plenary(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["--database", database])
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("plenary runs")
}

fn ok(database: &str, args: &[&str]) -> String {
    let out = plenary(database, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn usage_report(database: &str) -> serde_json::Value {
    serde_json::from_str(&ok(database, &["usage", "report", "--format", "json"])).unwrap()
}

fn sqlite(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Meetings created and joined through the gateway, polls recording their
/// use and audited changes, until `stop` is set.
async fn traffic(env: &Env, stop: &AtomicBool) -> usize {
    let mut rounds = 0;
    while !stop.load(Ordering::Relaxed) || rounds < 3 {
        let id = format!("live-{rounds}");
        env.acme().create(&id).await;
        env.acme().join(&id, "Ada").await;
        env.poll().await;
        env.app
            .store
            .create_tenant(
                store::NewTenant {
                    name: &format!("t{rounds}"),
                    host: None,
                    pool: None,
                    secret: "s",
                },
                &common::act(),
            )
            .await
            .unwrap();
        rounds += 1;
    }
    rounds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_live_traffic_restores_with_its_audit_chain_and_usage() {
    let env = Env::start().await;
    let dir = TempDir::new("live-backup");
    let file = dir.path().join("plenary.backup");
    let stop = Arc::new(AtomicBool::new(false));
    let backup = {
        let (url, file, stop) = (env.database_url(), file.clone(), stop.clone());
        tokio::task::spawn_blocking(move || {
            let out = plenary(&url, &["backup", file.to_str().unwrap()]);
            stop.store(true, Ordering::Relaxed);
            out
        })
    };
    let rounds = traffic(&env, &stop).await;
    let out = backup.await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(rounds >= 3);

    let restored = sqlite(&dir.path().join("restored.db"));
    ok(&restored, &["restore", file.to_str().unwrap()]);
    ok(&restored, &["audit", "verify"]);
    // The snapshot is consistent: its chain is a prefix of the live one.
    let snapshot = env.app.store.verify_audit().await.unwrap();
    let copy = store::Store::open_existing(&restored).await.unwrap();
    let copied = copy.verify_audit().await.unwrap();
    assert!(copied.entries <= snapshot.entries);
    let live_entries = env.app.store.audit_entries(None, copied.entries - 1, 1).await.unwrap();
    assert_eq!(live_entries[0].hash, copied.head);
    assert_eq!(usage_report(&restored), usage_report(&sqlite_of_backup(&file)));

    // Once traffic stops, a backup restores to the live database's report.
    let quiet = dir.path().join("quiet.backup");
    ok(&env.database_url(), &["backup", quiet.to_str().unwrap()]);
    let restored = sqlite(&dir.path().join("quiet.db"));
    ok(&restored, &["restore", quiet.to_str().unwrap()]);
    ok(&restored, &["audit", "verify"]);
    let live = usage_report(&env.database_url());
    assert!(!live["rows"].as_array().unwrap().is_empty(), "{live}");
    assert_eq!(usage_report(&restored), live);
    env.shutdown().await;
}

fn sqlite_of_backup(file: &Path) -> String {
    format!("sqlite://{}?mode=ro", file.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_to_postgresql_keeps_the_audit_chain_and_the_usage_report() {
    let env = Env::start().await;
    let stop = AtomicBool::new(true);
    traffic(&env, &stop).await;
    let from = env.database_url();
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let to = pg.fresh_database_url();
    let moved = ok(&from, &["migrate", "--from", &from, "--to", &to]);
    assert!(moved.contains("audit chain intact"), "{moved}");
    let head = ok(&from, &["audit", "head"]);
    assert_eq!(ok(&to, &["audit", "head"]), head);
    ok(&to, &["audit", "verify"]);
    assert_eq!(usage_report(&to), usage_report(&from));
    let again = plenary(&from, &["migrate", "--from", &from, "--to", &to]);
    assert!(!again.status.success(), "a second move into the same database is refused");
    env.shutdown().await;
}
