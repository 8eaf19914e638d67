//! Plenary beside bbblb (0.0.18, installed by this benchmark into a
//! virtual environment from the Python package registry), both in front of
//! the same simulated servers: requests per second, latency, CPU time per
//! request and peak memory of each gateway for `join`, `getMeetingInfo`,
//! `isMeetingRunning`, `getMeetings` and `create`, and how evenly a burst
//! of simultaneous creates is spread over the servers.
//!
//! Each gateway runs in a process of its own (Plenary is this binary
//! again), so its CPU time and memory are its own; the simulated servers
//! and the load generator share this one. bbblb reaches BBB over HTTPS
//! only, so the servers answer it on their TLS listeners, with a
//! certificate made at start that its client is told to trust; Plenary
//! talks to the same servers over plain HTTP, as it does on loopback.
//!
//! `cargo run --release -p bench --bin beside-bbblb -- [SECONDS_PER_CALL] [CONCURRENCY]`

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bbb::client::Backend;
use bbb::{Algorithm, Params};
use bench::load::{Kind, MAX_REQUESTS, Stats, drive};
use runtime::app::{App, Polling};
use runtime::config::Config;
use store::{Health, NewServer, NewTenant, Store};

const SERVERS: usize = 20;
const BURST: usize = 200;
const SECRET: &str = "bench-server-secret";
const TENANT_SECRET: &str = "bench-tenant-secret";
const BBBLB: &str = "bbblb[server]==0.0.18";
/// SQLAlchemy 2.1, which bbblb 0.0.18 accepts, no longer brings greenlet,
/// and bbblb's asyncio engine cannot start without it.
const GREENLET: &str = "greenlet";
const CHILD: &str = "PLENARY_BENCH_GATEWAY";

/// The child: Plenary on the database it is given, until its standard
/// input closes.
async fn serve_plenary(database_url: String) -> anyhow::Result<()> {
    let config = Config {
        database_url,
        listen: "127.0.0.1:0".parse()?,
        ..Config::default()
    };
    let app = App::start_with(&config, fleet::system_clock(), Polling::Background).await?;
    println!("url {}", app.url());
    std::io::stdout().flush()?;
    tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().count()).await?;
    app.shutdown().await;
    Ok(())
}

/// A gateway in its own process, stopped when dropped.
struct Gateway {
    name: &'static str,
    child: Child,
    api: Backend,
}

