//! Black-box test harness: a simulated fleet on loopback, a fresh database,
//! and Plenary serving on a random port, driven over real HTTP the way
//! Greenlight drives it.

use std::time::Duration;

use bbb::client::{Backend, Client};
use bbb::{Algorithm, Element, Params};
use plenary::app::{App, Polling};
use plenary::config::Config;
use store::{Health, NewServer, NewTenant};
use testkit::TempDir;

pub const SIM_SECRET: &str = "simulated-bbb-secret";

pub struct Env {
    pub app: App,
    pub sim: sim::SimFleet,
    pub http: reqwest::Client,
    pub client: Client,
    database_url: String,
    _dir: TempDir,
}

/// How a test wants its environment.
pub struct Setup {
    pub servers: usize,
    pub tenants: Vec<(&'static str, &'static str)>,
    pub config: Config,
    /// Run on this database instead of a fresh SQLite file.
    pub database_url: Option<String>,
    /// The gateway's clock (sample times, meeting records); the system's if unset.
    pub clock: Option<std::sync::Arc<sim::ManualClock>>,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            servers: 2,
            tenants: vec![("acme", "acme-secret-1"), ("globex", "globex-secret-1")],
            config: Config::default(),
            database_url: None,
            clock: None,
        }
    }
}

impl Env {
    pub async fn start() -> Self {
        Self::with(Setup::default()).await
    }

    pub async fn with(mut setup: Setup) -> Self {
        // Tests change tenants in the database and expect the next call to see it.
        setup.config.tenant_cache_secs = 0.0;
        Self::with_cache(setup).await
    }

