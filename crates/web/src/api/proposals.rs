//! Proposals from draft to export. Any member organisation's delegate or
//! deputy may draft; the author or an operator edits, opens, closes or
//! withdraws; only an organisation's delegate or deputy votes for it.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use consortium::{ProposalView, Record, Statement};
use governance::membership::ConsortiumRules;
use governance::proposal::{Ballot, Kind, Rules};
use governance::tally::Tally;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Caller;
use super::openapi::{Conflict, Forbidden, NotFound, Refused, UnsupportedMediaType};
use super::params;
use super::problem::{Answer, Body, MaybeBody, Path};

/// A proposal in a list.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProposalSummary)]
pub struct Summary {
    id: i64,
    title: String,
    state: store::ProposalState,
    purpose: String,
    subject_org: Option<String>,
    author: String,
    opened_at_ms: Option<i64>,
    closes_at_ms: Option<i64>,
    closed_at_ms: Option<i64>,
}

/// Proposals
///
/// Every proposal, newest first. Any valid token.
#[utoipa::path(get, path = "/api/v1/proposals", responses((status = 200, body = Vec<Summary>)))]
pub async fn list(State(state): State<ApiState>, _: Caller) -> Answer<Json<Vec<Summary>>> {
    let proposals = state.consortium.list().await?;
    Ok(Json(
        proposals
            .into_iter()
            .map(|p| Summary {
                id: p.id,
                title: p.title,
                state: p.state,
                purpose: p.purpose,
                subject_org: p.subject_org,
                author: p.author,
                opened_at_ms: p.opened_at,
                closes_at_ms: p.closes_at,
                closed_at_ms: p.closed_at,
            })
            .collect(),
    ))
}

/// One proposal
///
/// The proposal with its frozen rules and roll, who has voted, and the
/// tally when the rules allow it to be seen. Any valid token.
#[utoipa::path(
    get,
    path = "/api/v1/proposals/{id}",
    params(params::Proposal),
    responses((status = 200, body = ProposalView), (status = 404, response = NotFound)),
)]
pub async fn show(
    State(state): State<ApiState>,
    _: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
) -> Answer<Json<ProposalView>> {
    Ok(Json(state.consortium.view(id).await?))
}

/// A proposal to draft.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = Draft)]
#[serde(deny_unknown_fields)]
pub struct Drafting {
    title: String,
    text: String,
    #[serde(default = "consent")]
    kind: Kind,
    #[serde(default)]
    options: Vec<String>,
    /// Defaults to the consortium's rules.
    rules: Option<Rules>,
}

fn consent() -> Kind {
    Kind::Consent
}

/// Draft a proposal
///
/// A delegate or deputy of a member organisation (member, or leaving), or
/// an operator, drafts a general proposal. Rules default to the
/// consortium's; a proposal may be stricter, never laxer on the lead time
/// or the minutes. Applications are made with `POST /api/v1/applications`,
/// never drafted.
#[utoipa::path(
    post,
    path = "/api/v1/proposals",
    request_body = Drafting,
    responses(
        (status = 201, description = "Drafted", body = ProposalView),
        (status = 403, response = Forbidden),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn draft(
    State(state): State<ApiState>,
    caller: Caller,
    Body(drafting): Body<Drafting>,
) -> Answer<(StatusCode, Json<ProposalView>)> {
    let rules = match drafting.rules {
        Some(rules) => rules,
        None => state.consortium.rules().await?.proposal_rules(),
    };
    let draft = consortium::Draft {
        title: drafting.title,
        text: drafting.text,
        kind: drafting.kind,
        options: drafting.options,
        rules,
        purpose: "general".into(),
        subject_org: None,
        amends: None,
    };
    let id = state.steps(caller.as_actor()).draft(&draft).await?;
    Ok((StatusCode::CREATED, Json(state.consortium.view(id).await?)))
}

/// A proposal to change the consortium's rules.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesChange {
    title: String,
    #[serde(default)]
    text: String,
    /// The whole consortium rules as they would stand, as `GET /api/v1/rules` gives them.
    rules: ConsortiumRules,
}

/// Draft a proposal that changes the consortium's rules
///
/// The rules that protect members' say change only by such a proposal: it
/// is a consent proposal whose threshold is at least the amendment
/// threshold (the floor threshold when it changes the statutory floor or a
/// threshold), and passing it puts `rules` in place at its close, recorded
/// in the audit log as decided by it. A member organisation's delegate or
/// deputy, or an operator.
#[utoipa::path(
    post,
    path = "/api/v1/rules/changes",
    request_body = RulesChange,
    responses(
        (status = 201, description = "Drafted", body = ProposalView),
        (status = 403, response = Forbidden),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn draft_rules_change(
    State(state): State<ApiState>,
    caller: Caller,
    Body(change): Body<RulesChange>,
) -> Answer<(StatusCode, Json<ProposalView>)> {
    let id = state
        .steps(caller.as_actor())
        .draft_rules_change(&change.title, &change.text, &change.rules)
        .await?;
    Ok((StatusCode::CREATED, Json(state.consortium.view(id).await?)))
}

/// An outcome statement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stating {
    text: String,
}

