//! An organisation's tenants with the exact settings a Greenlight takes,
//! and their secrets: a new one is shown once, on the page that answers
//! the form that made it, and never again; old ones are removed by their
//! fingerprint once every front end has moved over.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use consortium::{ConsortiumError, TenantView};
use serde::Deserialize;
use store::Organisation;

use super::{Own, Tab, own};
use crate::api::operations::endpoint;
use crate::portal::PortalState;
use crate::portal::page::{Nav, PageResult, render};
use crate::portal::session::Viewer;

/// A tenant as the page shows it.
pub struct Line {
    pub view: TenantView,
    pub endpoint: String,
}

/// A secret just made, for the one page that shows it.
pub struct Revealed {
    pub tenant: String,
    pub secret: String,
    pub fingerprint: String,
}

#[derive(Template)]
#[template(path = "portal/organisation/tenants.html")]
struct TenantsPage {
    nav: Option<Nav>,
    org: Organisation,
    tab: Tab,
    tenants: Vec<Line>,
    revealed: Option<Revealed>,
    removed: Option<String>,
    csrf: String,
}

async fn tenants_page(
    state: &PortalState,
    viewer: &Viewer,
    own: Own,
    revealed: Option<Revealed>,
    removed: Option<String>,
) -> PageResult {
    let tenants = state
        .api
        .consortium
        .tenants(&own.actor)
        .await?
        .into_iter()
        .filter(|t| t.organisation.as_deref() == Some(own.org.name.as_str()))
        .map(|view| Line {
            endpoint: endpoint(&state.api, &view),
            view,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &TenantsPage {
            nav: Some(viewer.nav()),
            org: own.org,
            tab: Tab::Tenants,
            tenants,
            revealed,
            removed,
            csrf: viewer.csrf.clone(),
        },
    ))
}

pub async fn page(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult {
    let own = own(&state, &viewer, &name).await?;
    tenants_page(&state, &viewer, own, None, None).await
}

/// The tenant `name` of the page's organisation: the access rules decide
/// whether the actor may see it at all, and a tenant of another
/// organisation the actor also runs is still not this one's.
async fn tenant_of(state: &PortalState, own: &Own, name: &str) -> PageResult<TenantView> {
    let view = state.api.consortium.tenant(&own.actor, name).await?;
    if view.organisation.as_deref() == Some(own.org.name.as_str()) {
        Ok(view)
    } else {
        Err(ConsortiumError::NotFound(format!("tenant {name:?}")).into())
    }
}

#[derive(Deserialize)]
pub struct SecretForm {
    csrf: Option<String>,
    fingerprint: Option<String>,
}

pub async fn add_secret(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path((name, tenant)): Path<(String, String)>,
    Form(form): Form<SecretForm>,
) -> PageResult {
    viewer.check_csrf(form.csrf.as_deref())?;
    let own = own(&state, &viewer, &name).await?;
    tenant_of(&state, &own, &tenant).await?;
    let added = state
        .api
        .consortium
        .add_tenant_secret(&own.actor, &tenant, None, (state.api.clock)())
        .await?;
    let revealed = Revealed {
        tenant,
        secret: added.secret,
        fingerprint: added.fingerprint,
    };
    tenants_page(&state, &viewer, own, Some(revealed), None).await
}

pub async fn remove_secret(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path((name, tenant)): Path<(String, String)>,
    Form(form): Form<SecretForm>,
) -> PageResult {
    viewer.check_csrf(form.csrf.as_deref())?;
    let own = own(&state, &viewer, &name).await?;
    tenant_of(&state, &own, &tenant).await?;
    let Some(fingerprint) = form.fingerprint else {
        return Ok(Redirect::to(&format!("/portal/organisations/{name}/tenants")).into_response());
    };
    let removed = state
        .api
        .consortium
        .remove_tenant_secret(&own.actor, &tenant, &fingerprint, (state.api.clock)())
        .await?;
    tenants_page(&state, &viewer, own, None, Some(removed)).await
}
