//! Fair use: how a tenant's metered month compares with its tier, rule by
//! rule, with the numbers behind each verdict.
//!
//! The rules, each evaluated on the hourly rollups of one period:
//!
//! - **participant-minutes**: the month's participant-minutes against the
//!   tier's allowance;
//! - **estimated GB**: the month's estimated traffic out of the servers (the
//!   direction that dominates and that hosts pay for) against the tier's
//!   allowance;
//! - **sustained concurrency**: the hours in which the tenant's peak of
//!   concurrent participants (one poll round) exceeded the tier's
//!   concurrent-participant limit. A few such hours are a burst, tolerated:
//!   *near* as soon as one hour is above the limit, *over* once more hours
//!   are above it than the configured burst allowance;
//! - **95th-percentile bandwidth**: the nearest-rank 95th percentile of the
//!   hourly average estimated Mbit/s (in + out) over every elapsed hour of
//!   the period, idle hours counting as 0 (burstable billing's rule: the
//!   busiest 5 % of hours are forgiven), against a configured threshold.
//!
//! A limit of 0 switches its rule off. Apart from sustained concurrency, a
//! rule is *near* from `near_percent` of its limit and *over* above it.

use crate::integrate::Integrals;
use crate::usage::Totals;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Ok,
    Near,
    Over,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Near => "near",
            Self::Over => "over",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    ParticipantMinutes,
    Gigabytes,
    SustainedConcurrency,
    Bandwidth95,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ParticipantMinutes => "participant-minutes",
            Self::Gigabytes => "estimated-gb-out",
            Self::SustainedConcurrency => "hours-above-concurrency",
            Self::Bandwidth95 => "p95-mbit-s",
        }
    }
}

/// What a tier allows; 0 switches a rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    pub participant_minutes: u64,
    pub gigabytes: u64,
    pub concurrent_participants: u64,
    /// Hours a month the concurrency limit may be exceeded before it is over.
    pub burst_hours: u64,
    pub p95_mbps: u64,
}

/// One hour of a tenant's use, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HourUse {
    pub peak_participants: u64,
    /// Estimated bytes in and out of the servers in that hour.
    pub bytes: u128,
}

impl HourUse {
    pub fn of(t: &Totals) -> Self {
        Self {
            peak_participants: t.peak_participants,
            bytes: t.bytes_in + t.bytes_out,
        }
    }

    /// The hour's average rate in kbit/s (bytes × 8 over 3 600 s, rounded down).
    pub fn kbps(&self) -> u64 {
        u64::try_from(self.bytes * 8 / 3_600_000).unwrap_or(u64::MAX)
    }
}

/// One rule's verdict. `used` and `limit` are in the rule's unit: minutes,
/// GB, hours, or kbit/s for the bandwidth rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub rule: Rule,
    pub level: Level,
    pub used: u64,
    pub limit: u64,
    /// Whole percent of the limit used (rounded down).
    pub percent: u64,
}

