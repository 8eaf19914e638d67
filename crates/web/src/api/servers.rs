//! Servers and pools, for operators: adding and changing servers, their
//! switches, and the pools they form. A server's secret is taken, never
//! answered.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use consortium::{Actor, NewServerSettings, Pool, ServerChange, ServerView};
use serde::{Deserialize, Serialize};
use store::ServerState;

use super::ApiState;
use super::auth::Acting;
use super::problem::{Answer, Body, MaybeBody, Path, present};

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
            algorithm: s.algorithm,
            monthly_cost_cents: s.monthly_cost_cents,
            owner: s.owner,
            polled_at_ms: s.polled_at,
            created_at_ms: s.created_at,
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

pub async fn server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(id): Path<i64>,
) -> Answer<Json<ServerBody>> {
    Ok(Json(state.consortium.server(&actor, id).await?.into()))
}

/// A server to add. Not `Debug`: it holds the secret.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewServerBody {
    url: String,
    /// What `bbb-conf --secret` prints; never answered.
    secret: String,
    algorithm: Option<String>,
    pool: Option<String>,
    weight: Option<i64>,
    capacity: Option<i64>,
    monthly_cost_cents: Option<i64>,
    owner: Option<String>,
}

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
#[derive(Default, Deserialize)]
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

pub async fn set_server(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(id): Path<i64>,
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

#[derive(Debug, Serialize)]
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

pub async fn pools(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<PoolBody>>> {
    let pools = state.consortium.pools(&actor).await?;
    Ok(Json(pools.into_iter().map(PoolBody::from).collect()))
}
