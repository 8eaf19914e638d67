//! One poll round over a thousand simulated servers holding 20,000 and
//! 100,000 meetings: how long a round takes (fetching every server's
//! `getMeetings` and recording every answer) and how much memory the
//! polling process holds, against the targets of 2 s and 500 MB at 100,000
//! meetings.
//!
//! The simulated servers run in a child process (this binary again), so
//! the memory measured is the poller's own: its fleet, its view of live
//! meetings, its metrics and its database connections.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bbb::Params;
use sim::UserSpec;
use sqlx::AssertSqlSafe;
use store::{Health, NewServer, NewTenant, Store};

const SECRET: &str = "bench-server-secret";
const CHILD: &str = "PLENARY_BENCH_SIM";
const TENANTS: usize = 200;
const PEOPLE_PER_MEETING: usize = 5;
const ROUNDS: usize = 3;

/// Meeting `j` of server `i`, of tenant `j % TENANTS`: the tenant's ID and
/// the backend's (namespaced) meeting ID.
fn meeting(i: usize, j: usize) -> (String, String, usize) {
    let tenant = (i * 7 + j) % TENANTS;
    let id = format!("room-{i}-{j}");
    let backend = format!("{id}~t{tenant}");
    (id, backend, tenant)
}

/// The child: the simulated servers, filled, until its standard input closes.
async fn serve_sim(servers: usize, per_server: usize) -> anyhow::Result<()> {
    let fleet = sim::start(
        sim::SimConfig {
            servers,
            secret: SECRET.into(),
            tick: Duration::ZERO,
            ..sim::SimConfig::default()
        },
        Arc::new(sim::SystemClock),
    )
    .await?;
    let mut out = std::io::stdout().lock();
    for (i, server) in fleet.servers.iter().enumerate() {
        for j in 0..per_server {
            let (_, backend, _) = meeting(i, j);
            let mut p = Params::new();
            p.push("meetingID", backend.clone());
            p.push("name", "Bench");
            let internal = server
                .create(&p)
                .map_err(|e| anyhow::anyhow!("create: {e:?}"))?;
            for k in 0..PEOPLE_PER_MEETING {
                let spec = UserSpec {
                    full_name: Some(format!("Person {k}")),
                    mic: Some(k % 2 == 0),
                    webcams: Some(u32::from(k == 0)),
                    ..UserSpec::default()
                };
                server.add_user(&backend, &spec);
            }
            writeln!(out, "meeting {i} {j} {internal}")?;
        }
        writeln!(out, "server {}", server.url())?;
    }
    writeln!(out, "ready")?;
    out.flush()?;
    drop(out);
    // Serve until the parent closes our standard input.
    tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().count()).await?;
    fleet.shutdown().await;
    Ok(())
}

struct SimChild {
    child: Child,
    urls: Vec<String>,
    /// (server, meeting, BBB's internal ID), so the records start as a
    /// running gateway's would: confirmed.
    internal: Vec<(usize, usize, String)>,
}

