//! The operators' fleet dashboard with 50 servers and 2,000 live meetings:
//! how long Plenary takes to answer `/portal/operator` (the store's reads of
//! the servers and the last poll round, the bandwidth model, the template)
//! and its live figures `/portal/operator/fleet.json`, one request at a time
//! over loopback, as a signed-in operator. Prints p50, p90, p99 and max,
//! and rewrites its section of RESULTS.md.
//!
//! `cargo run --release -p bench --bin portal-render -- [REQUESTS] [SERVERS] [MEETINGS]`

use std::time::{Duration, Instant};

use runtime::app::{App, Polling};
use runtime::config::Config;
use store::{Act, Health, LoginOwner, NewServer, NewTenant, ServerPoll, Store, UsageSample};

const TENANTS: usize = 40;
const TARGET: Duration = Duration::from_millis(50);
const WARM_UP: usize = 20;
/// The round's samples are this old when the pages read them.
const ROUND_AGE_MS: i64 = 5_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = bench::args::Positional::from_env();
    let mut arg = |name: &str, default: usize| args.next(name, default);
    let requests = arg("REQUESTS", 500)?;
    let servers = arg("SERVERS", 50)?;
    let meetings = arg("MEETINGS", 2_000)?;

    let dir = testkit::TempDir::new("portal-render");
    let config = Config {
        database_url: dir.sqlite_url(),
        listen: "127.0.0.1:0".parse()?,
        ..Config::default()
    };
    let store = Store::open(&config.database_url).await?;
    let now = jiff::Timestamp::now().as_millisecond();
    let cookie = fleet(&store, servers, meetings, now).await?;
    store.close().await;
    let clock: fleet::Clock = fleet::system_clock();
    let app = App::start_with(&config, clock, Polling::Manual).await?;

    let machine = bench::machine::describe();
    println!(
        "portal-render: {servers} servers, {meetings} live meetings, {requests} requests a page, one at a time\n  {machine}"
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut table = String::from("| page | p50 | p90 | p99 | max |\n|---|---|---|---|---|\n");
    for path in ["/portal/operator", "/portal/operator/fleet.json"] {
        let url = format!("{}{path}", app.url());
        let mut times = Vec::with_capacity(requests);
        for i in 0..WARM_UP + requests {
            let t = Instant::now();
            let res = http
                .get(&url)
                .header("cookie", format!("plenary_session={cookie}"))
                .send()
                .await?;
            anyhow::ensure!(
                res.status().is_success(),
                "{path} answered {}",
                res.status()
            );
            let body = res.bytes().await?;
            if i >= WARM_UP {
                times.push(t.elapsed());
            }
            anyhow::ensure!(!body.is_empty(), "{path} answered nothing");
        }
        let latencies = bench::latency::Latencies::new(times);
        println!("{path:<30} {}", latencies.line());
        table.push_str(&format!("| `{path}` | {} |\n", latencies.cells()));
    }
    let load_after = format!("load average {}", bench::machine::load_average());
    let body = format!(
        "## portal-render\n\n`cargo run --release -p bench --bin portal-render -- {requests} {servers} {meetings}`, {machine}; \
         {load_after} at the end. Each request is one page over loopback, \
         as a signed-in operator. Target: p99 under {} ms.\n\n{table}",
        TARGET.as_millis()
    );
    let path = bench::results::record("portal-render", &body)?;
    println!("written to {}", path.display());
    app.shutdown().await;
    Ok(())
}

/// Servers, tenants, one poll round of `meetings` meetings spread over
/// them, and a signed-in operator; answers the session's cookie.
async fn fleet(store: &Store, servers: usize, meetings: usize, now: i64) -> anyhow::Result<String> {
    let act = Act::new("operator:bench", now);
    let mut server_ids = Vec::new();
    for i in 0..servers {
        let url = format!("https://bbb{i}.bench.example/bigbluebutton/api");
        let s = store
            .add_server(
                NewServer {
                    url: &url,
                    secret: "bench-secret",
                    algorithm: bbb::Algorithm::Sha256,
                    weight: 1,
                    pool: (i % 5 == 0).then_some("dedicated"),
                    capacity: 500,
                    health: Health::Up,
                },
                &act,
            )
            .await?;
        server_ids.push(s.id);
    }
    let mut tenant_ids = Vec::new();
    for i in 0..TENANTS {
        let name = format!("tenant-{i}");
        let secret = format!("bench-tenant-secret-{i}");
        let t = store
            .create_tenant(
                NewTenant {
                    name: &name,
                    host: None,
                    pool: None,
                    secret: &secret,
                },
                &act,
            )
            .await?;
        tenant_ids.push(t.id);
    }
    let round = now - ROUND_AGE_MS;
    let samples: Vec<UsageSample> = (0..meetings)
        .map(|m| {
            let participants = 2 + (m % 23) as i64;
            UsageSample {
                at_ms: round,
                meeting_ref: None,
                tenant_id: tenant_ids[m % tenant_ids.len()],
                server_id: server_ids[m % server_ids.len()],
                backend_id: format!("meeting-{m}"),
                origin: None,
                participants,
                moderators: 1,
                mic: participants / 3,
                listen_only: participants - participants / 3,
                webcams: (m % 6) as i64,
                breakout: false,
            }
        })
        .collect();
    store.insert_samples(&samples).await?;
    for (i, id) in server_ids.iter().enumerate() {
        let own = samples.iter().filter(|s| s.server_id == *id);
        store
            .record_server_poll(
                *id,
                ServerPoll {
                    health: Health::Up,
                    load: 0,
                    meetings: own.clone().count() as i64,
                    participants: own.map(|s| s.participants).sum(),
                    at_ms: round + i as i64,
                },
            )
            .await?;
    }
    let login = store
        .set_login(
            "ops@bench.example",
            &LoginOwner::Operator("bench".into()),
            "not a password hash: the bench signs in by its session",
            &act,
        )
        .await?;
    let cookie = store::new_token();
    let day = Duration::from_secs(86_400).as_millis() as i64;
    store
        .create_session(&cookie, login.id, "bench-csrf", true, (now, now + day))
        .await?;
    Ok(cookie)
}
