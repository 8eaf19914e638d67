//! A month of 30-second poll samples for many tenants and servers, rolled
//! up into hours, then the month's usage report, fair use and statement
//! read from the rollups. Prints wall time, rows per second and peak RSS of
//! each phase, and the rollup's read rate against a plain scan.
//!
//! `cargo run --release -p bench --bin month-rollup -- [TENANTS] [SERVERS]`

use std::time::Instant;

use anyhow::Context;
use billing::Settings;
use billing::fair_use::verdicts;
use billing::meter::Metering;
use billing::statements::{BillQuery, Measure, Rule};
use metering::money::{Cents, Currency};
use metering::usage::{Dim, Window};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use store::{Act, Health, NewServer, NewTenant, Store, UsageSample};

const POLL_MS: i64 = 30_000;
const MIN_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MIN_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
/// 2026-11-01T00:00:00Z, a Sunday; November has 21 working days.
const MONTH_START: i64 = 1_793_491_200_000;
const DAYS: i64 = 30;
const TIERS: [&str; 4] = ["level1", "level2", "level3", "multi"];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tenants: usize = args
        .next()
        .map_or(Ok(200), |a| a.parse())
        .context("TENANTS")?;
    let servers: usize = args
        .next()
        .map_or(Ok(20), |a| a.parse())
        .context("SERVERS")?;
    let dir = testkit::TempDir::new("month-rollup");
    let url = dir.sqlite_url();
    let store = Store::open(&url).await?;
    let (tenant_ids, server_ids) = register(&store, tenants, servers).await?;

    println!(
        "month-rollup: {tenants} tenants, {servers} servers, {DAYS} days of {POLL_MS} ms polls\n  {}",
        bench::machine::describe()
    );
    bench::machine::reset_peak();
    let t = Instant::now();
    let mut rng = StdRng::seed_from_u64(4);
    let mut rows = 0usize;
    for day in 0..DAYS {
        let samples = day_of_samples(&mut rng, day, &tenant_ids, &server_ids);
        rows += samples.len();
        store.insert_samples(&samples).await?;
    }
    phase("generate + insert (one transaction a day)", t, rows);

    let t = Instant::now();
    let counted = scan(&url, "SELECT COUNT(*) FROM usage_samples").await?;
    anyhow::ensure!(counted == 1, "one count");
    phase("SELECT COUNT(*) FROM usage_samples", t, rows);
    // The floor of any pass over the samples through the same driver: every
    // column of every row read, as the rollup reads them.
    let t = Instant::now();
    let read = scan(
        &url,
        "SELECT at, meeting_ref, tenant_id, server_id, backend_id, origin, participants, \
         moderators, mic, listen_only, webcams, breakout FROM usage_samples",
    )
    .await?;
    let scan_secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(read == rows, "every row read");
    phase("read every sample (SELECT all columns)", t, rows);

    let settings = Settings {
        time_zone: "UTC".into(),
        zone: jiff::tz::TimeZone::UTC,
        currency: Currency::parse("EUR")?,
        poll_interval_ms: POLL_MS,
        fair_use_burst_hours: 4,
        fair_use_p95_mbps: 100,
    };
    let metering = Metering::for_settings(store.clone(), &settings);
    bench::machine::reset_peak();
    let t = Instant::now();
    let done = metering
        .roll_up(MONTH_START + (DAYS + 1) * DAY_MS, i64::MAX)
        .await?;
    let rollup_secs = t.elapsed().as_secs_f64();
    phase("roll up the month (hour by hour)", t, rows);
    println!(
        "    {} hours, {} rollup rows; {:.2}× the time of reading every sample once",
        done.hours,
        done.rows,
        rollup_secs / scan_secs
    );

    let month = Window {
        from_ms: MONTH_START,
        to_ms: MONTH_START + DAYS * DAY_MS,
    };
    bench::machine::reset_peak();
    let t = Instant::now();
    let usage = metering.usage(Dim::Tenant, month).await?;
    phase("usage report per tenant (from rollups)", t, usage.len());

    let period = billing::period::month(Some("2026-11"), &settings.zone, 0)?;
    let t = Instant::now();
    let fair = verdicts(&metering, &store, &settings, &period, month.to_ms).await?;
    phase("fair use of every tenant (hourly rollups)", t, fair.len());

    let t = Instant::now();
    let statement = billing::statements::compute(
        &store,
        &settings,
        &BillQuery {
            period,
            rule: Rule::Guifi,
            base_fee: Cents(1000),
            measure: Measure::ParticipantMinutes,
        },
    )
    .await?;
    let shares = statement.shares.len();
    phase("bill statement (guifi rule, from rollups)", t, shares);
    let minutes: u128 = usage.values().map(|u| u.participant_minutes()).sum();
    println!("    {minutes} participant-minutes in the month, split among {shares} organisations");
    store.close().await;
    Ok(())
}

/// 200 tenants in 50 organisations of four each, on the seeded tiers.
async fn register(
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
                    algorithm: "sha256",
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

/// Streams the rows `sql` answers without keeping them; returns how many.
async fn scan(url: &str, sql: &'static str) -> anyhow::Result<usize> {
    use futures::TryStreamExt;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let n = sqlx::query(sql)
        .fetch(&pool)
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await?;
    pool.close().await;
    Ok(n)
}

fn phase(what: &str, started: Instant, rows: usize) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  {what:<44} {secs:>8.3} s  {rows:>9} rows  {:>11.0} rows/s  peak RSS {} MiB",
        rows as f64 / secs.max(1e-9),
        bench::machine::peak_rss_kib() / 1024
    );
}
