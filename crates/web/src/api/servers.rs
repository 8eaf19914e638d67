//! Servers and pools, for operators: adding and changing servers, their
//! switches, and the pools they form. A server's secret is taken, never
//! answered.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use consortium::{Actor, NewServerSettings, Pool, ServerChange, ServerView};
use serde::{Deserialize, Serialize};
use store::ServerState;
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Acting;
use super::openapi::{Conflict, Forbidden, NotFound, UnsupportedMediaType};
use super::params;
use super::problem::{Answer, Body, MaybeBody, Path, present};

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
    /// The checksum algorithm Plenary signs its calls with.
    algorithm: String,
    monthly_cost_cents: i64,
    /// The organisation hosting it, credited with its cost.
    owner: Option<String>,
    polled_at_ms: Option<i64>,
    created_at_ms: i64,
}

impl From<ServerView> for ServerBody {
    fn from(s: ServerView) -> Self {
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
            algorithm: s.algorithm.name().to_string(),
            monthly_cost_cents: s.monthly_cost_cents,
            owner: s.owner,
            polled_at_ms: s.polled_at,
            created_at_ms: s.created_at,
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

/// A server
///
/// Operators only: one BBB server as last polled; never its secret.
#[utoipa::path(
    get,
    path = "/api/v1/servers/{id}",
    params(params::Server),
    responses(
        (status = 200, body = ServerBody),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Server { id }): Path<params::Server>,
) -> Answer<Json<ServerBody>> {
    Ok(Json(state.consortium.server(&actor, id).await?.into()))
}

/// A server to add. Not `Debug`: it holds the secret.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewServer)]
#[serde(deny_unknown_fields)]
pub struct NewServerBody {
    /// Its BBB API URL, such as `https://bbb1.example/bigbluebutton/api`.
    url: String,
    /// What `bbb-conf --secret` prints; never answered.
    secret: String,
    /// The checksum algorithm to sign calls with.
    algorithm: Option<String>,
    /// The pool it serves; none for the shared servers.
    pool: Option<String>,
    weight: Option<i64>,
    capacity: Option<i64>,
    monthly_cost_cents: Option<i64>,
    /// The organisation hosting it, credited with its cost.
    owner: Option<String>,
}

/// Add a server
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): the server, its secret checked for form, in one audited
/// change. A URL already added answers 409; an unknown owner, 404.
#[utoipa::path(
    post,
    path = "/api/v1/servers",
    request_body = NewServerBody,
    responses(
        (status = 201, description = "Added", body = ServerBody),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]

pub async fn add_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Body(new): Body<NewServerBody>,
) -> Answer<(StatusCode, Json<ServerBody>)> {
    let server = state
        .consortium
        .add_server(
            &actor,
            NewServerSettings {
                url: new.url,
                secret: new.secret,
                algorithm: new.algorithm,
                pool: new.pool,
                weight: new.weight,
                capacity: new.capacity,
                monthly_cost_cents: new.monthly_cost_cents,
                owner: new.owner,
            },
            (state.clock)(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(server.into())))
}

/// What to change: a field left out stays, `null` clears `pool` and
/// `owner`. Not `Debug`: it may hold the secret.
#[derive(Default, Deserialize, ToSchema)]
#[schema(as = ServerPatch)]
#[serde(deny_unknown_fields)]
pub struct ServerPatchBody {
    url: Option<String>,
    secret: Option<String>,
    algorithm: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pool: Option<Option<String>>,
    weight: Option<i64>,
    capacity: Option<i64>,
    monthly_cost_cents: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    owner: Option<Option<String>>,
}

/// Change a server
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): its URL, secret, algorithm, pool, weight, capacity, cost
/// or owner, in one audited change. An unknown server or owner answers
/// 404; a URL another server has, 409.
#[utoipa::path(
    patch,
    path = "/api/v1/servers/{id}",
    params(params::Server),
    request_body = ServerPatchBody,
    responses(
        (status = 200, body = ServerBody),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn set_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Server { id }): Path<params::Server>,
    Body(patch): Body<ServerPatchBody>,
) -> Answer<Json<ServerBody>> {
    let server = state
        .consortium
        .set_server(
            &actor,
            id,
            ServerChange {
                url: patch.url,
                secret: patch.secret,
                algorithm: patch.algorithm,
                pool: patch.pool,
                weight: patch.weight,
                capacity: patch.capacity,
                monthly_cost_cents: patch.monthly_cost_cents,
                owner: patch.owner,
            },
            (state.clock)(),
        )
        .await?;
    Ok(Json(server.into()))
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

/// A pool: servers that serve the tenants pinned to it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Pool)]
pub struct PoolBody {
    /// `null`: the servers in no pool, which tenants in no pool share.
    name: Option<String>,
    servers: u64,
    tenants: u64,
}

impl From<Pool> for PoolBody {
    fn from(p: Pool) -> Self {
        Self {
            name: p.name,
            servers: p.servers,
            tenants: p.tenants,
        }
    }
}

/// Pools
///
/// Operators only: each pool with how many servers serve it and how many
/// tenants are pinned to it, the servers in no pool first.
#[utoipa::path(
    get,
    path = "/api/v1/pools",
    responses((status = 200, body = Vec<PoolBody>), (status = 403, response = Forbidden)),
)]
pub async fn pools(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<PoolBody>>> {
    let pools = state.consortium.pools(&actor).await?;
    Ok(Json(pools.into_iter().map(PoolBody::from).collect()))
}
