//! Calendar periods in the configured time zone, cut on whole UTC hours so
//! that every hourly rollup lies wholly inside one period.
//!
//! A month runs from local midnight on its first day to local midnight on
//! the next month's first day, so its length follows daylight saving time
//! (Europe/Paris: March has 743 hours, October 745). In zones whose offset
//! is a whole number of hours these boundaries are exact. In a zone with a
//! half- or quarter-hour offset (Asia/Kolkata, +05:30) each boundary moves
//! back to the UTC hour that holds local midnight: periods start at 23:30
//! local time there. Adjacent periods still meet, so no hour is lost or
//! counted twice.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::usage::{HOUR_MS, Window, floor_hour};

/// A calendar month, `YYYY-MM`: the one name bills, reports and the room
/// quota share for "the month"; where it begins depends on the zone asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(Date);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{0:?} is not a month such as 2026-11")]
    NotAMonth(String),
    #[error("time out of range: {0}")]
    OutOfRange(String),
}

fn out_of_range(e: jiff::Error) -> PeriodError {
    PeriodError::OutOfRange(e.to_string())
}

impl Month {
    /// The month holding the instant `at_ms` on `zone`'s calendar.
    pub fn holding(at_ms: i64, zone: &TimeZone) -> Result<Self, PeriodError> {
        let date = jiff::Timestamp::from_millisecond(at_ms)
            .map_err(out_of_range)?
            .to_zoned_datetime(zone.clone())
            .date();
        Ok(Self(date.first_of_month()))
    }

    /// The month's instants in `zone`.
    pub fn period(self, zone: &TimeZone) -> Result<Period, PeriodError> {
        let next = self
            .0
            .checked_add(jiff::Span::new().months(1))
            .map_err(out_of_range)?;
        Ok(Period {
            label: self.to_string(),
            window: Window {
                from_ms: day_start(self.0, zone)?,
                to_ms: day_start(next, zone)?,
            },
        })
    }
}

impl FromStr for Month {
    type Err = PeriodError;

    fn from_str(p: &str) -> Result<Self, PeriodError> {
        let bad = || PeriodError::NotAMonth(p.to_string());
        if p.len() != 7 {
            return Err(bad());
        }
        format!("{p}-01")
            .parse::<Date>()
            .map(Self)
            .map_err(|_| bad())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `YYYY-MM`.
    pub label: String,
    pub window: Window,
}

/// The month `YYYY-MM` (or the one holding `now_ms`) in `zone`.
pub fn month(period: Option<&str>, zone: &TimeZone, now_ms: i64) -> Result<Period, PeriodError> {
    let month = match period {
        Some(p) => p.parse()?,
        None => Month::holding(now_ms, zone)?,
    };
    month.period(zone)
}

/// Where the day `date` starts: local midnight (or the first instant of the
/// day where midnight is skipped), moved back to a whole UTC hour.
fn day_start(date: Date, zone: &TimeZone) -> Result<i64, PeriodError> {
    let start = date
        .to_zoned_datetime(zone.clone())
        .and_then(|z| z.start_of_day())
        .map_err(out_of_range)?;
    Ok(floor_hour(start.timestamp().as_millisecond()))
}

/// The local day an hourly rollup belongs to: that of its last instant,
/// which agrees with `day_start` in every zone (the hour holding local
/// midnight belongs to the day that begins in it).
pub fn day_of(hour_ms: i64, zone: &TimeZone) -> String {
    local(hour_ms + HOUR_MS - 1, zone, "%Y-%m-%d")
}

/// An hour as operators read it: its local start, with the offset.
pub fn hour_label(hour_ms: i64, zone: &TimeZone) -> String {
    local(hour_ms, zone, "%Y-%m-%dT%H:%M%:z")
}

fn local(ms: i64, zone: &TimeZone, format: &str) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(zone.clone())
                .strftime(format)
                .to_string()
        })
        .unwrap_or_else(|_| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn utc(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn a_utc_month_is_its_calendar_days() {
        let p = month(Some("2026-02"), &TimeZone::UTC, 0).unwrap();
        assert_eq!(p.label, "2026-02");
        assert_eq!(p.window.from_ms, utc("2026-02-01T00:00:00Z"));
        assert_eq!((p.window.to_ms - p.window.from_ms) / HOUR_MS, 28 * 24);
    }

    #[test]
    fn a_paris_month_runs_between_local_midnights_across_the_dst_change() {
        let paris = zone("Europe/Paris");
        let march = month(Some("2026-03"), &paris, 0).unwrap();
        assert_eq!(march.window.from_ms, utc("2026-02-28T23:00:00Z"));
        assert_eq!(march.window.to_ms, utc("2026-03-31T22:00:00Z"));
        assert_eq!(
            (march.window.to_ms - march.window.from_ms) / HOUR_MS,
            31 * 24 - 1,
            "the clocks go forward on 29 March"
        );
        let april = month(Some("2026-04"), &paris, 0).unwrap();
        assert_eq!(april.window.from_ms, march.window.to_ms, "months meet");
        let october = month(Some("2026-10"), &paris, 0).unwrap();
        assert_eq!(
            (october.window.to_ms - october.window.from_ms) / HOUR_MS,
            31 * 24 + 1
        );
    }

    #[test]
    fn hours_fall_on_the_local_day_around_the_dst_change() {
        let paris = zone("Europe/Paris");
        assert_eq!(day_of(utc("2026-03-28T22:00:00Z"), &paris), "2026-03-28");
        assert_eq!(day_of(utc("2026-03-28T23:00:00Z"), &paris), "2026-03-29");
        assert_eq!(day_of(utc("2026-03-29T21:00:00Z"), &paris), "2026-03-29");
        assert_eq!(day_of(utc("2026-03-29T22:00:00Z"), &paris), "2026-03-30");
        assert_eq!(
            hour_label(utc("2026-03-29T01:00:00Z"), &paris),
            "2026-03-29T03:00+02:00"
        );
    }

    #[test]
    fn a_half_hour_zone_starts_its_periods_on_the_utc_hour_before_midnight() {
        let kolkata = zone("Asia/Kolkata");
        let p = month(Some("2026-11"), &kolkata, 0).unwrap();
        // Local midnight is 18:30 UTC; the period starts at 18:00 UTC.
        assert_eq!(p.window.from_ms, utc("2026-10-31T18:00:00Z"));
        assert_eq!(day_of(p.window.from_ms, &kolkata), "2026-11-01");
        assert_eq!(day_of(p.window.from_ms - HOUR_MS, &kolkata), "2026-10-31");
    }

    #[test]
    fn the_current_month_is_the_one_holding_now_in_the_zone() {
        let paris = zone("Europe/Paris");
        // 23:30 UTC on 31 October is already November in Paris.
        let p = month(None, &paris, utc("2026-10-31T23:30:00Z")).unwrap();
        assert_eq!(p.label, "2026-11");
    }

    #[test]
    fn a_month_is_written_yyyy_mm() {
        for bad in ["2026-13", "2026-1", "nope", "2026-11-01", ""] {
            assert!(month(Some(bad), &TimeZone::UTC, 0).is_err(), "{bad}");
        }
    }
}
