//! The load generator the gateway benchmarks share: one BBB call, signed
//! for one endpoint, sent by many concurrent clients for a bounded time and
//! count, with each answer's latency and the CPU time the measured
//! processes spent meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bbb::Params;
use bbb::client::Backend;

/// No run sends more, whatever its time.
pub const MAX_REQUESTS: u64 = 200_000;

/// Seconds per call (1 to 60, default 5) and concurrent clients (1 to 256,
/// default 32) from the command line, as the gateway benchmarks take them.
pub fn run_length() -> (u64, usize) {
    let mut args = std::env::args().skip(1);
    let seconds = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .clamp(1, 60);
    let concurrency = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(32)
        .clamp(1, 256);
    (seconds, concurrency)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Join,
    Info,
    Running,
    Create,
    Meetings,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Join => "join",
            Kind::Info => "getMeetingInfo",
            Kind::Running => "isMeetingRunning",
            Kind::Create => "create",
            Kind::Meetings => "getMeetings",
        }
    }
}

pub struct Stats {
    pub requests: u64,
    /// Answers that were not a success or a redirect, or no answer at all.
    pub failed: u64,
    pub elapsed: Duration,
    /// CPU time of the measured processes over the run.
    pub cpu: Duration,
    latencies_us: Vec<u64>,
}

impl Stats {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn cpu_ms_per_request(&self) -> f64 {
        self.cpu.as_secs_f64() * 1000.0 / self.requests.max(1) as f64
    }

    /// The latency at quantile `p` (0.5 is the median), in milliseconds.
    pub fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }

    pub fn line(&self, kind: Kind, via: &str) -> String {
        format!(
            "{:<16} {:<8} {:>9.0} req/s  {:>6.3} ms CPU/req  p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  ({} requests, {} failed)",
            kind.name(),
            via,
            self.rps(),
            self.cpu_ms_per_request(),
            self.pct(0.5),
            self.pct(0.9),
            self.pct(0.99),
            self.pct(1.0),
            self.requests,
            self.failed
        )
    }
}

/// The URL of request `n`: each create gets a fresh meeting ID.
pub fn url(endpoint: &Backend, kind: Kind, meeting: &str, n: u64) -> String {
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
        Kind::Meetings => {}
    }
    endpoint.signed_url(kind.name(), &p)
}

/// An HTTP client that keeps `concurrency` connections and follows no
/// redirect (a join's answer is one).
pub fn http(concurrency: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("HTTP client")
}

/// Sends `kind` for `seconds` (at most [`MAX_REQUESTS`]) from `concurrency`
/// clients; request `n` is `first + n`, so creates of several runs never
/// share a meeting ID. `cpu` reads the CPU time of what is measured.
pub async fn drive(
    endpoint: &Backend,
    kind: Kind,
    meeting: &str,
    (first, seconds, concurrency): (u64, u64, usize),
    cpu: &dyn Fn() -> Duration,
) -> Stats {
    let http = http(concurrency);
    let counter = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| {
        let (http, endpoint, counter, failed, meeting) = (
            http.clone(),
            endpoint.clone(),
            counter.clone(),
            failed.clone(),
            meeting.to_string(),
        );
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                if n >= MAX_REQUESTS || Instant::now() >= deadline {
                    return latencies;
                }
                let u = url(&endpoint, kind, &meeting, first + n);
                let t = Instant::now();
                let ok = match http.get(u).send().await {
                    Ok(res) => {
                        let ok = res.status().is_success() || res.status().is_redirection();
                        let body = res.bytes().await.unwrap_or_default();
                        ok && !body.windows(7).any(|w| w == b"FAILED<")
                    }
                    Err(_) => false,
                };
                if ok {
                    latencies.push(t.elapsed().as_micros() as u64);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    });
    let mut latencies_us: Vec<u64> = futures::future::join_all(workers)
        .await
        .into_iter()
        .flat_map(|r| r.unwrap_or_default())
        .collect();
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Stats {
        requests: latencies_us.len() as u64,
        failed: failed.load(Ordering::Relaxed),
        elapsed,
        cpu: cpu().saturating_sub(cpu_before),
        latencies_us,
    }
}
