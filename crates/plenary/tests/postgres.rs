//! The same gateway on PostgreSQL, the database of several instances behind
//! a load balancer: a real server started by the test itself.

use crate::common;

use common::{Env, Setup, key, succeeded, text};
use testkit::TempPostgres;

#[tokio::test]
async fn the_gateway_runs_on_postgresql() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let env = Env::with(Setup {
        database_url: Some(pg.fresh_database_url()),
        ..Setup::default()
    })
    .await;
    let (acme, globex) = (env.acme(), env.globex());
    assert!(succeeded(&acme.create("board").await));
    assert_eq!(key(&acme.create("board").await), "duplicateWarning");
    assert!(succeeded(&globex.create("board").await));
    acme.join("board", "Ada").await;
    assert_eq!(
        text(
            &acme.call("getMeetingInfo", &[("meetingID", "board")]).await,
            "participantCount"
        ),
        "1"
    );
    assert_eq!(
        key(&globex.call("end", &[("meetingID", "nope")]).await),
        "notFound"
    );
    env.poll().await;
    let tenant = env.app.store.tenant("acme").await.unwrap();
    assert!(
        !env.app
            .store
            .samples_of_tenant(tenant.id, 0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    env.app
        .store
        .set_tenant_tier("acme", Some("free"), &common::act())
        .await
        .unwrap();
    assert_eq!(key(&acme.create("second").await), "meetingLimitReached");
    assert_eq!(
        key(&acme.call("end", &[("meetingID", "board")]).await),
        "sentEndMeetingRequest"
    );
    env.shutdown().await;
}

/// Two Plenary instances on one fresh database of `pg`: the harness's, and
/// a second one polling by hand.
async fn two_instances(pg: &TempPostgres) -> (Env, plenary::app::App) {
    let url = pg.fresh_database_url();
    let env = Env::with(Setup {
        database_url: Some(url.clone()),
        ..Setup::default()
    })
    .await;
    (env, another_instance(url).await)
}

/// A second Plenary instance on the same database, polling by hand.
async fn another_instance(database_url: String) -> plenary::app::App {
    let config = plenary::config::Config {
        database_url,
        listen: "127.0.0.1:0".parse().unwrap(),
        tenant_cache_secs: 0.0,
        ..plenary::config::Config::default()
    };
    plenary::app::App::start_with(
        &config,
        fleet::system_clock(),
        plenary::app::Polling::Manual,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn two_instances_share_one_database_and_only_the_leader_polls() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let (env, second) = two_instances(&pg).await;
    let lead = env.app.store.try_lead_polling().await.unwrap();
    assert!(lead.is_some(), "the first instance leads");
    assert!(
        second.store.try_lead_polling().await.unwrap().is_none(),
        "the second follows"
    );
    // The follower never polled: it learns the servers' health from the leader.
    second.fleet.follow().await.unwrap();
    assert!(
        second
            .fleet
            .routes()
            .iter()
            .all(|r| r.health == store::Health::Up)
    );
    let via_second = env.front_end(
        &format!("{}/t/acme/bigbluebutton/api", second.url()),
        "acme-secret-1",
        bbb::Algorithm::Sha256,
    );
    assert!(succeeded(&via_second.create("shared").await));
    // Either instance answers for the same meeting.
    assert_eq!(key(&env.acme().create("shared").await), "duplicateWarning");
    assert_eq!(
        text(
            &env.acme()
                .call("getMeetingInfo", &[("meetingID", "shared")])
                .await,
            "meetingID"
        ),
        "shared"
    );
    drop(lead);
    second.shutdown().await;
    env.shutdown().await;
}

#[tokio::test]
async fn a_burst_through_two_instances_starts_no_more_meetings_than_the_tier_allows() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let (env, second) = two_instances(&pg).await;
    second.fleet.follow().await.unwrap();
    env.app
        .store
        .set_tenant_tier("acme", Some("free"), &common::act())
        .await
        .unwrap();
    let via_second = env.front_end(
        &format!("{}/t/acme/bigbluebutton/api", second.url()),
        "acme-secret-1",
        bbb::Algorithm::Sha256,
    );
    let front_ends = [env.acme(), via_second];
    let creates = (0..20).map(|i| {
        let fe = front_ends[i % 2].clone();
        async move { succeeded(&fe.create(&format!("burst-{i}")).await) }
    });
    let created = futures::future::join_all(creates)
        .await
        .into_iter()
        .filter(|ok| *ok)
        .count();
    assert_eq!(created, 1, "the free tier allows one meeting");
    second.shutdown().await;
    env.shutdown().await;
}
