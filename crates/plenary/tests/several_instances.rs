//! Three `plenary serve` processes on one PostgreSQL database act as one
//! gateway: a burst of creates spread over them places evenly, exactly one
//! of them polls and another takes over when it is killed, and a change
//! made anywhere (a removed secret, a disabled tenant, a cordoned server)
//! holds on every instance within a second, although each caches tenants
//! for a minute.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bbb::client::{Backend, Client};
use bbb::{Algorithm, Element, Params};
use store::{Health, NewTenant, ServerState, Store};
use testkit::{TempPostgres, free_port};

use common::{SIM_SECRET, act, succeeded};

const BIN: &str = env!("CARGO_BIN_EXE_plenary");
const SERVERS: usize = 20;
/// Long enough that no instance re-reads servers or tenants on its own
/// during a test: only the change notices can make a change hold sooner.
const SLOW_POLLS: &str = "30";
/// For watching the poller.
const FAST_POLLS: &str = "0.5";

/// A `plenary serve` process, killed when dropped.
struct Instance {
    child: Child,
    url: String,
}

impl Instance {
    fn start(database_url: &str, poll_interval_secs: &str) -> Self {
        let port = free_port();
        let child = Command::new(BIN)
            .args(["--database", database_url, "serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .env_remove("DATABASE_URL")
            .env("PLENARY_POLL_INTERVAL_SECS", poll_interval_secs)
            // A minute: only the change notices can make a change hold sooner.
            .env("PLENARY_TENANT_CACHE_SECS", "60")
            .env("PLENARY_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("plenary serve starts");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Killed at once, as a crash or `kill -9` would: nothing is handed over.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn front_end(&self, secret: &str) -> Backend {
        Backend::new(
            &format!("{}/t/acme/bigbluebutton/api", self.url),
            secret,
            Algorithm::Sha256,
        )
        .unwrap()
    }

    /// How many getMeetings this instance has sent, from its `/metrics`.
    async fn polls(&self) -> u64 {
        let Ok(res) = reqwest::get(format!("{}/metrics", self.url)).await else {
            return 0;
        };
        let metrics = res.text().await.unwrap_or_default();
        metrics
            .lines()
            .find(|l| l.starts_with("plenary_backend_latency_seconds_count{call=\"getMeetings\"}"))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Cluster {
    instances: Vec<Instance>,
    sim: sim::SimFleet,
    store: Store,
    client: Client,
    // Dropped last: the database outlives the processes using it.
    _pg: TempPostgres,
}

impl Cluster {
    /// One PostgreSQL, twenty simulated servers, the tenant `acme` with the
    /// secrets `one` and `two`, and three instances answering, polling
    /// every `poll_interval_secs`.
    async fn start(poll_interval_secs: &str) -> Option<Self> {
        let pg = TempPostgres::start()?;
        let database_url = pg.fresh_database_url();
        let sim = sim::start(
            sim::SimConfig {
                servers: SERVERS,
                base_port: 0,
                secret: SIM_SECRET.into(),
                tick: Duration::ZERO,
                ..sim::SimConfig::default()
            },
            std::sync::Arc::new(sim::SystemClock),
        )
        .await
        .expect("simulated servers start");
        let store = Store::open(&database_url).await.unwrap();
        common::register_servers(&store, &sim, Health::Up).await;
        let tenant = store
            .create_tenant(
                NewTenant {
                    name: "acme",
                    host: None,
                    pool: None,
                    secret: "one",
                },
                &act(),
            )
            .await
            .unwrap();
        store
            .add_tenant_secret(&tenant, "two", &act())
            .await
            .unwrap();
        let cluster = Self {
            instances: (0..3)
                .map(|_| Instance::start(&database_url, poll_interval_secs))
                .collect(),
            sim,
            store,
            client: Client::new(Duration::from_secs(2), Duration::from_secs(20)),
            _pg: pg,
        };
        for i in 0..3 {
            cluster.wait_until_serving(i).await;
        }
        Some(cluster)
    }

    async fn wait_until_serving(&self, i: usize) {
        let started = Instant::now();
        let ready = format!("{}/readyz", self.instances[i].url);
        while started.elapsed() < Duration::from_secs(30) {
            if reqwest::get(&ready)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("instance {i} does not answer");
    }

    async fn call(&self, i: usize, secret: &str, call: &str, pairs: &[(&str, &str)]) -> Element {
        let mut params = Params::new();
        for (k, v) in pairs {
            params.set(k, v.to_string());
        }
        self.client
            .call(&self.instances[i].front_end(secret), call, &params, None)
            .await
            .expect("the gateway answers")
    }

    async fn create(&self, i: usize, id: &str) -> Element {
        self.call(i, "one", "create", &[("meetingID", id), ("name", id)])
            .await
    }

    /// Meetings each simulated server runs, counted by the servers themselves.
    fn meetings_per_server(&self) -> Vec<usize> {
        self.sim
            .servers
            .iter()
            .map(|s| match &s.snapshot()["meetings"] {
                serde_json::Value::Array(a) => a.len(),
                serde_json::Value::Object(o) => o.len(),
                _ => 0,
            })
            .collect()
    }

    async fn polls(&self) -> Vec<u64> {
        let mut polls = Vec::new();
        for instance in &self.instances {
            polls.push(instance.polls().await);
        }
        polls
    }

    /// How long until `refused` holds on every instance, each asked in turn
    /// every 20 ms; fails after five seconds.
    async fn until_every_instance(&self, refused: impl AsyncFn(usize) -> bool) -> Duration {
        let started = Instant::now();
        let mut pending: Vec<usize> = (0..self.instances.len()).collect();
        while !pending.is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "instances {pending:?} still act on the old state"
            );
            let mut still = Vec::new();
            for i in pending {
                if !refused(i).await {
                    still.push(i);
                }
            }
            pending = still;
            if !pending.is_empty() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        started.elapsed()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_spread_over_three_instances_places_evenly() {
    let Some(cluster) = Cluster::start(SLOW_POLLS).await else {
        return;
    };
    let creates = (0..200).map(|n| {
        let cluster = &cluster;
        async move { cluster.create(n % 3, &format!("burst-{n}")).await }
    });
    let answers = futures::future::join_all(creates).await;
    assert!(answers.iter().all(succeeded), "every create succeeds");
    let counts = cluster.meetings_per_server();
    let total: usize = counts.iter().sum();
    assert_eq!(total, 200, "{counts:?}");
    let mean = total as f64 / SERVERS as f64;
    let max = *counts.iter().max().unwrap() as f64;
    eprintln!(
        "placement over three instances: {counts:?}, max/mean {:.2}",
        max / mean
    );
    assert!(max / mean <= 1.2, "max/mean {} in {counts:?}", max / mean);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_instance_polls_and_another_takes_over_when_it_is_killed() {
    let Some(mut cluster) = Cluster::start(FAST_POLLS).await else {
        return;
    };
    assert!(succeeded(&cluster.create(0, "sampled").await));
    // Let leadership settle, then watch two seconds of polling.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = cluster.polls().await;
    let samples_before = samples(&cluster.store).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = cluster.polls().await;
    let samples_after = samples(&cluster.store).await;
    let polling: Vec<usize> = (0..3).filter(|i| after[*i] > before[*i]).collect();
    assert_eq!(polling.len(), 1, "polls before {before:?}, after {after:?}");
    // One meeting, one sample per round of 0.5 s: about four in two seconds,
    // never two pollers' worth.
    let sampled = samples_after - samples_before;
    assert!(
        (2..=6).contains(&sampled),
        "{sampled} samples in two seconds"
    );

    let leader = polling[0];
    cluster.instances[leader].kill();
    let killed_at = Instant::now();
    let others: Vec<usize> = (0..3).filter(|i| *i != leader).collect();
    let base = cluster.polls().await;
    let mut took_over = None;
    while killed_at.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = cluster.polls().await;
        let polling: Vec<usize> = others
            .iter()
            .copied()
            .filter(|i| now[*i] > base[*i])
            .collect();
        if !polling.is_empty() {
            assert_eq!(polling.len(), 1, "one instance takes over: {now:?}");
            took_over = Some(killed_at.elapsed());
            break;
        }
    }
    let took_over = took_over.expect("another instance polls within five seconds");
    eprintln!(
        "polling resumed {} ms after the kill",
        took_over.as_millis()
    );
    // The survivors still answer, and the meeting is still known.
    let info = cluster
        .call(
            others[0],
            "one",
            "getMeetingInfo",
            &[("meetingID", "sampled")],
        )
        .await;
    assert!(succeeded(&info), "{info:?}");
}

async fn samples(store: &Store) -> usize {
    let tenant = store.tenant("acme").await.unwrap();
    store
        .samples_of_tenant(tenant.id, 0, i64::MAX)
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_removed_secret_is_refused_by_every_instance_within_a_second() {
    let Some(cluster) = Cluster::start(SLOW_POLLS).await else {
        return;
    };
    for i in 0..3 {
        let el = cluster.call(i, "one", "getMeetings", &[]).await;
        assert!(succeeded(&el), "instance {i} knows the secret");
    }
    let tenant = cluster.store.tenant("acme").await.unwrap();
    cluster
        .store
        .remove_tenant_secret(&tenant, "one", &act())
        .await
        .unwrap();
    let took = cluster
        .until_every_instance(async |i| {
            let el = cluster.call(i, "one", "getMeetings", &[]).await;
            el.child_text("messageKey").as_deref() == Some("checksumError")
        })
        .await;
    assert!(
        took < Duration::from_secs(1),
        "took {} ms",
        took.as_millis()
    );
    for i in 0..3 {
        let el = cluster.call(i, "two", "getMeetings", &[]).await;
        assert!(succeeded(&el), "instance {i} still takes the other secret");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_disabled_tenant_is_refused_by_every_instance_within_a_second() {
    let Some(cluster) = Cluster::start(SLOW_POLLS).await else {
        return;
    };
    for i in 0..3 {
        assert!(succeeded(&cluster.call(i, "one", "getMeetings", &[]).await));
    }
    cluster
        .store
        .set_tenant_enabled("acme", false, &act())
        .await
        .unwrap();
    let took = cluster
        .until_every_instance(async |i| {
            !succeeded(&cluster.call(i, "one", "getMeetings", &[]).await)
        })
        .await;
    assert!(
        took < Duration::from_secs(1),
        "took {} ms",
        took.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cordoned_server_takes_no_new_meeting_on_any_instance_within_a_second() {
    let Some(cluster) = Cluster::start(SLOW_POLLS).await else {
        return;
    };
    // Every server but the last is cordoned: each instance must send every
    // new meeting there.
    let servers = cluster.store.servers().await.unwrap();
    let open = servers.last().unwrap().id;
    let cordoned_at = Instant::now();
    for s in &servers {
        if s.id != open {
            cluster
                .store
                .set_server_state(s.id, ServerState::Cordoned, &act())
                .await
                .unwrap();
        }
    }
    tokio::time::sleep(Duration::from_secs(1).saturating_sub(cordoned_at.elapsed())).await;
    for n in 0..9 {
        assert!(succeeded(
            &cluster.create(n % 3, &format!("after-{n}")).await
        ));
    }
    let counts = cluster.meetings_per_server();
    assert_eq!(counts[SERVERS - 1], 9, "{counts:?}");
}
