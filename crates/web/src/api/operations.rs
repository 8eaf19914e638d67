//! The platform's operations: tenants and their secrets, tiers and the
//! audit log. Every answer comes from the consortium's operations, which
//! ask the access rules; an organisation admin sees only their own
//! tenants, and another organisation's answers 404 exactly like a missing
//! one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use consortium::{Actor, NewTenantSettings, TenantChange, TenantView, TierChange};
use serde::{Deserialize, Serialize};
use store::Tier;
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::Acting;
use super::openapi::{Conflict, Forbidden, NotFound, UnsupportedMediaType};
use super::params;
use super::problem::{Answer, Body, MaybeBody, Path, Problem, Query, present};
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

/// A tenant to create. Not `Debug`: it may hold a secret.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewTenant)]
#[serde(deny_unknown_fields)]
pub struct NewTenantBody {
    name: String,
    /// A secret of one's own; Plenary makes one when it is left out.
    secret: Option<String>,
    /// The organisation it belongs to.
    organisation: Option<String>,
    /// The tier it is sold at.
    tier: Option<String>,
    /// Pins its meetings to this pool's servers.
    pool: Option<String>,
    /// An exact host name that names the tenant, such as
    /// `rooms.school.example`.
    host: Option<String>,
}

/// A tenant created. Not `Debug`: it holds the secret.
#[derive(Serialize, ToSchema)]
struct TenantCreated {
    #[serde(flatten)]
    tenant: TenantBody,
    /// Shown this once, when Plenary made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

/// Create a tenant
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): the tenant with its organisation, tier, pool and host, in
/// one audited change. A secret Plenary makes is shown this once, with
/// `Cache-Control: no-store`. A name taken answers 409; an unknown
/// organisation or tier, 404.
#[utoipa::path(
    post,
    path = "/api/v1/tenants",
    request_body = NewTenantBody,
    responses(
        (status = 201, description = "Created", body = TenantCreated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
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
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = TenantPatch)]
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

/// Change a tenant
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): its organisation, tier, pool or host, in one audited
/// change; running meetings keep their server and limits. An unknown
/// tenant, organisation or tier answers 404.
#[utoipa::path(
    patch,
    path = "/api/v1/tenants/{name}",
    params(params::Tenant),
    request_body = TenantPatchBody,
    responses(
        (status = 200, body = TenantBody),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn set_tenant(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Tenant { name }): Path<params::Tenant>,
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

/// A service level tenants are sold at. Limits of 0 mean "no limit".
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tier)]
pub struct TierBody {
    name: String,
    price_cents: i64,
    /// ISO 4217, such as `EUR`.
    currency: String,
    participants_per_meeting: i64,
    concurrent_meetings: i64,
    concurrent_participants: i64,
    meeting_minutes: i64,
    webcams_per_meeting: i64,
    webcams_per_user: i64,
    recording: bool,
    rooms_per_month: i64,
    /// BBB's `disabledFeatures` that its meetings are created with, such
    /// as `chat` or `breakoutRooms`.
    disabled_features: Vec<String>,
    /// Fair use: participant-minutes a month.
    allowance_participant_minutes: i64,
    /// Fair use: estimated GB a month.
    allowance_gb: i64,
}

