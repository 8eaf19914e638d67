//! Moves between databases: every table is copied, and a backup is a
//! checked snapshot.

use store::{Act, Health, NewServer, NewTenant, Store, TABLES};
use testkit::{TempDir, TempPostgres};

fn act() -> Act {
    Act::new("operator:test", 1_700_000_000_000)
}

async fn filled(url: &str) -> Store {
    let store = Store::open(url).await.unwrap();
    store
        .add_organisation("acme", "Acme Ltd", &act())
        .await
        .unwrap();
    store
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
        .create_tenant(
            NewTenant {
                name: "acme",
                host: Some("acme.example.org"),
                pool: None,
                secret: "acme-secret",
            },
            &act(),
        )
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn the_tables_moved_are_every_table_of_the_schema() {
    let dir = TempDir::new("copy-tables");
    let store = Store::open(&dir.sqlite_url()).await.unwrap();
    drop(store);
    let pool = sqlx::SqlitePool::connect(&dir.sqlite_url()).await.unwrap();
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    names.sort();
    let mut listed: Vec<&str> = TABLES.to_vec();
    listed.sort_unstable();
    assert_eq!(names, listed);
}

#[tokio::test]
async fn a_backup_is_checked_and_restores_to_the_same_rows() {
    let dir = TempDir::new("copy-backup");
    let store = filled(&dir.sqlite_url()).await;
    let file = dir.path().join("backup.db");
    let check = store.backup(&file).await.unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(check.audit, store.verify_audit().await.unwrap());
    assert!(
        matches!(store.backup(&file).await, Err(store::CopyError::Exists(_))),
        "a backup never overwrites"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let target = dir.path().join("restored.db");
    store::restore_file(&file, &target).await.unwrap();
    let restored = Store::open_existing(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    assert_eq!(
        restored.row_counts().await.unwrap(),
        store.row_counts().await.unwrap()
    );
    assert!(restored.check().await.unwrap().problems.is_empty());
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_the_target_left_alone() {
    let dir = TempDir::new("copy-damaged");
    let store = filled(&dir.sqlite_url()).await;
    let file = dir.path().join("backup.db");
    store.backup(&file).await.unwrap();
    let tamper = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'operator:mallory' WHERE seq = 1")
        .execute(&tamper)
        .await
        .unwrap();
    tamper.close().await;
    let target = dir.path().join("live.db");
    std::fs::write(&target, b"the old database").unwrap();
    let refused = store::restore_file(&file, &target).await;
    assert!(
        matches!(refused, Err(store::CopyError::Unusable(..))),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"the old database");
}

#[tokio::test]
async fn a_move_to_postgresql_keeps_every_row_and_the_audit_chain() {
    let dir = TempDir::new("copy-move");
    let from = filled(&dir.sqlite_url()).await;
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let to = Store::open(&pg.fresh_database_url()).await.unwrap();
    to.copy_from(&from).await.unwrap();
    assert_eq!(
        to.row_counts().await.unwrap(),
        from.row_counts().await.unwrap()
    );
    assert_eq!(
        to.verify_audit().await.unwrap(),
        from.verify_audit().await.unwrap()
    );
    assert!(to.check().await.unwrap().problems.is_empty());
    // The identity sequences go on after the copied ids.
    to.add_organisation("globex", "Globex", &act())
        .await
        .unwrap();
    assert!(to.verify_audit().await.unwrap().broken.is_none());
    let again = to.copy_from(&from).await;
    assert!(
        matches!(again, Err(store::CopyError::NotEmpty(_))),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_move_back_to_sqlite_is_the_same_database() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let from = filled(&pg.fresh_database_url()).await;
    let dir = TempDir::new("copy-back");
    let refused = from.backup(&dir.path().join("pg.db")).await;
    assert!(
        matches!(refused, Err(store::CopyError::NotSqlite)),
        "{refused:?}"
    );
    let to = Store::open(&dir.sqlite_url()).await.unwrap();
    to.copy_from(&from).await.unwrap();
    assert_eq!(
        to.row_counts().await.unwrap(),
        from.row_counts().await.unwrap()
    );
    assert_eq!(
        to.verify_audit().await.unwrap(),
        from.verify_audit().await.unwrap()
    );
}
