//! Tenants: the list with the tiers they choose from, a new tenant's form,
//! a tenant's page with the settings its Greenlight needs, its place
//! (organisation, tier, pool, host) and whether it is enabled, and its
//! secrets, rotated by adding a new one (shown on the answer to that form,
//! and never again) and removing the old one once every front end has
//! moved over. Every change is the operations service's, as the signed-in
//! operator; a form it refuses comes back filled in, with the reason.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use consortium::{ConsortiumError, NewTenantSettings, TenantChange, TenantView};
use serde::Deserialize;
use store::Tier;

use super::super::PortalState;
use super::super::governance::Fields;
use super::super::page::{Nav, PageResult, render};
use super::super::when::utc;
use super::{Confirmation, Operator, Tab};
use crate::api::Problem;
use crate::api::operations::endpoint;

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

/// What a tenant's form says: as posted, or as the tenant is now. A blank
/// field is "none" (no organisation, no tier's limits, the shared pool).
#[derive(Debug, Clone, Default)]
pub struct TenantForm {
    pub name: String,
    pub organisation: String,
    pub tier: String,
    pub pool: String,
    pub host: String,
}

fn chosen(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

impl TenantForm {
    fn posted(fields: &Fields) -> Self {
        let field = |key| fields.one(key).unwrap_or_default().to_string();
        Self {
            name: field("name"),
            organisation: field("organisation"),
            tier: field("tier"),
            pool: field("pool"),
            host: field("host"),
        }
    }

    fn of(v: &TenantView) -> Self {
        Self {
            name: v.tenant.name.clone(),
            organisation: v.organisation.clone().unwrap_or_default(),
            tier: v.tier.clone().unwrap_or_default(),
            pool: v.tenant.pool.clone().unwrap_or_default(),
            host: v.tenant.host.clone().unwrap_or_default(),
        }
    }

    fn new_tenant(&self) -> NewTenantSettings {
        NewTenantSettings {
            name: self.name.clone(),
            secret: None,
            organisation: chosen(&self.organisation),
            tier: chosen(&self.tier),
            pool: chosen(&self.pool),
            host: chosen(&self.host),
        }
    }

    /// The form sets every field it has, so what is blank is cleared.
    fn change(&self) -> TenantChange {
        TenantChange {
            organisation: Some(chosen(&self.organisation)),
            tier: Some(chosen(&self.tier)),
            pool: Some(chosen(&self.pool)),
            host: Some(chosen(&self.host)),
        }
    }
}

/// One option of a select.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One select of a tenant's form, with its current value chosen.
pub struct Select {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<Opt>,
}

/// `none` first (the blank value), then `names`, and `current` too when it
/// is none of them (a pool no server is in yet).
fn options(none: &str, names: Vec<String>, current: &str) -> Vec<Opt> {
    let mut values = vec![String::new()];
    values.extend(names);
    if !values.iter().any(|v| v == current) {
        values.push(current.to_string());
    }
    values
        .into_iter()
        .map(|value| Opt {
            label: if value.is_empty() {
                none.to_string()
            } else {
                value.clone()
            },
            selected: value == current,
            value,
        })
        .collect()
}

async fn selects(state: &PortalState, op: &Operator, form: &TenantForm) -> PageResult<Vec<Select>> {
    let consortium = &state.api.consortium;
    let organisations = consortium
        .store()
        .organisations()
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect();
    let tiers = consortium
        .tiers(&op.actor)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let pools = consortium
        .pools(&op.actor)
        .await?
        .into_iter()
        .filter_map(|p| p.name)
        .collect();
    let select = |name, label, options| Select {
        name,
        label,
        options,
    };
    Ok(vec![
        select(
            "organisation",
            "Organisation",
            options("none", organisations, &form.organisation),
        ),
        select(
            "tier",
            "Tier",
            options("none (no limits)", tiers, &form.tier),
        ),
        select(
            "pool",
            "Pool",
            options("the shared servers", pools, &form.pool),
        ),
    ])
}

/// A form the service refused for what it says (a taken name, an unknown
/// tier) comes back with the reason; anything else is an error page.
pub(super) fn refused_form(e: ConsortiumError) -> PageResult<Problem> {
    match e {
        ConsortiumError::Invalid(_)
        | ConsortiumError::Conflict(_)
        | ConsortiumError::NotFound(_) => Ok(e.into()),
        other => Err(other.into()),
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
#[template(path = "portal/operator/new_tenant.html")]
struct NewTenantPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    form: TenantForm,
    selects: Vec<Select>,
    error: Option<String>,
    csrf: String,
}

async fn new_tenant_page(
    state: &PortalState,
    op: &Operator,
    form: TenantForm,
    refused: Option<Problem>,
) -> PageResult {
    let page = NewTenantPage {
        nav: op.nav(),
        tabs: Tab::Tenants.links(),
        selects: selects(state, op, &form).await?,
        form,
        error: refused.as_ref().map(|p| p.detail.clone()),
        csrf: op.csrf(),
    };
    Ok(render(refused.map_or(StatusCode::OK, |p| p.status), &page))
}

pub async fn new_form(State(state): State<PortalState>, op: Operator) -> PageResult {
    new_tenant_page(&state, &op, TenantForm::default(), None).await
}

/// Makes a tenant with its first secret, and shows that secret this once
/// with the rest of its Greenlight settings.
pub async fn create(State(state): State<PortalState>, op: Operator, body: Bytes) -> PageResult {
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let form = TenantForm::posted(&fields);
    let made = state
        .api
        .consortium
        .create_tenant(&op.actor, form.new_tenant(), (state.api.clock)())
        .await;
    match made {
        Ok(made) => {
            let shown = Shown {
                new_secret: Some(made.secret.secret),
                notice: Some(format!("Tenant {} is made.", made.tenant.tenant.name)),
                ..Shown::default()
            };
            tenant_page(&state, &op, made.tenant, StatusCode::CREATED, shown).await
        }
        Err(e) => new_tenant_page(&state, &op, form, Some(refused_form(e)?)).await,
    }
}

/// What the tenant page shows besides the tenant.
#[derive(Default)]
struct Shown {
    /// A secret just made: shown on this answer only.
    new_secret: Option<String>,
    notice: Option<String>,
    /// A change refused, with the form as it was posted.
    refused: Option<(TenantForm, Problem)>,
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
    new_secret: Option<String>,
    notice: Option<String>,
    form: TenantForm,
    selects: Vec<Select>,
    error: Option<String>,
    csrf: String,
}

async fn tenant_page(
    state: &PortalState,
    op: &Operator,
    v: TenantView,
    status: StatusCode,
    shown: Shown,
) -> PageResult {
    let (form, status, error) = match shown.refused {
        Some((form, problem)) => (form, problem.status, Some(problem.detail)),
        None => (TenantForm::of(&v), status, None),
    };
    let mut response = render(
        status,
        &TenantPage {
            nav: op.nav(),
            tabs: Tab::Tenants.links(),
            t: TenantRow::from(&v),
            host: v.tenant.host.clone().unwrap_or_default(),
            created: utc(v.tenant.created_at),
            endpoint: endpoint(&state.api, &v),
            fingerprints: v.secret_fingerprints.clone(),
            new_secret: shown.new_secret,
            notice: shown.notice,
            selects: selects(state, op, &form).await?,
            form,
            error,
            csrf: op.csrf(),
        },
    );
    // Set by the portal's headers too; said here because this answer may
    // hold a secret.
    no_store(&mut response);
    Ok(response)
}

fn no_store(response: &mut Response) {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
}

/// What was just done to the tenant, for the notice after a redirect.
#[derive(Debug, Deserialize)]
pub struct Done {
    did: Option<String>,
}

fn notice(did: Option<&str>, name: &str) -> Option<String> {
    Some(match did? {
        "changed" => format!("{name} is changed; running meetings keep their server and limits."),
        "enabled" => format!("{name} is enabled: its front ends' calls are answered."),
        "disabled" => {
            format!("{name} is disabled: its front ends' calls fail; running meetings continue.")
        }
        _ => return None,
    })
}

pub async fn show(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let v = state.api.consortium.tenant(&op.actor, &name).await?;
    let shown = Shown {
        notice: notice(done.did.as_deref(), &v.tenant.name),
        ..Shown::default()
    };
    tenant_page(&state, &op, v, StatusCode::OK, shown).await
}

fn done(name: &str, did: &str) -> Response {
    Redirect::to(&format!("/portal/operator/tenants/{name}?did={did}")).into_response()
}

/// Moves a tenant to another organisation, tier or pool, or changes its
/// host name.
pub async fn change(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let consortium = &state.api.consortium;
    let form = TenantForm {
        name: name.clone(),
        ..TenantForm::posted(&fields)
    };
    match consortium
        .set_tenant(&op.actor, &name, form.change(), (state.api.clock)())
        .await
    {
        Ok(_) => Ok(done(&name, "changed")),
        Err(e) => {
            let refused = refused_form(e)?;
            let v = consortium.tenant(&op.actor, &name).await?;
            let shown = Shown {
                refused: Some((form, refused)),
                ..Shown::default()
            };
            tenant_page(&state, &op, v, StatusCode::OK, shown).await
        }
    }
}

pub async fn enable(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    switch(&state, &op, &name, &body, true).await
}

pub async fn disable(
    State(state): State<PortalState>,
    op: Operator,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    switch(&state, &op, &name, &body, false).await
}

/// Enables or disables a tenant, after a confirmation.
async fn switch(
    state: &PortalState,
    op: &Operator,
    name: &str,
    body: &[u8],
    enabled: bool,
) -> PageResult {
    let fields = Fields::parse(body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let consortium = &state.api.consortium;
    let v = consortium.tenant(&op.actor, name).await?;
    let (verb, did) = if enabled {
        ("Enable", "enabled")
    } else {
        ("Disable", "disabled")
    };
    if !super::confirmed(&fields) {
        return Ok(Confirmation {
            title: format!("{verb} {name}?"),
            detail: if enabled {
                "Its front ends' calls are answered again.".into()
            } else {
                "Every call of its front ends fails from now on, until it is enabled again; meetings already running continue.".into()
            },
            action: format!("/portal/operator/tenants/{name}/{}", verb.to_lowercase()),
            button: if enabled {
                "Enable the tenant"
            } else {
                "Disable the tenant"
            },
            danger: !enabled,
            back: format!("/portal/operator/tenants/{name}"),
            fields: Vec::new(),
        }
        .page(op, Tab::Tenants));
    }
    consortium
        .set_tenant_enabled(&op.actor, &v.tenant.name, enabled, (state.api.clock)())
        .await?;
    Ok(done(name, did))
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
    let consortium = &state.api.consortium;
    let added = consortium
        .add_tenant_secret(&op.actor, &name, None, (state.api.clock)())
        .await?;
    let v = consortium.tenant(&op.actor, &name).await?;
    let shown = Shown {
        new_secret: Some(added.secret),
        ..Shown::default()
    };
    tenant_page(&state, &op, v, StatusCode::OK, shown).await
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

#[cfg(test)]
mod tests {
    use super::*;

    fn values(opts: &[Opt]) -> Vec<(&str, bool)> {
        opts.iter()
            .map(|o| (o.value.as_str(), o.selected))
            .collect()
    }

    #[test]
    fn a_select_offers_none_first_and_chooses_the_current_value() {
        let opts = options("none", vec!["a".into(), "b".into()], "b");
        assert_eq!(values(&opts), [("", false), ("a", false), ("b", true)]);
        assert_eq!(opts[0].label, "none");
    }

    #[test]
    fn a_current_value_no_longer_listed_is_still_offered() {
        let opts = options("shared", vec!["eu".into()], "empty");
        assert_eq!(values(&opts), [("", false), ("eu", false), ("empty", true)]);
        let blank = options("shared", vec!["eu".into()], "");
        assert_eq!(values(&blank), [("", true), ("eu", false)]);
    }

    #[test]
    fn a_blank_field_clears_what_it_names() {
        let form = TenantForm {
            name: "t".into(),
            tier: "level1".into(),
            ..TenantForm::default()
        };
        let change = form.change();
        assert_eq!(change.tier, Some(Some("level1".into())));
        assert_eq!(change.organisation, Some(None));
        assert_eq!(change.pool, Some(None));
    }
}
