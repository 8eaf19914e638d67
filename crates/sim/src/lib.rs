//! A faithful BigBlueButton server simulator: many servers in one process,
//! each with its own port, meetings, simulated people and fault knobs.
//!
//! Each server answers the BBB API at `/bigbluebutton/api/*` exactly as the
//! reference describes real servers (checksums, XML shapes, error keys), and
//! an admin interface at `/sim/*` (no checksum; it binds where the simulator
//! binds, loopback by default) to set faults and script people:
//!
//! - `GET|PUT /sim/faults`: `{"latency_ms": 0, "error_rate": 0.0, "down": false,
//!   "answers": {"kind": "normal"}}`; `answers` makes the server hostile, with
//!   HTTP 200 and `{"kind": "garbage"}` (bytes that are not XML),
//!   `{"kind": "nested", "depth": 200000}` (XML nested that deep),
//!   `{"kind": "oversized", "bytes": 5000000}` (XML of that size) or
//!   `{"kind": "control_characters"}` (the real answer, with characters
//!   XML 1.0 forbids in its texts). A server that hangs is a large `latency_ms`.
//! - `GET /sim/state`: every meeting with its people, and the recordings
//! - `POST /sim/meetings/{meetingID}/users`: `{"fullName", "userID", "moderator", "mic", "listenOnly", "webcams"}`
//! - `PATCH|DELETE /sim/meetings/{meetingID}/users/{userID}`
//!
//! When a meeting ends (by `end`, by its duration, or by BBB's expiry once
//! the last person left), the server calls the URLs given on create:
//! `meta_endCallbackUrl` (GET, `recordingmarks` appended), `meetingEndedURL`
//! (GET), `meta_analytics-callback-url` when it kept events or recorded
//! (POST JSON, bearer JWT HS512), and, for a recorded meeting whose recording
//! is published, `meta_bbb-recording-ready-url` (POST `signed_parameters`,
//! JWT HS256), each signed with the server's secret.

mod admin;
mod api;
mod callbacks;
mod clock;
mod hostile;
pub mod model;
#[cfg(feature = "tls")]
mod tls;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use clock::{Clock, ManualClock, SystemClock};
pub use hostile::{AnswerFault, AnswerFaultError};
pub use model::{BehaviourModel, UserSpec};
#[cfg(feature = "tls")]
pub use tls::TlsError;

/// What can go wrong with a server, settable at start and at runtime.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every API answer.
    pub latency_ms: u64,
    /// Share of API calls answered with HTTP 500.
    pub error_rate: f64,
    /// Every API call is answered with HTTP 503, as by a server whose BBB is down.
    pub down: bool,
    /// What the answers that get through are turned into.
    pub answers: AnswerFault,
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub servers: usize,
    /// Server `i` listens on `base_port + i`; 0 gives each a free port.
    pub base_port: u16,
    pub host: IpAddr,
    pub secret: String,
    pub seed: u64,
    pub model: BehaviourModel,
    /// How often simulated people act; zero means only when `step` is called.
    pub tick: Duration,
    pub faults: Faults,
    /// Each server also answers over HTTPS on a second port, with one
    /// self-signed certificate made at start ([`SimFleet::certificate_pem`]).
    #[cfg(feature = "tls")]
    pub tls: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            servers: 1,
            base_port: 0,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            secret: String::new(),
            seed: 1,
            model: BehaviourModel::default(),
            tick: Duration::from_secs(1),
            faults: Faults::default(),
            #[cfg(feature = "tls")]
            tls: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("port {0} + {1} servers exceeds the port range")]
    PortRange(u16, usize),
    #[cfg(feature = "tls")]
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// What one server's handlers share.
pub(crate) struct Shared {
    pub state: Mutex<model::ServerState>,
    pub rng: Mutex<StdRng>,
    pub faults: Mutex<Faults>,
    pub secret: String,
    pub model: BehaviourModel,
    pub clock: Arc<dyn Clock>,
    /// `http://host:port`, for client and playback URLs.
    pub origin: String,
    /// Sends callbacks.
    pub http: reqwest::Client,
}

impl Shared {
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Runs `f` on the state with the server's random source, then sends
    /// the callbacks it made due.
    pub fn with<T>(&self, f: impl FnOnce(&mut model::ServerState, &mut StdRng, i64) -> T) -> T {
        let now = self.now();
        let (result, due) = {
            let mut state = self.state.lock().expect("sim state");
            let mut rng = self.rng.lock().expect("sim rng");
            let result = f(&mut state, &mut rng, now);
            (result, std::mem::take(&mut state.callbacks))
        };
        if !due.is_empty() {
            callbacks::send(due, &self.http, &self.secret);
        }
        result
    }
}

/// One running simulated server.
#[derive(Clone)]
pub struct SimServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    #[cfg(feature = "tls")]
    tls_addr: Option<SocketAddr>,
}

