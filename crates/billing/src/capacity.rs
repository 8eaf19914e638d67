//! Utilisation, headroom and oversubscription per pool over a month.

use std::collections::{BTreeMap, HashMap};

use metering::capacity::PoolCapacity;
use metering::period::Period;
use metering::usage::Dim;
use serde::Serialize;
use store::{ServerState, Store};
use utoipa::ToSchema;

use crate::meter::{Metering, SHARED_POOL};
use crate::{BillingError, Settings};

/// One pool's capacity against its peak and the seats sold in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = PoolCapacity)]
pub struct PoolLine {
    pub pool: String,
    pub servers: u64,
    pub capacity: u64,
    pub peak: u64,
    pub utilisation_percent: u64,
    pub headroom: i64,
    pub sold: u64,
    pub oversubscription_percent: u64,
    pub unlimited_tenants: u64,
}

/// Each pool's capacity over a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CapacityReport {
    pub period: String,
    pub pools: Vec<PoolLine>,
}

/// Every pool's servers (those not disabled), peak participants in `period`
/// and the concurrent seats its tenants' tiers sell.
pub async fn report(
    store: &Store,
    settings: &Settings,
    period: &Period,
) -> Result<CapacityReport, BillingError> {
    let tiers: HashMap<i64, i64> = store
        .tiers()
        .await?
        .into_iter()
        .map(|t| (t.id, t.concurrent_participants))
        .collect();
    let mut pools: BTreeMap<String, PoolCapacity> = BTreeMap::new();
    for s in store.servers().await? {
        if s.state != ServerState::Disabled {
            let p = pools.entry(pool_key(s.pool)).or_default();
            p.servers += 1;
            p.capacity += s.capacity.max(0) as u64;
        }
    }
    for t in store.tenants().await? {
        let p = pools.entry(pool_key(t.pool)).or_default();
        match t.tier_id.and_then(|id| tiers.get(&id)) {
            Some(seats) if *seats > 0 => p.sold += *seats as u64,
            _ => p.unlimited_tenants += 1,
        }
    }
    let metered = Metering::for_settings(store.clone(), settings)
        .usage(Dim::Pool, period.window)
        .await?;
    for (pool, used) in metered {
        pools.entry(pool).or_default().peak = used.peak_participants;
    }
    Ok(CapacityReport {
        period: period.label.clone(),
        pools: pools
            .into_iter()
            .map(|(pool, c)| PoolLine {
                pool,
                servers: c.servers,
                capacity: c.capacity,
                peak: c.peak,
                utilisation_percent: c.utilisation_percent(),
                headroom: c.headroom(),
                sold: c.sold,
                oversubscription_percent: c.oversubscription_percent(),
                unlimited_tenants: c.unlimited_tenants,
            })
            .collect(),
    })
}

fn pool_key(pool: Option<String>) -> String {
    pool.unwrap_or_else(|| SHARED_POOL.into())
}
