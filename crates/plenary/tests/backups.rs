//! Backups, restores and moves to PostgreSQL, as an operator runs them on
//! a live installation, and upgrades from the first released schema.

use crate::common;

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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(rounds >= 3);

    let restored = sqlite(&dir.path().join("restored.db"));
    ok(&restored, &["restore", file.to_str().unwrap()]);
    ok(&restored, &["audit", "verify"]);
    // The snapshot is consistent: its chain is a prefix of the live one.
    let snapshot = env.app.store.verify_audit().await.unwrap();
    let copy = store::Store::open_existing(&restored).await.unwrap();
    let copied = copy.verify_audit().await.unwrap();
    assert!(copied.entries <= snapshot.entries);
    let live_entries = env
        .app
        .store
        .audit_entries(None, copied.entries - 1, 1)
        .await
        .unwrap();
    assert_eq!(live_entries[0].hash, copied.head);
    assert_eq!(
        usage_report(&restored),
        usage_report(&sqlite_of_backup(&file))
    );

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
    assert!(
        !again.status.success(),
        "a second move into the same database is refused"
    );
    env.shutdown().await;
}

/// A database as the first release left it: only migration 0001 (the
/// schema of the gateway's landing, commit 9c5b9ee), with a tenant, a
/// server, a meeting and a usage sample written in that schema's columns.
async fn first_release_database(url: &str) {
    sqlx::any::install_default_drivers();
    let mut migrator = if url.starts_with("sqlite:") {
        sqlx::migrate!("../store/migrations/sqlite")
    } else {
        sqlx::migrate!("../store/migrations/postgres")
    };
    migrator.migrations = std::borrow::Cow::Owned(migrator.migrations[..1].to_vec());
    let create = if url.starts_with("sqlite:") {
        format!("{url}?mode=rwc")
    } else {
        url.to_string()
    };
    let pool = sqlx::AnyPool::connect(&create).await.unwrap();
    migrator.run(&pool).await.unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    for (sql, ints, texts) in [
        (
            "INSERT INTO tenants (id, created_at, name, host, pool, enabled) VALUES ($1, $2, $3, $4, NULL, 1)",
            vec![1, now],
            vec!["acme", "acme.example.org"],
        ),
        (
            "INSERT INTO tenant_secrets (id, tenant_id, created_at, secret) VALUES ($1, $2, $3, $4)",
            vec![1, 1, now],
            vec!["acme-old-secret"],
        ),
        (
            "INSERT INTO servers (id, weight, capacity, created_at, url, secret, algorithm, state, health) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            vec![1, 1, 200, now],
            vec![
                "https://bbb1.example.org/bigbluebutton/",
                "s",
                "sha256",
                "enabled",
                "up",
            ],
        ),
        (
            "INSERT INTO meetings (id, tenant_id, server_id, created_at, meeting_id, backend_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![1, 1, 1, now],
            vec!["room", "1-room"],
        ),
        (
            "INSERT INTO usage_samples (id, meeting_ref, tenant_id, server_id, at, participants, moderators, mic, listen_only, webcams, breakout, backend_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            vec![1, 1, 1, 1, now, 5, 1, 2, 3, 1, 0],
            vec!["1-room"],
        ),
    ] {
        let mut query = sqlx::query(sql);
        for i in ints {
            query = query.bind(i);
        }
        for t in texts {
            query = query.bind(t);
        }
        query.execute(&pool).await.unwrap();
    }
    pool.close().await;
}

/// Upgrades it with `plenary migrate`; it then answers as a current one.
fn upgrade_and_verify(url: &str) {
    ok(url, &["migrate"]);
    ok(url, &["audit", "verify"]);
    assert!(ok(url, &["tenant", "list"]).contains("acme.example.org"));
    let report = usage_report(url);
    assert_eq!(report["rows"].as_array().unwrap().len(), 1, "{report}");
}

#[tokio::test]
async fn a_database_of_the_first_released_schema_upgrades_and_moves_to_postgresql() {
    let dir = TempDir::new("first-release");
    let url = dir.sqlite_url();
    first_release_database(&url).await;
    upgrade_and_verify(&url);
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let to = pg.fresh_database_url();
    ok(&url, &["migrate", "--from", &url, "--to", &to]);
    ok(&to, &["audit", "verify"]);
    assert_eq!(usage_report(&to), usage_report(&url));
}

#[tokio::test]
async fn a_postgresql_database_of_the_first_released_schema_upgrades() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let url = pg.fresh_database_url();
    first_release_database(&url).await;
    upgrade_and_verify(&url);
}
