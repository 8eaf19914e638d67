//! The same gateway on PostgreSQL, the database of several instances behind
//! a load balancer: a real server started by the test itself.

mod common;

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
        .set_tenant_tier("acme", Some("free"))
        .await
        .unwrap();
    assert_eq!(key(&acme.create("second").await), "meetingLimitReached");
    assert_eq!(
        key(&acme.call("end", &[("meetingID", "board")]).await),
        "sentEndMeetingRequest"
    );
    env.shutdown().await;
}
