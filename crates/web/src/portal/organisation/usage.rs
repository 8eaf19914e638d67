//! An organisation's use, one tenant at a time: charts per day of a month
//! and per month of the year up to it, each measure against the limit its
//! tier sets, the same numbers in tables, and the month's fair-use status
//! of every tenant with its reasons. The numbers are the usage report's
//! and the fair-use listing's, exactly as the command line prints them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use billing::Billing;
use billing::fair_use::{FairUseLine, FairUseQuery};
use billing::history::Line;
use billing::period::{Month, Period};
use billing::usage::Measures;
use consortium::{Actor, Consortium, TenantView};
use serde::Deserialize;
use store::Tier;

use super::{Own, Tab, check, own};
use crate::api::Problem;
use crate::portal::PortalState;
use crate::portal::chart::{Bar, Bars, Limit, number};
use crate::portal::page::{Nav, PageError, PageResult, render};
use crate::portal::session::Viewer;

/// How many months the monthly charts show, the asked one last.
pub const MONTHS: usize = 12;

/// One measure of a tenant's history, charted.
struct Measure {
    title: &'static str,
    decimals: usize,
    /// Its value, as the usage report writes it.
    value: fn(&Measures) -> f64,
    /// The tier's limit on it, and whether that limit is a month's.
    limit: fn(&Tier) -> (i64, bool),
}

const MEASURES: [Measure; 4] = [
    Measure {
        title: "Participant-minutes",
        decimals: 0,
        value: |m| m.participant_minutes as f64,
        limit: |t| (t.allowance_participant_minutes, true),
    },
    Measure {
        title: "Webcam-minutes",
        decimals: 0,
        value: |m| m.webcam_minutes as f64,
        limit: |_| (0, false),
    },
    Measure {
        title: "Peak concurrent participants",
        decimals: 0,
        value: |m| m.peak_participants as f64,
        limit: |t| (t.concurrent_participants, false),
    },
    Measure {
        title: "Estimated bandwidth out (GB)",
        decimals: 2,
        value: |m| m.gb_out,
        limit: |t| (t.allowance_gb, true),
    },
];

impl Measure {
    /// The tier's limit on this measure over a month, or for one of its
    /// `days` days (a month's allowance shared evenly); none where the
    /// tier sets none (0).
    fn limit(&self, tier: &Tier, days: Option<usize>) -> Option<Limit> {
        let (value, per_month) = (self.limit)(tier);
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

/// Lines of a tenant's history (its days, or its months) charted and tabled.
struct Series<'a> {
    lines: &'a [Line],
    /// The label under a bar, from the line's.
    short: fn(&str) -> &str,
}

impl Series<'_> {
    fn charts(&self, id: &str, per: &str, tier: Option<&Tier>, days: Option<usize>) -> Vec<Drawn> {
        MEASURES
            .iter()
            .enumerate()
            .map(|(m, measure)| {
                let chart = Bars {
                    id: format!("{id}-{m}"),
                    title: format!("{} per {per}", measure.title),
                    about: String::new(),
                    unit: String::new(),
                    bars: self
                        .lines
                        .iter()
                        .map(|l| Bar {
                            label: l.label.clone(),
                            short: (self.short)(&l.label).to_string(),
                            value: (measure.value)(&l.measures),
                        })
                        .collect(),
                    limit: tier.and_then(|t| measure.limit(t, days)),
                    decimals: measure.decimals,
                };
                Drawn {
                    svg: chart.svg(),
                    legend: chart
                        .limit
                        .as_ref()
                        .map(|l| format!("{}: {}", l.name, number(l.value, measure.decimals))),
                }
            })
            .collect()
    }

    /// The table of the same numbers: one row per line.
    fn rows(&self) -> Vec<(String, Vec<String>)> {
        self.lines
            .iter()
            .map(|l| {
                let cells = MEASURES
                    .iter()
                    .map(|m| number((m.value)(&l.measures), m.decimals))
                    .collect();
                (l.label.clone(), cells)
            })
            .collect()
    }
}

/// `2026-11-05` → `5`.
fn day_number(label: &str) -> &str {
    label
        .rsplit('-')
        .next()
        .unwrap_or(label)
        .trim_start_matches('0')
}

/// `2026-11` → `11`.
fn month_number(label: &str) -> &str {
    label.get(5..).unwrap_or(label)
}

/// A chart and how it is drawn.
pub struct Drawn {
    pub svg: String,
    pub legend: Option<String>,
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

/// The month holding the instant `at_ms`.
fn neighbour(at_ms: i64, zone: &jiff::tz::TimeZone) -> Result<Period, Problem> {
    Month::holding(at_ms, zone)
        .and_then(|m| m.period(zone))
        .map_err(|e| Problem::bad_request(e.to_string()))
}

/// The usage page of `org` as `actor` reads it, without the header's
/// navigation: the tenant's history (read once, every chart drawn from it)
/// and the organisation's fair use, both asked of billing as the actor.
async fn page_of(
    consortium: &Consortium,
    billing: &Billing,
    actor: &Actor,
    org: store::Organisation,
    asked: &Asked,
    now_ms: i64,
) -> Result<UsagePage, PageError> {
    let settings = billing.settings();
    let zone = &settings.zone;
    let asked_month = billing.period(asked.month.as_deref(), now_ms)?;
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
        let history = billing
            .tenant_history(actor, &t.tenant.name, &asked_month, MONTHS)
            .await?;
        let days = Series {
            lines: &history.days,
            short: day_number,
        };
        daily = days.charts("day", "day", tier.as_ref(), Some(history.days.len()));
        day_rows = days.rows();
        let months = Series {
            lines: &history.months,
            short: month_number,
        };
        monthly = months.charts("month", "month", tier.as_ref(), None);
        month_rows = months.rows();
    }
    let listing = billing
        .fair_use(
            actor,
            &FairUseQuery {
                period: asked_month.clone(),
                all: true,
                org: Some(org.name.clone()),
                now_ms,
            },
        )
        .await?;
    let mut fair: Vec<FairUse> = Vec::new();
    for line in listing.rows {
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
    billing: &Billing,
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
    let page = page_of(consortium, billing, actor, org, &asked, now_ms)
        .await
        .map_err(|e| e.0)?;
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
        &api.service,
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
            disabled_features: Default::default(),
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
    fn bars_are_labelled_with_the_days_and_months_number() {
        assert_eq!(day_number("2026-11-05"), "5");
        assert_eq!(day_number("2026-11-30"), "30");
        assert_eq!(month_number("2026-03"), "03");
    }
}
