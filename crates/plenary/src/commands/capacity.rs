//! `plenary capacity`: utilisation, headroom and oversubscription per pool.

use std::collections::{BTreeMap, HashMap};

use metering::capacity::{PoolCapacity, peaks};
use serde_json::json;
use store::{ServerState, Store};

use super::usage::month;
use super::{print_json, table};

pub async fn run(store: &Store, period: Option<String>, json_output: bool) -> anyhow::Result<()> {
    let (label, from, to) = month(period.as_deref())?;
    let servers = store.servers().await?;
    let tenants = store.tenants().await?;
    let tiers: HashMap<i64, i64> = store
        .tiers()
        .await?
        .into_iter()
        .map(|t| (t.id, t.concurrent_participants))
        .collect();
    let pool_of_server: HashMap<i64, String> = servers
        .iter()
        .map(|s| (s.id, s.pool.clone().unwrap_or_default()))
        .collect();
    let mut pools: BTreeMap<String, PoolCapacity> = BTreeMap::new();
    for s in servers.iter().filter(|s| s.state != ServerState::Disabled) {
        let p = pools.entry(s.pool.clone().unwrap_or_default()).or_default();
        p.servers += 1;
        p.capacity += s.capacity.max(0) as u64;
    }
    for t in &tenants {
        let p = pools.entry(t.pool.clone().unwrap_or_default()).or_default();
        match t.tier_id.and_then(|id| tiers.get(&id)) {
            Some(seats) if *seats > 0 => p.sold += *seats as u64,
            _ => p.unlimited_tenants += 1,
        }
    }
    let samples = store.samples_between(from, to).await?;
    let peak = peaks(samples.iter().map(|s| {
        let pool = pool_of_server.get(&s.server_id).map_or("", String::as_str);
        (pool, s.at_ms, s.participants.max(0) as u64)
    }));
    for (pool, people) in peak {
        pools.entry(pool).or_default().peak = people;
    }
    let name = |p: &str| {
        if p.is_empty() {
            "(shared)".to_string()
        } else {
            p.to_string()
        }
    };
    if json_output {
        print_json(&json!({
            "period": label,
            "pools": pools.iter().map(|(p, c)| json!({
                "pool": name(p),
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
        "Capacity in {label} (UTC): peak participants against the servers' capacity and the seats sold."
    );
    let rows: Vec<Vec<String>> = pools
        .iter()
        .map(|(p, c)| {
            vec![
                name(p),
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
