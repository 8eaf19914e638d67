//! The operators' pages under `/portal/operator`: the fleet as it is now
//! (kept current by the page's script), a server's recent hours, tenants
//! and their secrets, capacity, fair use, the months' statements and the
//! audit log. Every page asks the access rules for the platform's reads
//! first, so anyone else gets the refusal the API gives; every change goes
//! through the same service functions as the API, as the signed-in
//! operator, and asks to be confirmed on a page of its own first.

mod audit;
mod fleet;
mod statements;
mod tenants;
mod tiers;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use consortium::Actor;
use consortium::access::Action;

use super::PortalState;
use super::governance::Fields;
use super::page::{Nav, PageError, render};
use super::session::Viewer;

/// The sections of the operators' pages, as their tabs name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Fleet,
    Tenants,
    Capacity,
    FairUse,
    Billing,
    Audit,
}

impl Tab {
    const ALL: [(Tab, &'static str, &'static str); 6] = [
        (Tab::Fleet, "Fleet", "/portal/operator"),
        (Tab::Tenants, "Tenants", "/portal/operator/tenants"),
        (Tab::Capacity, "Capacity", "/portal/operator/capacity"),
        (Tab::FairUse, "Fair use", "/portal/operator/fair-use"),
        (Tab::Billing, "Billing", "/portal/operator/billing"),
        (Tab::Audit, "Audit log", "/portal/operator/audit"),
    ];

    /// Every tab as (label, link, whether it is this one).
    pub fn links(self) -> Vec<(&'static str, &'static str, bool)> {
        Self::ALL
            .iter()
            .map(|(tab, label, href)| (*label, *href, *tab == self))
            .collect()
    }
}

/// A signed-in operator: the viewer and the actor the service functions
/// are called as. Extracting it is the access check of every page here.
pub struct Operator {
    pub viewer: Viewer,
    pub actor: Actor,
}

impl Operator {
    pub fn nav(&self) -> Option<Nav> {
        Some(self.viewer.nav())
    }

    pub fn csrf(&self) -> String {
        self.viewer.csrf.clone()
    }
}

impl FromRequestParts<PortalState> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &PortalState) -> Result<Self, Response> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let actor = viewer.actor().clone();
        actor
            .may(Action::ReadOperations)
            .map_err(|r| PageError::from(r.into_error("this page")).into_response())?;
        Ok(Self { viewer, actor })
    }
}

/// The operators' routes, merged into the portal's.
pub fn router() -> Router<PortalState> {
    Router::new()
        .route("/portal/operator", get(fleet::dashboard))
        .route("/portal/operator/fleet.json", get(fleet::live))
        .route("/portal/operator/servers/{id}", get(fleet::server))
        .route("/portal/operator/servers/{id}/{action}", post(fleet::act))
        .route(
            "/portal/operator/tenants",
            get(tenants::list).post(tenants::create),
        )
        // Not under `tenants/`, where it would hide a tenant named `new`.
        .route("/portal/operator/new-tenant", get(tenants::new_form))
        .route(
            "/portal/operator/tenants/{name}",
            get(tenants::show).post(tenants::change),
        )
        .route(
            "/portal/operator/tenants/{name}/enable",
            post(tenants::enable),
        )
        .route(
            "/portal/operator/tenants/{name}/disable",
            post(tenants::disable),
        )
        .route(
            "/portal/operator/tenants/{name}/secrets",
            post(tenants::rotate),
        )
        .route(
            "/portal/operator/tenants/{name}/secrets/{fingerprint}/remove",
            post(tenants::remove_secret),
        )
        .route("/portal/operator/tiers", post(tiers::create))
        // Not under `tiers/`, where it would hide a tier named `new`.
        .route("/portal/operator/new-tier", get(tiers::new_form))
        .route(
            "/portal/operator/tiers/{name}",
            get(tiers::show).post(tiers::change),
        )
        .route("/portal/operator/capacity", get(statements::capacity))
        .route("/portal/operator/fair-use", get(statements::fair_use))
        .route("/portal/operator/billing", get(statements::periods))
        .route("/portal/operator/billing/{period}", get(statements::period))
        .route(
            "/portal/operator/billing/{period}/close",
            post(statements::close),
        )
        .route(
            "/portal/operator/billing/{period}/{org}",
            get(statements::statement),
        )
        .route("/portal/operator/audit", get(audit::log))
}

/// A change asked for, as the page that confirms it shows it.
pub struct Confirmation {
    pub title: String,
    pub detail: String,
    /// Where the confirmed form is posted.
    pub action: String,
    pub button: &'static str,
    pub danger: bool,
    pub back: String,
    /// The form's other fields, carried over.
    pub fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal/operator/confirm.html")]
struct ConfirmPage<'a> {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    c: &'a Confirmation,
    csrf: String,
}

impl Confirmation {
    pub fn page(&self, op: &Operator, tab: Tab) -> Response {
        render(
            StatusCode::OK,
            &ConfirmPage {
                nav: op.nav(),
                tabs: tab.links(),
                c: self,
                csrf: op.csrf(),
            },
        )
    }
}

/// Whether a posted form is the one its confirmation page sent.
pub fn confirmed(fields: &Fields) -> bool {
    fields.one("confirmed") == Some("yes")
}
