//! The poller: every interval, one `getMeetings` per server, all servers at
//! once (bounded), within a round deadline. It feeds health, load, the
//! meeting records and one usage sample per meeting.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bbb::Params;
use bbb::meeting::{MeetingSummary, meetings_of};
use futures::StreamExt;
use store::{Health, MeetingRecord, ServerPoll, UsageSample};

use crate::load::MeetingLoad;
use crate::{Fleet, FleetError, Route};

/// Metadata key naming the tenant on every meeting Plenary creates, so a raw
/// backend poll can be attributed.
pub const TENANT_META: &str = "plenary-tenant";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollReport {
    pub polled: usize,
    pub failed: usize,
    pub samples: usize,
    pub ended: usize,
    pub released: u64,
    pub overrun: bool,
}

impl Fleet {
    /// Polls until `shutdown` resolves; the first round starts at once. Only
    /// the elected instance polls; the others follow what it records.
    pub async fn run_poller(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut ticker = tokio::time::interval(self.config.poll_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut leadership: Option<store::Leadership> = None;
        loop {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = ticker.tick() => {}
            }
            if let Some(l) = &mut leadership
                && !l.confirm().await
            {
                tracing::warn!("lost the poller lock; standing again");
                leadership = None;
            }
            if leadership.is_none() {
                match self.store.try_lead_polling().await {
                    Ok(Some(l)) => {
                        tracing::info!("this instance polls the servers");
                        leadership = Some(l);
                    }
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "cannot stand for poller"),
                }
            }
            self.leading
                .store(leadership.is_some(), std::sync::atomic::Ordering::Relaxed);
            let round = if leadership.is_some() {
                self.poll_once().await.map(drop)
            } else {
                self.follow().await
            };
            if let Err(e) = round {
                tracing::error!(error = %e, "poll round failed");
            }
        }
    }

    /// One round over every server that is not disabled.
    pub async fn poll_once(&self) -> Result<PollReport, FleetError> {
        let started = Instant::now();
        let round_start_ms = self.now_ms();
        self.refresh().await?;
        let routes = self.routes();
        let deadline = self.config.poll_interval.max(Duration::from_secs(1));
        let client = self.client.clone();
        let polls = futures::stream::iter(routes.into_iter().map(|route| {
            let client = client.clone();
            async move {
                let t = Instant::now();
                let result = client
                    .call(&route.backend, "getMeetings", &Params::new(), None)
                    .await;
                metrics::histogram!("plenary_backend_latency_seconds", "call" => "getMeetings")
                    .record(t.elapsed().as_secs_f64());
                (route, result)
            }
        }))
        .buffer_unordered(self.config.poll_concurrency.max(1))
        .collect::<Vec<_>>();
        let (results, overrun) = match tokio::time::timeout(deadline, polls).await {
            Ok(r) => (r, false),
            Err(_) => {
                tracing::warn!(
                    deadline_ms = deadline.as_millis() as u64,
                    "poll round overran its deadline; unanswered servers count as failed"
                );
                (Vec::new(), true)
            }
        };
        let answered: HashSet<i64> = results.iter().map(|(r, _)| r.server_id).collect();
        let mut report = PollReport {
            overrun,
            ..PollReport::default()
        };
        let tenant_names = self.tenant_names().await?;
        for route in self.routes() {
            if !answered.contains(&route.server_id) {
                self.record_failure(&route, &mut report, "no answer within the round")
                    .await?;
            }
        }
        for (route, result) in results {
            match result {
                Ok(doc) if doc.child_text("returncode").as_deref() == Some("SUCCESS") => {
                    let meetings = meetings_of(&doc);
                    self.record_success(
                        &route,
                        &meetings,
                        round_start_ms,
                        &tenant_names,
                        &mut report,
                    )
                    .await?;
                }
                Ok(doc) => {
                    let key = doc.child_text("messageKey").unwrap_or_default();
                    self.record_failure(&route, &mut report, &format!("FAILED {key}"))
                        .await?;
                }
                Err(e) => {
                    self.record_failure(&route, &mut report, &e.to_string())
                        .await?
                }
            }
        }
        self.publish_health_metrics();
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            ?report,
            "poll round done"
        );
        Ok(report)
    }

    async fn tenant_names(&self) -> Result<HashMap<i64, String>, FleetError> {
        Ok(self
            .store
            .tenants()
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect())
    }

    async fn record_failure(
        &self,
        route: &Route,
        report: &mut PollReport,
        why: &str,
    ) -> Result<(), FleetError> {
        report.failed += 1;
        let thresholds = self.config.thresholds;
        let (changed, load, meetings) = {
            let mut entries = self.entries.lock().expect("fleet lock");
            let Some(e) = entries.get_mut(&route.server_id) else {
                return Ok(());
            };
            (
                e.tracker.observe(false, thresholds),
                e.polled_load,
                e.meetings,
            )
        };
        tracing::warn!(server = %route.label, reason = why, "poll failed");
        if changed == Some(Health::Down) {
            let released = self.panic_server(route.server_id).await?;
            report.released += released;
            tracing::warn!(server = %route.label, released, "server declared down; its meetings were released");
        }
        let health = changed.unwrap_or(route.health);
        self.store
            .record_server_poll(
                route.server_id,
                ServerPoll {
                    health,
                    load: if health == Health::Down {
                        0
                    } else {
                        load as i64
                    },
                    meetings: if health == Health::Down {
                        0
                    } else {
                        meetings as i64
                    },
                    participants: 0,
                    at_ms: self.now_ms(),
                },
            )
            .await?;
        Ok(())
    }

    async fn record_success(
        &self,
        route: &Route,
        meetings: &[MeetingSummary],
        round_start_ms: i64,
        tenant_names: &HashMap<i64, String>,
        report: &mut PollReport,
    ) -> Result<(), FleetError> {
        report.polled += 1;
        let now = self.now_ms();
        let records = self.store.live_meetings_on_server(route.server_id).await?;
        let by_backend: HashMap<&str, &MeetingRecord> =
            records.iter().map(|r| (r.backend_id.as_str(), r)).collect();
        let by_internal: HashMap<&str, &MeetingRecord> = records
            .iter()
            .filter_map(|r| r.internal_id.as_deref().map(|i| (i, r)))
            .collect();
        let tenant_ids: HashMap<&str, i64> = tenant_names
            .iter()
            .map(|(id, n)| (n.as_str(), *id))
            .collect();

        let mut load = 0;
        let mut samples = Vec::new();
        let mut seen = HashSet::new();
        let mut gauges: HashMap<i64, TenantGauges> = HashMap::new();
        for m in meetings {
            load += self.config.load.meeting(&MeetingLoad {
                participants: m.participants.into(),
                voice: m.mic_users().into(),
                video: m.video_streams.into(),
                age_ms: now - m.create_time_ms,
                size_hint: m.meta("bbb-meeting-size-hint").and_then(|h| h.parse().ok()),
            });
            // A breakout room belongs to whoever owns its parent meeting.
            let record = by_backend.get(m.meeting_id.as_str()).copied().or_else(|| {
                m.parent_meeting_id
                    .as_deref()
                    .and_then(|p| by_internal.get(p).copied())
            });
            if let Some(r) = by_backend.get(m.meeting_id.as_str()) {
                seen.insert(r.id);
            }
            let tenant_id = record
                .map(|r| r.tenant_id)
                .or_else(|| m.meta(TENANT_META).and_then(|n| tenant_ids.get(n).copied()));
            let Some(tenant_id) = tenant_id else {
                continue;
            };
            gauges.entry(tenant_id).or_default().add(m);
            // One timestamp per round, so a round's samples add up to a moment.
            samples.push(UsageSample {
                at_ms: round_start_ms,
                meeting_ref: record.map(|r| r.id),
                tenant_id,
                server_id: route.server_id,
                backend_id: m.meeting_id.clone(),
                origin: m.meta("bbb-origin-server-name").map(str::to_string),
                participants: m.participants.into(),
                moderators: m.moderators.into(),
                mic: m.mic_users().into(),
                listen_only: m.listeners.into(),
                webcams: m.video_streams.into(),
                breakout: m.is_breakout,
            });
        }
        // Meetings the server no longer reports have ended there (empty,
        // out of time, or ended by a moderator).
        let grace = self.config.absent_grace.as_millis() as i64;
        for r in &records {
            if !seen.contains(&r.id) && r.created_at < round_start_ms - grace {
                self.store.end_meeting(r.id, now).await?;
                report.ended += 1;
            }
        }
        self.store.insert_samples(&samples).await?;
        report.samples += samples.len();

        let current: Vec<(String, TenantGauges)> = gauges
            .iter()
            .map(|(id, g)| (tenant_names.get(id).cloned().unwrap_or_default(), *g))
            .collect();
        let (health, participants, gone) = {
            let mut entries = self.entries.lock().expect("fleet lock");
            let Some(e) = entries.get_mut(&route.server_id) else {
                return Ok(());
            };
            e.tracker.observe(true, self.config.thresholds);
            e.polled_load = load;
            e.meetings = meetings.len();
            e.reservations.retain(|(at, _)| *at >= round_start_ms);
            let names: Vec<String> = current.iter().map(|(n, _)| n.clone()).collect();
            let gone: Vec<String> = std::mem::replace(&mut e.gauge_tenants, names)
                .into_iter()
                .filter(|t| !current.iter().any(|(n, _)| n == t))
                .collect();
            let people = meetings
                .iter()
                .map(|m| u64::from(m.participants))
                .sum::<u64>();
            (e.tracker.health, people, gone)
        };
        let zeros = gone.into_iter().map(|t| (t, TenantGauges::default()));
        for (tenant, g) in current.into_iter().chain(zeros) {
            g.publish(&[("tenant", tenant), ("server", route.label.clone())]);
        }
        self.store
            .record_server_poll(
                route.server_id,
                ServerPoll {
                    health,
                    load: load as i64,
                    meetings: meetings.len() as i64,
                    participants: participants as i64,
                    at_ms: now,
                },
            )
            .await?;
        Ok(())
    }

    fn publish_health_metrics(&self) {
        let status = self.status();
        for health in [Health::Up, Health::Unstable, Health::Down] {
            let n = status.iter().filter(|s| s.health == health).count();
            metrics::gauge!("plenary_servers", "health" => health.as_str()).set(n as f64);
        }
        for route in self.routes() {
            let up = if route.health == Health::Up { 1.0 } else { 0.0 };
            metrics::gauge!("plenary_server_up", "server" => route.label.clone()).set(up);
        }
    }
}

/// A tenant's meetings on one server at one poll, published under
/// bigbluebutton-exporter's names with a `plenary_` prefix.
#[derive(Debug, Clone, Copy, Default)]
struct TenantGauges {
    meetings: u64,
    participants: u64,
    listeners: u64,
    voice: u64,
    video: u64,
}

impl TenantGauges {
    fn add(&mut self, m: &MeetingSummary) {
        self.meetings += 1;
        self.participants += u64::from(m.participants);
        self.listeners += u64::from(m.listeners);
        self.voice += u64::from(m.mic_users());
        self.video += u64::from(m.video_streams);
    }

    fn publish(&self, labels: &[(&'static str, String); 2]) {
        metrics::gauge!("plenary_meetings", labels).set(self.meetings as f64);
        metrics::gauge!("plenary_meetings_participants", labels).set(self.participants as f64);
        metrics::gauge!("plenary_meetings_listeners", labels).set(self.listeners as f64);
        metrics::gauge!("plenary_meetings_voice_participants", labels).set(self.voice as f64);
        metrics::gauge!("plenary_meetings_video_participants", labels).set(self.video as f64);
    }
}
