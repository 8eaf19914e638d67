//! Endpoints for operators and monitoring: liveness, readiness, the
//! Scalelite-compatible health check, Prometheus metrics, and the front page.
//!
//! `/metrics` names tenants and servers, so it is not public: it needs the
//! configured bearer token, or is served on its own address, or else
//! answers only callers on this machine that no proxy forwarded.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use store::Store;
use subtle::ConstantTimeEq;
use throttle::ClientAddr;

#[derive(Clone)]
struct Ops {
    store: Store,
}

/// Who may read `/metrics` where it is served.
#[derive(Clone)]
pub enum MetricsAccess {
    /// Requests with `Authorization: Bearer <token>`.
    Token(String),
    /// Requests from a loopback address that carry no forwarding header.
    Loopback,
    /// Anyone who reaches it (its own listener, chosen by the operator).
    Anyone,
    /// Nobody: it is served on its own address.
    Elsewhere,
}

/// Who may read `/metrics` on the main address and on its own one
/// (`metrics_listen`): the token wherever it is set; without one, anyone who
/// reaches its own address, or local callers on the main one.
pub fn metrics_access(token: Option<&str>, own_address: bool) -> (MetricsAccess, MetricsAccess) {
    let with_token = |t: &str| MetricsAccess::Token(t.to_string());
    let main = match (own_address, token) {
        (true, _) => MetricsAccess::Elsewhere,
        (false, Some(t)) => with_token(t),
        (false, None) => MetricsAccess::Loopback,
    };
    (main, token.map_or(MetricsAccess::Anyone, with_token))
}

impl MetricsAccess {
    fn allows(&self, client: Option<ClientAddr>, headers: &HeaderMap) -> bool {
        match self {
            Self::Token(token) => headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(token.as_bytes()))),
            Self::Loopback => {
                let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
                    .iter()
                    .any(|h| headers.contains_key(*h));
                !forwarded && client.is_some_and(|ClientAddr(ip)| ip.is_loopback())
            }
            Self::Anyone => true,
            Self::Elsewhere => false,
        }
    }
}

#[derive(Clone)]
struct Metrics {
    handle: PrometheusHandle,
    access: MetricsAccess,
}

/// The process-wide Prometheus recorder, installed once.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_seconds".into()),
                    &[
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    ],
                )
                .expect("static buckets are valid")
                .install_recorder()
                .expect("the only metrics recorder of the process")
        })
        .clone()
}

/// `/metrics` alone, for its own listener.
pub fn metrics_router(handle: PrometheusHandle, access: MetricsAccess) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .with_state(Metrics { handle, access })
}

pub fn router(store: Store, metrics: PrometheusHandle, access: MetricsAccess) -> Router {
    Router::new()
        .route("/", get(front_page))
        .route(
            "/healthz",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"status\":\"ok\"}",
                )
            }),
        )
        .route("/readyz", get(readyz))
        .route("/health_check", get(health_check))
        .with_state(Ops { store })
        .merge(metrics_router(metrics, access))
}

async fn readiness(store: &Store) -> Result<(), String> {
    match store.is_ready().await {
        Ok(true) => Ok(()),
        Ok(false) => Err("migrations are not applied".into()),
        Err(e) => Err(format!("database unreachable: {e}")),
    }
}

async fn readyz(State(ops): State<Ops>) -> Response {
    match readiness(&ops.store).await {
        Ok(()) => (
            [(header::CONTENT_TYPE, "application/json")],
            "{\"status\":\"ready\"}",
        )
            .into_response(),
        Err(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "status": "not ready", "reason": why }).to_string(),
        )
            .into_response(),
    }
}

/// Scalelite's monitors expect exactly `success`.
async fn health_check(State(ops): State<Ops>) -> Response {
    match readiness(&ops.store).await {
        Ok(()) => "success".into_response(),
        Err(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("Health Check Failure: {why}"),
        )
            .into_response(),
    }
}

/// Refused as if absent, so the endpoint gives nothing away.
async fn render_metrics(
    State(metrics): State<Metrics>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Response {
    if !metrics
        .access
        .allows(client.map(|Extension(c)| c), &headers)
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.handle.render(),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct FrontPageQuery {
    errors: Option<String>,
}

/// Where a failed join lands by default: say what went wrong, plainly.
async fn front_page(Query(q): Query<FrontPageQuery>) -> Html<String> {
    let problem = q
        .errors
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
        .and_then(|v| v[0]["message"].as_str().map(escape))
        .map(|m| {
            format!("<p class=\"error\"><strong>The meeting could not be joined:</strong> {m}</p>")
        })
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Plenary</title></head>\
         <body><h1>Plenary</h1>{problem}<p>This is the BigBlueButton gateway of the co-operative. \
         Front ends use <code>/bigbluebutton/api</code> on their tenant's host name, or \
         <code>/t/&lt;tenant&gt;/bigbluebutton/api</code>.</p>\
         <p><a href=\"/metrics\">Metrics</a> · <a href=\"/readyz\">Readiness</a></p></body></html>"
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
