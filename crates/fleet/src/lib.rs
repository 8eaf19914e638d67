//! The BBB servers Plenary spreads meetings over: their configuration (from
//! the store), their health and load (from the poller), and placement.

mod gauges;
pub mod health;
pub mod load;
pub mod owners;
pub mod placement;
mod poller;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bbb::client::{Backend, Client};
use rand::SeedableRng;
use rand::rngs::StdRng;
use store::{Health, Server, ServerState, Store};

use gauges::MeetingGauges;
use health::{Thresholds, Tracker};
use load::LoadModel;
use placement::Candidate;

pub use poller::PollReport;

/// Milliseconds since the Unix epoch; injected so tests control time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    })
}

#[derive(Debug, Clone)]
pub struct FleetConfig {
    pub load: LoadModel,
    pub thresholds: Thresholds,
    pub poll_interval: Duration,
    /// How many servers are polled at once.
    pub poll_concurrency: usize,
    /// Meetings younger than this are not ended for being absent from a poll:
    /// their create may not have reached the server when it answered. A
    /// meeting ended for less than this may still be listed by its server;
    /// after it, the server is told to end it again.
    pub absent_grace: Duration,
}

impl Default for FleetConfig {
    fn default() -> Self {
        Self {
            load: LoadModel::default(),
            thresholds: Thresholds::default(),
            poll_interval: Duration::from_secs(10),
            poll_concurrency: 32,
            absent_grace: Duration::from_secs(15),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// A server as the gateway needs it to route a call.
#[derive(Debug, Clone)]
pub struct Route {
    pub server_id: i64,
    pub backend: Backend,
    pub state: ServerState,
    pub health: Health,
    /// `host:port`, the `server` label of metrics.
    pub label: String,
}

/// A server chosen for a new meeting, with the load reserved on it.
#[derive(Debug, Clone)]
pub struct Placement {
    pub route: Route,
    cost: u64,
    at_ms: i64,
    /// The reservation's row on PostgreSQL, where every instance shares them.
    shared: Option<i64>,
}

/// What `server list` shows of a server that the running gateway knows.
#[derive(Debug, Clone)]
pub struct ServerStatus {
    pub server_id: i64,
    pub health: Health,
    pub load: u64,
    pub meetings: usize,
}

struct Entry {
    server: Server,
    backend: Backend,
    label: String,
    tracker: Tracker,
    polled_load: u64,
    meetings: usize,
    /// Load reserved by creates since the last poll began: (time, cost).
    reservations: Vec<(i64, u64)>,
    /// Each tenant's meetings here at the last recorded poll, its share of
    /// the tenant's gauges.
    tenant_shares: HashMap<i64, MeetingGauges>,
}

impl Entry {
    fn load(&self) -> u64 {
        self.polled_load + self.local_reserved()
    }

    /// Reserved by this instance since the last poll: creates and joins on
    /// SQLite, joins only on PostgreSQL (creates reserve in the database).
    fn local_reserved(&self) -> u64 {
        self.reservations.iter().map(|(_, c)| c).sum()
    }

    fn eligible(&self, pool: Option<&str>, exclude: &[i64]) -> bool {
        self.server.state == ServerState::Enabled
            && self.tracker.health == Health::Up
            && self.server.pool.as_deref() == pool
            && !exclude.contains(&self.server.id)
    }

    fn candidate(&self, load: u64) -> Candidate {
        Candidate {
            load,
            weight: self.server.weight.max(1) as u64,
            capacity: self.server.capacity.max(0) as u64,
        }
    }

    fn route(&self) -> Route {
        Route {
            server_id: self.server.id,
            backend: self.backend.clone(),
            state: self.server.state,
            health: self.tracker.health,
            label: self.label.clone(),
        }
    }
}

pub struct Fleet {
    store: Store,
    client: Client,
    config: FleetConfig,
    clock: Clock,
    entries: Mutex<HashMap<i64, Entry>>,
    rng: Mutex<StdRng>,
    /// Whether this instance holds the poller's lock: work that must run
    /// once per database (rolling up usage) runs where polling does.
    leading: AtomicBool,
    /// Held by the round under way, so rounds never overlap.
    round: tokio::sync::Mutex<poller::RoundState>,
    /// Rounds started, which sets where the next begins.
    rounds: AtomicUsize,
}

impl Fleet {
    pub async fn new(
        store: Store,
        client: Client,
        config: FleetConfig,
        clock: Clock,
    ) -> Result<Arc<Self>, FleetError> {
        let fleet = Arc::new(Self {
            store,
            client,
            config,
            clock,
            entries: Mutex::new(HashMap::new()),
            rng: Mutex::new(StdRng::from_os_rng()),
            leading: AtomicBool::new(false),
            round: tokio::sync::Mutex::default(),
            rounds: AtomicUsize::new(0),
        });
        fleet.refresh().await?;
        Ok(fleet)
    }

    pub fn config(&self) -> &FleetConfig {
        &self.config
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Whether this instance is the one that polls.
    pub fn leads_polling(&self) -> bool {
        self.leading.load(Ordering::Relaxed)
    }

    /// Re-reads server configuration, which operators change from the CLI in
    /// another process; health and load learned so far are kept.
    pub async fn refresh(&self) -> Result<(), FleetError> {
        let servers = self.store.servers().await?;
        let mut entries = self.entries.lock().expect("fleet lock");
        entries.retain(|id, _| servers.iter().any(|s| s.id == *id));
        for server in servers {
            let backend = match Backend::new(&server.url, server.secret.clone(), server.algorithm) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(server = server.id, error = %e, "server skipped: bad URL");
                    continue;
                }
            };
            let label = label_of(&server.url);
            match entries.get_mut(&server.id) {
                Some(e) => {
                    e.server = server;
                    e.backend = backend;
                    e.label = label;
                }
                None => {
                    let tracker = Tracker::new(server.health);
                    entries.insert(
                        server.id,
                        Entry {
                            polled_load: server.load.max(0) as u64,
                            meetings: server.meetings.max(0) as usize,
                            server,
                            backend,
                            label,
                            tracker,
                            reservations: Vec::new(),
                            tenant_shares: HashMap::new(),
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// Takes health and load from what the polling instance recorded, for an
    /// instance that does not poll itself.
    pub async fn follow(&self) -> Result<(), FleetError> {
        self.refresh().await?;
        // The poller ends meetings in the database only; a follower learns of
        // it here, within a poll interval.
        if self.store.live_view().enabled() {
            self.store.resync_live_meetings().await?;
        }
        let mut entries = self.entries.lock().expect("fleet lock");
        for e in entries.values_mut() {
            e.tracker = Tracker::new(e.server.health);
            e.polled_load = e.server.load.max(0) as u64;
            e.meetings = e.server.meetings.max(0) as usize;
            let polled_at = e.server.polled_at.unwrap_or(i64::MIN);
            e.reservations.retain(|(at, _)| *at >= polled_at);
        }
        Ok(())
    }

    /// Chooses a server for a new meeting and reserves its predicted load, in
    /// one step, so concurrent creates see each other: under this
    /// instance's lock on SQLite (one instance), and under a per-pool lock
    /// in the database on PostgreSQL, where other instances place too.
    ///
    /// A tenant pinned to a pool uses that pool's servers; other tenants use
    /// the servers in no pool (dedicated servers stay dedicated). Servers in
    /// `exclude` (ones that just failed this create) are passed over.
    pub async fn reserve(
        &self,
        pool: Option<&str>,
        size_hint: Option<u64>,
        exclude: &[i64],
    ) -> Result<Option<Placement>, FleetError> {
        let cost = self.config.load.new_meeting_cost(size_hint);
        let at_ms = self.now_ms();
        if self.store.backend() == store::Backend::Sqlite {
            return Ok(self.reserve_here(pool, cost, at_ms, exclude));
        }
        // Which servers are eligible, and the joins this instance counted
        // since their last poll; the load every instance reserved comes
        // from the database.
        let eligible: HashMap<i64, (Candidate, Route)> = {
            let entries = self.entries.lock().expect("fleet lock");
            entries
                .values()
                .filter(|e| e.eligible(pool, exclude))
                .map(|e| (e.server.id, (e.candidate(e.local_reserved()), e.route())))
                .collect()
        };
        if eligible.is_empty() {
            return Ok(None);
        }
        let reservation = self
            .store
            .reserve_shared(pool, cost as i64, at_ms, |loads| {
                let (ids, candidates): (Vec<i64>, Vec<Candidate>) = loads
                    .iter()
                    .filter_map(|l| {
                        let (c, _) = eligible.get(&l.server_id)?;
                        let load = c.load.saturating_add(l.load.max(0) as u64);
                        Some((l.server_id, Candidate { load, ..*c }))
                    })
                    .unzip();
                let mut rng = self.rng.lock().expect("rng lock");
                placement::choose(&candidates, cost, &mut *rng).map(|i| ids[i])
            })
            .await?;
        Ok(reservation.and_then(|r| {
            let (_, route) = eligible.get(&r.server_id)?;
            Some(Placement {
                route: route.clone(),
                cost,
                at_ms,
                shared: Some(r.id),
            })
        }))
    }

    fn reserve_here(
        &self,
        pool: Option<&str>,
        cost: u64,
        at_ms: i64,
        exclude: &[i64],
    ) -> Option<Placement> {
        let mut entries = self.entries.lock().expect("fleet lock");
        let mut eligible: Vec<&mut Entry> = entries
            .values_mut()
            .filter(|e| e.eligible(pool, exclude))
            .collect();
        let candidates: Vec<Candidate> = eligible.iter().map(|e| e.candidate(e.load())).collect();
        let chosen = {
            let mut rng = self.rng.lock().expect("rng lock");
            placement::choose(&candidates, cost, &mut *rng)?
        };
        let entry = &mut eligible[chosen];
        entry.reservations.push((at_ms, cost));
        Some(Placement {
            route: entry.route(),
            cost,
            at_ms,
            shared: None,
        })
    }

    /// Gives back a reservation whose create failed on the server. A shared
    /// one that cannot be given back lasts until the server's next poll.
    pub async fn cancel(&self, placement: &Placement) {
        if let Some(id) = placement.shared {
            if let Err(e) = self.store.cancel_reservation(id).await {
                tracing::warn!(error = %e, "a reservation was kept until the next poll");
            }
            return;
        }
        let mut entries = self.entries.lock().expect("fleet lock");
        if let Some(e) = entries.get_mut(&placement.route.server_id)
            && let Some(i) = e
                .reservations
                .iter()
                .position(|r| *r == (placement.at_ms, placement.cost))
        {
            e.reservations.remove(i);
        }
    }

    /// A join adds a participant's worth of load until the next poll counts it.
    pub fn note_join(&self, server_id: i64) {
        let cost = self.config.load.per_participant;
        let at = self.now_ms();
        if let Some(e) = self.entries.lock().expect("fleet lock").get_mut(&server_id) {
            e.reservations.push((at, cost));
        }
    }

    pub fn route(&self, server_id: i64) -> Option<Route> {
        self.entries
            .lock()
            .expect("fleet lock")
            .get(&server_id)
            .map(Entry::route)
    }

    /// Every server that may hold meetings (not disabled), for fan-out calls.
    pub fn routes(&self) -> Vec<Route> {
        let entries = self.entries.lock().expect("fleet lock");
        let mut routes: Vec<Route> = entries
            .values()
            .filter(|e| e.server.state != ServerState::Disabled)
            .map(Entry::route)
            .collect();
        routes.sort_by_key(|r| r.server_id);
        routes
    }

    pub fn status(&self) -> Vec<ServerStatus> {
        let entries = self.entries.lock().expect("fleet lock");
        let mut all: Vec<ServerStatus> = entries
            .values()
            .map(|e| ServerStatus {
                server_id: e.server.id,
                health: e.tracker.health,
                load: e.load(),
                meetings: e.meetings,
            })
            .collect();
        all.sort_by_key(|s| s.server_id);
        all
    }

    /// Scalelite's panic: forget the server's meetings so the next create of
    /// each lands elsewhere. Used when a server is declared down, and by hand.
    pub async fn panic_server(&self, server_id: i64) -> Result<u64, FleetError> {
        let released = self
            .store
            .release_server_meetings(server_id, self.now_ms())
            .await?;
        if let Some(e) = self.entries.lock().expect("fleet lock").get_mut(&server_id) {
            e.polled_load = 0;
            e.meetings = 0;
            e.reservations.clear();
        }
        Ok(released)
    }
}

/// `host:port` of a server URL: readable in metrics, and never the secret.
fn label_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}