impl From<Tier> for TierBody {
    fn from(t: Tier) -> Self {
        Self {
            disabled_features: t
                .disabled_features
                .names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            name: t.name,
            price_cents: t.price_cents,
            currency: t.currency,
            participants_per_meeting: t.participants_per_meeting,
            concurrent_meetings: t.concurrent_meetings,
            concurrent_participants: t.concurrent_participants,
            meeting_minutes: t.meeting_minutes,
            webcams_per_meeting: t.webcams_per_meeting,
            webcams_per_user: t.webcams_per_user,
            recording: t.recording,
            rooms_per_month: t.rooms_per_month,
            allowance_participant_minutes: t.allowance_participant_minutes,
            allowance_gb: t.allowance_gb,
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

/// A tier
///
/// Operators and organisations' admins, as the list.
#[utoipa::path(
    get,
    path = "/api/v1/tiers/{name}",
    params(params::Tier),
    responses(
        (status = 200, body = TierBody),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn tier(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Tier { name }): Path<params::Tier>,
) -> Answer<Json<TierBody>> {
    let tier = state.consortium.tier(&actor, &name).await?;
    Ok(Json(tier.into()))
}

/// A tier's values; on a change, what is left out stays.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = TierValues)]
#[serde(deny_unknown_fields)]
pub struct TierValues {
    #[schema(minimum = 0)]
    price_cents: Option<i64>,
    /// ISO 4217, such as `EUR`.
    currency: Option<String>,
    #[schema(minimum = 0)]
    participants_per_meeting: Option<i64>,
    #[schema(minimum = 0)]
    concurrent_meetings: Option<i64>,
    #[schema(minimum = 0)]
    concurrent_participants: Option<i64>,
    #[schema(minimum = 0)]
    meeting_minutes: Option<i64>,
    #[schema(minimum = 0)]
    webcams_per_meeting: Option<i64>,
    #[schema(minimum = 0)]
    webcams_per_user: Option<i64>,
    recording: Option<bool>,
    #[schema(minimum = 0)]
    rooms_per_month: Option<i64>,
    /// BBB's names, such as `chat` or `breakoutRooms`; `[]` switches none
    /// off.
    disabled_features: Option<Vec<String>>,
    #[schema(minimum = 0)]
    allowance_participant_minutes: Option<i64>,
    #[schema(minimum = 0)]
    allowance_gb: Option<i64>,
}

impl TryFrom<TierValues> for TierChange {
    type Error = Problem;

    fn try_from(v: TierValues) -> Result<Self, Problem> {
        let disabled_features = v
            .disabled_features
            .map(|names| {
                names
                    .iter()
                    .map(|n| n.parse::<bbb::Feature>())
                    .collect::<Result<bbb::DisabledFeatures, _>>()
            })
            .transpose()
            .map_err(|e| Problem::bad_request(e.to_string()))?;
        Ok(TierChange {
            price_cents: v.price_cents,
            currency: v.currency,
            participants_per_meeting: v.participants_per_meeting,
            concurrent_meetings: v.concurrent_meetings,
            concurrent_participants: v.concurrent_participants,
            meeting_minutes: v.meeting_minutes,
            webcams_per_meeting: v.webcams_per_meeting,
            webcams_per_user: v.webcams_per_user,
            recording: v.recording,
            rooms_per_month: v.rooms_per_month,
            disabled_features,
            allowance_participant_minutes: v.allowance_participant_minutes,
            allowance_gb: v.allowance_gb,
        })
    }
}

/// A tier to create: its name and its values (left out: free, in euros,
/// without limits, recording allowed).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NewTier)]
#[serde(deny_unknown_fields)]
pub struct NewTierBody {
    name: String,
    #[serde(flatten)]
    values: TierValues,
}

/// Create a tier
///
/// Operators only (not with a read-only token or one limited to an
/// organisation), audited under their name. A name taken answers 409; a
/// negative limit, a wrong currency or a feature BBB does not know, 400.
#[utoipa::path(
    post,
    path = "/api/v1/tiers",
    request_body = NewTierBody,
    responses(
        (status = 201, description = "Created", body = TierBody),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn create_tier(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Body(new): Body<NewTierBody>,
) -> Answer<(StatusCode, Json<TierBody>)> {
    let tier = state
        .consortium
        .create_tier(&actor, &new.name, new.values.try_into()?, (state.clock)())
        .await?;
    Ok((StatusCode::CREATED, Json(tier.into())))
}

/// Change a tier
///
/// Operators only (not with a read-only token or one limited to an
/// organisation), audited under their name: running meetings keep their
/// limits, new ones get these. A negative limit, a wrong currency or a
/// feature BBB does not know answers 400.
#[utoipa::path(
    patch,
    path = "/api/v1/tiers/{name}",
    params(params::Tier),
    request_body = TierValues,
    responses(
        (status = 200, body = TierBody),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn set_tier(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Tier { name }): Path<params::Tier>,
    Body(values): Body<TierValues>,
) -> Answer<Json<TierBody>> {
    let tier = state
        .consortium
        .set_tier(&actor, &name, values.try_into()?, (state.clock)())
        .await?;
    Ok(Json(tier.into()))
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
