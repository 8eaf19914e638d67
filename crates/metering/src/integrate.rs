//! From poll samples to minutes.
//!
//! **The gap rule.** A sample's counts hold from its time until the next
//! sample of the same meeting, as long as that gap is at most `max_gap`
//! (by default 2.5 poll intervals, so one missed poll is bridged). Across a
//! longer gap (the server was down, or the poller was) the sample is credited
//! one poll interval only: what happened in the gap is unknown, so it is
//! counted neither as nothing nor twice. A meeting's last sample is credited
//! one poll interval, or up to the meeting's known end if that comes sooner.

/// What one poll saw of one meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub participants: u64,
    pub mic: u64,
    pub listen_only: u64,
    pub webcams: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub at_ms: i64,
    pub counts: Counts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapRule {
    pub poll_interval_ms: i64,
    pub max_gap_ms: i64,
}

impl GapRule {
    /// The documented default: a gap of up to 2.5 intervals is bridged.
    pub fn for_interval(poll_interval_ms: i64) -> Self {
        Self {
            poll_interval_ms,
            max_gap_ms: poll_interval_ms * 5 / 2,
        }
    }

    /// How long the sample at `at` counts for, given the next sample (or end).
    pub fn credit_ms(&self, at: i64, next: Option<i64>, end: Option<i64>) -> i64 {
        let credit = match next {
            Some(n) if n - at <= self.max_gap_ms => n - at,
            _ => self.poll_interval_ms,
        };
        match end {
            Some(e) if next.is_none() => credit.min(e - at),
            _ => credit,
        }
        .max(0)
    }
}

/// Usage integrals in count·milliseconds; divide by 60 000 for minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Integrals {
    pub meeting_ms: u128,
    pub participant_ms: u128,
    pub mic_ms: u128,
    pub listen_only_ms: u128,
    pub webcam_ms: u128,
}

impl Integrals {
    pub fn add(&mut self, counts: Counts, ms: i64) {
        let ms = ms.max(0) as u128;
        self.meeting_ms += ms;
        self.participant_ms += counts.participants as u128 * ms;
        self.mic_ms += counts.mic as u128 * ms;
        self.listen_only_ms += counts.listen_only as u128 * ms;
        self.webcam_ms += counts.webcams as u128 * ms;
    }

    pub fn merge(&mut self, other: &Integrals) {
        self.meeting_ms += other.meeting_ms;
        self.participant_ms += other.participant_ms;
        self.mic_ms += other.mic_ms;
        self.listen_only_ms += other.listen_only_ms;
        self.webcam_ms += other.webcam_ms;
    }

    pub fn minutes(v: u128) -> u128 {
        v / 60_000
    }
}

/// Integrates one meeting's samples (sorted by time) under the gap rule.
pub fn meeting(samples: &[Sample], rule: GapRule, end_ms: Option<i64>) -> Integrals {
    let mut total = Integrals::default();
    for (i, s) in samples.iter().enumerate() {
        let next = samples.get(i + 1).map(|n| n.at_ms);
        total.add(s.counts, rule.credit_ms(s.at_ms, next, end_ms));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIN: i64 = 60_000;
    const RULE: GapRule = GapRule {
        poll_interval_ms: MIN,
        max_gap_ms: 5 * MIN / 2,
    };

    fn people(n: u64) -> Counts {
        Counts {
            participants: n,
            ..Counts::default()
        }
    }

    fn at(minute: i64, n: u64) -> Sample {
        Sample {
            at_ms: minute * MIN,
            counts: people(n),
        }
    }

    #[test]
    fn steady_polls_give_people_times_minutes() {
        let s: Vec<_> = (0..10).map(|m| at(m, 4)).collect();
        let i = meeting(&s, RULE, None);
        assert_eq!(Integrals::minutes(i.participant_ms), 40);
        assert_eq!(Integrals::minutes(i.meeting_ms), 10);
    }

    #[test]
    fn one_missed_poll_is_bridged_neither_zero_nor_double() {
        // Polls at 0, 1, (2 missed), 3, 4: four people throughout.
        let s = [at(0, 4), at(1, 4), at(3, 4), at(4, 4)];
        assert_eq!(
            Integrals::minutes(meeting(&s, RULE, None).participant_ms),
            20
        );
    }

    #[test]
    fn a_long_outage_credits_one_interval_to_the_sample_before_it() {
        // Server down from minute 2 to minute 10.
        let s = [at(0, 4), at(1, 4), at(10, 2)];
        let i = meeting(&s, RULE, None);
        assert_eq!(Integrals::minutes(i.participant_ms), 4 + 4 + 2);
    }

    #[test]
    fn the_last_sample_stops_at_a_known_end() {
        let s = [at(0, 3)];
        let end = Some(MIN / 2);
        assert_eq!(meeting(&s, RULE, end).participant_ms, 3 * (MIN as u128) / 2);
    }

    proptest! {
        #[test]
        fn credit_stays_between_one_interval_and_the_span_plus_one(
            gaps in proptest::collection::vec(1i64..(10 * MIN), 1..50),
            n in 0u64..100,
        ) {
            let mut t = 0;
            let mut s = vec![Sample { at_ms: 0, counts: people(n) }];
            for g in &gaps {
                t += g;
                s.push(Sample { at_ms: t, counts: people(n) });
            }
            let i = meeting(&s, RULE, None);
            prop_assert!(i.meeting_ms <= (t + MIN) as u128);
            // The last sample always counts for a full interval.
            prop_assert!(i.meeting_ms >= MIN as u128);
            prop_assert_eq!(i.participant_ms, i.meeting_ms * n as u128);
        }
    }
}
