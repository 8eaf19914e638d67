//! Several instances on one PostgreSQL database: placement reservations
//! they all see, and the change notices that keep their caches in step.
//! SQLite has one instance, which needs neither.

use std::time::Duration;

use store::{
    Act, Change, Changes, Health, NewServer, NewTenant, ServerPoll, ServerRound, ServerState,
    SharedLoad, Store,
};
use testkit::{TempDir, TempPostgres};

fn act() -> Act {
    Act::new("operator:test", 1_000)
}

fn server(url: &str) -> NewServer<'_> {
    NewServer {
        url,
        secret: "s",
        algorithm: "sha256",
        weight: 1,
        pool: None,
        capacity: 10_000,
        health: Health::Up,
    }
}

/// Two stores on one fresh PostgreSQL database, as two instances are; none
/// when PostgreSQL is not installed (outside CI).
async fn two_instances(pg: &Option<TempPostgres>) -> Option<(Store, Store, String)> {
    let url = pg.as_ref()?.fresh_database_url();
    Some((
        Store::open(&url).await.unwrap(),
        Store::open(&url).await.unwrap(),
        url,
    ))
}

/// The lightest server, as placement would choose it.
fn lightest(loads: &[SharedLoad]) -> Option<i64> {
    loads
        .iter()
        .min_by_key(|l| (l.load, l.server_id))
        .map(|l| l.server_id)
}

/// The next change heard within a second.
async fn heard(changes: &mut Changes) -> Change {
    tokio::time::timeout(Duration::from_secs(1), changes.next())
        .await
        .expect("a change heard within a second")
        .expect("listening")
}

#[tokio::test]
async fn concurrent_reservations_on_two_instances_see_each_other() {
    let pg = TempPostgres::start();
    let Some((a, b, _)) = two_instances(&pg).await else {
        return;
    };
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            a.add_server(server(&format!("http://s{i}/")), &act())
                .await
                .unwrap()
                .id,
        );
    }
    let creates = (0..40).map(|i| {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move {
            store
                .reserve_shared(None, 25, 2_000, lightest)
                .await
                .unwrap()
                .expect("a server is chosen")
                .server_id
        }
    });
    let chosen = futures::future::join_all(creates).await;
    for id in ids {
        let n = chosen.iter().filter(|s| **s == id).count();
        assert_eq!(n, 10, "server {id} took {n} of 40: {chosen:?}");
    }
}

#[tokio::test]
async fn a_poll_settles_the_reservations_it_counted_and_a_cancel_gives_one_back() {
    let pg = TempPostgres::start();
    let Some((a, _, _)) = two_instances(&pg).await else {
        return;
    };
    let id = a.add_server(server("http://s/"), &act()).await.unwrap().id;
    let load = |store: Store| async move {
        let mut seen = Vec::new();
        store
            .reserve_shared(None, 0, 0, |l| {
                seen = l.to_vec();
                None
            })
            .await
            .unwrap();
        seen[0].load
    };
    let early = a
        .reserve_shared(None, 25, 1_000, lightest)
        .await
        .unwrap()
        .unwrap();
    let late = a
        .reserve_shared(None, 25, 3_000, lightest)
        .await
        .unwrap()
        .unwrap();
    let extra = a
        .reserve_shared(None, 25, 3_000, lightest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(load(a.clone()).await, 75);
    a.cancel_reservation(extra.id).await.unwrap();
    assert_eq!(load(a.clone()).await, 50);
    a.record_server_round(ServerRound {
        server_id: id,
        ended: &[],
        internal_ids: &[],
        samples: &[],
        poll: ServerPoll {
            health: Health::Up,
            load: 30,
            meetings: 1,
            participants: 1,
            at_ms: 2_500,
        },
        settled_before_ms: 2_000,
    })
    .await
    .unwrap();
    // The early create is in the polled 30; the late one is still reserved.
    assert_eq!(load(a.clone()).await, 55);
    assert_ne!(early.id, late.id);
}

#[tokio::test]
async fn every_instance_hears_of_a_removed_secret_a_cordoned_server_and_an_ended_meeting() {
    let pg = TempPostgres::start();
    let Some((a, b, _)) = two_instances(&pg).await else {
        return;
    };
    let tenant = b
        .create_tenant(
            NewTenant {
                name: "acme",
                host: None,
                pool: None,
                secret: "one",
            },
            &act(),
        )
        .await
        .unwrap();
    b.add_tenant_secret(&tenant, "two", &act()).await.unwrap();
    let srv = b.add_server(server("http://s/"), &act()).await.unwrap();
    let mut changes = a.changes().await.unwrap().expect("PostgreSQL notifies");

    b.remove_tenant_secret(&tenant, "one", &act())
        .await
        .unwrap();
    assert_eq!(heard(&mut changes).await, Change::Tenant);
    b.set_server_state(srv.id, ServerState::Cordoned, &act())
        .await
        .unwrap();
    assert_eq!(heard(&mut changes).await, Change::Server);
    // A poll that changes only load and counts is not a change to routing.
    b.record_server_poll(
        srv.id,
        ServerPoll {
            health: srv.health,
            load: 10,
            meetings: 1,
            participants: 1,
            at_ms: 2_000,
        },
    )
    .await
    .unwrap();
    let record = live_meeting(&b, tenant.id, srv.id).await;
    b.end_meeting(record, 3_000).await.unwrap();
    assert_eq!(heard(&mut changes).await, Change::Meeting(record));
}

async fn live_meeting(store: &Store, tenant_id: i64, server_id: i64) -> i64 {
    let claim = store
        .claim_meeting(
            store::NewMeeting {
                tenant_id,
                meeting_id: "m",
                backend_id: "m~acme",
                server_id,
                now_ms: 2_000,
                rooms_since_ms: 0,
                counts: store::UsageCounts::NONE,
            },
            |_| Ok::<(), ()>(()),
        )
        .await
        .unwrap()
        .unwrap();
    match claim {
        store::Claim::New(r) => r.id,
        store::Claim::Existing(r) => r.id,
    }
}

#[tokio::test]
async fn a_listener_that_lost_its_connection_says_so_and_listens_again() {
    let pg = TempPostgres::start();
    let Some((a, b, url)) = two_instances(&pg).await else {
        return;
    };
    let mut changes = a.changes().await.unwrap().expect("PostgreSQL notifies");
    // The database ends the listener's session, as a restart or a dropped
    // connection would.
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    )
    .execute(&admin)
    .await
    .unwrap();
    assert_eq!(heard(&mut changes).await, Change::Missed);
    b.add_server(server("http://s/"), &act()).await.unwrap();
    let mut next = heard(&mut changes).await;
    if next == Change::Missed {
        // Listening again on a new connection is said too.
        next = heard(&mut changes).await;
    }
    assert_eq!(next, Change::Server);
}

#[tokio::test]
async fn a_single_sqlite_instance_listens_to_no_one() {
    let dir = TempDir::new("changes");
    let store = Store::open(&dir.sqlite_url()).await.unwrap();
    assert!(store.changes().await.unwrap().is_none());
}
