//! Metered use from the store: hours are rolled up once complete (and raw
//! samples pruned after the retention), and any window is answered from the
//! rollups plus the not yet rolled-up tail of raw samples.

use std::collections::{BTreeMap, HashMap};

use metering::bandwidth::BandwidthModel;
use metering::integrate::{Counts, GapRule, Integrals};
use metering::usage::{Dim, Row, Totals, Window, aggregate, observed_interval};
use store::{Rollup, Store};

pub const HOUR_MS: i64 = 3_600_000;
/// Samples this far on either side of an hour are read as context (how long
/// its last sample counts, whether a meeting was already running); an hour
/// is rolled up once this long has passed after its end.
pub const MARGIN_MS: i64 = 10 * 60_000;

pub struct Metering {
    store: Store,
    configured_interval_ms: i64,
    model: BandwidthModel,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RolledUp {
    pub hours: u64,
    pub pruned: u64,
}

fn floor_hour(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

impl Metering {
    pub fn new(store: Store, configured_interval_ms: i64) -> Self {
        Self {
            store,
            configured_interval_ms,
            model: BandwidthModel::default(),
        }
    }

    /// Rolls up every complete hour not yet rolled up, one hour of samples
    /// in memory at a time, then prunes samples older than `retention_ms`.
    pub async fn roll_up(&self, now_ms: i64, retention_ms: i64) -> anyhow::Result<RolledUp> {
        let mut done = RolledUp::default();
        let limit = floor_hour(now_ms - MARGIN_MS);
        let mut hour = match self.store.rolled_to().await? {
            0 => match self.store.next_sample_at(0).await? {
                Some(at) => floor_hour(at),
                None => return Ok(done),
            },
            h => h,
        };
        let names = self.names().await?;
        while hour + HOUR_MS <= limit {
            let end = hour + HOUR_MS;
            let rows = self.rows(&names, hour - MARGIN_MS, end + MARGIN_MS).await?;
            let window = Window {
                from_ms: hour,
                to_ms: end,
            };
            if !rows.iter().any(|r| window.holds(r.at_ms)) {
                // Idle: skip straight to the hour of the next sample.
                let next = self.store.next_sample_at(end).await?;
                let to = next.map_or(limit, |at| floor_hour(at).clamp(end, limit));
                self.store.save_rollups(hour, to, &[]).await?;
                hour = to;
                continue;
            }
            let rollups: Vec<Rollup> = aggregate(&rows, window, self.rule(&rows), &self.model, &Dim::ALL)
                .into_iter()
                .map(|((dim, key), t)| to_rollup(hour, dim, key, &t))
                .collect();
            self.store.save_rollups(hour, end, &rollups).await?;
            done.hours += 1;
            hour = end;
        }
        done.pruned = self.store.prune_samples(now_ms - retention_ms).await?;
        Ok(done)
    }

    /// Use in `[from_ms, to_ms)` per key of `dim`: rolled-up hours from the
    /// rollups, the rest from raw samples.
    pub async fn usage(
        &self,
        dim: Dim,
        from_ms: i64,
        to_ms: i64,
    ) -> anyhow::Result<BTreeMap<String, Totals>> {
        let rolled = self.store.rolled_to().await?.clamp(from_ms, to_ms);
        let mut totals: BTreeMap<String, Totals> = self
            .store
            .rollup_totals(dim.as_str(), from_ms, rolled)
            .await?
            .into_iter()
            .map(|r| (r.key.clone(), from_rollup(&r)))
            .collect();
        if rolled < to_ms {
            let names = self.names().await?;
            let rows = self.rows(&names, rolled - MARGIN_MS, to_ms + MARGIN_MS).await?;
            let window = Window {
                from_ms: rolled,
                to_ms,
            };
            for ((_, key), t) in aggregate(&rows, window, self.rule(&rows), &self.model, &[dim]) {
                totals.entry(key).or_default().merge(&t);
            }
        }
        Ok(totals)
    }

    /// Hour by hour, for `--by hour|day` reports.
    pub async fn hourly(&self, dim: Dim, from_ms: i64, to_ms: i64) -> anyhow::Result<Vec<Rollup>> {
        Ok(self.store.rollups(dim.as_str(), from_ms, to_ms).await?)
    }

    fn rule(&self, rows: &[Row]) -> GapRule {
        GapRule::for_interval(observed_interval(rows).unwrap_or(self.configured_interval_ms))
    }

    async fn names(&self) -> anyhow::Result<Names> {
        let orgs: HashMap<i64, String> = self
            .store
            .organisations()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok(Names {
            tenants: self
                .store
                .tenants()
                .await?
                .into_iter()
                .map(|t| (t.id, (t.name, t.org_id.and_then(|o| orgs.get(&o).cloned()))))
                .collect(),
            servers: self
                .store
                .servers()
                .await?
                .into_iter()
                .map(|s| (s.id, (s.url, s.pool.unwrap_or_else(|| "default".into()))))
                .collect(),
        })
    }

    async fn rows(&self, names: &Names, from_ms: i64, to_ms: i64) -> anyhow::Result<Vec<Row>> {
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
                    meeting: format!("{}@{}", s.backend_id, s.server_id),
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

/// Tenant and server names by ID, read once per pass.
struct Names {
    tenants: HashMap<i64, (String, Option<String>)>,
    servers: HashMap<i64, (String, String)>,
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

pub fn from_rollup(r: &Rollup) -> Totals {
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
