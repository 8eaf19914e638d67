//! The BBB API that every organisation's front end points at.
//!
//! A request is resolved to a tenant (by host name or by a `/t/<tenant>` path
//! prefix), its checksum verified against that tenant's secrets, and the call
//! is answered by the fleet's servers with meeting IDs namespaced per tenant.
//! Every answer is BBB XML (HTTP 200, `FAILED` + `messageKey` on error) or, for
//! `join`, the redirect a BBB server would give. An address that sent too
//! many bad checksums is refused for a while without checking. The
//! callbacks a tenant asks for reach its servers as Plenary's own one-time
//! URLs and are relayed to the tenant ([`callbacks`]).

mod callbacks;
mod calls;
pub mod limits;
pub mod namespace;
pub mod policy;
mod problem;
pub mod quota;
pub mod recordings;
mod request;
mod tenancy;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::{Router, middleware};
use bbb::AlgorithmSet;
use fleet::Fleet;
use store::Store;

pub use bbb::answer::Answer;
pub use callbacks::CallbackConfig;
pub use policy::ParamPolicy;
pub use recordings::RecordingsConfig;

/// The gateway's own settings (the environment catalogue maps onto these).
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Tenants answer at `<tenant>.<base_domain>` (Scalelite style) when set.
    pub base_domain: Option<String>,
    /// Checksum algorithms accepted from front ends.
    pub algorithms: AlgorithmSet,
    pub create_policy: ParamPolicy,
    pub join_policy: ParamPolicy,
    /// Minutes; clamps every meeting's `duration`.
    pub max_meeting_duration: Option<u32>,
    /// `GET_MEETINGS_API_DISABLED`: getMeetings always answers `noMeetings`.
    pub get_meetings_disabled: bool,
    /// Where a browser whose join failed is sent when the caller named no
    /// `redirectErrorUrl` (BBB's default logout URL).
    pub default_logout_url: String,
    /// The tenant that requests naming no tenant belong to (Scalelite's
    /// single-secret mode), if any.
    pub fallback_tenant: Option<String>,
    /// How long a tenant and its secrets are reused between requests;
    /// zero reads them for every request.
    pub tenant_cache_ttl: std::time::Duration,
    /// Refuses addresses that sent too many bad checksums.
    pub throttle: throttle::Throttle,
    pub limits: limits::Limits,
    /// The co-op's time zone, where the room quota's month begins (as its
    /// bills' months do).
    pub zone: jiff::tz::TimeZone,
    pub callbacks: CallbackConfig,
    pub recordings: RecordingsConfig,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            base_domain: None,
            algorithms: AlgorithmSet::all(),
            create_policy: ParamPolicy::default(),
            join_policy: ParamPolicy::default(),
            max_meeting_duration: None,
            get_meetings_disabled: false,
            default_logout_url: "/".into(),
            fallback_tenant: None,
            tenant_cache_ttl: std::time::Duration::from_secs(2),
            throttle: throttle::Throttle::default(),
            limits: limits::Limits::default(),
            zone: jiff::tz::TimeZone::UTC,
            callbacks: CallbackConfig::default(),
            recordings: RecordingsConfig::default(),
        }
    }
}

pub struct Gateway {
    store: Store,
    fleet: Arc<Fleet>,
    config: GatewayConfig,
    tenants: tenancy::TenantCache,
    slots: limits::ServerSlots,
    callback_queue: callbacks::Queue,
}

impl Gateway {
    /// Must be called within a Tokio runtime, which runs the callback workers.
    pub fn new(store: Store, fleet: Arc<Fleet>, config: GatewayConfig) -> Arc<Self> {
        Arc::new(Self {
            callback_queue: callbacks::Queue::start(&config.callbacks),
            store,
            fleet,
            tenants: tenancy::TenantCache::new(config.tenant_cache_ttl),
            slots: limits::ServerSlots::new(config.limits.server_concurrency),
            config,
        })
    }
}

/// The `/bigbluebutton/api/*` and `/t/<tenant>/bigbluebutton/api/*` routes,
/// `/callbacks/<kind>/<token>` where servers call back,
/// `/recordings/import` where they upload recordings, and
/// `/t/<tenant>/playback/*` where those play.
pub fn router(gateway: Arc<Gateway>) -> Router {
    let limits = Arc::new(gateway.config.limits.clone());
    Router::new()
        .route("/bigbluebutton/api", any(request::api))
        .route("/bigbluebutton/api/", any(request::api))
        .route("/bigbluebutton/api/{call}", any(request::api))
        .route("/bigbluebutton/{*rest}", any(request::unsupported))
        .route("/t/{tenant}/bigbluebutton/api", any(request::api))
        .route("/t/{tenant}/bigbluebutton/api/", any(request::api))
        .route("/t/{tenant}/bigbluebutton/api/{call}", any(request::api))
        .route(
            "/t/{tenant}/bigbluebutton/{*rest}",
            any(request::unsupported),
        )
        .route("/callbacks/{kind}/{token}", any(callbacks::receive))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(limits, limits::sizes))
        .with_state(gateway.clone())
        .merge(recordings_router(gateway))
}

/// Uploads are streamed to disk and held to the recordings' own limits,
/// not to the API's body limit.
fn recordings_router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/recordings/import", post(recordings::import))
        .route(
            "/t/{tenant}/playback/{record_id}/{format}/",
            get(recordings::play_root),
        )
        .route(
            "/t/{tenant}/playback/{record_id}/{format}/{*file}",
            get(recordings::play_file),
        )
        .layer(DefaultBodyLimit::disable())
        .with_state(gateway)
}
