//! `plenary capacity`: utilisation, headroom and oversubscription per pool.

use std::collections::{BTreeMap, HashMap};

use metering::capacity::PoolCapacity;
use metering::usage::Dim;
use serde_json::json;
use store::{ServerState, Store};

use super::{print_json, table};
use crate::config::Config;
use crate::usage::{Metering, SHARED_POOL};

pub async fn run(
    store: &Store,
    config: &Config,
    period: Option<String>,
    json_output: bool,
) -> anyhow::Result<()> {
    let period = super::usage::period(config, period.as_deref())?;
    let label = &period.label;
    let servers = store.servers().await?;
    let tenants = store.tenants().await?;
    let tiers: HashMap<i64, i64> = store
        .tiers()
        .await?
        .into_iter()
        .map(|t| (t.id, t.concurrent_participants))
        .collect();
    let mut pools: BTreeMap<String, PoolCapacity> = BTreeMap::new();
    for s in servers.iter().filter(|s| s.state != ServerState::Disabled) {
        let p = pools.entry(pool_key(&s.pool)).or_default();
        p.servers += 1;
        p.capacity += s.capacity.max(0) as u64;
    }
    for t in &tenants {
        let p = pools.entry(pool_key(&t.pool)).or_default();
        match t.tier_id.and_then(|id| tiers.get(&id)) {
            Some(seats) if *seats > 0 => p.sold += *seats as u64,
            _ => p.unlimited_tenants += 1,
        }
    }
    let metered = Metering::for_config(store.clone(), config)
        .usage(Dim::Pool, period.window)
        .await?;
    for (pool, used) in metered {
        pools.entry(pool).or_default().peak = used.peak_participants;
    }
    if json_output {
        print_json(&json!({
            "period": label,
            "pools": pools.iter().map(|(p, c)| json!({
                "pool": p,
                "servers": c.servers,
                "capacity": c.capacity,
                "peak": c.peak,
                "utilisation_percent": c.utilisation_percent(),
                "headroom": c.headroom(),
                "sold": c.sold,
                "oversubscription_percent": c.oversubscription_percent(),
                "unlimited_tenants": c.unlimited_tenants,
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    println!(
        "Capacity in {label} ({}): peak participants against the servers' capacity and the seats sold.",
        config.time_zone
    );
    let rows: Vec<Vec<String>> = pools
        .iter()
        .map(|(p, c)| {
            vec![
                p.clone(),
                c.servers.to_string(),
                c.capacity.to_string(),
                c.peak.to_string(),
                format!("{}%", c.utilisation_percent()),
                c.headroom().to_string(),
                c.sold.to_string(),
                format!("{:.2}×", c.oversubscription_percent() as f64 / 100.0),
                c.unlimited_tenants.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "POOL",
                "SERVERS",
                "CAPACITY",
                "PEAK",
                "UTILISATION",
                "HEADROOM",
                "SOLD",
                "SOLD/PEAK",
                "UNLIMITED TENANTS"
            ],
            &rows
        )
    );
    Ok(())
}

fn pool_key(pool: &Option<String>) -> String {
    pool.clone().unwrap_or_else(|| SHARED_POOL.into())
}
