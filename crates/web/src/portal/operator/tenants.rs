//! Tenants: the list with the tiers they choose from, a tenant's page with
//! the settings its Greenlight needs, and its secrets, rotated by adding a
//! new one (shown on the answer to that form, and never again) and removing
//! the old one once every front end has moved over.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use consortium::TenantView;
use store::Tier;

use super::super::PortalState;
use super::super::governance::Fields;
use super::super::page::{Nav, PageResult, render};
use super::super::when::utc;
use super::{Confirmation, Operator, Tab};

/// A tenant as the list shows it.
pub struct TenantRow {
    pub name: String,
    pub organisation: String,
    pub tier: String,
    pub pool: String,
    pub enabled: bool,
    pub secrets: usize,
}

impl From<&TenantView> for TenantRow {
    fn from(v: &TenantView) -> Self {
        Self {
            name: v.tenant.name.clone(),
            organisation: v.organisation.clone().unwrap_or_default(),
            tier: v.tier.clone().unwrap_or_default(),
            pool: v.tenant.pool.clone().unwrap_or_default(),
            enabled: v.tenant.enabled,
            secrets: v.secret_fingerprints.len(),
        }
    }
}

/// A tier's limits in one line.
pub struct TierRow {
    pub name: String,
    pub price: String,
    pub limits: String,
}

fn tier_row(t: &Tier, state: &PortalState) -> TierRow {
    TierRow {
        name: t.name.clone(),
        price: state
            .api
            .billing
            .currency
            .format(metering::money::Cents(t.price_cents)),
        limits: format!(
            "{} per meeting, {} meetings and {} people at once, {} minutes a meeting",
            t.participants_per_meeting,
            t.concurrent_meetings,
            t.concurrent_participants,
            t.meeting_minutes
        ),
    }
}

#[derive(Template)]
#[template(path = "portal/operator/tenants.html")]
struct TenantsPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    tenants: Vec<TenantRow>,
    tiers: Vec<TierRow>,
}

pub async fn list(State(state): State<PortalState>, op: Operator) -> PageResult {
    let consortium = &state.api.consortium;
    let tenants = consortium.tenants(&op.actor).await?;
    let tiers = consortium.tiers(&op.actor).await?;
    Ok(render(
        StatusCode::OK,
        &TenantsPage {
            nav: op.nav(),
            tabs: Tab::Tenants.links(),
            tenants: tenants.iter().map(TenantRow::from).collect(),
            tiers: tiers.iter().map(|t| tier_row(t, &state)).collect(),
        },
    ))
}

#[derive(Template)]
#[template(path = "portal/operator/tenant.html")]
struct TenantPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    t: TenantRow,
    host: String,
    created: String,
    endpoint: String,
    fingerprints: Vec<String>,
    /// A secret just made: shown on this answer only.
    new_secret: Option<String>,
    csrf: String,
}

/// Greenlight's `BIGBLUEBUTTON_ENDPOINT` for a tenant: its API under
/// Plenary's public address, without the trailing slash Greenlight adds.
fn greenlight_endpoint(state: &PortalState, v: &TenantView) -> String {
    format!(
        "{}{}",
        state.api.consortium.settings().public_url,
        v.endpoint_path().trim_end_matches('/')
    )
}

async fn tenant_page(
    state: &PortalState,
    op: &Operator,
    name: &str,
    new_secret: Option<String>,
) -> PageResult {
    let v = state.api.consortium.tenant(&op.actor, name).await?;
    let mut response = render(
        StatusCode::OK,
        &TenantPage {
            nav: op.nav(),
            tabs: Tab::Tenants.links(),
            t: TenantRow::from(&v),
            host: v.tenant.host.clone().unwrap_or_default(),
            created: utc(v.tenant.created_at),
            endpoint: greenlight_endpoint(state, &v),
            fingerprints: v.secret_fingerprints.clone(),
            new_secret,
            csrf: op.csrf(),
        },
    );
    // Set by the portal's headers too; said here because this answer may
    // hold a secret.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

pub async fn show(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
) -> PageResult {
    tenant_page(&state, &op, &name, None).await
}

/// Adds a secret Plenary makes, and shows it this once.
pub async fn rotate(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let added = state
        .api
        .consortium
        .add_tenant_secret(&op.actor, &name, None, (state.api.clock)())
        .await?;
    tenant_page(&state, &op, &name, Some(added.secret)).await
}

pub async fn remove_secret(
    State(state): State<PortalState>,
    op: Operator,
    Path((name, fingerprint)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let consortium = &state.api.consortium;
    if !super::confirmed(&fields) {
        let v = consortium.tenant(&op.actor, &name).await?;
        let others = v.secret_fingerprints.len().saturating_sub(1);
        return Ok(Confirmation {
            title: format!("Remove a secret of {name}?"),
            detail: format!(
                "Front ends still using the secret {fingerprint} stop working at once; {others} other secret{} keep working.",
                if others == 1 { "" } else { "s" }
            ),
            action: format!("/portal/operator/tenants/{name}/secrets/{fingerprint}/remove"),
            button: "Remove the secret",
            danger: true,
            back: format!("/portal/operator/tenants/{name}"),
            fields: Vec::new(),
        }
        .page(&op, Tab::Tenants));
    }
    consortium
        .remove_tenant_secret(&op.actor, &name, &fingerprint, (state.api.clock)())
        .await?;
    Ok(Redirect::to(&format!("/portal/operator/tenants/{name}")).into_response())
}
