//! A row holding a value its type does not have, written behind the
//! application's back, reads as an error that names the row (its table and
//! key), on SQLite and on PostgreSQL; never as a guess.

use store::{Act, Health, NewServer, Store, StoreError};

async fn on_both_backends<F, Fut>(story: F)
where
    F: Fn(Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let story = &story;
    testkit::on_both_backends("corrupt-rows", move |url| async move {
        story(Store::open(&url).await.expect("store opens"), url).await
    })
    .await;
}

/// Runs `sql` on the database directly.
async fn corrupt(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

async fn a_server(s: &Store) -> i64 {
    let new = NewServer {
        url: "https://bbb1.example/bigbluebutton/",
        secret: "s",
        algorithm: bbb::Algorithm::Sha256,
        weight: 1,
        pool: None,
        capacity: 200,
        health: Health::Up,
    };
    s.add_server(new, &Act::new("operator:test", 1_000))
        .await
        .unwrap()
        .id
}

/// Both readings of the server fail, naming it and what is wrong.
async fn reads_as_corrupt(s: &Store, id: i64, expected: &str) {
    for read in [
        s.server(id).await.map(|_| ()),
        s.servers().await.map(|_| ()),
    ] {
        match read {
            Err(StoreError::Corrupt(why)) => assert_eq!(why, format!("server {id}: {expected}")),
            other => panic!("server {id} read as {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_server_with_an_unknown_algorithm_names_its_row_instead_of_signing_with_sha256() {
    on_both_backends(|s, url| async move {
        let id = a_server(&s).await;
        corrupt(&url, "UPDATE servers SET algorithm = 'md5'").await;
        reads_as_corrupt(&s, id, "algorithm \"md5\"").await;
    })
    .await;
}

#[tokio::test]
async fn a_server_with_a_spelling_the_store_never_writes_is_corrupt_too() {
    on_both_backends(|s, url| async move {
        let id = a_server(&s).await;
        corrupt(&url, "UPDATE servers SET algorithm = 'SHA-256'").await;
        reads_as_corrupt(&s, id, "algorithm \"SHA-256\"").await;
    })
    .await;
}

#[tokio::test]
async fn a_server_in_an_unknown_state_or_health_names_its_row() {
    on_both_backends(|s, url| async move {
        let id = a_server(&s).await;
        corrupt(&url, "UPDATE servers SET state = 'paused'").await;
        reads_as_corrupt(&s, id, "state \"paused\"").await;
        corrupt(
            &url,
            "UPDATE servers SET state = 'enabled', health = 'fine'",
        )
        .await;
        reads_as_corrupt(&s, id, "health \"fine\"").await;
    })
    .await;
}

#[tokio::test]
async fn a_tier_disabling_a_feature_bbb_lacks_names_its_row_instead_of_passing_it_on() {
    on_both_backends(|s, url| async move {
        corrupt(
            &url,
            "UPDATE tiers SET disabled_features = 'chat,webcam' WHERE name = 'level1'",
        )
        .await;
        for read in [
            s.tier("level1").await.map(|_| ()),
            s.tiers().await.map(|_| ()),
        ] {
            match read {
                Err(StoreError::Corrupt(why)) => assert!(
                    why.starts_with(
                        "tier \"level1\": disabled_features: \"webcam\" is not a feature"
                    ),
                    "{why}"
                ),
                other => panic!("level1 read as {other:?}"),
            }
        }
    })
    .await;
}
