//! The server-side render time of an organisation's usage page for a month
//! of samples (the month-rollup benchmark's data set, rolled up as the
//! poller does): the tenant's history by day and by month, its
//! organisation's fair use, the charts and the template, as the portal serves them to the
//! organisation's admin. Prints p50, p90, p99 and the worst of many
//! renders, and rewrites its section of RESULTS.md; the target is a p99
//! under 50 ms.
//!
//! `cargo run --release -p bench --bin usage-page-render -- [RENDERS] [TENANTS] [SERVERS]`

use std::time::{Duration, Instant};

use bench::latency::Latencies;
use bench::month_data::{DAY_MS, DAYS, MONTH, MONTH_START, insert_month, register, settings};
use billing::Billing;
use billing::meter::Metering;
use consortium::{Actor, Consortium};
use store::{Act, Store};

const TARGET: Duration = Duration::from_millis(50);
const ORG: &str = "org000";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = bench::args::Positional::from_env();
    let mut arg = |name: &str, default: usize| args.next(name, default);
    let renders = arg("RENDERS", 200)?;
    let tenants = arg("TENANTS", 200)?;
    let servers = arg("SERVERS", 20)?;
    let dir = testkit::TempDir::new("usage-page-render");
    let store = Store::open(&dir.sqlite_url()).await?;
    let (tenant_ids, server_ids) = register(&store, tenants, servers).await?;
    let rows = insert_month(&store, &tenant_ids, &server_ids).await?;
    let settings = settings()?;
    let end = MONTH_START + (DAYS + 1) * DAY_MS;
    Metering::for_settings(store.clone(), &settings)
        .roll_up(end, i64::MAX)
        .await?;
    let act = Act::new("system:bench", 0);
    let admin = store
        .add_person("admin", "Admin", "admin@bench.example", &act)
        .await?;
    store
        .set_representative(ORG, "admin", "admin", &act)
        .await?;
    let actor = Actor::person(admin.clone(), &store.roles_of(admin.id).await?);
    let consortium = Consortium::new(
        store.clone(),
        consortium::Settings {
            name: "Bench co-op".into(),
            public_url: "https://plenary.bench.example".into(),
            forum: false,
            mail: false,
        },
        None,
    );
    let billing = Billing::new(store.clone(), settings);
    let machine = bench::machine::describe();
    println!(
        "usage-page-render: {ORG}'s page for {MONTH} ({} months charted), {tenants} tenants, {servers} servers, {rows} samples\n  {machine}",
        web::portal::organisation::MONTHS,
    );
    let render = || {
        web::portal::organisation::usage_html(
            &consortium,
            &billing,
            &actor,
            ORG,
            Some(MONTH),
            None,
            end,
        )
    };
    let page = render()
        .await
        .map_err(|p| anyhow::anyhow!("{}", p.detail))?;
    anyhow::ensure!(page.contains("<svg"), "the page has its charts");
    let mut times = Vec::with_capacity(renders);
    for _ in 0..renders {
        let t = Instant::now();
        render()
            .await
            .map_err(|p| anyhow::anyhow!("{}", p.detail))?;
        times.push(t.elapsed());
    }
    let latencies = Latencies::new(times);
    let met = if latencies.ms(0.99) < TARGET.as_secs_f64() * 1000.0 {
        "met"
    } else {
        "NOT met"
    };
    println!(
        "  {renders} renders of {} KiB: {} (target p99 < {} ms: {met})",
        page.len() / 1024,
        latencies.line(),
        TARGET.as_millis(),
    );
    let load_after = format!("load average {}", bench::machine::load_average());
    let body = format!(
        "## usage-page-render\n\n`cargo run --release -p bench --bin usage-page-render -- {renders} {tenants} {servers}`, {machine}; \
         {load_after} at the end. {ORG}'s page for {MONTH} from {rows} samples, \
         rolled up; each render is the page's reads, charts and template, as its admin. Target: p99 under {} ms ({met}).\n\n\
         | page | p50 | p90 | p99 | max |\n|---|---|---|---|---|\n| usage of {ORG}, {MONTH} | {} |\n",
        TARGET.as_millis(),
        latencies.cells()
    );
    let path = bench::results::record("usage-page-render", &body)?;
    println!("written to {}", path.display());
    store.close().await;
    Ok(())
}
