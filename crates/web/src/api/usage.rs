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

use super::ApiState;
use super::auth::Acting;
use super::problem::{Answer, Path, Problem, Query};

#[derive(Debug, Default, Deserialize)]
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
        period: state.billing.period(asked.period.as_deref(), now)?,
        by: usage::dimension(asked.by.as_deref().unwrap_or("tenant"))?,
        every: Every::parse(asked.every.as_deref().unwrap_or("month"))?,
        tenant: asked.tenant,
        org: asked.org,
        now_ms: now,
    };
    let report = state.billing.usage(actor, &query).await?;
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

pub async fn platform(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    headers: HeaderMap,
    Query(asked): Query<UsageAsked>,
) -> Answer<Response> {
    report(&state, &actor, asked, &headers).await
}

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

#[derive(Debug, Default, Deserialize)]
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
        period: state.billing.period(asked.period.as_deref(), now)?,
        all: asked.all,
        org: asked.org,
        now_ms: now,
    };
    Ok(Json(state.billing.fair_use(actor, &query).await?))
}

pub async fn fair_use(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Query(asked): Query<FairUseAsked>,
) -> Answer<Json<FairUseReport>> {
    fair_use_of(&state, &actor, asked).await
}

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodAsked {
    period: Option<String>,
}

pub async fn capacity(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Query(asked): Query<PeriodAsked>,
) -> Answer<Json<CapacityReport>> {
    let period = state
        .billing
        .period(asked.period.as_deref(), (state.clock)())?;
    Ok(Json(state.billing.capacity(&actor, &period).await?))
}