fn spawn_sim(servers: usize, per_server: usize) -> anyhow::Result<SimChild> {
    let mut child = Command::new(std::env::current_exe()?)
        .env(CHILD, format!("{servers}:{per_server}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let (mut urls, mut internal) = (Vec::new(), Vec::new());
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let mut words = line.split(' ');
        match words.next() {
            Some("server") => urls.push(words.next().unwrap_or_default().to_string()),
            Some("meeting") => {
                let i = words.next().unwrap_or_default().parse()?;
                let j = words.next().unwrap_or_default().parse()?;
                internal.push((i, j, words.next().unwrap_or_default().to_string()));
            }
            Some("ready") => break,
            _ => anyhow::bail!("unexpected line from the simulator: {line}"),
        }
    }
    anyhow::ensure!(urls.len() == servers, "the simulator did not start");
    Ok(SimChild {
        child,
        urls,
        internal,
    })
}

/// Servers, tenants and one live record per simulated meeting, written as
/// a gateway that created them would have.
async fn seed(url: &str, sim: &SimChild) -> anyhow::Result<()> {
    let store = Store::open(url).await?;
    let act = store::Act::new("system:bench", 0);
    for u in &sim.urls {
        store
            .add_server(
                NewServer {
                    url: u,
                    secret: SECRET,
                    algorithm: bbb::Algorithm::Sha256,
                    weight: 1,
                    pool: None,
                    capacity: 1_000_000,
                    health: Health::Up,
                },
                &act,
            )
            .await?;
    }
    let mut tenant_ids = Vec::new();
    for t in 0..TENANTS {
        let name = format!("t{t}");
        let tenant = store
            .create_tenant(
                NewTenant {
                    name: &name,
                    host: None,
                    pool: None,
                    secret: "bench-tenant-secret",
                },
                &act,
            )
            .await?;
        tenant_ids.push(tenant.id);
    }
    let server_ids: Vec<i64> = store.servers().await?.iter().map(|s| s.id).collect();
    store.close().await;

    let pool = sqlx::AnyPool::connect(url).await?;
    let created_at = fleet::system_clock()() - 3_600_000;
    let mut tx = pool.begin().await?;
    const ROWS: usize = 16;
    for chunk in sim.internal.chunks(ROWS) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let b = r * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO meetings (tenant_id, meeting_id, backend_id, server_id, internal_id, created_at) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (i, j, internal) in chunk {
            let (id, backend, tenant) = meeting(*i, *j);
            q = q
                .bind(tenant_ids[tenant])
                .bind(id)
                .bind(backend)
                .bind(server_ids[*i])
                .bind(internal.clone())
                .bind(created_at);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    pool.close().await;
    Ok(())
}

struct Run {
    meetings: usize,
    /// Each round's wall time, the poller's CPU time over it, what it did,
    /// and the simulated servers' CPU time over it (they share the cores).
    rounds: Vec<(Duration, Duration, fleet::PollReport, Duration)>,
    rss_before_mib: u64,
    peak_mib: u64,
    scrape: Duration,
    scrape_bytes: usize,
}

async fn measure(
    servers: usize,
    per_server: usize,
    metrics: &metrics_exporter_prometheus::PrometheusHandle,
) -> anyhow::Result<Run> {
    let mut sim = spawn_sim(servers, per_server)?;
    let dir = testkit::TempDir::new("bench-poller");
    let url = dir.sqlite_url();
    seed(&url, &sim).await?;

    let store = Store::open(&url).await?;
    store.keep_live_meetings().await?;
    let client = bbb::client::Client::new(Duration::from_secs(2), Duration::from_secs(10));
    let config = fleet::FleetConfig {
        poll_interval: Duration::from_secs(10),
        ..fleet::FleetConfig::default()
    };
    let fleet = fleet::Fleet::new(store.clone(), client, config, fleet::system_clock()).await?;
    let rss_before_mib = bench::machine::rss_kib() / 1024;
    bench::machine::reset_peak();
    let mut rounds = Vec::new();
    let sim_pid = sim.child.id();
    for _ in 0..ROUNDS {
        let (t, cpu) = (Instant::now(), bench::machine::cpu_time());
        let sim_cpu = bench::machine::cpu_time_of(sim_pid);
        let report = fleet.poll_once().await?;
        let cpu = bench::machine::cpu_time().saturating_sub(cpu);
        let sim_cpu = bench::machine::cpu_time_of(sim_pid).saturating_sub(sim_cpu);
        rounds.push((t.elapsed(), cpu, report, sim_cpu));
    }
    let t = Instant::now();
    let scrape_bytes = metrics.render().len();
    let scrape = t.elapsed();
    let peak_mib = bench::machine::peak_rss_kib() / 1024;
    drop(fleet);
    store.close().await;
    drop(sim.child.stdin.take());
    sim.child.wait()?;
    Ok(Run {
        meetings: servers * per_server,
        rounds,
        rss_before_mib,
        peak_mib,
        scrape,
        scrape_bytes,
    })
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Ok(spec) = std::env::var(CHILD) {
        let (servers, per_server) = spec
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("bad {CHILD}"))?;
        return runtime.block_on(serve_sim(servers.parse()?, per_server.parse()?));
    }
    let mut args = std::env::args().skip(1);
    let servers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let totals: Vec<usize> = match args.next() {
        Some(list) => list.split(',').filter_map(|n| n.parse().ok()).collect(),
        None => vec![20_000, 100_000],
    };
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
    let machine = bench::machine::describe();
    println!(
        "poller-round: {servers} simulated servers (in a child process), {TENANTS} tenants, \
         {PEOPLE_PER_MEETING} people a meeting, {ROUNDS} rounds each, SQLite\n  {machine}\n"
    );
    let mut table = String::from(
        "| meetings | round 1 (wall, poller CPU, simulator CPU) | round 2 | round 3 | polled / failed | samples a round | RSS before | peak RSS | /metrics scrape |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for total in totals {
        let run = runtime.block_on(measure(servers, total / servers.max(1), &metrics))?;
        let times: Vec<String> = run
            .rounds
            .iter()
            .map(|(t, cpu, r, sim_cpu)| {
                let over = if r.overrun { " (overrun)" } else { "" };
                format!(
                    "{:.2} s, CPU {:.2} s, sim {:.2} s{over}",
                    t.as_secs_f64(),
                    cpu.as_secs_f64(),
                    sim_cpu.as_secs_f64()
                )
            })
            .collect();
        let last = &run.rounds.last().expect("rounds").2;
        let row = format!(
            "| {} | {} | {}/{} | {} | {} MiB | {} MiB | {:.2} s, {} KiB |\n",
            run.meetings,
            times.join(" | "),
            last.polled,
            last.failed,
            last.samples,
            run.rss_before_mib,
            run.peak_mib,
            run.scrape.as_secs_f64(),
            run.scrape_bytes / 1024,
        );
        print!("{row}");
        table.push_str(&row);
    }
    let body = format!(
        "## poller-round\n\n`cargo run --release -p bench --bin poller-round -- {servers}`, {machine}.\n\n{table}"
    );
    let path = bench::results::record("poller-round", &body)?;
    println!("\nwritten to {}", path.display());
    Ok(())
}
