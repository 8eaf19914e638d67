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
use billing::usage::{self, Every, UsageQuery, UsageReport};
use consortium::Actor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::IntoParams;

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

/// A report as JSON: each row an object keyed by its columns.
#[derive(Debug, Serialize)]
pub struct UsageBody {
    period: String,
    time_zone: String,
    by: &'static str,
    every: Every,
    columns: Vec<&'static str>,
    rows: Vec<Map<String, Value>>,
}

impl From<UsageReport> for UsageBody {
    fn from(r: UsageReport) -> Self {
        let rows = r
            .rows
            .into_iter()
            .map(|row| r.columns.iter().map(|c| c.to_string()).zip(row).collect())
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
#[utoipa::path(get, path = "/api/v1/usage", params(UsageAsked), responses((status = 200, description = "The report: JSON rows keyed by its columns, or CSV", content((serde_json::Value = "application/json"), (String = "text/csv"))), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
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
#[utoipa::path(get, path = "/api/v1/organisations/{name}/usage", params(params::Org, UsageAsked), responses((status = 200, description = "The report: JSON rows keyed by its columns, or CSV", content((serde_json::Value = "application/json"), (String = "text/csv"))), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
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
#[utoipa::path(get, path = "/api/v1/fair-use", params(FairUseAsked), responses((status = 200, body = serde_json::Value), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
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
#[utoipa::path(get, path = "/api/v1/organisations/{name}/fair-use", params(params::Org, FairUseAsked), responses((status = 200, body = serde_json::Value), (status = 400, response = Invalid), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
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
#[utoipa::path(get, path = "/api/v1/capacity", params(PeriodAsked), responses((status = 200, body = serde_json::Value), (status = 400, response = Invalid), (status = 403, response = Forbidden)))]
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
