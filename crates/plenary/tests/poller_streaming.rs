//! A poll round records each server's answer as it arrives: a slow server
//! does not hold back what the fast ones said.

use crate::common;

use std::time::Duration;

use common::Env;
use sim::Faults;

#[tokio::test]
async fn a_fast_servers_answer_is_recorded_while_a_slow_server_is_still_polled() {
    let env = Env::start().await;
    let routes = env.app.fleet.routes();
    let (slow, fast) = (routes[0].server_id, routes[1].server_id);
    env.sim.servers[0].set_faults(Faults {
        latency_ms: 3_000,
        ..Faults::default()
    });
    let store = &env.app.store;
    let polled_at = |id| async move { store.server(id).await.unwrap().polled_at };
    let before = polled_at(fast).await;
    let watch = async {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        (polled_at(fast).await, polled_at(slow).await)
    };
    let (report, (fast_mid_round, slow_mid_round)) = tokio::join!(env.poll(), watch);
    assert_eq!(report.polled, 2, "{report:?}");
    assert_ne!(
        fast_mid_round, before,
        "the fast answer is already recorded"
    );
    assert!(
        polled_at(slow).await > slow_mid_round,
        "the slow answer is recorded when it arrives"
    );
    env.shutdown().await;
}
