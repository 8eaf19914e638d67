//! Metered use, fair use and capacity. The whole platform is the
//! operators'; an organisation's admin reads that organisation's usage and
//! fair use, and another organisation answers exactly like a missing one.
//! A usage report is JSON, or CSV when asked by `Accept: text/csv` or
//! `?format=csv`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use billing::BillingError;
use billing::capacity::CapacityReport;
use billing::fair_use::{FairUseQuery, FairUseReport};
use billing::usage::{self, Cell, Every, UsageQuery, UsageReport};
use consortium::Actor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::ApiState;
use super::auth::Acting;
use super::openapi::{Forbidden, Invalid, NotFound};
use super::params;
use super::problem::{Answer, Path, Problem, Query};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageAsked {
    /// `YYYY-MM`; the current month when left out.
    period: Option<String>,
    /// tenant (default), org, server, pool or origin.
    by: Option<String>,
    /// month (default), day or hour.
    every: Option<String>,
    tenant: Option<String>,
    org: Option<String>,
    /// json (default) or csv.
    format: Option<String>,
}

/// A usage report as JSON: each row an object keyed by its columns.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UsageReport)]
pub struct UsageBody {
    /// The month, `YYYY-MM` in `time_zone`.
    period: String,
    time_zone: String,
    /// The dimension: tenant, org, server, pool or origin.
    #[schema(value_type = String)]
    by: &'static str,
    every: Every,
    /// The columns every row has, in order (a CSV report's header).
    #[schema(value_type = Vec<String>)]
    columns: Vec<&'static str>,
    rows: Vec<UsageRow>,
}

/// One line of a report: a cell per column of the report.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct UsageRow(Map<String, Value>);

