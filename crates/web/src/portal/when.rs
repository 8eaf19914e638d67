//! Times as pages show them: UTC dates and what is left until a deadline.

/// `2026-01-12 09:00 UTC`.
pub fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// RFC 3339, for `<time datetime>`.
pub fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// What is left from `now` to `until`, in its two largest units.
pub fn remaining(until: i64, now: i64) -> String {
    let left = (until - now).max(0) / 60_000;
    let (days, hours, minutes) = (left / 1440, left / 60 % 24, left % 60);
    let unit = |n: i64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    match (days, hours) {
        (0, 0) if minutes == 0 => "less than a minute".into(),
        (0, 0) => unit(minutes, "minute"),
        (0, h) => format!("{}, {}", unit(h, "hour"), unit(minutes, "minute")),
        (d, h) => format!("{}, {}", unit(d, "day"), unit(h, "hour")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_left_is_told_in_its_two_largest_units() {
        let h = 3_600_000;
        assert_eq!(remaining(7 * 24 * h, 0), "7 days, 0 hours");
        assert_eq!(remaining(25 * h + 60_000, 0), "1 day, 1 hour");
        assert_eq!(remaining(2 * h + 5 * 60_000, 0), "2 hours, 5 minutes");
        assert_eq!(remaining(30_000, 0), "less than a minute");
        assert_eq!(remaining(0, 10), "less than a minute");
        assert_eq!(utc(1_767_603_600_000), "2026-01-05 09:00 UTC");
    }
}
