//! The portal: server-rendered pages under `/portal` for the people of the
//! register and the operators. Pages are askama templates checked at
//! compile time; the one stylesheet and the one small script are embedded
//! in the binary and served from `/portal/assets/`, so the portal works
//! offline and under a Content-Security-Policy without inline script.
//! Every page works without JavaScript; the script only keeps countdowns
//! and live figures current.
//!
//! The pages call the same consortium procedures and permission checks as
//! the API ([`crate::api::Caller`]), with a signed-in session instead of a
//! bearer token.

mod apply;
mod by_mail;
mod chart;
pub mod credentials;
mod diagram;
mod governance;
mod operator;
pub mod organisation;
mod page;
pub mod session;
mod sign_in;
mod when;
mod who;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::api::ApiState;
use page::{Nav, PageResult, render};
use session::Viewer;

pub use page::CONTENT_SECURITY_POLICY;
pub use sign_in::{FAILURE_WINDOW_MS, MAX_FAILURES};

/// What every page shares: the API's state (consortium, clock, throttle)
/// and whether cookies are `Secure` (see [`session::secure_cookies`]).
#[derive(Clone)]
pub struct PortalState {
    pub api: ApiState,
    pub secure_cookies: bool,
}

const CSS: &str = include_str!("../../assets/portal.css");
const JS: &str = include_str!("../../assets/portal.js");

async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "portal.css" => (CSS, "text/css; charset=utf-8"),
        "portal.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return governance::not_found().await,
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    nav: Option<Nav>,
    roles: Vec<(String, String)>,
    closing_soon: Vec<governance::Line>,
    open: Vec<governance::Line>,
}

async fn home(State(state): State<PortalState>, viewer: Viewer) -> PageResult {
    let roles = viewer
        .actor()
        .places()
        .iter()
        .map(|p| (p.organisation.clone(), p.role.as_str().to_string()))
        .collect();
    let (closing_soon, open, _) = governance::proposal_lines(&state).await?;
    Ok(render(
        StatusCode::OK,
        &HomePage {
            nav: Some(viewer.nav()),
            roles,
            closing_soon,
            open,
        },
    ))
}

pub fn router(state: PortalState) -> Router {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/assets/{name}", get(asset))
        .route(
            "/portal/login",
            get(sign_in::sign_in_form).post(sign_in::sign_in),
        )
        .route(
            "/portal/second-factor",
            get(sign_in::second_factor_form).post(sign_in::second_factor),
        )
        .route("/portal/logout", post(sign_in::sign_out))
        .route("/portal/login/link", post(by_mail::ask_sign_in_link))
        .route("/portal/link/{token}", get(sign_in::follow_link))
        .route(
            "/portal/reset",
            get(by_mail::ask_reset_form).post(by_mail::ask_reset),
        )
        .route(
            "/portal/reset/{token}",
            get(by_mail::choose_form).post(by_mail::choose),
        )
        .route("/portal/register", get(governance::register))
        .route("/portal/apply", get(apply::form).post(apply::send))
        .route(
            "/portal/apply/confirm/{token}",
            get(apply::confirm_form).post(apply::confirm),
        )
        .route(
            "/portal/organisations/{name}",
            get(governance::organisation),
        )
        .route("/portal/proposals", get(governance::proposals))
        .route("/portal/proposals/{id}", get(governance::proposal))
        .route(
            "/portal/proposals/{id}/record.json",
            get(governance::record),
        )
        .route(
            "/portal/proposals/{id}/ballots/{org}",
            post(governance::vote),
        )
        .merge(operator::router())
        .merge(organisation::router())
        .route("/portal/{*rest}", get(governance::not_found))
        .layer(axum::middleware::map_response(page::secure_headers))
        .with_state(state)
}