impl Gateway {
    /// The gateway's processes: the one started and its children (bbblb's
    /// workers).
    fn pids(&self) -> Vec<u32> {
        let root = self.child.id();
        let mut pids = vec![root];
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let parent = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|s| {
                        s.rsplit_once(')')?
                            .1
                            .split_whitespace()
                            .nth(1)?
                            .parse()
                            .ok()
                    });
                if parent == Some(root) {
                    pids.push(pid);
                }
            }
        }
        pids
    }

    fn cpu(&self) -> Duration {
        self.pids()
            .into_iter()
            .map(bench::machine::cpu_time_of)
            .sum()
    }

    fn peak_mib(&self) -> u64 {
        self.pids()
            .into_iter()
            .map(bench::machine::peak_rss_kib_of)
            .sum::<u64>()
            / 1024
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        // bbblb's server does not read its standard input; it is told to stop.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

async fn start_plenary(dir: &testkit::TempDir, sim: &sim::SimFleet) -> anyhow::Result<Gateway> {
    let url = dir.sqlite_url();
    let store = Store::open(&url).await?;
    let act = store::Act::new("system:bench", 0);
    for server in &sim.servers {
        store
            .add_server(
                NewServer {
                    url: &server.url(),
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
    store
        .create_tenant(
            NewTenant {
                name: "bench",
                host: None,
                pool: None,
                secret: TENANT_SECRET,
            },
            &act,
        )
        .await?;
    store.close().await;
    let mut child = Command::new(std::env::current_exe()?)
        .env(CHILD, &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let Some(base) = line.trim().strip_prefix("url ") else {
        bail!("Plenary did not start: {line}");
    };
    let api = Backend::new(
        &format!("{base}/t/bench/bigbluebutton/api"),
        TENANT_SECRET,
        Algorithm::Sha256,
    )?;
    Ok(Gateway {
        name: "Plenary",
        child,
        api,
    })
}

/// A Python of at least 3.13 (bbblb's floor): `BBBLB_PYTHON`, one on the
/// path, or one that pyenv installed.
fn python() -> anyhow::Result<PathBuf> {
    let recent = |p: &Path| {
        Command::new(p)
            .args(["-c", "import sys; sys.exit(sys.version_info < (3, 13))"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut candidates: Vec<PathBuf> = std::env::var_os("BBBLB_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain(["python3.14", "python3.13", "python3"].map(PathBuf::from))
        .collect();
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")));
    if let Some(Ok(versions)) = pyenv.map(|p| std::fs::read_dir(p.join("versions"))) {
        let mut found: Vec<PathBuf> = versions
            .flatten()
            .map(|v| v.path().join("bin/python3"))
            .collect();
        found.sort();
        candidates.extend(found.into_iter().rev());
    }
    candidates
        .into_iter()
        .find(|p| recent(p))
        .context("bbblb needs Python 3.13 or later; set BBBLB_PYTHON to one")
}

/// `target/bbblb/venv` with bbblb installed, made once.
fn venv() -> anyhow::Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bbblb/venv");
    let marker = dir.join(".installed-bbblb-0.0.18-greenlet");
    if marker.exists() {
        return Ok(dir);
    }
    let python = python()?;
    println!(
        "installing {BBBLB} with {} into {}",
        python.display(),
        dir.display()
    );
    let ok = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&dir)
        .status()?
        .success()
        && Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", BBBLB, GREENLET])
            .status()?
            .success();
    anyhow::ensure!(ok, "cannot install {BBBLB}");
    std::fs::write(&marker, "")?;
    Ok(dir)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn start_bbblb(dir: &Path, sim: &sim::SimFleet) -> anyhow::Result<Gateway> {
    let venv = venv()?;
    let certificate = dir.join("servers.pem");
    std::fs::write(
        &certificate,
        sim.certificate_pem.as_deref().context("TLS listeners")?,
    )?;
    let port = free_port()?;
    let realm = format!("127.0.0.1:{port}");
    let env = [
        ("BBBLB_DOMAIN", "127.0.0.1".to_string()),
        ("BBBLB_SECRET", "bench-bbblb-signing-secret".into()),
        (
            "BBBLB_DB",
            format!("sqlite:///{}", dir.join("bbblb.db").display()),
        ),
        ("BBBLB_PATH_DATA", dir.join("bbblb").display().to_string()),
        ("BBBLB_POLL_INTERVAL", "10".into()),
        ("BBBLB_POLL_RECOVER", "1".into()),
        ("SSL_CERT_FILE", certificate.display().to_string()),
    ];
    std::fs::create_dir_all(dir.join("bbblb"))?;
    let servers: serde_json::Map<String, serde_json::Value> = sim
        .servers
        .iter()
        .map(|s| {
            let addr = s.tls_addr().expect("TLS listener");
            (
                addr.to_string(),
                serde_json::json!({"secret": SECRET, "enabled": true}),
            )
        })
        .collect();
    let state = serde_json::json!({
        "v": 1,
        "servers": servers,
        "tenants": {"bench": {
            "secret": TENANT_SECRET, "realm": realm, "enabled": true,
            "overrides": {"create": {}, "join": {}}
        }},
    });
    let state_file = dir.join("bbblb-state.json");
    std::fs::write(&state_file, serde_json::to_string(&state)?)?;
    let cli = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new(venv.join("bin/bbblb"))
            .args(args)
            .envs(env.iter().cloned())
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "bbblb {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    };
    cli(&["db", "migrate"])?;
    cli(&["state", "import", &state_file.display().to_string()])?;
    let domains: Vec<String> = servers.keys().cloned().collect();
    let mut enable = vec!["server", "enable", "--now"];
    enable.extend(domains.iter().map(String::as_str));
    cli(&enable)?;
    let child = Command::new(venv.join("bin/uvicorn"))
        .args(["bbblb.asgi:app", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .args([
            // One worker, bbblb's standalone mode: with two on SQLite its
            // writes fail with "database is locked".
            "--workers",
            "1",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ])
        .envs(env.iter().cloned())
        .stdin(Stdio::piped())
        .spawn()?;
    let api = Backend::new(
        &format!("http://{realm}/bigbluebutton/api"),
        TENANT_SECRET,
        Algorithm::Sha256,
    )?;
    Ok(Gateway {
        name: "bbblb",
        child,
        api,
    })
}

/// Creates `meeting` through the gateway, retrying while it starts and
/// learns its servers.
async fn create_when_ready(gateway: &Gateway, meeting: &str) -> anyhow::Result<()> {
    let client = bbb::client::Client::new(Duration::from_secs(2), Duration::from_secs(10));
    let mut p = Params::new();
    p.push("meetingID", meeting);
    p.push("name", "Bench");
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        match client.call(&gateway.api, "create", &p, None).await {
            Ok(doc) if doc.child_text("returncode").as_deref() == Some("SUCCESS") => return Ok(()),
            answer if Instant::now() > until => {
                bail!("{} never created a meeting: {answer:?}", gateway.name)
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

fn meetings_per_server(sim: &sim::SimFleet) -> Vec<usize> {
    sim.servers
        .iter()
        .map(|s| {
            let snapshot = s.snapshot();
            let meetings = &snapshot["meetings"];
            meetings
                .as_array()
                .map(Vec::len)
                .or_else(|| meetings.as_object().map(|m| m.len()))
                .unwrap_or(0)
        })
        .collect()
}

/// `BURST` simultaneous creates through the gateway; the most meetings it
/// put on one server over the mean.
async fn burst(gateway: &Gateway, sim: &sim::SimFleet) -> anyhow::Result<(f64, usize)> {
    let before = meetings_per_server(sim);
    let http = bench::load::http(BURST);
    let calls = (0..BURST).map(|i| {
        let mut p = Params::new();
        p.push("meetingID", format!("burst-{i}"));
        p.push("name", "Burst");
        http.get(gateway.api.signed_url("create", &p)).send()
    });
    let failed = futures::future::join_all(calls)
        .await
        .into_iter()
        .filter(|r| r.as_ref().map_or(true, |r| !r.status().is_success()))
        .count();
    let added: Vec<usize> = meetings_per_server(sim)
        .iter()
        .zip(&before)
        .map(|(a, b)| a - b)
        .collect();
    let total: usize = added.iter().sum();
    let max = added.iter().copied().max().unwrap_or(0);
    let mean = total as f64 / added.len().max(1) as f64;
    Ok((
        max as f64 / mean.max(1e-9),
        failed + BURST.saturating_sub(total),
    ))
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Ok(url) = std::env::var(CHILD) {
        return runtime.block_on(serve_plenary(url));
    }
    runtime.block_on(compare())
}

async fn compare() -> anyhow::Result<()> {
    let (seconds, concurrency) = bench::load::run_length();
    let sim = sim::start(
        sim::SimConfig {
            servers: SERVERS,
            secret: SECRET.into(),
            tick: Duration::ZERO,
            tls: true,
            ..sim::SimConfig::default()
        },
        Arc::new(sim::SystemClock),
    )
    .await?;
    let dir = testkit::TempDir::new("beside-bbblb");
    let machine = bench::machine::describe();
    let plenary = start_plenary(&dir, &sim).await?;
    let bbblb = start_bbblb(dir.path(), &sim).await?;
    create_when_ready(&plenary, "bench-room").await?;
    create_when_ready(&bbblb, "bench-room").await?;
    println!(
        "beside-bbblb: {SERVERS} simulated servers, {seconds} s per call, {concurrency} concurrent clients, \
         at most {MAX_REQUESTS} requests per run, loopback only\n  {machine}\n"
    );

    // Placement first, on servers that hold one meeting of each gateway.
    let (plenary_even, plenary_lost) = burst(&plenary, &sim).await?;
    let (bbblb_even, bbblb_lost) = burst(&bbblb, &sim).await?;
    println!(
        "burst of {BURST} creates on {SERVERS} servers, max/mean meetings a server: Plenary {plenary_even:.2} ({plenary_lost} not placed), bbblb {bbblb_even:.2} ({bbblb_lost} not placed)\n"
    );

    let mut table = String::from(
        "| call | Plenary req/s | bbblb req/s | ratio | p50 Plenary | p50 bbblb | p99 Plenary | p99 bbblb | CPU ms/req Plenary | CPU ms/req bbblb |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut first = 0;
    let mut failures = Vec::new();
    // getMeetings before create, so both answer for the same meetings.
    for kind in [
        Kind::Join,
        Kind::Info,
        Kind::Running,
        Kind::Meetings,
        Kind::Create,
    ] {
        let mut runs: Vec<Stats> = Vec::new();
        for gateway in [&plenary, &bbblb] {
            let cpu = || gateway.cpu();
            let stats = drive(
                &gateway.api,
                kind,
                "bench-room",
                (first, seconds, concurrency),
                &cpu,
            )
            .await;
            first += MAX_REQUESTS;
            println!("{}", stats.line(kind, gateway.name));
            runs.push(stats);
        }
        let (p, b) = (&runs[0], &runs[1]);
        // A gateway that answered nothing has no ratio to speak of.
        let ratio = if b.requests == 0 {
            "bbblb answered none".to_string()
        } else {
            format!("{:.1}×", p.rps() / b.rps())
        };
        println!("{:<16} Plenary/bbblb throughput: {ratio}\n", kind.name());
        table.push_str(&format!(
            "| {} | {:.0} | {:.0} | {ratio} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.3} | {:.3} |\n",
            kind.name(),
            p.rps(),
            b.rps(),
            p.pct(0.5),
            b.pct(0.5),
            p.pct(0.99),
            b.pct(0.99),
            p.cpu_ms_per_request(),
            b.cpu_ms_per_request(),
        ));
        if p.failed + b.failed > 0 {
            let failed = format!(
                "{}: failed or unanswered, Plenary {}, bbblb {}",
                kind.name(),
                p.failed,
                b.failed
            );
            println!("  {failed}");
            failures.push(failed);
        }
    }
    let (plenary_mib, bbblb_mib) = (plenary.peak_mib(), bbblb.peak_mib());
    println!("peak memory: Plenary {plenary_mib} MiB, bbblb {bbblb_mib} MiB (all its processes)");
    let body = format!(
        "## beside-bbblb\n\n`cargo run --release -p bench --bin beside-bbblb -- {seconds} {concurrency}`, {machine}. \
         {SERVERS} simulated servers; each gateway in its own process (bbblb: uvicorn, one worker, SQLite), \
         its CPU time and peak memory its own; bbblb reaches the servers over HTTPS, Plenary over HTTP.\n\n{table}\n\
         | burst of {BURST} creates | Plenary | bbblb |\n|---|---|---|\n\
         | max/mean meetings a server | {plenary_even:.2} | {bbblb_even:.2} |\n\
         | not placed | {plenary_lost} | {bbblb_lost} |\n\
         | peak memory | {plenary_mib} MiB | {bbblb_mib} MiB |\n\n{}\n",
        failures.join("; ")
    );
    let path = bench::results::record("beside-bbblb", &body)?;
    println!("written to {}", path.display());
    drop(plenary);
    drop(bbblb);
    sim.shutdown().await;
    Ok(())
}
