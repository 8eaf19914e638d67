//! Requests per second, latency and CPU time of `join`, `getMeetingInfo`,
//! `isMeetingRunning` and `create` through the gateway, next to the same
//! calls sent straight to one simulated server. Loopback only; bounded in
//! time and count.

use std::sync::Arc;
use std::time::Duration;

use bbb::client::Backend;
use bbb::{Algorithm, Params};
use bench::load::{Kind, MAX_REQUESTS, drive};
use runtime::app::{App, Polling};
use runtime::config::Config;
use store::{Health, NewServer, NewTenant, Store};

const SECRET: &str = "bench-server-secret";
const TENANT_SECRET: &str = "bench-tenant-secret";
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (seconds, concurrency) = bench::load::run_length();

    let fleet = sim::start(
        sim::SimConfig {
            servers: 1,
            base_port: 0,
            secret: SECRET.into(),
            ..sim::SimConfig::default()
        },
        Arc::new(sim::SystemClock),
    )
    .await?;
    let dir = testkit::TempDir::new("bench");
    let config = Config {
        database_url: dir.sqlite_url(),
        listen: "127.0.0.1:0".parse()?,
        ..Config::default()
    };
    let store = Store::open(&config.database_url).await?;
    store
        .add_server(
            NewServer {
                url: &fleet.servers[0].url(),
                secret: SECRET,
                algorithm: bbb::Algorithm::Sha256,
                weight: 1,
                pool: None,
                capacity: 1_000_000,
                health: Health::Unstable,
            },
            &store::Act::new("system:bench", 0),
        )
        .await?;
    store
        .create_tenant(
            NewTenant {
                name: "bench",
                host: None,
                pool: None,
                secret: TENANT_SECRET,
            },
            &store::Act::new("system:bench", 0),
        )
        .await?;
    store.close().await;
    let app = App::start_with(&config, fleet::system_clock(), Polling::Manual).await?;
    app.fleet.poll_once().await?;

    let via_gateway = Backend::new(
        &format!("{}/t/bench/bigbluebutton/api", app.url()),
        TENANT_SECRET,
        Algorithm::Sha1,
    )?;
    let direct = Backend::new(&fleet.servers[0].url(), SECRET, Algorithm::Sha1)?;
    // One meeting for join and getMeetingInfo, created through the gateway;
    // straight at the server it is known by its namespaced ID.
    let client = bbb::client::Client::new(Duration::from_secs(2), Duration::from_secs(10));
    let mut p = Params::new();
    p.push("meetingID", "bench-room");
    client.call(&via_gateway, "create", &p, None).await?;

    let machine = bench::machine::describe();
    println!(
        "gateway-load: {seconds} s per run, {concurrency} concurrent clients, at most {MAX_REQUESTS} requests per run, loopback only\n  {machine}\n"
    );
    let mut table = String::from(
        "| call | gateway req/s | direct req/s | CPU ms/req gateway | CPU ms/req direct | p50 gateway | p50 direct | p99 gateway | p99 direct |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for kind in [Kind::Join, Kind::Info, Kind::Running, Kind::Create] {
        let cpu = &bench::machine::cpu_time;
        let gw = drive(
            &via_gateway,
            kind,
            "bench-room",
            (0, seconds, concurrency),
            cpu,
        )
        .await;
        let dr = drive(
            &direct,
            kind,
            "bench-room~bench",
            (MAX_REQUESTS, seconds, concurrency),
            cpu,
        )
        .await;
        println!("{}", gw.line(kind, "gateway"));
        println!("{}", dr.line(kind, "direct"));
        println!(
            "{:<15} gateway/direct: throughput {:.2}×, p50 latency {:.2}×\n",
            kind.name(),
            gw.rps() / dr.rps().max(1e-9),
            gw.pct(0.5) / dr.pct(0.5).max(1e-9),
        );
        table.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.3} | {:.3} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
            kind.name(),
            gw.rps(),
            dr.rps(),
            gw.cpu_ms_per_request(),
            dr.cpu_ms_per_request(),
            gw.pct(0.5),
            dr.pct(0.5),
            gw.pct(0.99),
            dr.pct(0.99),
        ));
    }
    let body = format!(
        "## gateway-load\n\n`cargo run --release -p bench --bin gateway-load -- {seconds} {concurrency}`, {machine}. \
         CPU is the whole process's (load generator, gateway and simulator share it), per answered request.\n\n{table}"
    );
    let path = bench::results::record("gateway-load", &body)?;
    println!("written to {}", path.display());
    app.shutdown().await;
    fleet.shutdown().await;
    Ok(())
}
