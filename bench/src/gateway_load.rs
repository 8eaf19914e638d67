//! Requests per second, latency and CPU time of `join`, `getMeetingInfo`,
//! `isMeetingRunning` and `create` through the gateway, next to the same
//! calls sent straight to one simulated server. Loopback only; bounded in
//! time and count.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bbb::client::Backend;
use bbb::{Algorithm, Params};
use runtime::app::{App, Polling};
use runtime::config::Config;
use store::{Health, NewServer, NewTenant, Store};

const SECRET: &str = "bench-server-secret";
const TENANT_SECRET: &str = "bench-tenant-secret";
const MAX_REQUESTS: u64 = 200_000;

#[derive(Clone, Copy)]
enum Kind {
    Join,
    Info,
    Running,
    Create,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Join => "join",
            Kind::Info => "getMeetingInfo",
            Kind::Running => "isMeetingRunning",
            Kind::Create => "create",
        }
    }
}

struct Stats {
    requests: u64,
    elapsed: Duration,
    /// CPU time of the whole process (client, gateway, simulator) over the run.
    cpu: Duration,
    latencies_us: Vec<u64>,
}

impl Stats {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_ms_per_request(&self) -> f64 {
        self.cpu.as_secs_f64() * 1000.0 / self.requests.max(1) as f64
    }

    fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// Builds the URL of request `n`: each create gets a fresh meeting ID.
fn url(endpoint: &Backend, kind: Kind, meeting: &str, n: u64) -> String {
    let mut p = Params::new();
    match kind {
        Kind::Join => {
            p.push("meetingID", meeting);
            p.push("fullName", format!("User {n}"));
            p.push("userID", format!("u{}", n % 50));
        }
        Kind::Info | Kind::Running => p.push("meetingID", meeting),
        Kind::Create => {
            p.push("meetingID", format!("bench-{n}"));
            p.push("name", "Bench");
        }
    }
    endpoint.signed_url(kind.name(), &p)
}

async fn drive(
    endpoint: Backend,
    kind: Kind,
    meeting: &str,
    seconds: u64,
    concurrency: usize,
) -> Stats {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("HTTP client");
    let counter = Arc::new(AtomicU64::new(0));
    let cpu_before = bench::machine::cpu_time();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| {
        let (http, endpoint, counter, meeting) = (
            http.clone(),
            endpoint.clone(),
            counter.clone(),
            meeting.to_string(),
        );
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                if n >= MAX_REQUESTS || Instant::now() >= deadline {
                    return latencies;
                }
                let u = url(&endpoint, kind, &meeting, n);
                let t = Instant::now();
                match http.get(u).send().await {
                    Ok(res) => {
                        let ok = res.status().is_success() || res.status().is_redirection();
                        let _ = res.bytes().await;
                        if ok {
                            latencies.push(t.elapsed().as_micros() as u64);
                        }
                    }
                    Err(e) => eprintln!("request failed: {e}"),
                }
            }
        })
    });
    let mut latencies_us: Vec<u64> = futures::future::join_all(workers)
        .await
        .into_iter()
        .flat_map(|r| r.unwrap_or_default())
        .collect();
    latencies_us.sort_unstable();
    Stats {
        requests: latencies_us.len() as u64,
        elapsed: started.elapsed(),
        cpu: bench::machine::cpu_time().saturating_sub(cpu_before),
        latencies_us,
    }
}

fn report(kind: Kind, via: &str, s: &Stats) {
    println!(
        "{:<16} {:<8} {:>9.0} req/s  {:>5.3} ms CPU/req  p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  ({} requests)",
        kind.name(),
        via,
        s.rps(),
        s.cpu_ms_per_request(),
        s.pct(0.5),
        s.pct(0.9),
        s.pct(0.99),
        s.pct(1.0),
        s.requests
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .clamp(1, 60);
    let concurrency: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(32)
        .clamp(1, 256);

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
        let gw = drive(
            via_gateway.clone(),
            kind,
            "bench-room",
            seconds,
            concurrency,
        )
        .await;
        let dr = drive(
            direct.clone(),
            kind,
            "bench-room~bench",
            seconds,
            concurrency,
        )
        .await;
        report(kind, "gateway", &gw);
        report(kind, "direct", &dr);
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