    /// Like `with`, keeping the setup's tenant cache time.
    pub async fn with_cache(setup: Setup) -> Self {
        let dir = TempDir::new("plenary-test");
        let sim = sim::start(
            sim::SimConfig {
                servers: setup.servers,
                base_port: 0,
                secret: SIM_SECRET.into(),
                // People act only as tests script them: no random behaviour.
                tick: Duration::ZERO,
                ..sim::SimConfig::default()
            },
            std::sync::Arc::new(sim::SystemClock),
        )
        .await
        .expect("simulated servers start");
        let mut config = setup.config;
        config.database_url = setup.database_url.unwrap_or_else(|| dir.sqlite_url());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.connect_timeout_secs = 1.0;
        // Generous: a loaded CI machine must not turn slowness into failures.
        config.response_timeout_secs = 10.0;
        let store = store::Store::open(&config.database_url).await.unwrap();
        register_servers(&store, &sim, Health::Unstable).await;
        for (name, secret) in &setup.tenants {
            store
                .create_tenant(
                    NewTenant {
                        name,
                        host: None,
                        pool: None,
                        secret,
                    },
                    &act(),
                )
                .await
                .unwrap();
        }
        store.close().await;
        // Tests poll by hand, so no background round races their assertions.
        let clock: fleet::Clock = match setup.clock {
            Some(manual) => std::sync::Arc::new(move || sim::Clock::now_ms(&*manual)),
            None => fleet::system_clock(),
        };
        let app = App::start_with(&config, clock, Polling::Manual)
            .await
            .expect("plenary starts");
        let env = Self {
            app,
            sim,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            client: Client::new(Duration::from_secs(2), Duration::from_secs(20)),
            database_url: config.database_url.clone(),
            _dir: dir,
        };
        env.poll().await;
        env
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    pub async fn poll(&self) -> fleet::PollReport {
        self.app.fleet.poll_once().await.expect("a poll round")
    }

    /// `/metrics` as this machine's Prometheus reads it.
    pub async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.app.url()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A front end of `tenant`, using the path form of the endpoint.
    pub fn tenant(&self, tenant: &str, secret: &str) -> FrontEnd {
        self.front_end(
            &format!("{}/t/{tenant}/bigbluebutton/api", self.app.url()),
            secret,
            Algorithm::Sha1,
        )
    }

    pub fn front_end(&self, endpoint: &str, secret: &str, alg: Algorithm) -> FrontEnd {
        FrontEnd {
            endpoint: Backend::new(endpoint, secret, alg).unwrap(),
            client: self.client.clone(),
            http: self.http.clone(),
        }
    }

    pub fn acme(&self) -> FrontEnd {
        self.tenant("acme", "acme-secret-1")
    }

    pub fn globex(&self) -> FrontEnd {
        self.tenant("globex", "globex-secret-1")
    }

    /// Index of the simulated server holding a tenant's live meeting, from
    /// the gateway's records (servers were registered in simulator order).
    pub async fn server_holding(&self, tenant: &str, meeting_id: &str) -> Option<usize> {
        let tenant = self.app.store.tenant(tenant).await.ok()?;
        let record = self
            .app
            .store
            .live_meeting(tenant.id, meeting_id)
            .await
            .ok()??;
        let url = self.app.store.server(record.server_id).await.ok()?.url;
        self.sim.servers.iter().position(|s| s.url() == url)
    }

    pub async fn shutdown(self) {
        self.app.shutdown().await;
        self.sim.shutdown().await;
    }
}

/// A BBB API client of one tenant, as Greenlight would be.
#[derive(Clone)]
pub struct FrontEnd {
    pub endpoint: Backend,
    client: Client,
    http: reqwest::Client,
}

pub fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl FrontEnd {
    pub async fn call(&self, call: &str, pairs: &[(&str, &str)]) -> Element {
        self.client
            .call(&self.endpoint, call, &params(pairs), None)
            .await
            .unwrap_or_else(|e| panic!("{call}: {e}"))
    }

    pub async fn create(&self, id: &str) -> Element {
        self.call("create", &[("meetingID", id), ("name", "Test meeting")])
            .await
    }

    /// The join redirect's target (or the error redirect), without following it.
    pub async fn join_location(&self, pairs: &[(&str, &str)]) -> String {
        let url = self.endpoint.signed_url("join", &params(pairs));
        let res = self.http.get(url).send().await.unwrap();
        assert_eq!(res.status(), 302, "join answers a redirect");
        res.headers()["location"].to_str().unwrap().to_string()
    }

    /// Joins like a browser: follows the redirect to the server.
    pub async fn join(&self, id: &str, name: &str) {
        let location = self
            .join_location(&[("meetingID", id), ("fullName", name)])
            .await;
        assert!(!location.contains("errors="), "join failed: {location}");
        let res = self.http.get(location).send().await.unwrap();
        assert!(res.status().is_success() || res.status().is_redirection());
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.unwrap()
    }
}

/// Sends a request and reads its answer as BBB XML.
pub async fn xml(request: reqwest::RequestBuilder) -> Element {
    let body = request.send().await.unwrap().text().await.unwrap();
    Element::parse(&body).unwrap_or_else(|e| panic!("not XML ({e}): {body}"))
}

pub fn text(el: &Element, name: &str) -> String {
    el.child_text(name).unwrap_or_default()
}

pub fn key(el: &Element) -> String {
    text(el, "messageKey")
}

pub fn succeeded(el: &Element) -> bool {
    text(el, "returncode") == "SUCCESS"
}

/// Registers every simulated server with Plenary, signed with SHA-256, in
/// the given health.
pub async fn register_servers(store: &store::Store, sim: &sim::SimFleet, health: Health) {
    for server in &sim.servers {
        store
            .add_server(
                NewServer {
                    url: &server.url(),
                    secret: SIM_SECRET,
                    algorithm: bbb::Algorithm::Sha256,
                    weight: 1,
                    pool: None,
                    capacity: 10_000,
                    health,
                },
                &act(),
            )
            .await
            .unwrap();
    }
}

/// An operator, as the audit log records test setup.
pub fn act() -> store::Act {
    store::Act::new("operator:test", 0)
}
