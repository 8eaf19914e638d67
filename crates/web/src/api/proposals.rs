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

use super::ApiState;
use super::auth::Caller;
use super::problem::{Answer, Body, MaybeBody, Path, Problem};

/// A proposal in a list.
#[derive(Debug, Serialize)]
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

pub async fn show(
    State(state): State<ApiState>,
    _: Caller,
    Path(id): Path<i64>,
) -> Answer<Json<ProposalView>> {
    Ok(Json(state.consortium.view(id).await?))
}

#[derive(Debug, Deserialize)]
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

/// Whether the caller speaks for a member organisation (one that still
/// votes: a member, or one whose notice is running).
async fn represents_a_member(state: &ApiState, caller: &Caller) -> Answer<bool> {
    let Caller::Person { roles, .. } = caller else {
        return Ok(false);
    };
    for role in roles
        .iter()
        .filter(|r| matches!(r.role.as_str(), "delegate" | "deputy"))
    {
        let org = state.consortium.store().organisation(&role.org).await?;
        if matches!(org.status.as_str(), "member" | "leaving") {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn draft(
    State(state): State<ApiState>,
    caller: Caller,
    Body(drafting): Body<Drafting>,
) -> Answer<(StatusCode, Json<ProposalView>)> {
    if !caller.is_operator() && !represents_a_member(&state, &caller).await? {
        return Err(Problem::forbidden(
            "only a member organisation's delegate or deputy, or an operator, may draft a proposal",
        ));
    }
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
    let id = state.consortium.draft(&draft, &state.act(&caller)).await?;
    Ok((StatusCode::CREATED, Json(state.consortium.view(id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesChange {
    title: String,
    #[serde(default)]
    text: String,
    /// The whole consortium rules as they would stand, as `GET /api/v1/rules` gives them.
    rules: ConsortiumRules,
}

/// Drafts a proposal that puts new consortium rules in place if it
/// passes, with the threshold such a change needs.
pub async fn draft_rules_change(
    State(state): State<ApiState>,
    caller: Caller,
    Body(change): Body<RulesChange>,
) -> Answer<(StatusCode, Json<ProposalView>)> {
    if !caller.is_operator() && !represents_a_member(&state, &caller).await? {
        return Err(Problem::forbidden(
            "only a member organisation's delegate or deputy, or an operator, may draft a proposal",
        ));
    }
    let id = state
        .consortium
        .draft_rules_change(
            &change.title,
            &change.text,
            &change.rules,
            &state.act(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(state.consortium.view(id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stating {
    text: String,
}

/// The consortium lets only the author or an operator state the outcome.
pub async fn state_outcome(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(stating): Body<Stating>,
) -> Answer<Json<Statement>> {
    Ok(Json(
        state
            .consortium
            .state_outcome(id, &stating.text, &state.act(&caller))
            .await?,
    ))
}

/// The BLT ballot file of a closed ranked proposal.
pub async fn ballot_file(
    State(state): State<ApiState>,
    _: Caller,
    Path(id): Path<i64>,
) -> Answer<impl IntoResponse> {
    let file = state.consortium.ballot_file(id).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], file))
}

/// Only the author of a proposal, or an operator, steers it.
async fn may_steer(
    state: &ApiState,
    caller: &Caller,
    id: i64,
    what: &str,
) -> Answer<store::Proposal> {
    let proposal = state.consortium.store().proposal(id).await?;
    if caller.is_operator() || proposal.author == caller.actor() {
        Ok(proposal)
    } else {
        Err(Problem::forbidden(format!(
            "only the proposal's author or an operator may {what} it"
        )))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Editing {
    title: Option<String>,
    text: Option<String>,
}

pub async fn edit(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(editing): Body<Editing>,
) -> Answer<Json<ProposalView>> {
    let proposal = may_steer(&state, &caller, id, "edit").await?;
    // An application opens at once, and an edit would restart the lead
    // time for every member at the applicant's will.
    if proposal.purpose == "application" && !caller.is_operator() {
        return Err(Problem::forbidden(
            "only an operator may change an application's text; its author may withdraw it",
        ));
    }
    let current = state.consortium.view(id).await?;
    let title = editing.title.unwrap_or(current.title);
    let text = editing.text.unwrap_or(current.text);
    state
        .consortium
        .edit(id, &title, &text, &state.act(&caller))
        .await?;
    Ok(Json(state.consortium.view(id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// Defaults to the earliest the lead time allows.
    closes_at_ms: Option<i64>,
}

pub async fn open(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
    MaybeBody(opening): MaybeBody<Opening>,
) -> Answer<Json<ProposalView>> {
    may_steer(&state, &caller, id, "open").await?;
    let closes_at = opening.unwrap_or_default().closes_at_ms;
    state
        .consortium
        .open(id, closes_at, &state.act(&caller))
        .await?;
    Ok(Json(state.consortium.view(id).await?))
}

#[derive(Debug, Serialize)]
pub struct Cast {
    organisation: String,
    /// 1 for the first ballot; each change counts up, and only the latest counts.
    revision: i64,
}

pub async fn vote(
    State(state): State<ApiState>,
    caller: Caller,
    Path((id, org)): Path<(i64, String)>,
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

pub async fn close(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Answer<Json<Tally>> {
    may_steer(&state, &caller, id, "close").await?;
    Ok(Json(state.consortium.close(id, &state.act(&caller)).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[serde(default)]
    reason: String,
}

pub async fn withdraw(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
    MaybeBody(withdrawal): MaybeBody<Withdrawal>,
) -> Answer<Json<ProposalView>> {
    may_steer(&state, &caller, id, "withdraw").await?;
    let reason = withdrawal.unwrap_or_default().reason;
    state
        .consortium
        .withdraw(id, &reason, &state.act(&caller))
        .await?;
    Ok(Json(state.consortium.view(id).await?))
}

/// The same record `plenary proposal export` writes, so `plenary proposal
/// recount` checks either.
pub async fn export(
    State(state): State<ApiState>,
    _: Caller,
    Path(id): Path<i64>,
) -> Answer<Json<Record>> {
    Ok(Json(state.consortium.record(id).await?))
}
