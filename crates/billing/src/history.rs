//! One tenant's use over time, as its organisation's usage page charts it:
//! per local day of a month, and per month over the months up to it. Both
//! come from one read of the tenant's hours, cut by day and by month, so
//! they agree with the usage report's day and month lines exactly (a day
//! or a month is its hours merged).

use metering::period::{self, Month, Period};
use metering::usage::{Dim, Totals, Window};
use serde::Serialize;
use store::Store;

use crate::meter::Metering;
use crate::usage::Measures;
use crate::{BillingError, Settings};

/// A day (`YYYY-MM-DD`) or a month (`YYYY-MM`) and its use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub label: String,
    pub measures: Measures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenantHistory {
    pub tenant: String,
    pub time_zone: String,
    /// Every local day of the month asked for, idle ones included.
    pub days: Vec<Line>,
    /// The months up to and including the one asked for, oldest first.
    pub months: Vec<Line>,
}

/// The `count` months ending with `last`, oldest first.
pub fn months_up_to(
    last: &Period,
    count: usize,
    zone: &jiff::tz::TimeZone,
) -> Result<Vec<Period>, BillingError> {
    let mut months = vec![last.clone()];
    while months.len() < count.max(1) {
        let before = Month::holding(months[0].window.from_ms - 1, zone)?.period(zone)?;
        months.insert(0, before);
    }
    Ok(months)
}

/// The local days of a period, in order.
pub fn days_of(p: &Period, zone: &jiff::tz::TimeZone) -> Vec<String> {
    let mut days: Vec<String> = Vec::new();
    for hour in p.window.hours() {
        let day = period::day_of(hour.from_ms, zone);
        if days.last() != Some(&day) {
            days.push(day);
        }
    }
    days
}

/// Cuts hours (UTC hour start, use) into the local days of the last of
/// `months` and into `months`; hours outside them are left out.
pub fn cut(
    hours: &[(i64, Totals)],
    months: &[Period],
    zone: &jiff::tz::TimeZone,
) -> (Vec<Line>, Vec<Line>) {
    let days = months.last().map(|m| days_of(m, zone)).unwrap_or_default();
    let mut per_day = vec![Totals::default(); days.len()];
    let mut per_month = vec![Totals::default(); months.len()];
    for (hour, t) in hours {
        let holds = |m: &Period| m.window.from_ms <= *hour && *hour < m.window.to_ms;
        let Some(m) = months.iter().position(holds) else {
            continue;
        };
        per_month[m].merge(t);
        if m + 1 == months.len()
            && let Ok(d) = days.binary_search(&period::day_of(*hour, zone))
        {
            per_day[d].merge(t);
        }
    }
    let lines = |labels: Vec<String>, totals: Vec<Totals>| {
        labels
            .into_iter()
            .zip(totals)
            .map(|(label, t)| Line {
                label,
                measures: Measures::of(&t),
            })
            .collect()
    };
    let month_labels = months.iter().map(|m| m.label.clone()).collect();
    (lines(days, per_day), lines(month_labels, per_month))
}

/// `tenant`'s history over `months`, the last of them cut by day: one read
/// of its hours across them all.
pub async fn of_tenant(
    store: &Store,
    settings: &Settings,
    tenant: &str,
    months: &[Period],
) -> Result<TenantHistory, BillingError> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Err(BillingError::Invalid("a history needs a month".into()));
    };
    let window = Window {
        from_ms: first.window.from_ms,
        to_ms: last.window.to_ms,
    };
    let hours: Vec<(i64, Totals)> = Metering::for_settings(store.clone(), settings)
        .hourly_of(Dim::Tenant, &[tenant.to_string()], window)
        .await?
        .into_iter()
        .map(|(hour, _, t)| (hour, t))
        .collect();
    let (days, months) = cut(&hours, months, &settings.zone);
    Ok(TenantHistory {
        tenant: tenant.to_string(),
        time_zone: settings.time_zone.clone(),
        days,
        months,
    })
}

#[cfg(test)]
mod tests {
    use metering::integrate::Integrals;
    use metering::usage::HOUR_MS;

    use super::*;

    fn zone() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get("Europe/Paris").unwrap()
    }

    fn month(label: &str) -> Period {
        period::month(Some(label), &zone(), 0).unwrap()
    }

    fn used(minutes: u128, peak: u64) -> Totals {
        Totals {
            integrals: Integrals {
                participant_ms: minutes * 60_000,
                ..Integrals::default()
            },
            peak_participants: peak,
            ..Totals::default()
        }
    }

    #[test]
    fn a_month_has_its_local_days_in_order() {
        let days = days_of(&month("2026-03"), &zone());
        assert_eq!(days.len(), 31);
        assert_eq!(days[0], "2026-03-01");
        assert_eq!(days[30], "2026-03-31");
    }

    #[test]
    fn the_months_up_to_one_cross_the_new_year() {
        let months = months_up_to(&month("2026-02"), 3, &zone()).unwrap();
        let labels: Vec<&str> = months.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["2025-12", "2026-01", "2026-02"]);
        assert_eq!(months[0].window.to_ms, months[1].window.from_ms);
    }

    #[test]
    fn hours_add_up_to_their_local_day_and_month() {
        let months = months_up_to(&month("2026-11"), 2, &zone()).unwrap();
        let nov = months[1].window.from_ms;
        // Paris's November begins at 23:00 UTC on 31 October: its first
        // day's hours are the 24 from there.
        let hours = [
            (nov, used(10, 3)),
            (nov + 23 * HOUR_MS, used(5, 7)),
            (nov + 24 * HOUR_MS, used(1, 2)),
            (months[0].window.from_ms, used(100, 40)),
            (months[1].window.to_ms, used(1_000, 99)),
        ];
        let (days, months) = cut(&hours, &months, &zone());
        assert_eq!(days.len(), 30);
        let first = &days[0];
        assert_eq!(first.label, "2026-11-01");
        assert_eq!(
            (
                first.measures.participant_minutes,
                first.measures.peak_participants
            ),
            (15, 7)
        );
        assert_eq!(days[1].measures.participant_minutes, 1);
        assert_eq!(days[2].measures, Measures::default(), "an idle day");
        assert_eq!(months[0].label, "2026-10");
        assert_eq!(months[0].measures.participant_minutes, 100);
        assert_eq!(
            (
                months[1].measures.participant_minutes,
                months[1].measures.peak_participants
            ),
            (16, 7),
            "the hour after the last month is left out"
        );
    }
}
