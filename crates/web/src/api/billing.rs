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

use super::ApiState;
use super::auth::Acting;
use super::problem::{Answer, Body, MaybeBody, Path, Query};

fn month(period: &str) -> Result<Month, BillingError> {
    Ok(period.parse()?)
}

pub async fn costs(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(period): Path<String>,
) -> Answer<Json<Vec<Cost>>> {
    Ok(Json(state.billing.costs(&actor, month(&period)?).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCost {
    label: String,
    amount_cents: i64,
    /// Credit this organisation with the amount (a contribution) instead
    /// of adding it to the pool.
    org: Option<String>,
}

pub async fn add_cost(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(period): Path<String>,
    Body(cost): Body<NewCost>,
) -> Answer<(StatusCode, Json<Cost>)> {
    let added = state
        .billing
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
#[derive(Debug, Default, Deserialize)]
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
        period: state.billing.period(Some(period), (state.clock)())?,
        base_fee: match rule {
            Rule::Guifi => how.base_fee_cents.map_or(DEFAULT_BASE_FEE, Cents),
            _ => Cents(0),
        },
        rule,
        measure: Measure::parse(how.measure.as_deref().unwrap_or("participant-minutes"))?,
    })
}

pub async fn preview(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(period): Path<String>,
    Query(how): Query<HowSplit>,
) -> Answer<Json<Preview>> {
    let query = bill_query(&state, &period, how)?;
    Ok(Json(state.billing.preview(&actor, &query).await?))
}

pub async fn close(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(period): Path<String>,
    MaybeBody(how): MaybeBody<HowSplit>,
) -> Answer<(StatusCode, Json<Closed>)> {
    let query = bill_query(&state, &period, how.unwrap_or_default())?;
    let closed = state.billing.close(&actor, &query, (state.clock)()).await?;
    Ok((StatusCode::CREATED, Json(closed)))
}

pub async fn statements(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<ClosedPeriod>>> {
    Ok(Json(state.billing.statements(&actor).await?))
}

pub async fn statement(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(period): Path<String>,
) -> Answer<Json<Closed>> {
    Ok(Json(
        state.billing.statement(&actor, month(&period)?).await?,
    ))
}

pub async fn organisation_statements(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
) -> Answer<Json<Vec<OrgStatement>>> {
    Ok(Json(state.billing.statements_of(&actor, &name).await?))
}

pub async fn organisation_statement(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path((name, period)): Path<(String, String)>,
) -> Answer<Json<OrgStatement>> {
    Ok(Json(
        state
            .billing
            .statement_of(&actor, &name, month(&period)?)
            .await?,
    ))
}
