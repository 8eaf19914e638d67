//! A month of metering for many tenants and servers: the data set the
//! month-rollup and usage-page benchmarks share.

use billing::Settings;
use metering::money::Currency;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use store::{Act, Health, NewServer, NewTenant, Store, UsageSample};

pub const POLL_MS: i64 = 30_000;
const MIN_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MIN_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// 2026-11-01T00:00:00Z, a Sunday; November has 21 working days.
pub const MONTH_START: i64 = 1_793_491_200_000;
/// The month the data set fills.
pub const MONTH: &str = "2026-11";
pub const DAYS: i64 = 30;
const TIERS: [&str; 4] = ["level1", "level2", "level3", "multi"];

/// The co-op's settings the data set is read with: UTC, euros.
pub fn settings() -> anyhow::Result<Settings> {
    Ok(Settings {
        time_zone: "UTC".into(),
        zone: jiff::tz::TimeZone::UTC,
        currency: Currency::parse("EUR")?,
        poll_interval_ms: POLL_MS,
        fair_use_burst_hours: 4,
        fair_use_p95_mbps: 100,
    })
}

/// Fills the month with samples, one transaction a day, from a fixed seed;
/// answers how many.
pub async fn insert_month(
    store: &Store,
    tenant_ids: &[i64],
    server_ids: &[i64],
) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(4);
    let mut rows = 0usize;
    for day in 0..DAYS {
        let samples = day_of_samples(&mut rng, day, tenant_ids, server_ids);
        rows += samples.len();
        store.insert_samples(&samples).await?;
    }
    Ok(rows)
}

/// 200 tenants in 50 organisations of four each, on the seeded tiers.
pub async fn register(
    store: &Store,
    tenants: usize,
    servers: usize,
) -> anyhow::Result<(Vec<i64>, Vec<i64>)> {
    let act = Act::new("system:bench", 0);
    let mut server_ids = Vec::new();
    for i in 0..servers {
        let s = store
            .add_server(
                NewServer {
                    url: &format!("https://bbb{i}.example.org/bigbluebutton/"),
                    secret: "s",
                    algorithm: bbb::Algorithm::Sha256,
                    weight: 1,
                    pool: None,
                    capacity: 200,
                    health: Health::Up,
                },
                &act,
            )
            .await?;
        store.set_server_cost(s.id, 12_000, None, &act).await?;
        server_ids.push(s.id);
    }
    let mut tenant_ids = Vec::new();
    for i in 0..tenants {
        let org = format!("org{:03}", i / 4);
        if i % 4 == 0 {
            store.add_organisation(&org, &org, &act).await?;
        }
        let name = format!("t{i:03}");
        let t = store
            .create_tenant(
                NewTenant {
                    name: &name,
                    host: None,
                    pool: None,
                    secret: "secret",
                },
                &act,
            )
            .await?;
        store
            .set_tenant_organisation(&name, Some(&org), &act)
            .await?;
        store
            .set_tenant_tier(&name, Some(TIERS[i % TIERS.len()]), &act)
            .await?;
        tenant_ids.push(t.id);
    }
    Ok((tenant_ids, server_ids))
}

/// One day's samples: on working days each tenant holds 0–5 meetings that
/// start between 08:00 and 17:00 and last 15 minutes to 3 hours, with people
/// coming and going, microphones and a few webcams.
fn day_of_samples(
    rng: &mut StdRng,
    day: i64,
    tenants: &[i64],
    servers: &[i64],
) -> Vec<UsageSample> {
    let mut samples = Vec::new();
    // 1 November 2026 is a Sunday.
    if matches!(day % 7, 0 | 6) {
        return samples;
    }
    for (t, tenant_id) in tenants.iter().enumerate() {
        for m in 0..rng.random_range(0..=5) {
            let start = MONTH_START + day * DAY_MS + rng.random_range(8 * 60..17 * 60) * MIN_MS;
            let polls = rng.random_range(15 * 2..180 * 2);
            let server_id = servers[rng.random_range(0..servers.len())];
            let size: i64 = rng.random_range(2..40);
            let start = start / POLL_MS * POLL_MS;
            for p in 0..polls {
                let people = (size + rng.random_range(-2..=2)).max(1);
                let mic = rng.random_range(1..=people.min(4));
                samples.push(UsageSample {
                    at_ms: start + p * POLL_MS,
                    meeting_ref: None,
                    tenant_id: *tenant_id,
                    server_id,
                    backend_id: format!("room{t}-{day}-{m}~t{t:03}"),
                    origin: Some("greenlight".into()),
                    participants: people,
                    moderators: 1,
                    mic,
                    listen_only: people - mic,
                    webcams: rng.random_range(0..=people.min(6)),
                    breakout: false,
                });
            }
        }
    }
    samples
}
