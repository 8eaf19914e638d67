//! Endpoints for operators and monitoring: liveness, readiness, the
//! Scalelite-compatible health check, Prometheus metrics, and the front page.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use store::Store;

#[derive(Clone)]
struct Ops {
    store: Store,
    metrics: PrometheusHandle,
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

pub fn router(store: Store, metrics: PrometheusHandle) -> Router {
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
        .route("/metrics", get(render_metrics))
        .with_state(Ops { store, metrics })
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

async fn render_metrics(State(ops): State<Ops>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        ops.metrics.render(),
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
