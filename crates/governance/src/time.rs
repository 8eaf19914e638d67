//! Durations and readable timestamps. Instants are UTC Unix milliseconds
//! (`i64`) throughout the crate; nothing here reads a clock.

use serde::{Deserialize, Serialize};
use std::fmt;

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// A non-negative length of time in milliseconds, so that "opened + lead
/// time" can never move backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct DurationMs(i64);

/// A negative duration was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a duration cannot be negative (got {0} ms)")]
pub struct NegativeDuration(pub i64);

impl DurationMs {
    pub const ZERO: DurationMs = DurationMs(0);

    pub fn from_ms(ms: i64) -> Result<Self, NegativeDuration> {
        if ms < 0 {
            Err(NegativeDuration(ms))
        } else {
            Ok(DurationMs(ms))
        }
    }

    /// Whole days (a `u32` count of days always fits in `i64` milliseconds).
    pub const fn days(days: u32) -> Self {
        DurationMs(days as i64 * MS_PER_DAY)
    }

    pub const fn hours(hours: u32) -> Self {
        DurationMs(hours as i64 * MS_PER_HOUR)
    }

    pub const fn ms(self) -> i64 {
        self.0
    }

    /// `at + self`, saturating at the end of representable time.
    pub const fn after(self, at: i64) -> i64 {
        at.saturating_add(self.0)
    }

    /// `at - self`, saturating at the start of representable time.
    pub const fn before(self, at: i64) -> i64 {
        at.saturating_sub(self.0)
    }
}

impl TryFrom<i64> for DurationMs {
    type Error = NegativeDuration;
    fn try_from(ms: i64) -> Result<Self, Self::Error> {
        DurationMs::from_ms(ms)
    }
}

impl From<DurationMs> for i64 {
    fn from(d: DurationMs) -> i64 {
        d.0
    }
}

impl fmt::Display for DurationMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, rest) = (self.0 / MS_PER_DAY, self.0 % MS_PER_DAY);
        match (days, rest) {
            (0, 0) => write!(f, "0 days"),
            (1, 0) => write!(f, "1 day"),
            (d, 0) => write!(f, "{d} days"),
            _ if rest % MS_PER_HOUR == 0 => write!(f, "{} hours", self.0 / MS_PER_HOUR),
            _ => write!(f, "{} minutes", self.0 / MS_PER_MINUTE),
        }
    }
}

/// Formats an instant as `YYYY-MM-DD HH:MM UTC` for messages people read;
/// an instant outside the calendar's range (years beyond ±9999) is given
/// in milliseconds instead.
pub fn format_utc(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms).map_or_else(
        |_| format!("{at_ms} ms after 1970-01-01 UTC"),
        |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_epoch_and_a_leap_day() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        // 2024-02-29 13:45 UTC
        assert_eq!(format_utc(1_709_214_300_000), "2024-02-29 13:45 UTC");
    }

    #[test]
    fn formats_instants_before_the_epoch() {
        assert_eq!(format_utc(-MS_PER_MINUTE), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn formats_extreme_instants_without_panicking() {
        format_utc(i64::MIN);
        format_utc(i64::MAX);
    }

    #[test]
    fn a_negative_duration_is_refused() {
        assert_eq!(DurationMs::from_ms(-1), Err(NegativeDuration(-1)));
    }

    #[test]
    fn adding_a_duration_saturates() {
        assert_eq!(DurationMs::days(7).after(i64::MAX - 1), i64::MAX);
    }

    #[test]
    fn durations_read_in_days_or_hours() {
        assert_eq!(DurationMs::days(7).to_string(), "7 days");
        assert_eq!(DurationMs::days(1).to_string(), "1 day");
        assert_eq!(DurationMs::hours(36).to_string(), "36 hours");
    }
}
