//! The platform's operations: tenants and their secrets, tiers and the
//! audit log. Every answer comes from the consortium's operations, which
//! ask the access rules; an organisation admin sees only their own
//! tenants, and another organisation's answers 404 exactly like a missing
//! one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use consortium::{Actor, NewTenantSettings, TenantChange, TenantView};
use serde::{Deserialize, Serialize};
use store::Tier;

use super::ApiState;
use super::auth::Acting;
use super::problem::{Answer, Body, MaybeBody, Path, Query, present};
use super::tokens::no_store;

#[derive(Debug, Serialize)]
pub struct TenantBody {
    name: String,
    enabled: bool,
    host: Option<String>,
    pool: Option<String>,
    organisation: Option<String>,
    tier: Option<String>,
    /// The BBB API URL to paste into Greenlight (with one of the secrets).
    endpoint: String,
    secret_fingerprints: Vec<String>,
    created_at_ms: i64,
}

fn tenant_body(state: &ApiState, v: TenantView) -> TenantBody {
    TenantBody {
        endpoint: format!(
            "{}{}",
            state.consortium.settings().public_url,
            v.endpoint_path()
        ),
        name: v.tenant.name,
        enabled: v.tenant.enabled,
        host: v.tenant.host,
        pool: v.tenant.pool,
        organisation: v.organisation,
        tier: v.tier,
        secret_fingerprints: v.secret_fingerprints,
        created_at_ms: v.tenant.created_at,
    }
}

pub async fn tenants(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<TenantBody>>> {
    let seen = state.consortium.tenants(&actor).await?;
    Ok(Json(
        seen.into_iter().map(|v| tenant_body(&state, v)).collect(),
    ))
}

pub async fn tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
) -> Answer<Json<TenantBody>> {
    let view = state.consortium.tenant(&actor, &name).await?;
    Ok(Json(tenant_body(&state, view)))
}

/// A tenant to create. Not `Debug`: it may hold a secret.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTenantBody {
    name: String,
    /// A secret of one's own; Plenary makes one when it is left out.
    secret: Option<String>,
    organisation: Option<String>,
    tier: Option<String>,
    pool: Option<String>,
    host: Option<String>,
}

/// Not `Debug`: it holds the secret.
#[derive(Serialize)]
struct TenantCreated {
    #[serde(flatten)]
    tenant: TenantBody,
    /// Shown this once, when Plenary made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

pub async fn create_tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Body(new): Body<NewTenantBody>,
) -> Answer<Response> {
    let created = state
        .consortium
        .create_tenant(
            &actor,
            NewTenantSettings {
                name: new.name,
                secret: new.secret,
                organisation: new.organisation,
                tier: new.tier,
                pool: new.pool,
                host: new.host,
            },
            (state.clock)(),
        )
        .await?;
    let body = TenantCreated {
        tenant: tenant_body(&state, created.tenant),
        secret: created.secret.generated.then_some(created.secret.secret),
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    no_store(&mut response);
    Ok(response)
}

/// What to change: a field left out stays, `null` clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantPatchBody {
    #[serde(default, deserialize_with = "present")]
    organisation: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    tier: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pool: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    host: Option<Option<String>>,
}

pub async fn set_tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
    Body(patch): Body<TenantPatchBody>,
) -> Answer<Json<TenantBody>> {
    let view = state
        .consortium
        .set_tenant(
            &actor,
            &name,
            TenantChange {
                organisation: patch.organisation,
                tier: patch.tier,
                pool: patch.pool,
                host: patch.host,
            },
            (state.clock)(),
        )
        .await?;
    Ok(Json(tenant_body(&state, view)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretAsked {
    /// A secret of one's own; Plenary makes one when it is left out.
    secret: Option<String>,
}

/// Not `Debug`: it holds the secret.
#[derive(Serialize)]
struct SecretAdded {
    fingerprint: String,
    /// Shown this once, when Plenary made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

pub async fn add_secret(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
    MaybeBody(asked): MaybeBody<SecretAsked>,
) -> Answer<Response> {
    let asked = asked.unwrap_or_default();
    let added = state
        .consortium
        .add_tenant_secret(&actor, &name, asked.secret, (state.clock)())
        .await?;
    let body = SecretAdded {
        fingerprint: added.fingerprint,
        secret: added.generated.then_some(added.secret),
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    no_store(&mut response);
    Ok(response)
}

pub async fn remove_secret(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path((name, fingerprint)): Path<(String, String)>,
) -> Answer<StatusCode> {
    state
        .consortium
        .remove_tenant_secret(&actor, &name, &fingerprint, (state.clock)())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
pub struct TierBody {
    name: String,
    price_cents: i64,
    currency: String,
    participants_per_meeting: i64,
    concurrent_meetings: i64,
    concurrent_participants: i64,
    meeting_minutes: i64,
    recording: bool,
    rooms_per_month: i64,
}

impl From<Tier> for TierBody {
    fn from(t: Tier) -> Self {
        Self {
            name: t.name,
            price_cents: t.price_cents,
            currency: t.currency,
            participants_per_meeting: t.participants_per_meeting,
            concurrent_meetings: t.concurrent_meetings,
            concurrent_participants: t.concurrent_participants,
            meeting_minutes: t.meeting_minutes,
            recording: t.recording,
            rooms_per_month: t.rooms_per_month,
        }
    }
}

pub async fn tiers(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<TierBody>>> {
    let tiers = state.consortium.tiers(&actor).await?;
    Ok(Json(tiers.into_iter().map(TierBody::from).collect()))
}

async fn set_tenant_enabled(
    state: &ApiState,
    actor: &Actor,
    name: &str,
    enabled: bool,
) -> Answer<StatusCode> {
    state
        .consortium
        .set_tenant_enabled(actor, name, enabled, (state.clock)())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn enable_tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
) -> Answer<StatusCode> {
    set_tenant_enabled(&state, &actor, &name, true).await
}

pub async fn disable_tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
) -> Answer<StatusCode> {
    set_tenant_enabled(&state, &actor, &name, false).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditPage {
    subject: Option<String>,
    #[serde(default)]
    after: i64,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct AuditEntryBody {
    seq: i64,
    at_ms: i64,
    actor: String,
    kind: String,
    subject: String,
    /// The change, as the JSON text that was hashed.
    detail: String,
    prev_hash: String,
    hash: String,
}

#[derive(Debug, Serialize)]
pub struct AuditEntries {
    entries: Vec<AuditEntryBody>,
    /// What to pass as `after` for the next page; `null` on the last.
    next_after: Option<i64>,
}

pub async fn audit(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Query(page): Query<AuditPage>,
) -> Answer<Json<AuditEntries>> {
    let limit = page
        .limit
        .unwrap_or(100)
        .clamp(1, consortium::operations::MAX_AUDIT_PAGE);
    let entries = state
        .consortium
        .audit_entries(&actor, page.subject.as_deref(), page.after, limit)
        .await?;
    let next_after = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(Json(AuditEntries {
        entries: entries
            .into_iter()
            .map(|e| AuditEntryBody {
                seq: e.seq,
                at_ms: e.at_ms,
                actor: e.actor,
                kind: e.kind,
                subject: e.subject,
                detail: e.detail,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
        next_after,
    }))
}
