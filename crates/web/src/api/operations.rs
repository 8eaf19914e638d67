//! The platform's operations: tenants and their secrets, servers and tiers.
//! Every answer comes from the consortium's operations, which ask the
//! access rules; an organisation admin sees only their own tenants, and
//! another organisation's answers 404 exactly like a missing one.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use consortium::{Actor, TenantView};
use serde::{Deserialize, Serialize};
use store::{Server, ServerState, Tier};

use super::ApiState;
use super::auth::Acting;
use super::problem::{Answer, MaybeBody, Path};
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

/// The BBB API URL of a tenant, to paste into Greenlight: what the API
/// answers and the portal shows.
pub fn endpoint(state: &ApiState, v: &TenantView) -> String {
    format!(
        "{}{}",
        state.consortium.settings().public_url,
        v.endpoint_path()
    )
}

fn tenant_body(state: &ApiState, v: TenantView) -> TenantBody {
    TenantBody {
        endpoint: endpoint(state, &v),
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
pub struct ServerBody {
    id: i64,
    url: String,
    pool: Option<String>,
    state: &'static str,
    health: &'static str,
    load: i64,
    meetings: i64,
    participants: i64,
    capacity: i64,
    weight: i64,
    polled_at_ms: Option<i64>,
}

impl From<Server> for ServerBody {
    fn from(s: Server) -> Self {
        Self {
            id: s.id,
            url: s.url,
            pool: s.pool,
            state: s.state.as_str(),
            health: s.health.as_str(),
            load: s.load,
            meetings: s.meetings,
            participants: s.participants,
            capacity: s.capacity,
            weight: s.weight,
            polled_at_ms: s.polled_at,
        }
    }
}

pub async fn servers(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<ServerBody>>> {
    let servers = state.consortium.servers(&actor).await?;
    Ok(Json(servers.into_iter().map(ServerBody::from).collect()))
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

async fn set_server_state(
    state: &ApiState,
    actor: &Actor,
    id: i64,
    to: ServerState,
) -> Answer<StatusCode> {
    state
        .consortium
        .set_server_state(actor, id, to, (state.clock)())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn enable_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(id): Path<i64>,
) -> Answer<StatusCode> {
    set_server_state(&state, &actor, id, ServerState::Enabled).await
}

pub async fn cordon_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(id): Path<i64>,
) -> Answer<StatusCode> {
    set_server_state(&state, &actor, id, ServerState::Cordoned).await
}

pub async fn disable_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(id): Path<i64>,
) -> Answer<StatusCode> {
    set_server_state(&state, &actor, id, ServerState::Disabled).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panic {
    /// Leave the server's state as it is (it is disabled by default).
    #[serde(default)]
    keep_state: bool,
}

#[derive(Debug, Serialize)]
pub struct Released {
    released: u64,
}

pub async fn panic_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(id): Path<i64>,
    MaybeBody(panic): MaybeBody<Panic>,
) -> Answer<Json<Released>> {
    let keep_state = panic.unwrap_or_default().keep_state;
    let released = state
        .consortium
        .panic_server(&actor, id, keep_state, (state.clock)())
        .await?;
    Ok(Json(Released { released }))
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

/// The largest page of the audit log one request reads.
const MAX_PAGE: i64 = 1000;

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
    let limit = page.limit.unwrap_or(100).clamp(1, MAX_PAGE);
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
