//! What the months come to: capacity against peak and seats sold per pool,
//! the fair-use list, and the months' statements, previewed at any time,
//! closed after a confirmation, and read organisation by organisation.
//! Every figure comes from billing's service, asked as the signed-in
//! operator.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use billing::BillingError;
use billing::statements::{BillQuery, Measure, Rule, ShareLine, Statement};
use metering::money::{Cents, Currency, hundredths};
use metering::period::{Month, Period};
use serde::Deserialize;

use super::super::PortalState;
use super::super::chart::{Group, Groups, Series};
use super::super::governance::Fields;
use super::super::page::{Nav, PageError, PageResult, render};
use super::super::when::utc;
use super::{Confirmation, Operator, Tab};

/// How many months the billing page lists.
const MONTHS_LISTED: usize = 6;

/// The month asked for, or the current one, in the co-op's time zone.
fn month(state: &PortalState, label: Option<&str>) -> PageResult<Period> {
    let label = label.filter(|l| !l.is_empty());
    Ok(state.api.service.period(label, (state.api.clock)())?)
}

#[derive(Debug, Default, Deserialize)]
pub struct Asked {
    period: Option<String>,
    #[serde(default)]
    all: Option<String>,
}

/// One pool's line as the capacity table shows it.
pub struct PoolRow {
    pub pool: String,
    pub servers: u64,
    pub capacity: u64,
    pub peak: u64,
    pub utilisation: u64,
    pub headroom: i64,
    pub sold: u64,
    pub oversubscription: u64,
    pub unlimited: u64,
}

#[derive(Template)]
#[template(path = "portal/operator/capacity.html")]
struct CapacityPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    period: String,
    pools: Vec<PoolRow>,
    chart: String,
}

/// A pool's bars, as the page's legend explains them.
const CAPACITY_SERIES: [Series; 3] = [
    Series {
        name: "capacity",
        class: "bar-capacity",
        hatched: false,
    },
    Series {
        name: "peak",
        class: "bar-peak",
        hatched: false,
    },
    Series {
        name: "sold",
        class: "bar-sold",
        hatched: true,
    },
];

pub async fn capacity(
    State(state): State<PortalState>,
    op: Operator,
    Query(asked): Query<Asked>,
) -> PageResult {
    let period = month(&state, asked.period.as_deref())?;
    let report = state.api.service.capacity(&op.actor, &period).await?;
    let chart = Groups {
        id: "capacity".into(),
        class: "capacity-chart",
        title: "Peak participants against capacity and seats sold, per pool".into(),
        series: CAPACITY_SERIES.to_vec(),
        groups: report
            .pools
            .iter()
            .map(|p| Group {
                name: p.pool.clone(),
                values: vec![p.capacity, p.peak, p.sold],
            })
            .collect(),
    }
    .svg();
    let pools = report
        .pools
        .into_iter()
        .map(|p| PoolRow {
            pool: p.pool,
            servers: p.servers,
            capacity: p.capacity,
            peak: p.peak,
            utilisation: p.utilisation_percent,
            headroom: p.headroom,
            sold: p.sold,
            oversubscription: p.oversubscription_percent,
            unlimited: p.unlimited_tenants,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &CapacityPage {
            nav: op.nav(),
            tabs: Tab::Capacity.links(),
            period: report.period,
            pools,
            chart,
        },
    ))
}

#[derive(Template)]
#[template(path = "portal/operator/fair_use.html")]
struct FairUsePage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    report: billing::fair_use::FairUseReport,
    /// Whether the rules within their limits are listed too: "on" or "off".
    all: &'static str,
}

pub async fn fair_use(
    State(state): State<PortalState>,
    op: Operator,
    Query(asked): Query<Asked>,
) -> PageResult {
    let query = billing::fair_use::FairUseQuery {
        period: month(&state, asked.period.as_deref())?,
        all: asked.all.is_some(),
        org: None,
        now_ms: (state.api.clock)(),
    };
    let report = state.api.service.fair_use(&op.actor, &query).await?;
    Ok(render(
        StatusCode::OK,
        &FairUsePage {
            nav: op.nav(),
            tabs: Tab::FairUse.links(),
            report,
            all: if query.all { "on" } else { "off" },
        },
    ))
}

