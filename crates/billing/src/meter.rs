//! Metered use from the store: hours are rolled up once complete (and raw
//! samples pruned after the retention), and any window is answered from the
//! rollups plus the not yet rolled-up tail of raw samples, read one hour at
//! a time, so memory stays bounded by an hour of samples.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use metering::bandwidth::BandwidthModel;
use metering::integrate::{Counts, Integrals};
use metering::usage::{Dim, HOUR_MS, Row, Totals, Window, aggregate_as_polled, floor_hour};
use store::{Result, Rollup, Store};

use crate::Settings;

/// Samples this far on either side of an hour are read as context (how long
/// its last sample counts, whether a meeting was already running); an hour
/// is rolled up once this long has passed after its end.
pub const MARGIN_MS: i64 = 10 * 60_000;

/// The pool key of servers in no pool.
pub const SHARED_POOL: &str = "(shared)";

pub struct Metering {
    store: Store,
    configured_interval_ms: i64,
    model: BandwidthModel,
    /// Per tenant, the integrals published as counters so far: minutes are
    /// published whole, and the remainder carries over to the next hour.
    published: Mutex<HashMap<String, Integrals>>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RolledUp {
    pub hours: u64,
    pub rows: u64,
    pub pruned: u64,
}

/// Use per key of one dimension, hour by hour.
pub type Hourly = Vec<(i64, String, Totals)>;

impl Metering {
    pub fn new(store: Store, configured_interval_ms: i64) -> Self {
        Self {
            store,
            configured_interval_ms,
            model: BandwidthModel::default(),
            published: Mutex::new(HashMap::new()),
        }
    }

    pub fn for_settings(store: Store, settings: &Settings) -> Self {
        Self::new(store, settings.poll_interval_ms)
    }

    /// Wide enough to see across the gap rule's longest bridged gap.
    fn margin_ms(&self) -> i64 {
        MARGIN_MS.max(3 * self.configured_interval_ms)
    }

    /// Rolls up every complete hour not yet rolled up, one hour of samples
    /// in memory at a time, then prunes samples older than `retention_ms`
    /// (keeping those the next hour still needs as context).
    pub async fn roll_up(&self, now_ms: i64, retention_ms: i64) -> Result<RolledUp> {
        let mut done = RolledUp::default();
        let limit = floor_hour(now_ms - self.margin_ms());
        let mut hour = match self.store.rolled_to().await? {
            0 => match self.store.next_sample_at(0).await? {
                Some(at) => floor_hour(at),
                None => return Ok(done),
            },
            h => h,
        };
        let names = self.names().await?;
        while hour < limit {
            let busy = self.next_busy_hour(hour, limit).await?;
            if busy > hour {
                // Idle hours: nothing to roll up, only the mark moves.
                self.store.save_rollups(hour, busy, &[]).await?;
                hour = busy;
                continue;
            }
            let window = Window {
                from_ms: hour,
                to_ms: hour + HOUR_MS,
            };
            let rollups: Vec<Rollup> = self
                .raw(&names, window, &Dim::ALL)
                .await?
                .into_iter()
                .map(|((dim, key), t)| to_rollup(hour, dim, key, &t))
                .collect();
            self.store
                .save_rollups(hour, window.to_ms, &rollups)
                .await?;
            self.publish(&rollups);
            done.hours += 1;
            done.rows += rollups.len() as u64;
            hour = window.to_ms;
        }
        let keep_from = (now_ms - retention_ms).min(hour - self.margin_ms());
        done.pruned = self.store.prune_samples(keep_from).await?;
        Ok(done)
    }

    /// Use in `window` per key of `dim`: rolled-up hours summed by the
    /// database (one row per key), the rest from raw samples.
    pub async fn usage(&self, dim: Dim, window: Window) -> Result<BTreeMap<String, Totals>> {
        let rolled = self.rolled_part(window).await?;
        let mut totals: BTreeMap<String, Totals> = self
            .store
            .rollup_totals(dim.as_str(), rolled.from_ms, rolled.to_ms)
            .await?
            .iter()
            .map(|r| (r.key.clone(), from_rollup(r)))
            .collect();
        for (_, key, t) in self.tail(dim, window, rolled.to_ms).await? {
            totals.entry(key).or_default().merge(&t);
        }
        Ok(totals)
    }

