//! A month of 30-second poll samples for many tenants and servers, rolled
//! up into hours, then the month's usage report, fair use and statement
//! read from the rollups. Prints wall time, rows per second and peak RSS of
//! each phase, and the rollup's read rate against a plain scan.
//!
//! `cargo run --release -p bench --bin month-rollup -- [TENANTS] [SERVERS]`

use std::time::Instant;

use bench::month_data::{
    DAY_MS, DAYS, MONTH, MONTH_START, POLL_MS, insert_month, register, settings,
};
use billing::fair_use::verdicts;
use billing::meter::Metering;
use billing::statements::{BillQuery, Measure, Rule};
use metering::money::Cents;
use metering::usage::{Dim, Window};
use store::Store;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = bench::args::Positional::from_env();
    let tenants: usize = args.next("TENANTS", 200)?;
    let servers: usize = args.next("SERVERS", 20)?;
    let dir = testkit::TempDir::new("month-rollup");
    let url = dir.sqlite_url();
    let store = Store::open(&url).await?;
    let (tenant_ids, server_ids) = register(&store, tenants, servers).await?;

    let machine = bench::machine::describe();
    println!(
        "month-rollup: {tenants} tenants, {servers} servers, {DAYS} days of {POLL_MS} ms polls\n  {machine}"
    );
    let mut table =
        String::from("| phase | wall time | rows | rows/s | peak RSS |\n|---|---|---|---|---|\n");
    bench::machine::reset_peak();
    let t = Instant::now();
    let rows = insert_month(&store, &tenant_ids, &server_ids).await?;
    table += &phase("generate + insert (one transaction a day)", t, rows);

    let t = Instant::now();
    let counted = scan(&url, "SELECT COUNT(*) FROM usage_samples").await?;
    anyhow::ensure!(counted == 1, "one count");
    table += &phase("SELECT COUNT(*) FROM usage_samples", t, rows);
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
    table += &phase("read every sample (SELECT all columns)", t, rows);

    let settings = settings()?;
    let metering = Metering::for_settings(store.clone(), &settings);
    bench::machine::reset_peak();
    let t = Instant::now();
    let done = metering
        .roll_up(MONTH_START + (DAYS + 1) * DAY_MS, i64::MAX)
        .await?;
    let rollup_secs = t.elapsed().as_secs_f64();
    table += &phase("roll up the month (hour by hour)", t, rows);
    let ratio = format!(
        "{} hours, {} rollup rows; the rollup takes {:.2}× the time of reading every sample once (target: at most 1.5×)",
        done.hours,
        done.rows,
        rollup_secs / scan_secs
    );
    println!("    {ratio}");

    let month = Window {
        from_ms: MONTH_START,
        to_ms: MONTH_START + DAYS * DAY_MS,
    };
    bench::machine::reset_peak();
    let t = Instant::now();
    let usage = metering.usage(Dim::Tenant, month).await?;
    table += &phase("usage report per tenant (from rollups)", t, usage.len());

    let period = billing::period::month(Some(MONTH), &settings.zone, 0)?;
    let t = Instant::now();
    let fair = verdicts(&metering, &store, &settings, &period, None, month.to_ms).await?;
    table += &phase("fair use of every tenant (hourly rollups)", t, fair.len());

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
    table += &phase("bill statement (guifi rule, from rollups)", t, shares);
    let minutes: u128 = usage.values().map(|u| u.participant_minutes()).sum();
    println!("    {minutes} participant-minutes in the month, split among {shares} organisations");
    store.close().await;
    let body = format!(
        "## month-rollup\n\n`cargo run --release -p bench --bin month-rollup -- {tenants} {servers}`, {machine}.\n\n{table}\n{ratio}.\n"
    );
    let path = bench::results::record("month-rollup", &body)?;
    println!("written to {}", path.display());
    Ok(())
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

/// Prints one phase and returns its row of the table.
fn phase(what: &str, started: Instant, rows: usize) -> String {
    let secs = started.elapsed().as_secs_f64();
    let (rate, peak) = (
        rows as f64 / secs.max(1e-9),
        bench::machine::peak_rss_kib() / 1024,
    );
    println!(
        "  {what:<44} {secs:>8.3} s  {rows:>9} rows  {rate:>11.0} rows/s  peak RSS {peak} MiB"
    );
    format!("| {what} | {secs:.3} s | {rows} | {rate:.0} | {peak} MiB |\n")
}
