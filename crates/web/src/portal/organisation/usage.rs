//! An organisation's use, one tenant at a time: charts per day of a month
//! and per month of the year up to it, each measure against the limit its
//! tier sets, the same numbers in tables, and the month's fair-use status
//! of every tenant with its reasons. The numbers are the usage report's
//! and the fair-use listing's, exactly as the command line prints them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use billing::fair_use::{FairUseLine, FairUseQuery};
use billing::period::{self, Month, Period};
use billing::usage::{Every, UsageQuery, UsageReport};
use consortium::{Actor, Consortium, TenantView};
use metering::usage::Dim;
use serde::Deserialize;
use serde_json::Value;
use store::Tier;

use super::chart::{Bar, Chart, Limit, number};
use super::{Own, Tab, check, own};
use crate::api::Problem;
use crate::portal::PortalState;
use crate::portal::page::{Nav, PageResult, render};
use crate::portal::session::Viewer;

/// How many months the monthly charts show, the asked one last.
pub const MONTHS: usize = 12;

/// One measure of the usage report, charted.
struct Measure {
    /// Its column in the report.
    column: &'static str,
    title: &'static str,
    decimals: usize,
}

const MEASURES: [Measure; 4] = [
    Measure {
        column: "participant_minutes",
        title: "Participant-minutes",
        decimals: 0,
    },
    Measure {
        column: "webcam_minutes",
        title: "Webcam-minutes",
        decimals: 0,
    },
    Measure {
        column: "peak_participants",
        title: "Peak concurrent participants",
        decimals: 0,
    },
    Measure {
        column: "gb_out",
        title: "Estimated bandwidth out (GB)",
        decimals: 2,
    },
];

impl Measure {
    /// The tier's limit on this measure over a month, or for one of its
    /// `days` days (a month's allowance shared evenly); none where the
    /// tier sets none (0).
    fn limit(&self, tier: &Tier, days: Option<usize>) -> Option<Limit> {
        let (value, per_month) = match self.column {
            "participant_minutes" => (tier.allowance_participant_minutes, true),
            "peak_participants" => (tier.concurrent_participants, false),
            "gb_out" => (tier.allowance_gb, true),
            _ => (0, false),
        };
        if value <= 0 {
            return None;
        }
        Some(match (per_month, days) {
            (true, Some(days)) => Limit {
                value: value as f64 / days.max(1) as f64,
                name: format!("{} allowance, a day's share", tier.name),
            },
            (true, None) => Limit {
                value: value as f64,
                name: format!("{} allowance", tier.name),
            },
            (false, _) => Limit {
                value: value as f64,
                name: format!("{} limit", tier.name),
            },
        })
    }
}

