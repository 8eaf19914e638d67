//! Usage per tenant over a period, from poll samples.

use std::collections::{BTreeMap, HashMap};

use crate::bandwidth::{BandwidthModel, MeetingState, megabytes};
use crate::integrate::{self, Counts, GapRule, Integrals, Sample};

/// One stored sample, as metering needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub tenant: String,
    /// Identifies one meeting's series (the backend meeting ID and its server).
    pub meeting: String,
    pub at_ms: i64,
    pub moderators: u64,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Totals {
    pub meetings: u64,
    pub integrals: Integrals,
    pub megabytes_in: f64,
    pub megabytes_out: f64,
    /// Most participants at once, over the tenant's meetings in one poll.
    pub peak_participants: u64,
}

impl Totals {
    pub fn participant_minutes(&self) -> u128 {
        Integrals::minutes(self.integrals.participant_ms)
    }
}

/// The poll interval the samples show: the median gap between consecutive
/// samples of a meeting, or `None` when no meeting was polled twice.
pub fn observed_interval(rows: &[Row]) -> Option<i64> {
    let mut gaps: Vec<i64> = series(rows)
        .into_values()
        .flat_map(|s| {
            s.windows(2)
                .map(|w| w[1].at_ms - w[0].at_ms)
                .collect::<Vec<_>>()
        })
        .filter(|g| *g > 0)
        .collect();
    gaps.sort_unstable();
    gaps.get(gaps.len() / 2).copied()
}

/// Each meeting's rows, in time order.
fn series(rows: &[Row]) -> HashMap<(&str, &str), Vec<&Row>> {
    let mut series: HashMap<(&str, &str), Vec<&Row>> = HashMap::new();
    for r in rows {
        series.entry((&r.tenant, &r.meeting)).or_default().push(r);
    }
    for s in series.values_mut() {
        s.sort_by_key(|r| r.at_ms);
    }
    series
}

/// Totals per tenant. Rows may come in any order; rows of one poll round
/// share a timestamp, which is how the peak is found.
pub fn by_tenant(rows: &[Row], rule: GapRule, model: &BandwidthModel) -> BTreeMap<String, Totals> {
    let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
    let mut per_poll: HashMap<(&str, i64), u64> = HashMap::new();
    for ((tenant, _), rows) in series(rows) {
        let t = totals.entry(tenant.to_string()).or_default();
        t.meetings += 1;
        let samples: Vec<Sample> = rows
            .iter()
            .map(|r| Sample {
                at_ms: r.at_ms,
                counts: r.counts,
            })
            .collect();
        t.integrals = add(t.integrals, integrate::meeting(&samples, rule, None));
        for (i, r) in rows.iter().enumerate() {
            let ms = rule.credit_ms(r.at_ms, rows.get(i + 1).map(|n| n.at_ms), None);
            let rates = model.rates(&MeetingState {
                participants: r.counts.participants,
                moderators: r.moderators,
                mic: r.counts.mic,
                listen_only: r.counts.listen_only,
                webcams: r.counts.webcams,
                screen_share: false,
            });
            t.megabytes_in += megabytes(rates.in_kbps, ms);
            t.megabytes_out += megabytes(rates.out_kbps, ms);
            // Polls of one round land within an interval of each other.
            *per_poll
                .entry((tenant, r.at_ms / rule.poll_interval_ms.max(1)))
                .or_default() += r.counts.participants;
        }
    }
    for ((tenant, _), people) in per_poll {
        if let Some(t) = totals.get_mut(tenant) {
            t.peak_participants = t.peak_participants.max(people);
        }
    }
    totals
}

fn add(a: Integrals, b: Integrals) -> Integrals {
    Integrals {
        meeting_ms: a.meeting_ms + b.meeting_ms,
        participant_ms: a.participant_ms + b.participant_ms,
        mic_ms: a.mic_ms + b.mic_ms,
        listen_only_ms: a.listen_only_ms + b.listen_only_ms,
        webcam_ms: a.webcam_ms + b.webcam_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn row(tenant: &str, meeting: &str, minute: i64, people: u64, cams: u64) -> Row {
        Row {
            tenant: tenant.into(),
            meeting: meeting.into(),
            at_ms: minute * MIN,
            moderators: 1,
            counts: Counts {
                participants: people,
                mic: 1,
                listen_only: people - 1,
                webcams: cams,
            },
        }
    }

    #[test]
    fn tenants_are_metered_apart_to_the_minute() {
        let rows = vec![
            row("acme", "m1", 0, 4, 1),
            row("acme", "m1", 1, 4, 1),
            row("acme", "m2", 0, 2, 0),
            row("globex", "g1", 0, 10, 0),
        ];
        let t = by_tenant(
            &rows,
            GapRule::for_interval(MIN),
            &BandwidthModel::default(),
        );
        let acme = &t["acme"];
        assert_eq!(acme.meetings, 2);
        assert_eq!(acme.participant_minutes(), 4 + 4 + 2);
        assert_eq!(Integrals::minutes(acme.integrals.webcam_ms), 2);
        assert_eq!(acme.peak_participants, 6);
        assert_eq!(t["globex"].participant_minutes(), 10);
        assert!(acme.megabytes_out > 0.0);
    }

    #[test]
    fn the_poll_interval_is_read_from_the_samples() {
        let rows = vec![
            row("a", "m", 0, 1, 0),
            row("a", "m", 1, 1, 0),
            row("a", "m", 2, 1, 0),
            row("a", "n", 0, 1, 0),
        ];
        assert_eq!(observed_interval(&rows), Some(MIN));
        assert_eq!(observed_interval(&rows[3..]), None);
    }
}
