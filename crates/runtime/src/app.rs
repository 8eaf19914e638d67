//! The running service: gateway, poller, operations endpoints, the JSON API
//! and meeting rooms, the consortium's duties, and a clean shutdown of all
//! of them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use consortium::delivery::{Delivered, Delivery};
use consortium::{Consortium, Duties};
use fleet::{Clock, Fleet};
use store::{Act, Store};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::ops;
use billing::meter::Metering;

/// Who runs the poller and the consortium's duties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polling {
    /// Background tasks poll and run the duties every interval, starting at once.
    Background,
    /// Only explicit `fleet.poll_once()` and `run_duties_once()` calls do:
    /// tests own the timing.
    Manual,
}

pub struct App {
    pub addr: SocketAddr,
    /// Where `/metrics` is served when `metrics_listen` moves it off `addr`.
    pub metrics_addr: Option<SocketAddr>,
    pub store: Store,
    pub fleet: Arc<Fleet>,
    pub consortium: Consortium,
    duties: DutyRunner,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Runs the consortium's duties and sends what they queued.
#[derive(Clone)]
struct DutyRunner {
    consortium: Consortium,
    delivery: Delivery,
    clock: Clock,
}

impl DutyRunner {
    async fn run_once(&self) -> anyhow::Result<(Duties, Delivered)> {
        let act = Act::new("system", (self.clock)());
        let duties = self.consortium.run_duties(&act).await?;
        let polled = self.delivery.read_polls(&self.consortium, &act).await?;
        if !polled.counted.is_empty() || !polled.ignored.is_empty() {
            tracing::info!(
                counted = polled.counted.len(),
                ignored = polled.ignored.len(),
                "forum poll votes read"
            );
        }
        let delivered = self.delivery.deliver_due((self.clock)()).await?;
        Ok((duties, delivered))
    }

    /// Every interval, on the one instance elected to (as the poller is).
    async fn run(self, interval: std::time::Duration, mut stopped: watch::Receiver<bool>) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut leadership: Option<store::Leadership> = None;
        loop {
            tokio::select! {
                _ = stopped.wait_for(|s| *s) => return,
                _ = ticker.tick() => {}
            }
            if let Some(l) = &mut leadership
                && !l.confirm().await
            {
                tracing::warn!("lost the duties lock; standing again");
                leadership = None;
            }
            if leadership.is_none() {
                match self.consortium.store().try_lead_duties().await {
                    Ok(Some(l)) => {
                        tracing::info!("this instance runs the consortium's duties");
                        leadership = Some(l);
                    }
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot stand for the duties");
                        continue;
                    }
                }
            }
            if let Err(e) = self.run_once().await {
                tracing::error!(error = %e, "the consortium's duties failed");
            }
        }
    }
}

impl App {
    /// Opens the database (migrating it; a SQLite file must exist already,
    /// so a lost database is never silently replaced by an empty one),
    /// binds the listeners and starts the poller. `listen` port 0 picks a
    /// free port (tests, the demo).
    pub async fn start(config: &Config, clock: Clock) -> anyhow::Result<Self> {
        Self::start_with(config, clock, Polling::Background).await
    }

