//! Usage over a time window, from poll samples, along any of the metering
//! dimensions (tenant, organisation, server, pool, origin).
//!
//! Rows outside the window are context, not usage: one just after it tells
//! how long the window's last sample counts for, one just before it tells
//! that a meeting was already running (so it is not counted again). Every
//! sample's credit belongs to the window that holds the sample.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::bandwidth::{BandwidthModel, MeetingState, bytes};
use crate::integrate::{Counts, GapRule, Integrals};

/// One stored sample, as metering needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    // Shared: every sample of a pass names one of a few tenants and servers.
    pub tenant: Arc<str>,
    pub org: Option<Arc<str>>,
    pub server: Arc<str>,
    pub pool: Arc<str>,
    /// `bbb-origin-server-name`: which front end of the tenant.
    pub origin: Option<String>,
    /// With the server, identifies one meeting's series (the backend
    /// meeting ID).
    pub meeting: String,
    pub at_ms: i64,
    pub moderators: u64,
    pub counts: Counts,
}

/// What usage is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    Tenant,
    Org,
    Server,
    Pool,
    /// A tenant's front end: keyed `tenant/origin`.
    Origin,
}

impl Dim {
    pub const ALL: [Dim; 5] = [Dim::Tenant, Dim::Org, Dim::Server, Dim::Pool, Dim::Origin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tenant => "tenant",
            Self::Org => "org",
            Self::Server => "server",
            Self::Pool => "pool",
            Self::Origin => "origin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The row's key along this dimension; `None` when the row has none
    /// (a tenant without an organisation, a meeting without an origin).
    pub fn key(self, r: &Row) -> Option<String> {
        self.key_parts(r).map(|k| match k.1 {
            Some(origin) => format!("{}/{origin}", k.0),
            None => k.0.to_string(),
        })
    }

    /// [`Self::key`] borrowed from the row, in parts (an origin's key is
    /// its tenant and its origin), so that aggregating allocates per key
    /// and not per sample.
    fn key_parts(self, r: &Row) -> Option<(&str, Option<&str>)> {
        match self {
            Self::Tenant => Some((&*r.tenant, None)),
            Self::Org => r.org.as_deref().map(|o| (o, None)),
            Self::Server => Some((&*r.server, None)),
            Self::Pool => Some((&*r.pool, None)),
            Self::Origin => r.origin.as_deref().map(|o| (&*r.tenant, Some(o))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    /// Meetings first seen in the window.
    pub meetings: u64,
    pub integrals: Integrals,
    /// Estimated traffic into and out of the servers, in bytes.
    pub bytes_in: u128,
    pub bytes_out: u128,
    /// Most participants at once, over one poll round.
    pub peak_participants: u64,
    /// Most meetings at once, over one poll round.
    pub peak_meetings: u64,
}

impl Totals {
    pub fn participant_minutes(&self) -> u128 {
        Integrals::minutes(self.integrals.participant_ms)
    }

    pub fn gigabytes_in(&self) -> f64 {
        self.bytes_in as f64 / 1e9
    }

    pub fn gigabytes_out(&self) -> f64 {
        self.bytes_out as f64 / 1e9
    }

    /// Adds another window's totals: sums, except peaks, which take the larger.
    pub fn merge(&mut self, other: &Totals) {
        self.meetings += other.meetings;
        self.integrals.merge(&other.integrals);
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        self.peak_participants = self.peak_participants.max(other.peak_participants);
        self.peak_meetings = self.peak_meetings.max(other.peak_meetings);
    }
}

/// `[from_ms, to_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from_ms: i64,
    pub to_ms: i64,
}

pub const HOUR_MS: i64 = 3_600_000;

/// The start of the UTC hour holding `ms`.
pub fn floor_hour(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

impl Window {
    pub fn holds(&self, at_ms: i64) -> bool {
        (self.from_ms..self.to_ms).contains(&at_ms)
    }

    /// The window cut at every UTC hour: the pieces rollups are made of.
    pub fn hours(self) -> impl Iterator<Item = Window> {
        let mut from = self.from_ms;
        std::iter::from_fn(move || {
            (from < self.to_ms).then(|| {
                let to = (floor_hour(from) + HOUR_MS).min(self.to_ms);
                let piece = Window {
                    from_ms: from,
                    to_ms: to,
                };
                from = to;
                piece
            })
        })
    }
}

/// The poll interval the samples show: the median gap between consecutive
/// samples of a meeting, or `None` when no meeting was polled twice.
pub fn observed_interval(rows: &[Row]) -> Option<i64> {
    interval_of(&series(rows))
}

fn interval_of(series: &Series<'_>) -> Option<i64> {
    let mut gaps: Vec<i64> = series
        .values()
        .flat_map(|s| s.windows(2).map(|w| w[1].at_ms - w[0].at_ms))
        .filter(|g| *g > 0)
        .collect();
    gaps.sort_unstable();
    gaps.get(gaps.len() / 2).copied()
}

/// Each meeting's rows, by tenant, server and backend meeting ID.
type Series<'a> = HashMap<(&'a str, &'a str, &'a str), Vec<&'a Row>>;

/// Each meeting's rows, in time order.
fn series(rows: &[Row]) -> Series<'_> {
    let mut series = Series::new();
    for r in rows {
        series
            .entry((&r.tenant, &r.server, &r.meeting))
            .or_default()
            .push(r);
    }
    for s in series.values_mut() {
        s.sort_by_key(|r| r.at_ms);
    }
    series
}

/// Totals per `(dimension, key)` for the samples inside `window`. Rows may
/// come in any order; rows of one poll round share a timestamp, which is how
/// peaks are found.
pub fn aggregate(
    rows: &[Row],
    window: Window,
    rule: GapRule,
    model: &BandwidthModel,
    dims: &[Dim],
) -> BTreeMap<(Dim, String), Totals> {
    totals_of(&series(rows), window, rule, model, dims)
}

/// [`aggregate`] with the gap rule of the rows' own poll interval
/// ([`observed_interval`], or `fallback_ms` when they show none), grouping
/// the rows into series once for both.
pub fn aggregate_as_polled(
    rows: &[Row],
    window: Window,
    fallback_ms: i64,
    model: &BandwidthModel,
    dims: &[Dim],
) -> BTreeMap<(Dim, String), Totals> {
    let series = series(rows);
    let rule = GapRule::for_interval(interval_of(&series).unwrap_or(fallback_ms));
    totals_of(&series, window, rule, model, dims)
}

fn totals_of(
    series: &Series<'_>,
    window: Window,
    rule: GapRule,
    model: &BandwidthModel,
    dims: &[Dim],
) -> BTreeMap<(Dim, String), Totals> {
    // Each (dimension, key) gets a slot the first time it is seen; the hot
    // loop then hashes borrowed keys and slot numbers, never new strings.
    let mut slots: HashMap<(Dim, &str, Option<&str>), usize> = HashMap::new();
    let mut keyed: Vec<(Dim, String, Totals)> = Vec::new();
    // (slot, poll round) → (participants, meetings)
    let mut rounds: HashMap<(usize, i64), (u64, u64)> = HashMap::new();
    for rows in series.values() {
        for (i, r) in rows.iter().enumerate() {
            if !window.holds(r.at_ms) {
                continue;
            }
            let prev = i.checked_sub(1).map(|p| rows[p].at_ms);
            let next = rows.get(i + 1).map(|n| n.at_ms);
            // A meeting is new when nothing of it was seen within the
            // bridged gap before this sample.
            let first_seen = prev.is_none_or(|p| r.at_ms - p > rule.max_gap_ms);
            let ms = rule.credit_ms(r.at_ms, next, None);
            let rates = model.rates(&MeetingState {
                participants: r.counts.participants,
                moderators: r.moderators,
                mic: r.counts.mic,
                listen_only: r.counts.listen_only,
                webcams: r.counts.webcams,
                screen_share: false,
            });
            let round = r.at_ms / rule.poll_interval_ms.max(1);
            for dim in dims {
                let Some((key, origin)) = dim.key_parts(r) else {
                    continue;
                };
                let slot = *slots.entry((*dim, key, origin)).or_insert_with(|| {
                    keyed.push((*dim, dim.key(r).unwrap_or_default(), Totals::default()));
                    keyed.len() - 1
                });
                let t = &mut keyed[slot].2;
                t.meetings += u64::from(first_seen);
                t.integrals.add(r.counts, ms);
                t.bytes_in += bytes(rates.in_kbps, ms);
                t.bytes_out += bytes(rates.out_kbps, ms);
                let at_once = rounds.entry((slot, round)).or_default();
                at_once.0 += r.counts.participants;
                at_once.1 += 1;
            }
        }
    }
    for ((slot, _), (people, meetings)) in rounds {
        let t = &mut keyed[slot].2;
        t.peak_participants = t.peak_participants.max(people);
        t.peak_meetings = t.peak_meetings.max(meetings);
    }
    keyed
        .into_iter()
        .map(|(dim, key, t)| ((dim, key), t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIN: i64 = 60_000;
    const ALL_TIME: Window = Window {
        from_ms: i64::MIN,
        to_ms: i64::MAX,
    };

    fn row(tenant: &str, meeting: &str, minute: i64, people: u64, cams: u64) -> Row {
        Row {
            tenant: tenant.into(),
            org: Some(format!("{tenant}-org").into()),
            server: "s1".into(),
            pool: "default".into(),
            origin: Some("greenlight".into()),
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

    fn by(dim: Dim, rows: &[Row], window: Window) -> BTreeMap<String, Totals> {
        aggregate(
            rows,
            window,
            GapRule::for_interval(MIN),
            &BandwidthModel::default(),
            &[dim],
        )
        .into_iter()
        .map(|((_, k), t)| (k, t))
        .collect()
    }

    #[test]
    fn tenants_are_metered_apart_to_the_minute() {
        let rows = vec![
            row("acme", "m1", 0, 4, 1),
            row("acme", "m1", 1, 4, 1),
            row("acme", "m2", 0, 2, 0),
            row("globex", "g1", 0, 10, 0),
        ];
        let t = by(Dim::Tenant, &rows, ALL_TIME);
        let acme = &t["acme"];
        assert_eq!(acme.meetings, 2);
        assert_eq!(acme.participant_minutes(), 4 + 4 + 2);
        assert_eq!(Integrals::minutes(acme.integrals.webcam_ms), 2);
        assert_eq!((acme.peak_participants, acme.peak_meetings), (6, 2));
        assert_eq!(t["globex"].participant_minutes(), 10);
        assert!(acme.bytes_out > 0);
    }

    #[test]
    fn the_same_rows_add_up_along_every_dimension() {
        let rows = vec![row("acme", "m1", 0, 4, 1), row("globex", "g1", 0, 10, 0)];
        let server = &by(Dim::Server, &rows, ALL_TIME)["s1"];
        assert_eq!(server.participant_minutes(), 14);
        assert_eq!(server.peak_participants, 14);
        let origins = by(Dim::Origin, &rows, ALL_TIME);
        assert_eq!(origins["acme/greenlight"].participant_minutes(), 4);
        assert_eq!(by(Dim::Org, &rows, ALL_TIME)["globex-org"].meetings, 1);
    }

    #[test]
    fn windows_split_usage_without_losing_or_doubling_any() {
        let rows: Vec<Row> = (0..120).map(|m| row("acme", "m1", m, 3, 0)).collect();
        let hour = |h: i64| Window {
            from_ms: h * 60 * MIN,
            to_ms: (h + 1) * 60 * MIN,
        };
        let (first, second) = (
            by(Dim::Tenant, &rows, hour(0)),
            by(Dim::Tenant, &rows, hour(1)),
        );
        let mut both = first["acme"].clone();
        both.merge(&second["acme"]);
        assert_eq!(both, by(Dim::Tenant, &rows, ALL_TIME)["acme"]);
        assert_eq!(
            (first["acme"].meetings, second["acme"].meetings),
            (1, 0),
            "a meeting running on into the next hour is counted once"
        );
    }

    #[test]
    fn a_window_is_cut_at_every_utc_hour() {
        let w = Window {
            from_ms: 30 * MIN,
            to_ms: 150 * MIN,
        };
        let cuts: Vec<(i64, i64)> = w
            .hours()
            .map(|h| (h.from_ms / MIN, h.to_ms / MIN))
            .collect();
        assert_eq!(cuts, [(30, 60), (60, 120), (120, 150)]);
    }

    proptest! {
        #[test]
        fn hours_merged_give_the_whole_window(
            meetings in proptest::collection::vec(
                (0i64..400, proptest::collection::vec((1i64..4, 1u64..30, 0u64..5), 1..60)),
                1..6,
            ),
            from in 0i64..200,
            len in 0i64..400,
        ) {
            // Each meeting starts at some minute and is polled every 1–3
            // minutes (gaps above 2.5 minutes are outages).
            let mut rows = Vec::new();
            for (i, (start, polls)) in meetings.iter().enumerate() {
                let mut minute = *start;
                for (gap, people, cams) in polls {
                    rows.push(row(if i % 2 == 0 { "acme" } else { "globex" }, &format!("m{i}"), minute, *people, *cams));
                    minute += gap;
                }
            }
            let whole = Window { from_ms: from * MIN, to_ms: (from + len) * MIN };
            let rule = GapRule::for_interval(MIN);
            let model = BandwidthModel::default();
            let mut merged: BTreeMap<(Dim, String), Totals> = BTreeMap::new();
            for hour in whole.hours() {
                for (k, t) in aggregate(&rows, hour, rule, &model, &Dim::ALL) {
                    merged.entry(k).or_default().merge(&t);
                }
            }
            prop_assert_eq!(merged, aggregate(&rows, whole, rule, &model, &Dim::ALL));
        }
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

    #[test]
    fn aggregating_as_polled_uses_the_rule_of_the_observed_interval() {
        let rows = vec![
            row("a", "m", 0, 3, 1),
            row("a", "m", 1, 4, 1),
            row("a", "m", 5, 2, 0),
            row("b", "n", 1, 1, 0),
        ];
        let model = BandwidthModel::default();
        let rule = GapRule::for_interval(observed_interval(&rows).unwrap());
        assert_eq!(
            aggregate_as_polled(&rows, ALL_TIME, 30 * MIN, &model, &Dim::ALL),
            aggregate(&rows, ALL_TIME, rule, &model, &Dim::ALL)
        );
        let alone = &rows[3..];
        assert_eq!(
            aggregate_as_polled(alone, ALL_TIME, 30 * MIN, &model, &Dim::ALL),
            aggregate(
                alone,
                ALL_TIME,
                GapRule::for_interval(30 * MIN),
                &model,
                &Dim::ALL
            ),
            "without an interval of their own, the fallback's rule"
        );
    }
}
