//! Keeps this instance's caches in step with what other instances (and
//! the command line) commit to a shared PostgreSQL database: a changed
//! tenant empties the tenant cache, a changed server re-reads the fleet's
//! configuration, an ended or moved meeting leaves the live view; a lost
//! listener connection drops all of them, since anything may have changed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fleet::Fleet;
use gateway::Gateway;
use store::{Change, Changes, Store};

/// How long to wait before listening again after failing to.
const RETRY: Duration = Duration::from_secs(1);

pub(crate) async fn follow(
    mut changes: Changes,
    store: Store,
    fleet: Arc<Fleet>,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let change = tokio::select! {
            _ = &mut shutdown => return,
            change = changes.next() => change,
        };
        match change {
            Ok(Change::Tenant) => gateway.forget_tenants(),
            Ok(Change::Server) => refresh(&fleet).await,
            Ok(Change::Meeting(id)) => store.live_view().forget(id),
            Ok(Change::Missed) => {
                tracing::warn!("change notices may have been missed; dropping every cache");
                gateway.forget_tenants();
                store.live_view().forget_all();
                refresh(&fleet).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for changes; trying again");
                tokio::select! {
                    _ = &mut shutdown => return,
                    _ = tokio::time::sleep(RETRY) => {}
                }
            }
        }
    }
}

async fn refresh(fleet: &Fleet) {
    if let Err(e) = fleet.refresh().await {
        tracing::error!(error = %e, "cannot re-read the servers after a change");
    }
}
