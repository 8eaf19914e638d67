//! The server-side render time of an organisation's usage page for a month
//! of samples (the month-rollup benchmark's data set, rolled up as the
//! poller does): the usage report per day and per month, fair use, the
//! charts and the template, as the portal serves them to the
//! organisation's admin. Prints the median, p99 and worst of many renders;
//! the target is a p99 under 50 ms.
//!
//! `cargo run --release -p bench --bin usage-page-render -- [RENDERS] [TENANTS] [SERVERS]`

use std::time::{Duration, Instant};

use anyhow::Context;
use bench::month_data::{DAY_MS, DAYS, MONTH, MONTH_START, insert_month, register, settings};
use billing::Billing;
use billing::meter::Metering;
use consortium::{Actor, Consortium};
use store::{Act, Store};

const TARGET: Duration = Duration::from_millis(50);
const ORG: &str = "org000";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut arg = |name: &str, default: usize| -> anyhow::Result<usize> {
        args.next()
            .map_or(Ok(default), |a| a.parse())
            .with_context(|| name.to_string())
    };
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
    println!(
        "usage-page-render: {ORG}'s page for {MONTH} ({} months charted), {tenants} tenants, {servers} servers, {rows} samples\n  {}",
        web::portal::organisation::MONTHS,
        bench::machine::describe()
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
    times.sort_unstable();
    let at = |p: usize| times[(p * times.len()).div_ceil(100).max(1) - 1];
    let p99 = at(99);
    println!(
        "  {renders} renders of {} KiB: median {:.1} ms, p99 {:.1} ms, worst {:.1} ms (target p99 < {} ms: {})",
        page.len() / 1024,
        ms(at(50)),
        ms(p99),
        ms(times[times.len() - 1]),
        TARGET.as_millis(),
        if p99 < TARGET { "met" } else { "NOT met" }
    );
    store.close().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