/// A column of a report by name, as a number (0 when absent).
fn cell(report: &UsageReport, row: &[Value], column: &str) -> f64 {
    report
        .columns
        .iter()
        .position(|c| *c == column)
        .and_then(|i| row.get(i))
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

/// One tenant's measures over a run of days or months, in order.
struct Series {
    /// (full label, short label, one value per measure)
    points: Vec<(String, String, [f64; 4])>,
}

impl Series {
    fn charts(&self, id: &str, per: &str, tier: Option<&Tier>, days: Option<usize>) -> Vec<Chart> {
        MEASURES
            .iter()
            .enumerate()
            .map(|(m, measure)| Chart {
                id: format!("{id}-{m}"),
                title: format!("{} per {per}", measure.title),
                bars: self
                    .points
                    .iter()
                    .map(|(label, short, values)| Bar {
                        label: label.clone(),
                        short: short.clone(),
                        value: values[m],
                    })
                    .collect(),
                limit: tier.and_then(|t| measure.limit(t, days)),
                decimals: measure.decimals,
            })
            .collect()
    }

    /// The table of the same numbers: one row per point.
    fn rows(&self) -> Vec<(String, Vec<String>)> {
        self.points
            .iter()
            .map(|(label, _, values)| {
                let cells = MEASURES
                    .iter()
                    .zip(values)
                    .map(|(m, v)| number(*v, m.decimals))
                    .collect();
                (label.clone(), cells)
            })
            .collect()
    }
}

fn values(report: &UsageReport, row: &[Value]) -> [f64; 4] {
    MEASURES.map(|m| cell(report, row, m.column))
}

/// A chart and how it is drawn.
pub struct Drawn {
    pub svg: String,
    pub legend: Option<String>,
}

fn drawn(charts: Vec<Chart>) -> Vec<Drawn> {
    charts
        .into_iter()
        .map(|c| Drawn {
            svg: c.svg(),
            legend: c
                .limit
                .as_ref()
                .map(|l| format!("{}: {}", l.name, number(l.value, c.decimals))),
        })
        .collect()
}

/// One tenant's fair use this month: its worst level and every rule.
pub struct FairUse {
    pub tenant: String,
    pub tier: String,
    pub status: &'static str,
    pub rules: Vec<FairUseLine>,
}

#[derive(Template)]
#[template(path = "portal/organisation/usage.html")]
pub struct UsagePage {
    nav: Option<Nav>,
    org: store::Organisation,
    tab: Tab,
    month: String,
    previous: String,
    next: Option<String>,
    tenants: Vec<TenantView>,
    tenant: Option<TenantView>,
    tier: Option<Tier>,
    headings: Vec<&'static str>,
    daily: Vec<Drawn>,
    day_rows: Vec<(String, Vec<String>)>,
    monthly: Vec<Drawn>,
    month_rows: Vec<(String, Vec<String>)>,
    fair: Vec<FairUse>,
    time_zone: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Asked {
    month: Option<String>,
    tenant: Option<String>,
}

fn month_of(
    label: Option<&str>,
    zone: &jiff::tz::TimeZone,
    now_ms: i64,
) -> Result<Period, Problem> {
    period::month(label, zone, now_ms).map_err(|e| Problem::bad_request(e.to_string()))
}

/// The month holding the instant `at_ms`.
fn neighbour(at_ms: i64, zone: &jiff::tz::TimeZone) -> Result<Period, Problem> {
    Month::holding(at_ms, zone)
        .and_then(|m| m.period(zone))
        .map_err(|e| Problem::bad_request(e.to_string()))
}

/// The local days of a period, in order.
fn days_of(p: &Period, zone: &jiff::tz::TimeZone) -> Vec<String> {
    let mut days: Vec<String> = Vec::new();
    for hour in p.window.hours() {
        let day = period::day_of(hour.from_ms, zone);
        if days.last() != Some(&day) {
            days.push(day);
        }
    }
    days
}

async fn report(
    consortium: &Consortium,
    settings: &billing::Settings,
    tenant: &str,
    p: &Period,
    every: Every,
    now_ms: i64,
) -> Result<UsageReport, Problem> {
    let query = UsageQuery {
        period: p.clone(),
        by: Dim::Tenant,
        every,
        tenant: Some(tenant.to_string()),
        org: None,
        now_ms,
    };
    Ok(billing::usage::report(consortium.store(), settings, &query).await?)
}

/// The usage page of `org` as `actor` reads it, without the header's
/// navigation.
async fn page_of(
    consortium: &Consortium,
    settings: &billing::Settings,
    actor: &Actor,
    org: store::Organisation,
    asked: &Asked,
    now_ms: i64,
) -> Result<UsagePage, Problem> {
    let zone = &settings.zone;
    let asked_month = month_of(asked.month.as_deref(), zone, now_ms)?;
    let tenants: Vec<TenantView> = consortium
        .tenants(actor)
        .await?
        .into_iter()
        .filter(|t| t.organisation.as_deref() == Some(org.name.as_str()))
        .collect();
    let tenant = match &asked.tenant {
        Some(name) => Some(
            tenants
                .iter()
                .find(|t| &t.tenant.name == name)
                .cloned()
                .ok_or_else(|| Problem::not_found(format!("tenant {name:?} does not exist")))?,
        ),
        None => tenants.first().cloned(),
    };
    let tier = match tenant.as_ref().and_then(|t| t.tier.as_deref()) {
        Some(name) => consortium
            .tiers(actor)
            .await?
            .into_iter()
            .find(|t| t.name == name),
        None => None,
    };
    let (mut daily, mut day_rows, mut monthly, mut month_rows) = Default::default();
    if let Some(t) = &tenant {
        let name = &t.tenant.name;
        let days = days_of(&asked_month, zone);
        let by_day = report(consortium, settings, name, &asked_month, Every::Day, now_ms).await?;
        let series = Series {
            points: days
                .iter()
                .map(|day| {
                    let row = by_day
                        .rows
                        .iter()
                        .find(|r| r.first().and_then(Value::as_str) == Some(day.as_str()));
                    let short = day
                        .rsplit('-')
                        .next()
                        .unwrap_or(day)
                        .trim_start_matches('0');
                    (
                        day.clone(),
                        short.to_string(),
                        row.map_or([0.0; 4], |r| values(&by_day, r)),
                    )
                })
                .collect(),
        };
        daily = drawn(series.charts("day", "day", tier.as_ref(), Some(days.len())));
        day_rows = series.rows();
        let mut months = vec![asked_month.clone()];
        while months.len() < MONTHS {
            let first = months[0].window.from_ms;
            months.insert(0, neighbour(first - 1, zone)?);
        }
        let mut points = Vec::new();
        for m in &months {
            let total = report(consortium, settings, name, m, Every::Month, now_ms).await?;
            let short = m.label.get(5..).unwrap_or(&m.label).to_string();
            let value = total.rows.first().map_or([0.0; 4], |r| values(&total, r));
            points.push((m.label.clone(), short, value));
        }
        let series = Series { points };
        monthly = drawn(series.charts("month", "month", tier.as_ref(), None));
        month_rows = series.rows();
    }
    let listing = billing::fair_use::list(
        consortium.store(),
        settings,
        &FairUseQuery {
            period: asked_month.clone(),
            all: true,
            org: Some(org.name.clone()),
            now_ms,
        },
    )
    .await?;
    let mut fair: Vec<FairUse> = Vec::new();
    for line in listing.rows.into_iter().filter(|l| l.org == org.name) {
        match fair.iter_mut().find(|f| f.tenant == line.tenant) {
            Some(f) => f.rules.push(line),
            None => fair.push(FairUse {
                tenant: line.tenant.clone(),
                tier: line.tier.clone(),
                status: line.status,
                rules: vec![line],
            }),
        }
    }
    let next = neighbour(asked_month.window.to_ms, zone)?;
    Ok(UsagePage {
        nav: None,
        org,
        tab: Tab::Usage,
        month: asked_month.label.clone(),
        previous: neighbour(asked_month.window.from_ms - 1, zone)?.label,
        next: (next.window.from_ms <= now_ms).then_some(next.label),
        tenants,
        tenant,
        tier,
        headings: MEASURES.iter().map(|m| m.title).collect(),
        daily,
        day_rows,
        monthly,
        month_rows,
        fair,
        time_zone: settings.time_zone.clone(),
    })
}

/// The usage page of organisation `org` for `actor`, rendered, as the
/// portal serves it (without the header's navigation): what the benchmark
/// of its render time measures.
pub async fn usage_html(
    consortium: &Consortium,
    settings: &billing::Settings,
    actor: &Actor,
    org: &str,
    month: Option<&str>,
    tenant: Option<&str>,
    now_ms: i64,
) -> Result<String, Problem> {
    check(actor, org)?;
    let org = consortium.store().organisation(org).await?;
    let asked = Asked {
        month: month.map(str::to_owned),
        tenant: tenant.map(str::to_owned),
    };
    let page = page_of(consortium, settings, actor, org, &asked, now_ms).await?;
    page.render().map_err(|e| Problem::internal(&e))
}

pub async fn page(
    State(state): State<PortalState>,
    viewer: Viewer,
    axum::extract::Path(name): axum::extract::Path<String>,
    Query(asked): Query<Asked>,
) -> PageResult {
    let Own { actor, org } = own(&state, &viewer, &name).await?;
    let api = &state.api;
    let mut page = page_of(
        &api.consortium,
        &api.billing,
        &actor,
        org,
        &asked,
        (api.clock)(),
    )
    .await?;
    page.nav = Some(viewer.nav());
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier() -> Tier {
        Tier {
            id: 1,
            name: "level2".into(),
            price_cents: 2000,
            currency: "EUR".into(),
            participants_per_meeting: 20,
            concurrent_meetings: 5,
            concurrent_participants: 60,
            meeting_minutes: 1440,
            webcams_per_meeting: 20,
            webcams_per_user: 2,
            recording: true,
            rooms_per_month: 0,
            disabled_features: String::new(),
            allowance_participant_minutes: 80_000,
            allowance_gb: 0,
        }
    }

    #[test]
    fn a_months_allowance_is_shared_evenly_among_its_days() {
        let minutes = &MEASURES[0];
        let day = minutes.limit(&tier(), Some(30)).unwrap();
        assert!((day.value - 80_000.0 / 30.0).abs() < 1e-9);
        assert_eq!(day.name, "level2 allowance, a day's share");
        assert_eq!(minutes.limit(&tier(), None).unwrap().value, 80_000.0);
    }

    #[test]
    fn concurrency_is_limited_the_same_on_a_day_as_in_a_month() {
        let peak = &MEASURES[2];
        assert_eq!(peak.limit(&tier(), Some(30)).unwrap().value, 60.0);
        assert_eq!(peak.limit(&tier(), None).unwrap().name, "level2 limit");
    }

    #[test]
    fn a_limit_of_zero_is_no_limit() {
        assert_eq!(MEASURES[3].limit(&tier(), None), None);
        assert_eq!(MEASURES[1].limit(&tier(), None), None);
    }

    #[test]
    fn a_month_has_its_local_days_in_order() {
        let zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let march = period::month(Some("2026-03"), &zone, 0).unwrap();
        let days = days_of(&march, &zone);
        assert_eq!(days.len(), 31);
        assert_eq!(days[0], "2026-03-01");
        assert_eq!(days[30], "2026-03-31");
    }
}