impl PartialSchema for UsageRow {
    fn schema() -> RefOr<Schema> {
        let cell = |kind| match kind {
            Cell::Text => Type::String,
            Cell::Count => Type::Integer,
            Cell::Gigabytes => Type::Number,
        };
        usage::columns()
            .into_iter()
            .fold(ObjectBuilder::new(), |row, (column, kind)| {
                row.property(
                    column,
                    ObjectBuilder::new()
                        .schema_type(cell(kind))
                        .minimum((kind != Cell::Text).then_some(0)),
                )
            })
            .description(Some(
                "One line of a report: a cell per column the report names in `columns`.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for UsageRow {}

impl From<UsageReport> for UsageBody {
    fn from(r: UsageReport) -> Self {
        let rows = r
            .rows
            .into_iter()
            .map(|row| UsageRow(r.columns.iter().map(|c| c.to_string()).zip(row).collect()))
            .collect();
        Self {
            period: r.period,
            time_zone: r.time_zone,
            by: r.by,
            every: r.every,
            columns: r.columns,
            rows,
        }
    }
}

/// Whether the caller asked for CSV: `format` first, then `Accept`.
fn wants_csv(format: Option<&str>, headers: &HeaderMap) -> Answer<bool> {
    match format {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => Err(Problem::from(BillingError::Invalid(format!(
            "{other:?} is not a format: json or csv"
        )))),
        None => Ok(headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|m| m.split(';').next().is_some_and(|m| m.trim() == "text/csv"))),
    }
}

async fn report(
    state: &ApiState,
    actor: &Actor,
    asked: UsageAsked,
    headers: &HeaderMap,
) -> Answer<Response> {
    let csv = wants_csv(asked.format.as_deref(), headers)?;
    let now = (state.clock)();
    let query = UsageQuery {
        period: state.service.period(asked.period.as_deref(), now)?,
        by: usage::dimension(asked.by.as_deref().unwrap_or("tenant"))?,
        every: Every::parse(asked.every.as_deref().unwrap_or("month"))?,
        tenant: asked.tenant,
        org: asked.org,
        now_ms: now,
    };
    let report = state.service.usage(actor, &query).await?;
    if csv {
        let mut response = report.to_csv().map_err(Problem::from)?.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        return Ok(response);
    }
    Ok(Json(UsageBody::from(report)).into_response())
}

/// Metered use.
///
/// Operators: the whole platform, by tenant, organisation, origin, server or pool, for the month or per local day or hour. An organisation's admin: with `org` (their own) or `tenant` (one of theirs) only; another organisation's answers 404 exactly like a missing one. JSON, or CSV with `Accept: text/csv` or `format=csv`. A bad period, dimension or filter is a 400 problem.
#[utoipa::path(get, path = "/api/v1/usage", params(UsageAsked), responses((status = 200, description = "The report: JSON rows keyed by its columns, or CSV", content((UsageBody = "application/json"), (String = "text/csv"))), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn platform(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    headers: HeaderMap,
    Query(asked): Query<UsageAsked>,
) -> Answer<Response> {
    report(&state, &actor, asked, &headers).await
}

/// An organisation's metered use.
///
/// Operators and the organisation's admin; another organisation's answers 404 exactly like a missing one. As `GET /api/v1/usage?org=NAME`.
#[utoipa::path(get, path = "/api/v1/organisations/{name}/usage", params(params::Org, UsageAsked), responses((status = 200, description = "The report: JSON rows keyed by its columns, or CSV", content((UsageBody = "application/json"), (String = "text/csv"))), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn organisation(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(asked): Query<UsageAsked>,
) -> Answer<Response> {
    let asked = UsageAsked {
        org: Some(name),
        ..asked
    };
    report(&state, &actor, asked, &headers).await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FairUseAsked {
    period: Option<String>,
    /// Also the rules a tenant is within.
    #[serde(default)]
    all: bool,
    org: Option<String>,
}

async fn fair_use_of(
    state: &ApiState,
    actor: &Actor,
    asked: FairUseAsked,
) -> Answer<Json<FairUseReport>> {
    let now = (state.clock)();
    let query = FairUseQuery {
        period: state.service.period(asked.period.as_deref(), now)?,
        all: asked.all,
        org: asked.org,
        now_ms: now,
    };
    Ok(Json(state.service.fair_use(actor, &query).await?))
}

/// Fair use, rule by rule.
///
/// Operators: every tenant near or over a rule (with `all`, every rule), worst first, each with its reason. With `org`, that organisation's tenants, which its admin may read too; another organisation's answers 404 exactly like a missing one.
#[utoipa::path(get, path = "/api/v1/fair-use", params(FairUseAsked), responses((status = 200, body = FairUseReport), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn fair_use(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Query(asked): Query<FairUseAsked>,
) -> Answer<Json<FairUseReport>> {
    fair_use_of(&state, &actor, asked).await
}

/// An organisation's fair use.
///
/// Operators and the organisation's admin: its tenants' verdicts with their reasons; another organisation's answers 404 exactly like a missing one.
#[utoipa::path(get, path = "/api/v1/organisations/{name}/fair-use", params(params::Org, FairUseAsked), responses((status = 200, body = FairUseReport), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn organisation_fair_use(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(name): Path<String>,
    Query(asked): Query<FairUseAsked>,
) -> Answer<Json<FairUseReport>> {
    let asked = FairUseAsked {
        org: Some(name),
        ..asked
    };
    fair_use_of(&state, &actor, asked).await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodAsked {
    period: Option<String>,
}

/// Capacity per pool.
///
/// Operators only: each pool's servers, capacity and peak participants against the seats its tenants' tiers sell.
#[utoipa::path(get, path = "/api/v1/capacity", params(PeriodAsked), responses((status = 200, body = CapacityReport), (status = 400, response = Invalid), (status = 403, response = Forbidden)))]
pub async fn capacity(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Query(asked): Query<PeriodAsked>,
) -> Answer<Json<CapacityReport>> {
    let period = state
        .service
        .period(asked.period.as_deref(), (state.clock)())?;
    Ok(Json(state.service.capacity(&actor, &period).await?))
}