    /// Use in `window` per key of `dim` and UTC hour, in time order.
    pub async fn hourly(&self, dim: Dim, window: Window) -> Result<Hourly> {
        self.hourly_where(dim, None, window).await
    }

    /// [`Self::hourly`] of only `keys`, read without the other keys' hours.
    pub async fn hourly_of(&self, dim: Dim, keys: &[String], window: Window) -> Result<Hourly> {
        self.hourly_where(dim, Some(keys), window).await
    }

    async fn hourly_where(
        &self,
        dim: Dim,
        keys: Option<&[String]>,
        window: Window,
    ) -> Result<Hourly> {
        let rolled = self.rolled_part(window).await?;
        let (from, to) = (rolled.from_ms, rolled.to_ms);
        let rows = match keys {
            None => self.store.rollups(dim.as_str(), from, to).await?,
            Some(keys) => self.store.rollups_of(dim.as_str(), keys, from, to).await?,
        };
        let mut hours: Hourly = rows
            .iter()
            .map(|r| (r.hour_ms, r.key.clone(), from_rollup(r)))
            .collect();
        let tail = self.tail(dim, window, rolled.to_ms).await?;
        hours.extend(
            tail.into_iter()
                .filter(|(_, key, _)| keys.is_none_or(|keys| keys.contains(key))),
        );
        Ok(hours)
    }

    /// The part of `window` the rollups answer.
    async fn rolled_part(&self, window: Window) -> Result<Window> {
        let rolled = self
            .store
            .rolled_to()
            .await?
            .clamp(window.from_ms, window.to_ms);
        Ok(Window {
            from_ms: window.from_ms,
            to_ms: rolled,
        })
    }

    /// Raw use of `window` from `from_ms` on, hour by hour, idle hours skipped.
    async fn tail(&self, dim: Dim, window: Window, from_ms: i64) -> Result<Hourly> {
        let mut out = Hourly::new();
        if from_ms >= window.to_ms {
            return Ok(out);
        }
        let names = self.names().await?;
        let mut hour = floor_hour(from_ms);
        while hour < window.to_ms {
            let busy = self.next_busy_hour(hour, window.to_ms).await?;
            if busy >= window.to_ms {
                break;
            }
            let piece = Window {
                from_ms: busy.max(from_ms),
                to_ms: (busy + HOUR_MS).min(window.to_ms),
            };
            for ((_, key), t) in self.raw(&names, piece, &[dim]).await? {
                out.push((busy, key, t));
            }
            hour = busy + HOUR_MS;
        }
        Ok(out)
    }

    /// The first hour at or after `hour` with a sample, or `limit`.
    async fn next_busy_hour(&self, hour: i64, limit: i64) -> Result<i64> {
        Ok(match self.store.next_sample_at(hour).await? {
            Some(at) => floor_hour(at).min(limit),
            None => limit,
        })
    }

    /// Aggregates the samples of `window` (at most an hour), read with the
    /// context on either side.
    async fn raw(
        &self,
        names: &Names,
        window: Window,
        dims: &[Dim],
    ) -> Result<BTreeMap<(Dim, String), Totals>> {
        let margin = self.margin_ms();
        let rows = self
            .rows(names, window.from_ms - margin, window.to_ms + margin)
            .await?;
        Ok(aggregate_as_polled(
            &rows,
            window,
            self.configured_interval_ms,
            &self.model,
            dims,
        ))
    }

    /// Per-tenant counters in /metrics, moved as hours are rolled up.
    fn publish(&self, rollups: &[Rollup]) {
        let mut published = self.published.lock().expect("metering counters");
        for r in rollups.iter().filter(|r| r.dim == Dim::Tenant.as_str()) {
            let t = from_rollup(r);
            let before = published.entry(r.key.clone()).or_default();
            let mut after = *before;
            after.merge(&t.integrals);
            let minutes = |f: fn(&Integrals) -> u128| -> u64 {
                u64::try_from(Integrals::minutes(f(&after)) - Integrals::minutes(f(before)))
                    .unwrap_or(u64::MAX)
            };
            let labels = [("tenant", r.key.clone())];
            metrics::counter!("plenary_metered_meeting_minutes_total", &labels)
                .increment(minutes(|i| i.meeting_ms));
            metrics::counter!("plenary_metered_participant_minutes_total", &labels)
                .increment(minutes(|i| i.participant_ms));
            metrics::counter!("plenary_metered_webcam_minutes_total", &labels)
                .increment(minutes(|i| i.webcam_ms));
            for (direction, bytes) in [("in", r.bytes_in), ("out", r.bytes_out)] {
                metrics::counter!(
                    "plenary_metered_estimated_bytes_total",
                    "tenant" => r.key.clone(),
                    "direction" => direction
                )
                .increment(bytes.max(0) as u64);
            }
            *before = after;
        }
    }

