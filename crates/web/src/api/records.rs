//! The audit log's head and its verification, which anyone may check, and
//! the consortium's rules.

use axum::Json;
use axum::extract::State;
use governance::membership::ConsortiumRules;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::{Acting, Caller};
use super::openapi::{Forbidden, Refused, UnsupportedMediaType};
use super::problem::{Answer, Body, Query};

/// The audit log's head.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditHead)]
pub struct Head {
    entries: i64,
    /// The last entry's hash: what members compare with a published head.
    head: String,
}

/// The audit log's head
///
/// The number of entries and the last entry's hash, as published with
/// every outcome. Any valid token.
#[utoipa::path(get, path = "/api/v1/audit/head", responses((status = 200, body = Head)))]
pub async fn audit_head(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Head>> {
    let (entries, head) = state.consortium.audit_head(&actor).await?;
    Ok(Json(Head { entries, head }))
}

/// Whether the audit log's hash chain holds.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditVerification)]
pub struct Verification {
    intact: bool,
    /// Entries that hold, from the first.
    entries: i64,
    /// The hash of the last entry that holds.
    head: String,
    broken: Option<Broken>,
}

/// Where the chain breaks.
#[derive(Debug, Serialize, ToSchema)]
struct Broken {
    /// The first entry at which the chain does not hold.
    seq: i64,
    reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Against {
    /// A head published earlier, which the log must still hold: 64
    /// lower-case hex digits.
    #[param(pattern = "^[0-9a-f]{64}$")]
    head: Option<String>,
}

/// Verify the audit log
///
/// Walks the whole hash chain and names the first entry that does not hold.
/// With `head`, a head published earlier (with a closed proposal or a
/// closed bill), the log must also still hold that entry: a tail removed
/// together with a rolled-back head row is found. Any valid token: members
/// may check it at any time.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    params(Against),
    responses((status = 200, body = Verification)),
)]
pub async fn audit_verify(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Query(against): Query<Against>,
) -> Answer<Json<Verification>> {
    let verdict = state
        .consortium
        .verify_audit(&actor, against.head.as_deref())
        .await?;
    Ok(Json(Verification {
        intact: verdict.broken.is_none(),
        entries: verdict.entries,
        head: verdict.head,
        broken: verdict.broken.map(|b| Broken {
            seq: b.seq,
            reason: b.reason,
        }),
    }))
}

/// The consortium's rules
///
/// Member classes, lead time, default quorum and threshold, notice period,
/// federation weight, reminder lead, minutes requirement, the statutory
/// floor and the thresholds that protect them. Any valid token.
#[utoipa::path(get, path = "/api/v1/rules", responses((status = 200, body = ConsortiumRules)))]
pub async fn rules(State(state): State<ApiState>, _: Caller) -> Answer<Json<ConsortiumRules>> {
    Ok(Json(state.consortium.rules().await?))
}

/// Replace the rules
///
/// Operators only, and only what an operator may set alone: the rules that
/// protect members' say change by a proposal (`POST
/// /api/v1/rules/changes`). Running proposals keep the rules they opened
/// with. A member class that applicants or members still hold cannot be
/// removed (422).
#[utoipa::path(
    put,
    path = "/api/v1/rules",
    request_body = ConsortiumRules,
    responses(
        (status = 200, body = ConsortiumRules),
        (status = 403, response = Forbidden),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn set_rules(
    State(state): State<ApiState>,
    caller: Caller,
    Body(rules): Body<ConsortiumRules>,
) -> Answer<Json<ConsortiumRules>> {
    state.steps(caller.as_actor()).set_rules(&rules).await?;
    Ok(Json(state.consortium.rules().await?))
}
