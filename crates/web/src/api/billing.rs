//! A month's costs, its statement previewed and closed, and the closed
//! statements. Operators run billing and see every statement; an
//! organisation's admin sees that organisation's part of each, and another
//! organisation answers exactly like a missing one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use billing::BillingError;
use billing::service::{ClosedPeriod, Cost, OrgStatement};
use billing::statements::{BillQuery, Closed, DEFAULT_BASE_FEE, Measure, Preview, Rule};
use metering::money::Cents;
use metering::period::Month;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::Acting;
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, UnsupportedMediaType};
use super::params;
use super::problem::{Answer, Body, MaybeBody, Path, Query};

fn month(period: &str) -> Result<Month, BillingError> {
    Ok(period.parse()?)
}

/// A month's costs and contributions.
///
/// Operators only: the month's cost lines and what organisations are credited with, in the order they were added.
#[utoipa::path(get, path = "/api/v1/periods/{period}/costs", params(params::Period), responses((status = 200, body = Vec<Cost>), (status = 400, response = Invalid), (status = 403, response = Forbidden)))]
pub async fn costs(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Period { period }): Path<params::Period>,
) -> Answer<Json<Vec<Cost>>> {
    Ok(Json(state.service.costs(&actor, month(&period)?).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCost {
    label: String,
    amount_cents: i64,
    /// Credit this organisation with the amount (a contribution) instead
    /// of adding it to the pool.
    org: Option<String>,
}

/// Add a cost or a contribution.
///
/// Operators with a full token only: adds a cost to the month's pool, or with `org` credits that organisation's contribution; audited under the operator's name. A closed month takes no more costs (409).
#[utoipa::path(post, path = "/api/v1/periods/{period}/costs", params(params::Period), request_body = NewCost, responses((status = 201, description = "Added", body = Cost), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict), (status = 415, response = UnsupportedMediaType)))]
pub async fn add_cost(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Period { period }): Path<params::Period>,
    Body(cost): Body<NewCost>,
) -> Answer<(StatusCode, Json<Cost>)> {
    let added = state
        .service
        .add_cost(
            &actor,
            month(&period)?,
            &cost.label,
            Cents(cost.amount_cents),
            cost.org.as_deref(),
            (state.clock)(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// How a statement is computed: the rule, the guifi rule's base fee and
/// the measure use is counted in.
#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HowSplit {
    /// guifi (default), proportional or tiers.
    rule: Option<String>,
    /// The guifi rule's equal base fee, in cents.
    base_fee_cents: Option<i64>,
    /// participant-minutes (default) or megabytes.
    measure: Option<String>,
}

fn bill_query(state: &ApiState, period: &str, how: HowSplit) -> Result<BillQuery, BillingError> {
    let rule = Rule::parse(how.rule.as_deref().unwrap_or("guifi"))?;
    Ok(BillQuery {
        period: state.service.period(Some(period), (state.clock)())?,
        base_fee: match rule {
            Rule::Guifi => how.base_fee_cents.map_or(DEFAULT_BASE_FEE, Cents),
            _ => Cents(0),
        },
        rule,
        measure: Measure::parse(how.measure.as_deref().unwrap_or("participant-minutes"))?,
    })
}

/// The statement if the month closed now.
///
/// Operators only: the pool, how it is split and every organisation's share, computed now; `closed` says whether the month is already closed.
#[utoipa::path(get, path = "/api/v1/periods/{period}/preview", params(params::Period, HowSplit), responses((status = 200, body = Preview), (status = 400, response = Invalid), (status = 403, response = Forbidden)))]
pub async fn preview(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Period { period }): Path<params::Period>,
    Query(how): Query<HowSplit>,
) -> Answer<Json<Preview>> {
    let query = bill_query(&state, &period, how)?;
    Ok(Json(state.service.preview(&actor, &query).await?))
}

/// Close a month.
///
/// Operators with a full token only: computes and freezes the month's statement, audited under the operator's name; the answer carries the audit log's head after closing. A closed month cannot be closed again (409).
#[utoipa::path(post, path = "/api/v1/periods/{period}/close", params(params::Period), request_body(content = Option<HowSplit>, description = "Optional: guifi with a base fee of 10.00 by participant-minutes when left out"), responses((status = 201, description = "Closed", body = Closed), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 409, response = Conflict), (status = 415, response = UnsupportedMediaType)))]
pub async fn close(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Period { period }): Path<params::Period>,
    MaybeBody(how): MaybeBody<HowSplit>,
) -> Answer<(StatusCode, Json<Closed>)> {
    let query = bill_query(&state, &period, how.unwrap_or_default())?;
    let closed = state.service.close(&actor, &query, (state.clock)()).await?;
    Ok((StatusCode::CREATED, Json(closed)))
}

/// The closed months.
///
/// Operators only: every closed month, oldest first.
#[utoipa::path(get, path = "/api/v1/statements", responses((status = 200, body = Vec<ClosedPeriod>), (status = 403, response = Forbidden)))]
pub async fn statements(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<ClosedPeriod>>> {
    Ok(Json(state.service.statements(&actor).await?))
}

/// A closed month's statement.
///
/// Operators only: the statement exactly as it was frozen. A month not closed answers 404.
#[utoipa::path(get, path = "/api/v1/statements/{period}", params(params::Period), responses((status = 200, body = Closed), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn statement(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Period { period }): Path<params::Period>,
) -> Answer<Json<Closed>> {
    Ok(Json(
        state.service.statement(&actor, month(&period)?).await?,
    ))
}

/// An organisation's statements.
///
/// Operators and the organisation's admin: its part of every closed month it had a share in; another organisation's answers 404 exactly like a missing one.
#[utoipa::path(get, path = "/api/v1/organisations/{name}/statements", params(params::Org), responses((status = 200, body = Vec<OrgStatement>), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn organisation_statements(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
) -> Answer<Json<Vec<OrgStatement>>> {
    Ok(Json(state.service.statements_of(&actor, &name).await?))
}

/// An organisation's part of a closed month.
///
/// Operators and the organisation's admin; another organisation's answers 404 exactly like a missing one, and so does a month not closed or without its share.
#[utoipa::path(get, path = "/api/v1/organisations/{name}/statements/{period}", params(params::OrgPeriod), responses((status = 200, body = OrgStatement), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn organisation_statement(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::OrgPeriod { name, period }): Path<params::OrgPeriod>,
) -> Answer<Json<OrgStatement>> {
    Ok(Json(
        state
            .service
            .statement_of(&actor, &name, month(&period)?)
            .await?,
    ))
}