    async fn names(&self) -> Result<Names> {
        let orgs: HashMap<i64, String> = self.store.organisation_names().await?;
        Ok(Names {
            tenants: self
                .store
                .tenants()
                .await?
                .into_iter()
                .map(|t| {
                    let org = t
                        .org_id
                        .and_then(|o| orgs.get(&o))
                        .map(|o| Arc::from(o.as_str()));
                    (t.id, (Arc::from(t.name), org))
                })
                .collect(),
            servers: self
                .store
                .servers()
                .await?
                .into_iter()
                .map(|s| {
                    let pool = s.pool.unwrap_or_else(|| SHARED_POOL.into());
                    (s.id, (Arc::from(s.url), Arc::from(pool)))
                })
                .collect(),
        })
    }

    async fn rows(&self, names: &Names, from_ms: i64, to_ms: i64) -> Result<Vec<Row>> {
        let count = |n: i64| n.max(0) as u64;
        Ok(self
            .store
            .samples_between(from_ms, to_ms)
            .await?
            .into_iter()
            .filter_map(|s| {
                let (tenant, org) = names.tenants.get(&s.tenant_id)?;
                let (server, pool) = names.servers.get(&s.server_id)?;
                Some(Row {
                    tenant: tenant.clone(),
                    org: org.clone(),
                    server: server.clone(),
                    pool: pool.clone(),
                    origin: s.origin,
                    meeting: s.backend_id,
                    at_ms: s.at_ms,
                    moderators: count(s.moderators),
                    counts: Counts {
                        participants: count(s.participants),
                        mic: count(s.mic),
                        listen_only: count(s.listen_only),
                        webcams: count(s.webcams),
                    },
                })
            })
            .collect())
    }
}

/// Tenant and server names by ID, read once per pass and shared by every
/// sample's row.
struct Names {
    tenants: HashMap<i64, (Arc<str>, Option<Arc<str>>)>,
    servers: HashMap<i64, (Arc<str>, Arc<str>)>,
}

fn to_rollup(hour_ms: i64, dim: Dim, key: String, t: &Totals) -> Rollup {
    let big = |v: u128| i64::try_from(v).unwrap_or(i64::MAX);
    Rollup {
        hour_ms,
        dim: dim.as_str().to_string(),
        key,
        meetings: big(t.meetings.into()),
        meeting_ms: big(t.integrals.meeting_ms),
        participant_ms: big(t.integrals.participant_ms),
        mic_ms: big(t.integrals.mic_ms),
        listen_only_ms: big(t.integrals.listen_only_ms),
        webcam_ms: big(t.integrals.webcam_ms),
        bytes_in: big(t.bytes_in),
        bytes_out: big(t.bytes_out),
        peak_participants: big(t.peak_participants.into()),
        peak_meetings: big(t.peak_meetings.into()),
    }
}

fn from_rollup(r: &Rollup) -> Totals {
    let small = |v: i64| v.max(0) as u128;
    Totals {
        meetings: r.meetings.max(0) as u64,
        integrals: Integrals {
            meeting_ms: small(r.meeting_ms),
            participant_ms: small(r.participant_ms),
            mic_ms: small(r.mic_ms),
            listen_only_ms: small(r.listen_only_ms),
            webcam_ms: small(r.webcam_ms),
        },
        bytes_in: small(r.bytes_in),
        bytes_out: small(r.bytes_out),
        peak_participants: r.peak_participants.max(0) as u64,
        peak_meetings: r.peak_meetings.max(0) as u64,
    }
}