/// Write the outcome statement of a closed proposal
///
/// What was decided and what happens next, written once after close by the
/// proposal's author or an operator; mailed to every organisation on the
/// roll, posted on the forum topic, and part of the published record (its
/// hash is in the audit log, which `recount` checks).
#[utoipa::path(
    put,
    path = "/api/v1/proposals/{id}/statement",
    params(params::Proposal),
    request_body = Stating,
    responses(
        (status = 200, body = Statement),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn state_outcome(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
    Body(stating): Body<Stating>,
) -> Answer<Json<Statement>> {
    Ok(Json(
        state
            .steps(caller.as_actor())
            .state_outcome(id, &stating.text)
            .await?,
    ))
}

/// The BLT ballot file of a closed ranked proposal
///
/// Every counted ranking with its organisation's weight, in the BLT format
/// STV tools read, so anyone can recount the decision. Any valid token.
#[utoipa::path(
    get,
    path = "/api/v1/proposals/{id}/ballots.blt",
    params(params::Proposal),
    responses(
        (status = 200, body = String, content_type = "text/plain"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Refused),
    ),
)]
pub async fn ballot_file(
    State(state): State<ApiState>,
    _: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
) -> Answer<impl IntoResponse> {
    let file = state.consortium.ballot_file(id).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], file))
}

/// A new title or text, or both.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = Edit)]
#[serde(deny_unknown_fields)]
pub struct Editing {
    title: Option<String>,
    text: Option<String>,
}

/// Change the text
///
/// The author or an operator changes the title or text. On an open
/// proposal the lead time starts again from now and the fingerprint
/// changes. An application's text changes only by an operator: it opens at
/// once, and an edit restarts the lead time for every member; its author
/// may withdraw it instead.
#[utoipa::path(
    patch,
    path = "/api/v1/proposals/{id}",
    params(params::Proposal),
    request_body = Editing,
    responses(
        (status = 200, body = ProposalView),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn edit(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
    Body(editing): Body<Editing>,
) -> Answer<Json<ProposalView>> {
    state
        .steps(caller.as_actor())
        .edit(id, editing.title.as_deref(), editing.text.as_deref())
        .await?;
    Ok(Json(state.consortium.view(id).await?))
}

/// When to close.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// Defaults to the earliest the lead time allows.
    closes_at_ms: Option<i64>,
}

/// Open for voting
///
/// The author or an operator opens a draft: the roll (every member now,
/// with its weight) and the fingerprint freeze. It closes at
/// `closes_at_ms`, or as soon as the lead time allows.
#[utoipa::path(
    post,
    path = "/api/v1/proposals/{id}/open",
    params(params::Proposal),
    request_body(content = Option<Opening>, description = "Optional"),
    responses(
        (status = 200, body = ProposalView),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn open(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
    MaybeBody(opening): MaybeBody<Opening>,
) -> Answer<Json<ProposalView>> {
    let closes_at = opening.unwrap_or_default().closes_at_ms;
    state.steps(caller.as_actor()).open(id, closes_at).await?;
    Ok(Json(state.consortium.view(id).await?))
}

/// A ballot received.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cast {
    organisation: String,
    /// 1 for the first ballot; each change counts up, and only the latest counts.
    revision: i64,
}

/// Cast or change a ballot
///
/// Only the organisation's delegate or a deputy, for an organisation on the
/// roll, while the proposal is open. Operators never vote. A new ballot
/// replaces the previous one; only the latest counts.
#[utoipa::path(
    put,
    path = "/api/v1/proposals/{id}/ballots/{org}",
    params(params::Ballot),
    request_body = Ballot,
    responses(
        (status = 200, body = Cast),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn vote(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Ballot { id, org }): Path<params::Ballot>,
    Body(ballot): Body<Ballot>,
) -> Answer<Json<Cast>> {
    let revision = state
        .consortium
        .vote(id, &org, &caller.voter(), ballot, &state.act(&caller))
        .await?;
    Ok(Json(Cast {
        organisation: org,
        revision,
    }))
}

/// Close and count
///
/// The author or an operator closes an open proposal, never before its lead
/// time has passed since opening or the last change of its text (422 says
/// from when it may close). An application's outcome admits or rejects the
/// applicant. Proposals also close by themselves at their deadline.
#[utoipa::path(
    post,
    path = "/api/v1/proposals/{id}/close",
    params(params::Proposal),
    responses(
        (status = 200, body = Tally),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Refused),
    ),
)]
pub async fn close(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
) -> Answer<Json<Tally>> {
    Ok(Json(state.steps(caller.as_actor()).close(id).await?))
}

/// Why the proposal is withdrawn.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[serde(default)]
    reason: String,
}

/// Withdraw
///
/// The author or an operator withdraws a draft or open proposal; so the
/// person who applied for an organisation may withdraw the application.
#[utoipa::path(
    post,
    path = "/api/v1/proposals/{id}/withdraw",
    params(params::Proposal),
    request_body(content = Option<Withdrawal>, description = "Optional"),
    responses(
        (status = 200, body = ProposalView),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn withdraw(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
    MaybeBody(withdrawal): MaybeBody<Withdrawal>,
) -> Answer<Json<ProposalView>> {
    let reason = withdrawal.unwrap_or_default().reason;
    state.steps(caller.as_actor()).withdraw(id, &reason).await?;
    Ok(Json(state.consortium.view(id).await?))
}

/// The record of a closed proposal
///
/// Its text, rules, schedule, roll, fingerprint, every counted ballot with
/// its weight and the tally (`result`, which anyone can recount with the
/// governance crate's `record::recompute`), every ballot as cast with the
/// salt of its commitment in the audit log, and the audit head after
/// closing: the record `plenary proposal export` writes and `plenary
/// proposal recount` checks. Any valid token.
#[utoipa::path(
    get,
    path = "/api/v1/proposals/{id}/export",
    params(params::Proposal),
    responses(
        (status = 200, body = Record),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
)]
pub async fn export(
    State(state): State<ApiState>,
    _: Caller,
    Path(params::Proposal { id }): Path<params::Proposal>,
) -> Answer<Json<Record>> {
    Ok(Json(state.consortium.record(id).await?))
}
