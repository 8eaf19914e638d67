//! The audit log's head and its verification, which anyone may check, and
//! the consortium's rules.

use axum::Json;
use axum::extract::State;
use governance::membership::ConsortiumRules;
use serde::{Deserialize, Serialize};

use super::ApiState;
use super::auth::{Acting, Caller};
use super::problem::{Answer, Body, Query};

#[derive(Debug, Serialize)]
pub struct Head {
    entries: i64,
    /// The last entry's hash: what members compare with a published head.
    head: String,
}

pub async fn audit_head(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Head>> {
    let (entries, head) = state.consortium.audit_head(&actor).await?;
    Ok(Json(Head { entries, head }))
}

#[derive(Debug, Serialize)]
pub struct Verification {
    intact: bool,
    /// Entries that hold, from the first.
    entries: i64,
    /// The hash of the last entry that holds.
    head: String,
    broken: Option<Broken>,
}

#[derive(Debug, Serialize)]
struct Broken {
    /// The first entry at which the chain does not hold.
    seq: i64,
    reason: String,
}

#[derive(Debug, Deserialize)]
pub struct Against {
    /// A head published earlier, which the log must still hold.
    head: Option<String>,
}

/// Walks the whole chain, and with `?head=` checks it still holds a head
/// published earlier; members may check it at any time.
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

pub async fn rules(State(state): State<ApiState>, _: Caller) -> Answer<Json<ConsortiumRules>> {
    Ok(Json(state.consortium.rules().await?))
}

/// Running proposals keep the rules they opened with.
pub async fn set_rules(
    State(state): State<ApiState>,
    caller: Caller,
    Body(rules): Body<ConsortiumRules>,
) -> Answer<Json<ConsortiumRules>> {
    caller.require_operator("change the consortium's rules")?;
    state
        .consortium
        .set_rules(&rules, &state.act(&caller))
        .await?;
    Ok(Json(state.consortium.rules().await?))
}