/// A month on the billing page.
pub struct MonthRow {
    pub label: String,
    pub closed: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/operator/billing.html")]
struct PeriodsPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    months: Vec<MonthRow>,
}

pub async fn periods(State(state): State<PortalState>, op: Operator) -> PageResult {
    let closed = state.api.service.statements(&op.actor).await?;
    let zone = &state.api.billing.zone;
    let mut months = Vec::new();
    let mut p = month(&state, None)?;
    for _ in 0..MONTHS_LISTED {
        months.push(MonthRow {
            closed: closed
                .iter()
                .find(|c| c.period == p.label)
                .map(|c| utc(c.closed_at)),
            label: p.label.clone(),
        });
        p = Month::holding(p.window.from_ms - 1, zone)
            .and_then(|m| m.period(zone))
            .map_err(BillingError::from)?;
    }
    Ok(render(
        StatusCode::OK,
        &PeriodsPage {
            nav: op.nav(),
            tabs: Tab::Billing.links(),
            months,
        },
    ))
}

/// How a preview splits the pool: the command line's defaults unless the
/// form says otherwise.
#[derive(Debug, Default, Deserialize)]
pub struct Split {
    rule: Option<String>,
    base_fee: Option<String>,
    measure: Option<String>,
}

/// The split as chosen, and the same again as form fields to carry over.
fn bill_query(period: Period, split: &Split) -> PageResult<(BillQuery, Vec<(String, String)>)> {
    let rule = match split.rule.as_deref().unwrap_or("guifi") {
        "guifi" => Rule::Guifi,
        "proportional" => Rule::Proportional,
        "tiers" => Rule::Tiers,
        other => return Err(PageError::bad_request(format!("no split rule {other:?}"))),
    };
    let measure = match split.measure.as_deref().unwrap_or("participant_minutes") {
        "participant_minutes" => Measure::ParticipantMinutes,
        "megabytes" => Measure::Megabytes,
        other => return Err(PageError::bad_request(format!("no measure {other:?}"))),
    };
    let fee = split.base_fee.as_deref().unwrap_or("10");
    let base_fee = hundredths(fee).ok_or_else(|| {
        PageError::bad_request(format!(
            "the base fee {fee:?} is not an amount such as 12.50"
        ))
    })?;
    let carried = vec![
        ("rule".to_string(), rule.as_str().to_string()),
        ("base_fee".to_string(), fee.to_string()),
        (
            "measure".to_string(),
            match measure {
                Measure::ParticipantMinutes => "participant_minutes",
                Measure::Megabytes => "megabytes",
            }
            .to_string(),
        ),
    ];
    Ok((
        BillQuery {
            period,
            rule,
            base_fee: Cents(base_fee),
            measure,
        },
        carried,
    ))
}

/// A statement's amounts, written in its own currency.
pub struct Written {
    currency: Option<Currency>,
}

impl Written {
    fn of(statement: &Statement) -> PageResult<Self> {
        Ok(Self {
            currency: statement.currency()?,
        })
    }

    /// Takes a reference, as templates pass their values.
    pub fn amount(&self, cents: &i64) -> String {
        match self.currency {
            Some(c) => c.format(Cents(*cents)),
            None => Cents(*cents).to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "portal/operator/period.html")]
struct PeriodPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    statement: Statement,
    money: Written,
    /// When it was closed and the audit head right after; none for a preview.
    closed: Option<(String, String)>,
    /// The split rules as (value, label, chosen).
    rules: Vec<(&'static str, &'static str, bool)>,
    base_fee: String,
    megabytes: bool,
    /// The split as form fields, for the close form.
    carried: Vec<(String, String)>,
    /// The same as a query string, for the organisations' links.
    carried_query: String,
    csrf: String,
}