    pub async fn start_with(
        config: &Config,
        clock: Clock,
        polling: Polling,
    ) -> anyhow::Result<Self> {
        let metrics = ops::metrics_handle();
        let store = match Store::open_existing(&config.database_url).await {
            Err(store::StoreError::Missing(path)) => anyhow::bail!(
                "the database {} does not exist; `plenary migrate` creates it",
                path.display()
            ),
            opened => opened.with_context(|| {
                format!("cannot open the database {}", redact(&config.database_url))
            })?,
        };
        ensure_default_tenant(&store, config, clock()).await?;
        // Listening before the caches are filled, so no change is missed.
        let changes = store
            .changes()
            .await
            .context("cannot listen for other instances' changes")?;
        store
            .keep_live_meetings()
            .await
            .context("cannot read the live meetings")?;
        let (connect, response) = config.timeouts();
        let client = bbb::client::Client::new(connect, response)
            .with_max_answer_bytes(config.max_answer_bytes);
        let fleet =
            Fleet::new(store.clone(), client.clone(), config.fleet(), clock.clone()).await?;
        // One budget of failed authentication per address, across both APIs.
        let throttle = throttle::Throttle::new(config.auth_throttle(), clock.clone());
        let limits = config.http_limits()?;
        let listener = bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let metrics_listener = match config.metrics_listen {
            Some(at) => Some(bind(at).await?),
            None => None,
        };
        let metrics_addr = metrics_listener
            .as_ref()
            .map(tokio::net::TcpListener::local_addr)
            .transpose()?;
        // Links in messages need the port actually bound when it was 0.
        let bound = Config {
            listen: addr,
            ..config.clone()
        };
        bound.create_recordings_dirs()?;
        // Callback URLs too need the port actually bound.
        let gateway = gateway::Gateway::new(
            store.clone(),
            fleet.clone(),
            bound.gateway(throttle.clone(), clock.clone())?,
        );
        let consortium = crate::governance::consortium(&bound, store.clone());
        let duties = DutyRunner {
            consortium: consortium.clone(),
            delivery: crate::governance::delivery(config, store.clone())?,
            clock: clock.clone(),
        };
        let api = web::api::ApiState {
            consortium: consortium.clone(),
            service: billing::Billing::new(store.clone(), config.billing()?),
            clock: clock.clone(),
            billing: config.billing()?,
            discourse: config.discourse.clone(),
            throttle,
            token_rate: config.api_token_rate(clock.clone()),
        };
        let portal = web::portal::PortalState {
            api: api.clone(),
            secure_cookies: web::portal::session::secure_cookies(&bound.public_url()),
        };
        let (here, own) = ops::metrics_access(
            config
                .metrics_token
                .as_ref()
                .map(crate::config::Secret::expose),
            metrics_listener.is_some(),
        );
        let mut router = gateway::router(gateway.clone())
            .merge(ops::router(store.clone(), metrics.clone(), here))
            .merge(web::api::router(api))
            .merge(web::portal::router(portal));
        if let Some(rooms) = rooms(&bound, store.clone(), client.clone())? {
            router = router.merge(web::rooms::router(rooms));
        }
        let (stop, stopped) = watch::channel(false);
        let until_stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let mut tasks = vec![tokio::spawn(web::serve::serve(
            listener,
            traced(router),
            limits.clone(),
            until_stopped(stopped.clone()),
        ))];
        if let Some(changes) = changes {
            tasks.push(tokio::spawn(crate::changes::follow(
                changes,
                store.clone(),
                fleet.clone(),
                gateway,
                until_stopped(stopped.clone()),
            )));
        }
        if let Some(listener) = metrics_listener {
            tasks.push(tokio::spawn(web::serve::serve(
                listener,
                traced(ops::metrics_router(metrics, own)),
                limits,
                until_stopped(stopped.clone()),
            )));
        }
        if polling == Polling::Background {
            tasks.push(tokio::spawn(
                fleet.clone().run_poller(until_stopped(stopped.clone())),
            ));
            tasks.push(tokio::spawn(
                duties
                    .clone()
                    .run(config.duties_interval(), stopped.clone()),
            ));
            tasks.push(tokio::spawn(roll_up_periodically(
                Metering::for_settings(store.clone(), &config.billing()?),
                fleet.clone(),
                config.sample_retention_ms(),
                until_stopped(stopped),
            )));
        }
        tracing::info!(%addr, metrics = ?metrics_addr, "plenary is listening");
        Ok(Self {
            addr,
            metrics_addr,
            store,
            fleet,
            consortium,
            duties,
            stop,
            tasks,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// One pass of the consortium's duties (as actor `system`, at the
    /// app's clock), then one delivery pass of the outbox.
    pub async fn run_duties_once(&self) -> anyhow::Result<(Duties, Delivered)> {
        self.duties.run_once().await
    }

    /// Stops accepting requests, lets running ones finish, stops the poller.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        self.store.close().await;
    }
}

async fn bind(at: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(at)
        .await
        .with_context(|| format!("cannot listen on {at}"))
}

/// Requests traced by method and route only: query strings carry
/// checksums, meeting passwords and signed join links, and room links
/// carry their signature in the path; none of them may reach a log.
fn traced(router: axum::Router) -> axum::Router {
    router.layer(
        tower_http::trace::TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("unmatched", |p| p.as_str());
                tracing::debug_span!("request", method = %req.method(), route)
            },
        ),
    )
}

/// The meeting rooms, when configured: created through this very process's
/// gateway, joined at the public address.
fn rooms(
    config: &Config,
    store: Store,
    client: bbb::client::Client,
) -> anyhow::Result<Option<web::rooms::Rooms>> {
    let (Some(links), Some(tenant)) = (
        crate::governance::room_links(config),
        config.governance_tenant.clone(),
    ) else {
        return Ok(None);
    };
    let mut local = config.listen;
    if local.ip().is_unspecified() {
        local.set_ip([127, 0, 0, 1].into());
    }
    let algorithm = config
        .algorithms()?
        .strongest()
        .context("checksum_algorithms allows no algorithm")?;
    Ok(Some(web::rooms::Rooms {
        links,
        store,
        tenant,
        gateway_url: format!("http://{local}"),
        public_url: config.public_url(),
        algorithm,
        client,
    }))
}

/// How often complete hours are rolled up (and old samples pruned).
const ROLLUP_EVERY: Duration = Duration::from_secs(5 * 60);

/// Rolls up usage on the instance that polls, so one instance writes the
/// rollups. A pass catches up every complete hour that waits.
async fn roll_up_periodically(
    metering: Metering,
    fleet: Arc<Fleet>,
    retention_ms: i64,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut ticker = tokio::time::interval(ROLLUP_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = ticker.tick() => {}
        }
        if !fleet.leads_polling() {
            continue;
        }
        match metering.roll_up(fleet.now_ms(), retention_ms).await {
            Ok(done) if done.hours > 0 || done.pruned > 0 => {
                tracing::info!(
                    hours = done.hours,
                    rows = done.rows,
                    pruned = done.pruned,
                    "usage rolled up"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "rolling up usage failed"),
        }
    }
}

/// Scalelite's single-secret mode: requests naming no tenant belong to the
/// `default` tenant, whose secrets are the configured load-balancer secrets.
async fn ensure_default_tenant(store: &Store, config: &Config, now_ms: i64) -> anyhow::Result<()> {
    let Some((first, rest)) = config.loadbalancer_secrets.split_first() else {
        return Ok(());
    };
    let act = store::Act::new("system:config", now_ms);
    let tenant = match store.tenant_by_name("default").await? {
        Some(t) => t,
        None => {
            store
                .create_tenant(
                    store::NewTenant {
                        name: "default",
                        host: None,
                        pool: None,
                        secret: first,
                    },
                    &act,
                )
                .await?
        }
    };
    let known = store.tenant_secrets(tenant.id).await?;
    for secret in std::iter::once(first).chain(rest) {
        if !known.contains(secret) {
            store.add_tenant_secret(&tenant, secret, &act).await?;
        }
    }
    Ok(())
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Ctrl-C or SIGTERM. The handlers are installed at the call, so a signal
/// sent as soon as the caller said how to stop it is not missed.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).expect("a SIGINT handler");
        let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler");
        async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
