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
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::Acting;
use super::openapi::{Conflict, Forbidden, NotFound};
use super::params;
use super::problem::{Answer, MaybeBody, Path};
use super::tokens::no_store;

/// A tenant: one BBB API front end's account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tenant)]
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

/// Tenants
///
/// Operators: every tenant. An organisation's admin: their organisations'
/// tenants only. Each with the endpoint to paste into Greenlight.
#[utoipa::path(
    get,
    path = "/api/v1/tenants",
    responses((status = 200, body = Vec<TenantBody>), (status = 403, response = Forbidden)),
)]
pub async fn tenants(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<TenantBody>>> {
    let seen = state.consortium.tenants(&actor).await?;
    Ok(Json(
        seen.into_iter().map(|v| tenant_body(&state, v)).collect(),
    ))
}

/// A tenant
///
/// Operators: any tenant. An organisation's admin: their own; another
/// organisation's answers 404 exactly like a missing one.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{name}",
    params(params::Tenant),
    responses(
        (status = 200, body = TenantBody),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Tenant { name }): Path<params::Tenant>,
) -> Answer<Json<TenantBody>> {
    let view = state.consortium.tenant(&actor, &name).await?;
    Ok(Json(tenant_body(&state, view)))
}

/// A secret to add.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = NewSecret)]
#[serde(deny_unknown_fields)]
pub struct SecretAsked {
    /// A secret of one's own; Plenary makes one when it is left out.
    secret: Option<String>,
}

/// A secret added. Not `Debug`: it holds the secret.
#[derive(Serialize, ToSchema)]
struct SecretAdded {
    fingerprint: String,
    /// Shown this once, when Plenary made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

/// Add a secret
///
/// Operators and the tenant's organisation admin (not with a read-only
/// token): adds a secret beside the others, so front ends move over one by
/// one. A secret Plenary makes is shown this once, with `Cache-Control:
/// no-store`.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{name}/secrets",
    params(params::Tenant),
    request_body(content = Option<SecretAsked>, description = "Optional: an empty body has Plenary make the secret"),
    responses(
        (status = 201, description = "Added", body = SecretAdded),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
)]
pub async fn add_secret(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Tenant { name }): Path<params::Tenant>,
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

/// Remove a secret
///
/// Operators and the tenant's organisation admin: removes a secret, named
/// by its fingerprint. The last secret stays (409).
#[utoipa::path(
    delete,
    path = "/api/v1/tenants/{name}/secrets/{secret}",
    params(params::TenantSecret),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
)]
pub async fn remove_secret(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::TenantSecret {
        name,
        secret: fingerprint,
    }): Path<params::TenantSecret>,
) -> Answer<StatusCode> {
    state
        .consortium
        .remove_tenant_secret(&actor, &name, &fingerprint, (state.clock)())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A BBB server as last polled; never its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Server)]
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

/// Servers
///
/// Operators only: every BBB server with its state, health, load, meetings
/// and participants as last polled; never its secret.
#[utoipa::path(
    get,
    path = "/api/v1/servers",
    responses((status = 200, body = Vec<ServerBody>), (status = 403, response = Forbidden)),
)]
pub async fn servers(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<ServerBody>>> {
    let servers = state.consortium.servers(&actor).await?;
    Ok(Json(servers.into_iter().map(ServerBody::from).collect()))
}

/// A service level tenants are sold at.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tier)]
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

/// Tiers
///
/// Operators and organisations' admins: the service levels tenants are
/// sold at.
#[utoipa::path(
    get,
    path = "/api/v1/tiers",
    responses((status = 200, body = Vec<TierBody>), (status = 403, response = Forbidden)),
)]
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

/// Enable a server
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): the server takes new meetings.
#[utoipa::path(
    post,
    path = "/api/v1/servers/{id}/enable",
    params(params::Server),
    responses(
        (status = 204, description = "Done"),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn enable_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Server { id }): Path<params::Server>,
) -> Answer<StatusCode> {
    set_server_state(&state, &actor, id, ServerState::Enabled).await
}

/// Cordon a server
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): the server keeps its running meetings and takes no new ones.
#[utoipa::path(
    post,
    path = "/api/v1/servers/{id}/cordon",
    params(params::Server),
    responses(
        (status = 204, description = "Done"),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn cordon_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Server { id }): Path<params::Server>,
) -> Answer<StatusCode> {
    set_server_state(&state, &actor, id, ServerState::Cordoned).await
}

/// Disable a server
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): the server gets no calls at all.
#[utoipa::path(
    post,
    path = "/api/v1/servers/{id}/disable",
    params(params::Server),
    responses(
        (status = 204, description = "Done"),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn disable_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Server { id }): Path<params::Server>,
) -> Answer<StatusCode> {
    set_server_state(&state, &actor, id, ServerState::Disabled).await
}

/// How to release a failing server.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Panic {
    /// Leave the server's state as it is (it is disabled by default).
    #[serde(default)]
    keep_state: bool,
}

/// How many meetings were released.
#[derive(Debug, Serialize, ToSchema)]
pub struct Released {
    released: u64,
}

/// Release a failing server's meetings
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): every meeting on the server is released so its next
/// create lands elsewhere, and the server is disabled unless `keep_state`.
#[utoipa::path(
    post,
    path = "/api/v1/servers/{id}/panic",
    params(params::Server),
    request_body(content = Option<Panic>, description = "Optional"),
    responses(
        (status = 200, body = Released),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn panic_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Server { id }): Path<params::Server>,
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

/// Enable a tenant
///
/// Operators only: the tenant answers calls again.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{name}/enable",
    params(params::Tenant),
    responses(
        (status = 204, description = "Done"),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn enable_tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Tenant { name }): Path<params::Tenant>,
) -> Answer<StatusCode> {
    set_tenant_enabled(&state, &actor, &name, true).await
}

/// Disable a tenant
///
/// Operators only: the tenant refuses calls; running meetings continue.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{name}/disable",
    params(params::Tenant),
    responses(
        (status = 204, description = "Done"),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn disable_tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Tenant { name }): Path<params::Tenant>,
) -> Answer<StatusCode> {
    set_tenant_enabled(&state, &actor, &name, false).await
}

/// The largest page of the audit log one request reads.
const MAX_PAGE: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditPage {
    /// Only the entries about this subject, such as `tenant:acme`.
    subject: Option<String>,
    /// The `seq` after which the page starts; 0, the default, starts at
    /// the first entry.
    #[serde(default)]
    after: i64,
    /// At most this many entries: 100 by default, 1000 at most.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// One entry of the audit log, with its place in the hash chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditEntry)]
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

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntries {
    entries: Vec<AuditEntryBody>,
    /// What to pass as `after` for the next page; `null` on the last.
    next_after: Option<i64>,
}

/// The audit log
///
/// Operators only: entries oldest first with their hashes, a page at a
/// time. `GET /api/v1/audit/verify` says whether the chain holds.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    params(AuditPage),
    responses((status = 200, body = AuditEntries), (status = 403, response = Forbidden)),
)]
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