const RULES: [(Rule, &str); 3] = [
    (Rule::Guifi, "guifi.net: an equal base fee, the rest by use"),
    (Rule::Proportional, "in proportion to use"),
    (Rule::Tiers, "by tier price"),
];

/// A month's statement: the frozen one once it is closed (with when, and
/// the audit head right after), else what it would be if it closed now.
async fn closed_or_preview(
    state: &PortalState,
    op: &Operator,
    query: &BillQuery,
) -> PageResult<(Statement, Option<(i64, Option<String>)>)> {
    let service = &state.api.service;
    let month: Month = query.period.label.parse().map_err(BillingError::from)?;
    match service.statement(&op.actor, month).await {
        Ok(c) => Ok((c.statement, Some((c.closed_at, c.audit_head)))),
        Err(BillingError::NotClosed { .. }) => {
            Ok((service.preview(&op.actor, query).await?.statement, None))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn period(
    State(state): State<PortalState>,
    op: Operator,
    Path(label): Path<String>,
    Query(split): Query<Split>,
) -> PageResult {
    let period = month(&state, Some(&label))?;
    let (query, carried) = bill_query(period, &split)?;
    let carried_query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&carried)
        .finish();
    let rules = RULES
        .iter()
        .map(|(r, label)| (r.as_str(), *label, *r == query.rule))
        .collect();
    let (statement, closed) = closed_or_preview(&state, &op, &query).await?;
    let closed = closed.map(|(at, head)| (utc(at), head.unwrap_or_default()));
    Ok(render(
        StatusCode::OK,
        &PeriodPage {
            nav: op.nav(),
            tabs: Tab::Billing.links(),
            money: Written::of(&statement)?,
            statement,
            closed,
            rules,
            base_fee: format!("{}", query.base_fee),
            megabytes: query.measure == Measure::Megabytes,
            carried,
            carried_query,
            csrf: op.csrf(),
        },
    ))
}

pub async fn close(
    State(state): State<PortalState>,
    op: Operator,
    Path(label): Path<String>,
    body: Bytes,
) -> PageResult {
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let split = Split {
        rule: fields.one("rule").map(str::to_owned),
        base_fee: fields.one("base_fee").map(str::to_owned),
        measure: fields.one("measure").map(str::to_owned),
    };
    let (query, carried) = bill_query(month(&state, Some(&label))?, &split)?;
    if !super::confirmed(&fields) {
        return Ok(Confirmation {
            title: format!("Close {label}?"),
            detail: format!(
                "Its statement is frozen as it is computed now, split by the {} rule, and the audit log records it. A closed month cannot be closed again.",
                query.rule.as_str()
            ),
            action: format!("/portal/operator/billing/{label}/close"),
            button: "Close the month",
            danger: true,
            back: format!("/portal/operator/billing/{label}"),
            fields: carried,
        }
        .page(&op, Tab::Billing));
    }
    state
        .api
        .service
        .close(&op.actor, &query, (state.api.clock)())
        .await?;
    Ok(Redirect::to(&format!("/portal/operator/billing/{label}")).into_response())
}

#[derive(Template)]
#[template(path = "portal/operator/statement.html")]
struct StatementPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    period: String,
    closed: bool,
    line: ShareLine,
    money: Written,
}

/// One organisation's part of a month: the frozen one once closed, the
/// preview before.
pub async fn statement(
    State(state): State<PortalState>,
    op: Operator,
    Path((label, org)): Path<(String, String)>,
    Query(split): Query<Split>,
) -> PageResult {
    let (query, _) = bill_query(month(&state, Some(&label))?, &split)?;
    let (statement, closed) = closed_or_preview(&state, &op, &query).await?;
    let money = Written::of(&statement)?;
    let line = statement
        .shares
        .into_iter()
        .find(|s| s.org == org)
        .ok_or_else(|| PageError::not_found(format!("{org} has no part in {label}")))?;
    Ok(render(
        StatusCode::OK,
        &StatementPage {
            nav: op.nav(),
            tabs: Tab::Billing.links(),
            period: label,
            closed: closed.is_some(),
            line,
            money,
        },
    ))
}
