//! An organisation's part of a closed month's statement: a page made to be
//! printed, and the same line as CSV. A month not closed yet has no
//! statement; the page says so and the CSV answers 404.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use billing::BillingError;
use billing::period::Month;
use billing::service::OrgStatement;
use consortium::Actor;
use metering::money::{Cents, Currency};
use serde::Deserialize;
use serde_json::json;
use store::Organisation;

use super::{Own, Tab, own};
use crate::portal::PortalState;
use crate::portal::chart::number;
use crate::portal::page::{Nav, PageError, PageResult, download, render};
use crate::portal::session::Viewer;
use crate::portal::when::utc;

#[derive(Debug, Deserialize)]
pub struct Asked {
    month: Option<String>,
}

/// The month asked, by default the last one before now.
fn month_asked(state: &PortalState, asked: &Asked) -> PageResult<Month> {
    let zone = &state.api.billing.zone;
    let now = (state.api.clock)();
    let month = match &asked.month {
        Some(m) => m.parse(),
        None => billing::period::month(None, zone, now)
            .and_then(|p| Month::holding(p.window.from_ms - 1, zone)),
    };
    month.map_err(|e| PageError::bad_request(e.to_string()))
}

/// The organisation's part of a closed month.
struct Share {
    statement: OrgStatement,
    currency: Option<Currency>,
}

impl Share {
    fn money(&self, cents: i64) -> String {
        match self.currency {
            Some(c) => c.format(Cents(cents)),
            None => Cents(cents).to_string(),
        }
    }
}

/// The organisation's share of `month`, as billing's service tells it to
/// `actor`, if the month is closed and the organisation had a part in it.
async fn share(
    state: &PortalState,
    actor: &Actor,
    org: &str,
    month: Month,
) -> PageResult<Option<Share>> {
    let statement = match state.api.service.statement_of(actor, org, month).await {
        Ok(s) => s,
        Err(BillingError::NotClosed { .. } | BillingError::NoShare { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let currency = statement
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(BillingError::from)?;
    Ok(Some(Share {
        statement,
        currency,
    }))
}

#[derive(Template)]
#[template(path = "portal/organisation/statement.html")]
struct StatementPage {
    nav: Option<Nav>,
    org: Organisation,
    tab: Tab,
    month: String,
    /// (label, amount) of the organisation's line.
    amounts: Vec<(&'static str, String)>,
    share: Option<Share>,
    pool: String,
    closed_at: String,
    minutes: String,
    megabytes: String,
}

pub async fn page(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Query(asked): Query<Asked>,
) -> PageResult {
    let Own { actor, org } = own(&state, &viewer, &name).await?;
    let month = month_asked(&state, &asked)?;
    let share = share(&state, &actor, &org.name, month).await?;
    let grouped = |n: Option<u64>| n.map_or_else(String::new, |n| number(n as f64, 0));
    let minutes = grouped(
        share
            .as_ref()
            .map(|s| s.statement.share.participant_minutes),
    );
    let megabytes = grouped(
        share
            .as_ref()
            .map(|s| s.statement.share.estimated_megabytes),
    );
    let (amounts, pool, closed_at) = match &share {
        Some(s) => (
            vec![
                ("Base fee", s.money(s.statement.share.base_cents)),
                ("For use", s.money(s.statement.share.usage_cents)),
                ("Share of the costs", s.money(s.statement.share.share_cents)),
                (
                    "Contributions credited",
                    s.money(s.statement.share.contributions_cents),
                ),
                ("Balance", s.money(s.statement.share.balance_cents)),
            ],
            s.money(s.statement.pool_cents),
            utc(s.statement.closed_at),
        ),
        None => Default::default(),
    };
    Ok(render(
        StatusCode::OK,
        &StatementPage {
            nav: Some(viewer.nav()),
            org,
            tab: Tab::Statement,
            month: month.to_string(),
            amounts,
            share,
            pool,
            closed_at,
            minutes,
            megabytes,
        },
    ))
}

pub async fn csv(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Query(asked): Query<Asked>,
) -> PageResult<Response> {
    let Own { actor, org } = own(&state, &viewer, &name).await?;
    let month = month_asked(&state, &asked)?;
    let Some(share) = share(&state, &actor, &org.name, month).await? else {
        return Err(PageError::not_found(format!(
            "{} has no statement for {month}: the month is not closed",
            org.name
        )));
    };
    let body = share_csv(&share)?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        &format!("statement-{}-{month}.csv", org.name),
    ))
}

/// The organisation's line as CSV, written as every other report's CSV is.
fn share_csv(share: &Share) -> Result<String, BillingError> {
    let s = &share.statement.share;
    let bare = |c: i64| json!(Cents(c).to_string());
    billing::table::csv(
        &[
            "org",
            "period",
            "participant_minutes",
            "currency",
            "base",
            "usage",
            "share",
            "contributions",
            "balance",
        ],
        &[vec![
            json!(s.org),
            json!(share.statement.period),
            json!(s.participant_minutes),
            json!(share.currency.map_or("", Currency::code)),
            bare(s.base_cents),
            bare(s.usage_cents),
            bare(s.share_cents),
            bare(s.contributions_cents),
            bare(s.balance_cents),
        ]],
    )
}