impl Verdict {
    /// Used and limit as operators read them (bandwidth in Mbit/s).
    pub fn amounts(&self) -> (String, String) {
        match self.rule {
            Rule::Bandwidth95 => (mbps(self.used), mbps(self.limit)),
            _ => (self.used.to_string(), self.limit.to_string()),
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (used, limit) = self.amounts();
        write!(
            f,
            "{} {used} of {limit} ({}%)",
            self.rule.as_str(),
            self.percent
        )
    }
}

/// kbit/s as Mbit/s with one decimal.
fn mbps(kbps: u64) -> String {
    format!("{}.{}", kbps / 1000, kbps % 1000 / 100)
}

fn percent(used: u64, limit: u64) -> u64 {
    u64::try_from(used as u128 * 100 / limit.max(1) as u128).unwrap_or(u64::MAX)
}

/// `None` when there is no limit (0): nothing to be fair against.
fn against(rule: Rule, used: u64, limit: u64, near_percent: u64) -> Option<Verdict> {
    if limit == 0 {
        return None;
    }
    let percent = percent(used, limit);
    let level = if used > limit {
        Level::Over
    } else if percent >= near_percent {
        Level::Near
    } else {
        Level::Ok
    };
    Some(Verdict {
        rule,
        level,
        used,
        limit,
        percent,
    })
}

fn sustained_concurrency(hours: &[HourUse], limits: &Limits) -> Option<Verdict> {
    if limits.concurrent_participants == 0 {
        return None;
    }
    let above = hours
        .iter()
        .filter(|h| h.peak_participants > limits.concurrent_participants)
        .count() as u64;
    let level = if above > limits.burst_hours {
        Level::Over
    } else if above > 0 {
        Level::Near
    } else {
        Level::Ok
    };
    Some(Verdict {
        rule: Rule::SustainedConcurrency,
        level,
        used: above,
        limit: limits.burst_hours,
        percent: percent(above, limits.burst_hours),
    })
}

/// The nearest-rank percentile (`p` in 1..=100) of `values`; 0 when empty.
pub fn percentile(values: &[u64], p: u64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (p.clamp(1, 100) as usize * sorted.len()).div_ceil(100);
    sorted[rank - 1]
}

/// Every applicable rule's verdict for one tenant's period. `hours` holds
/// the hours with use; `elapsed_hours` counts every hour of the period so
/// far, so that idle hours count as 0 for the percentile.
pub fn evaluate(
    month: &Totals,
    hours: &[HourUse],
    elapsed_hours: u64,
    limits: &Limits,
    near_percent: u64,
) -> Vec<Verdict> {
    let mut rates: Vec<u64> = hours.iter().map(HourUse::kbps).collect();
    let idle = usize::try_from(elapsed_hours).unwrap_or(usize::MAX);
    rates.resize(rates.len().max(idle), 0);
    let gigabytes = u64::try_from(month.bytes_out / 1_000_000_000).unwrap_or(u64::MAX);
    let minutes =
        u64::try_from(Integrals::minutes(month.integrals.participant_ms)).unwrap_or(u64::MAX);
    [
        against(
            Rule::ParticipantMinutes,
            minutes,
            limits.participant_minutes,
            near_percent,
        ),
        against(Rule::Gigabytes, gigabytes, limits.gigabytes, near_percent),
        sustained_concurrency(hours, limits),
        against(
            Rule::Bandwidth95,
            percentile(&rates, 95),
            limits.p95_mbps.saturating_mul(1000),
            near_percent,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The worst level among verdicts: one rule over makes the tenant over.
pub fn worst<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> Level {
    verdicts
        .into_iter()
        .map(|v| v.level)
        .max()
        .unwrap_or(Level::Ok)
}

/// A one-line summary: the worst level, and the rules that are not ok, each
/// after its label (e.g. the tenant it is about; empty for none).
pub fn summary<'a>(verdicts: impl IntoIterator<Item = (&'a str, &'a Verdict)>) -> String {
    let verdicts: Vec<(&str, &Verdict)> = verdicts.into_iter().collect();
    if verdicts.is_empty() {
        return "-".into();
    }
    let level = worst(verdicts.iter().map(|(_, v)| *v));
    let reasons: Vec<String> = verdicts
        .iter()
        .filter(|(_, v)| v.level != Level::Ok)
        .map(|(label, v)| {
            if label.is_empty() {
                v.to_string()
            } else {
                format!("{label} {v}")
            }
        })
        .collect();
    if reasons.is_empty() {
        level.as_str().into()
    } else {
        format!("{}: {}", level.as_str(), reasons.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIN_MS: u128 = 60_000;

    fn month(participant_minutes: u128, bytes_out: u128) -> Totals {
        let mut t = Totals::default();
        t.integrals.participant_ms = participant_minutes * MIN_MS;
        t.bytes_out = bytes_out;
        t
    }

    fn limits() -> Limits {
        Limits {
            participant_minutes: 1000,
            gigabytes: 10,
            concurrent_participants: 20,
            burst_hours: 2,
            p95_mbps: 10,
        }
    }

    fn verdict(vs: &[Verdict], rule: Rule) -> Verdict {
        *vs.iter()
            .find(|v| v.rule == rule)
            .expect("the rule applies")
    }

    fn peak(n: u64) -> HourUse {
        HourUse {
            peak_participants: n,
            bytes: 0,
        }
    }

    #[test]
    fn minutes_are_ok_near_or_over_their_allowance() {
        let level = |m| {
            verdict(
                &evaluate(&month(m, 0), &[], 0, &limits(), 80),
                Rule::ParticipantMinutes,
            )
            .level
        };
        assert_eq!(
            [level(100), level(800), level(1000), level(1001)],
            [Level::Ok, Level::Near, Level::Near, Level::Over]
        );
    }

    #[test]
    fn gigabytes_count_the_traffic_out_of_the_servers() {
        let v = verdict(
            &evaluate(&month(0, 12_500_000_000), &[], 0, &limits(), 80),
            Rule::Gigabytes,
        );
        assert_eq!((v.level, v.used, v.percent), (Level::Over, 12, 120));
    }

    #[test]
    fn a_burst_above_the_concurrency_limit_is_near_and_a_sustained_one_over() {
        let level = |hours: &[HourUse]| {
            verdict(
                &evaluate(&month(0, 0), hours, 720, &limits(), 80),
                Rule::SustainedConcurrency,
            )
            .level
        };
        assert_eq!(
            level(&[peak(20), peak(19)]),
            Level::Ok,
            "at the limit is within it"
        );
        assert_eq!(level(&[peak(21), peak(30)]), Level::Near);
        assert_eq!(level(&[peak(21), peak(30), peak(25)]), Level::Over);
    }

    #[test]
    fn the_busiest_twentieth_of_hours_is_forgiven_by_the_percentile() {
        // 20 hours: one at 100 Mbit/s, the rest at 1 Mbit/s.
        let rate = |mbps: u128| HourUse {
            peak_participants: 0,
            bytes: mbps * 1_000_000 / 8 * 3600,
        };
        let mut hours = vec![rate(1); 19];
        hours.push(rate(100));
        let v = verdict(
            &evaluate(&month(0, 0), &hours, 20, &limits(), 80),
            Rule::Bandwidth95,
        );
        assert_eq!((v.level, v.used), (Level::Ok, 1000));
        hours.push(rate(100));
        let v = verdict(
            &evaluate(&month(0, 0), &hours, 21, &limits(), 80),
            Rule::Bandwidth95,
        );
        assert_eq!((v.level, v.used), (Level::Over, 100_000));
        assert_eq!(v.to_string(), "p95-mbit-s 100.0 of 10.0 (1000%)");
    }

    #[test]
    fn idle_hours_count_as_zero_for_the_percentile() {
        let busy = HourUse {
            peak_participants: 0,
            bytes: 50 * 1_000_000 / 8 * 3600,
        };
        let vs = evaluate(&month(0, 0), &[busy; 10], 720, &limits(), 80);
        assert_eq!(verdict(&vs, Rule::Bandwidth95).used, 0);
    }

    #[test]
    fn a_limit_of_zero_switches_its_rule_off() {
        assert!(evaluate(&month(99_999, 0), &[peak(500)], 1, &Limits::default(), 80).is_empty());
        assert_eq!(summary([]), "-");
    }

    #[test]
    fn the_summary_names_the_worst_level_and_why() {
        let vs = evaluate(&month(1500, 0), &[peak(21)], 720, &limits(), 80);
        assert_eq!(worst(&vs), Level::Over);
        assert_eq!(
            summary(vs.iter().map(|v| ("acme", v))),
            "over: acme participant-minutes 1500 of 1000 (150%); acme hours-above-concurrency 1 of 2 (50%)"
        );
        let calm = evaluate(&month(1, 0), &[], 720, &limits(), 80);
        assert_eq!(summary(calm.iter().map(|v| ("", v))), "ok");
    }

    proptest! {
        #[test]
        fn the_percentile_is_a_value_with_enough_values_below_it(
            values in proptest::collection::vec(0u64..1_000, 1..200),
            p in 1u64..=100,
        ) {
            let q = percentile(&values, p);
            prop_assert!(values.contains(&q));
            let at_or_below = values.iter().filter(|v| **v <= q).count() as u64;
            let below = values.iter().filter(|v| **v < q).count() as u64;
            let n = values.len() as u64;
            prop_assert!(at_or_below * 100 >= p * n, "at least p% are at or below it");
            prop_assert!(below * 100 < p * n, "it is the smallest such value");
        }

        #[test]
        fn more_use_never_improves_a_verdict(
            a in 0u128..5_000, extra in 0u128..5_000,
            peaks in proptest::collection::vec(0u64..50, 0..30),
        ) {
            let hours: Vec<HourUse> = peaks.iter().map(|p| peak(*p)).collect();
            let more: Vec<HourUse> = peaks.iter().map(|p| peak(p + 5)).collect();
            let before = worst(&evaluate(&month(a, 0), &hours, 30, &limits(), 80));
            let after = worst(&evaluate(&month(a + extra, 0), &more, 30, &limits(), 80));
            prop_assert!(after >= before);
        }
    }
}