impl SimServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API URL to register with a gateway.
    pub fn url(&self) -> String {
        format!("{}/bigbluebutton/api", self.shared.origin)
    }

    /// Where the same server answers over HTTPS, when the fleet has TLS.
    #[cfg(feature = "tls")]
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    pub fn faults(&self) -> Faults {
        *self.shared.faults.lock().expect("faults")
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().expect("faults") = faults;
    }

    /// One behaviour step now, for tests that do not wait for the ticker.
    pub fn step(&self) {
        let model = self.shared.model;
        self.shared.with(|s, rng, now| s.step(now, &model, rng));
    }

    pub fn snapshot(&self) -> serde_json::Value {
        admin::snapshot(&self.shared)
    }

    /// Creates a meeting as the API's `create` would, without a request:
    /// for benchmarks that fill a thousand servers. Returns its internal ID.
    pub fn create(&self, params: &bbb::Params) -> Result<String, bbb::ApiError> {
        self.shared
            .with(|s, rng, now| s.create(params, now, rng))
            .map(|(m, _)| m.internal_id)
    }

    /// Adds a scripted person to a meeting; `None` if there is no such meeting.
    pub fn add_user(&self, meeting_id: &str, spec: &UserSpec) -> Option<String> {
        self.shared.with(|s, _, _| s.add_user(meeting_id, spec))
    }

    pub fn change_user(&self, meeting_id: &str, user_id: &str, spec: &UserSpec) -> bool {
        self.shared
            .with(|s, _, _| s.change_user(meeting_id, user_id, spec))
    }

    pub fn remove_user(&self, meeting_id: &str, user_id: &str) -> bool {
        self.shared
            .with(|s, _, now| s.remove_user(meeting_id, user_id, now))
    }
}

pub struct SimFleet {
    pub servers: Vec<SimServer>,
    /// The certificate of every server's TLS listener, to trust.
    #[cfg(feature = "tls")]
    pub certificate_pem: Option<String>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts every server and, unless `tick` is zero, the behaviour of its people.
pub async fn start(config: SimConfig, clock: Arc<dyn Clock>) -> Result<SimFleet, SimError> {
    let (stop, stopped) = watch::channel(false);
    let mut servers = Vec::new();
    let mut tasks = Vec::new();
    #[cfg(feature = "tls")]
    let identity = config
        .tls
        .then(|| tls::Identity::generate(config.host))
        .transpose()?;
    let http = callbacks::client();
    for i in 0..config.servers {
        let port = if config.base_port == 0 {
            0
        } else {
            u16::try_from(usize::from(config.base_port) + i)
                .map_err(|_| SimError::PortRange(config.base_port, config.servers))?
        };
        let addr = SocketAddr::new(config.host, port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let shared = Arc::new(Shared {
            state: Mutex::new(model::ServerState::default()),
            rng: Mutex::new(StdRng::seed_from_u64(config.seed.wrapping_add(i as u64))),
            faults: Mutex::new(config.faults),
            secret: config.secret.clone(),
            model: config.model,
            clock: clock.clone(),
            origin: format!("http://{addr}"),
            http: http.clone(),
        });
        let app = api::router(shared.clone()).merge(admin::router(shared.clone()));
        #[cfg(feature = "tls")]
        let tls_addr = match &identity {
            Some(identity) => {
                let at = SocketAddr::new(config.host, 0);
                let tcp = tokio::net::TcpListener::bind(at)
                    .await
                    .map_err(|source| SimError::Bind { addr: at, source })?;
                let bound = tcp
                    .local_addr()
                    .map_err(|source| SimError::Bind { addr: at, source })?;
                tasks.push(serve(identity.listener(tcp), app.clone(), stopped.clone()));
                Some(bound)
            }
            None => None,
        };
        tasks.push(serve(listener, app, stopped.clone()));
        let server = SimServer {
            addr,
            shared,
            #[cfg(feature = "tls")]
            tls_addr,
        };
        if !config.tick.is_zero() {
            let (server, mut rx, tick) = (server.clone(), stopped.clone(), config.tick);
            tasks.push(tokio::spawn(async move {
                let mut ticker = tokio::time::interval(tick);
                loop {
                    tokio::select! {
                        _ = rx.wait_for(|s| *s) => return,
                        _ = ticker.tick() => server.step(),
                    }
                }
            }));
        }
        servers.push(server);
    }
    Ok(SimFleet {
        servers,
        #[cfg(feature = "tls")]
        certificate_pem: identity.map(|i| i.certificate_pem),
        stop,
        tasks,
    })
}

/// Answers on `listener` until the fleet stops.
fn serve<L>(listener: L, app: axum::Router, mut stopped: watch::Receiver<bool>) -> JoinHandle<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    tokio::spawn(async move {
        let until = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(until)
            .await
        {
            tracing::error!(error = %e, "simulated server stopped");
        }
    })
}

impl SimFleet {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
