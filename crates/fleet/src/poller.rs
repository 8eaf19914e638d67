//! The poller: every interval, one `getMeetings` per server, all servers at
//! once (bounded), each within its own deadline. It feeds health, load, the
//! meeting records and one usage sample per meeting.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bbb::get_meetings::MeetingList;
use bbb::meeting::MeetingSummary;
use bbb::{Element, Params};
use futures::StreamExt;
use store::{Health, MeetingRecord, ServerPoll, ServerRound, UsageSample};

use crate::gauges::{self, MeetingGauges};
use crate::health::Tracker;
use crate::load::MeetingLoad;
use crate::owners::{self, Books, Owner};
use crate::{Fleet, FleetError, Route};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollReport {
    /// Servers the round set out to poll.
    pub servers: usize,
    pub polled: usize,
    pub failed: usize,
    pub samples: usize,
    pub ended: usize,
    pub released: u64,
    /// The round reached the poll interval before every server was recorded.
    pub overrun: bool,
    /// Servers left unrecorded by an overrun: neither up nor down this round.
    pub unfinished: usize,
    /// Meetings ended on a server that still ran them after Plenary had
    /// ended or released them.
    pub stale_ended: usize,
    /// Records whose backend's internal meeting ID was learned from a poll.
    pub reconciled: usize,
}

/// The metadata the poller reads of a meeting; the rest is not kept.
const POLLED_METADATA: [&str; 2] = [SIZE_HINT, ORIGIN];
const SIZE_HINT: &str = "bbb-meeting-size-hint";
const ORIGIN: &str = "bbb-origin-server-name";

/// What a round keeps for the next: the tenants' names, for the gauges
/// published when it ends (cut short or not), and the tenants those gauges
/// showed meetings for.
#[derive(Debug, Default)]
pub(crate) struct RoundState {
    tenant_names: HashMap<i64, String>,
    tenants_published: HashSet<i64>,
}

/// Answers recorded together at most: enough to share a transaction's
/// commit, few enough that one transaction stays short.
const RECORD_BATCH: usize = 64;

/// One server's answer, prepared: what its round writes, and what the
/// fleet keeps in memory once it is written.
struct Prepared<'r> {
    route: &'r Route,
    ended: Vec<i64>,
    internal_ids: Vec<(i64, String)>,
    samples: Vec<UsageSample>,
    poll: ServerPoll,
    settled_before_ms: i64,
    tracker: Tracker,
    load: u64,
    meetings: usize,
    shares: HashMap<i64, MeetingGauges>,
}

impl Prepared<'_> {
    fn round(&self) -> ServerRound<'_> {
        ServerRound {
            server_id: self.route.server_id,
            ended: &self.ended,
            internal_ids: &self.internal_ids,
            samples: &self.samples,
            poll: self.poll,
            settled_before_ms: self.settled_before_ms,
        }
    }
}

fn succeeded(doc: &Element) -> bool {
    doc.child_text("returncode").as_deref() == Some("SUCCESS")
}

impl Fleet {
    /// Polls until `shutdown` resolves; the first round starts at once. Only
    /// the elected instance polls; the others follow what it records. Rounds
    /// never overlap, and each ends by the interval, so a slow fleet makes
    /// rounds back to back, never a queue of them.
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

    /// One round over every server that is not disabled, all of it
    /// (fetching and recording) within one poll interval. Each server's
    /// poll stands alone: its own deadline, its own health verdict, and its
    /// answer recorded as it arrives, in one transaction, whatever the
    /// others do. A round that reaches its deadline stops there: servers
    /// not yet recorded are neither up nor down this round, and it is
    /// logged and counted as an overrun. Rounds never overlap: a second
    /// caller waits for the round under way.
    pub async fn poll_once(&self) -> Result<PollReport, FleetError> {
        let mut state = self.round.lock().await;
        let started = tokio::time::Instant::now();
        let deadline = started + self.config.poll_interval;
        let mut report = PollReport::default();
        let finished =
            tokio::time::timeout_at(deadline, self.round(&mut report, &mut state.tenant_names))
                .await;
        self.publish_round_metrics(&mut state);
        let elapsed = started.elapsed();
        metrics::histogram!("plenary_poll_round_seconds").record(elapsed.as_secs_f64());
        match finished {
            Ok(done) => done?,
            Err(_) => {
                report.overrun = true;
                report.unfinished = report.servers.saturating_sub(report.polled + report.failed);
                metrics::counter!("plenary_poll_overruns_total").increment(1);
                tracing::warn!(
                    elapsed_ms = elapsed.as_millis() as u64,
                    interval_ms = self.config.poll_interval.as_millis() as u64,
                    unfinished = report.unfinished,
                    "poll round reached the poll interval; servers not yet recorded wait for the next round"
                );
            }
        }
        tracing::debug!(
            elapsed_ms = elapsed.as_millis() as u64,
            ?report,
            "poll round done"
        );
        Ok(report)
    }

    async fn round(
        &self,
        report: &mut PollReport,
        tenant_names: &mut HashMap<i64, String>,
    ) -> Result<(), FleetError> {
        let round_start_ms = self.now_ms();
        self.refresh().await?;
        let deadline = self.server_deadline();
        let client = self.client.clone();
        *tenant_names = self.tenant_names().await?;
        let tenant_ids: HashMap<&str, i64> = tenant_names
            .iter()
            .map(|(id, n)| (n.as_str(), *id))
            .collect();
        let mut routes = self.routes();
        // Each round starts one server further on, so a round cut short
        // does not always leave the same servers for the next.
        if !routes.is_empty() {
            let turn = self.rounds.fetch_add(1, Ordering::Relaxed) % routes.len();
            routes.rotate_left(turn);
        }
        report.servers = routes.len();
        // Each fetch runs as its own task, so its deadline is not spent
        // waiting while other answers are recorded; at most
        // `poll_concurrency` answers are held at once, whatever the fleet.
        let mut answers = futures::stream::iter(routes.into_iter().map(|route| {
            let client = client.clone();
            tokio::spawn(async move {
                let t = Instant::now();
                // Read as it streams, inside the fetch's own task: answers
                // are parsed on every core while others are recorded.
                let call = client.get_meetings(&route.backend, &POLLED_METADATA);
                let answer = tokio::time::timeout(deadline, call).await;
                metrics::histogram!("plenary_backend_latency_seconds", "call" => "getMeetings")
                    .record(t.elapsed().as_secs_f64());
                (route, answer)
            })
        }))
        .buffer_unordered(self.config.poll_concurrency.max(1))
        // The answers already in hand are recorded together: one read of
        // their live records and one transaction for all of them.
        .ready_chunks(RECORD_BATCH);
        while let Some(batch) = answers.next().await {
            let mut answered = Vec::with_capacity(batch.len());
            for fetched in batch {
                let Ok((route, answer)) = fetched else {
                    tracing::error!("a poll fetch stopped before it answered");
                    continue;
                };
                let why = match answer {
                    Ok(Ok(MeetingList::Meetings(meetings))) => {
                        answered.push((route, meetings));
                        continue;
                    }
                    Ok(Ok(MeetingList::Failed { message_key })) => {
                        format!("FAILED {message_key}")
                    }
                    Ok(Err(e)) => e.to_string(),
                    Err(_) => format!("no answer within {} ms", deadline.as_millis()),
                };
                if let Err(e) = self.record_failure(&route, report, &why).await {
                    tracing::error!(server = %route.label, error = %e, "recording a poll failed");
                }
            }
            self.record_successes(&answered, round_start_ms, &tenant_ids, report)
                .await;
        }
        Ok(())
    }

    /// How long one server may take to answer a poll: three quarters of
    /// the interval, so a hung server is failed (not left unfinished) and
    /// leaves time to record the round before it ends.
    fn server_deadline(&self) -> Duration {
        self.config.poll_interval * 3 / 4
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

    /// Records the servers that answered: their live records read at once,
    /// each answer prepared alone, then all written in one transaction. If
    /// that fails, each is written alone, so one server's failure does not
    /// stop the others being recorded.
    async fn record_successes(
        &self,
        answered: &[(Route, Vec<MeetingSummary>)],
        round_start_ms: i64,
        tenant_ids: &HashMap<&str, i64>,
        report: &mut PollReport,
    ) {
        if answered.is_empty() {
            return;
        }
        let ids: Vec<i64> = answered.iter().map(|(r, _)| r.server_id).collect();
        let mut live = match self.store.live_meetings_on_servers(&ids).await {
            Ok(live) => live,
            Err(e) => {
                tracing::error!(servers = ids.len(), error = %e, "reading live meetings for a poll failed");
                return;
            }
        };
        let mut prepared = Vec::with_capacity(answered.len());
        for (route, meetings) in answered {
            let records = live.remove(&route.server_id).unwrap_or_default();
            match self
                .prepare(route, meetings, records, round_start_ms, tenant_ids, report)
                .await
            {
                Ok(Some(p)) => prepared.push(p),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(server = %route.label, error = %e, "recording a poll failed");
                }
            }
        }
        let rounds: Vec<ServerRound<'_>> = prepared.iter().map(Prepared::round).collect();
        if self.store.record_server_rounds(&rounds).await.is_ok() {
            for p in &prepared {
                self.apply(p, round_start_ms, report);
            }
            return;
        }
        for (p, round) in prepared.iter().zip(rounds) {
            match self.store.record_server_round(round).await {
                Ok(()) => self.apply(p, round_start_ms, report),
                Err(e) => {
                    tracing::error!(server = %p.route.label, error = %e, "recording a poll failed");
                }
            }
        }
    }

    /// What one server's answer writes and changes in memory, decided
    /// against its live records; nothing of it is written yet. `None` if
    /// the server left the fleet meanwhile.
    async fn prepare<'r>(
        &self,
        route: &'r Route,
        meetings: &[MeetingSummary],
        records: Vec<MeetingRecord>,
        round_start_ms: i64,
        tenant_ids: &HashMap<&str, i64>,
        report: &mut PollReport,
    ) -> Result<Option<Prepared<'r>>, FleetError> {
        let now = self.now_ms();
        let by_id: HashMap<i64, &MeetingRecord> = records.iter().map(|r| (r.id, r)).collect();
        let grace = self.config.absent_grace.as_millis() as i64;
        let ended_here = self
            .ended_here(route, meetings, &records, tenant_ids)
            .await?;
        let owners = owners::owners(
            meetings,
            &Books {
                live: &records,
                ended_here: &ended_here,
                stale_before_ms: round_start_ms - grace,
                tenant_ids,
            },
        );

        let mut load = 0;
        let mut samples = Vec::with_capacity(meetings.len());
        let mut seen = HashSet::new();
        let mut internal_ids = Vec::new();
        let mut shares: HashMap<i64, MeetingGauges> = HashMap::new();
        for (m, owner) in meetings.iter().zip(owners) {
            load += self.config.load.meeting(&MeetingLoad {
                participants: m.participants.into(),
                voice: m.mic_users().into(),
                video: m.video_streams.into(),
                age_ms: now - m.create_time_ms,
                size_hint: m.meta(SIZE_HINT).and_then(|h| h.parse().ok()),
            });
            // Ending the meeting ends its breakout rooms with it.
            if owner == Owner::Stale && !m.is_breakout && self.end_stale(route, m).await {
                report.stale_ended += 1;
            }
            if let Owner::Record { record_id, .. } = owner
                && !m.is_breakout
            {
                seen.insert(record_id);
                // A record whose create answer was never stored (the
                // process died between the two) learns its backend's
                // internal ID here: recordings and breakout rooms are
                // found by it.
                if by_id
                    .get(&record_id)
                    .is_some_and(|r| r.internal_id.is_none())
                    && !m.internal_meeting_id.is_empty()
                {
                    internal_ids.push((record_id, m.internal_meeting_id.clone()));
                }
            }
            let Some(tenant_id) = owner.tenant_id() else {
                continue;
            };
            shares.entry(tenant_id).or_default().add(m);
            // One timestamp per round, so a round's samples add up to a moment.
            samples.push(UsageSample {
                at_ms: round_start_ms,
                meeting_ref: match owner {
                    Owner::Record { record_id, .. } => Some(record_id),
                    _ => None,
                },
                tenant_id,
                server_id: route.server_id,
                backend_id: m.meeting_id.clone(),
                origin: m.meta(ORIGIN).map(str::to_string),
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
        let ended: Vec<i64> = records
            .iter()
            .filter(|r| !seen.contains(&r.id) && r.created_at < round_start_ms - grace)
            .map(|r| r.id)
            .collect();
        let people = meetings
            .iter()
            .map(|m| i64::from(m.participants))
            .sum::<i64>();
        // The verdict is written with the round, and kept in memory only
        // once it is written.
        let tracker = {
            let entries = self.entries.lock().expect("fleet lock");
            let Some(e) = entries.get(&route.server_id) else {
                return Ok(None);
            };
            let mut next = e.tracker;
            next.observe(true, self.config.thresholds);
            next
        };
        Ok(Some(Prepared {
            route,
            ended,
            internal_ids,
            samples,
            poll: ServerPoll {
                health: tracker.health,
                load: load as i64,
                meetings: meetings.len() as i64,
                participants: people,
                at_ms: now,
            },
            // A create reserved before the round began may not have
            // reached the server when it answered: until it surely has,
            // its reservation is kept (counted twice rather than not at
            // all, which would draw a burst onto this server).
            settled_before_ms: round_start_ms - grace,
            tracker,
            load,
            meetings: meetings.len(),
            shares,
        }))
    }

    /// Takes in memory what a prepared answer decided, once it is written.
    fn apply(&self, p: &Prepared<'_>, round_start_ms: i64, report: &mut PollReport) {
        report.polled += 1;
        report.ended += p.ended.len();
        report.reconciled += p.internal_ids.len();
        report.samples += p.samples.len();
        MeetingGauges::sum(p.shares.values()).publish_server(&p.route.label);
        let mut entries = self.entries.lock().expect("fleet lock");
        let Some(e) = entries.get_mut(&p.route.server_id) else {
            return;
        };
        e.tracker = p.tracker;
        e.polled_load = p.load;
        e.meetings = p.meetings;
        e.reservations.retain(|(at, _)| *at >= round_start_ms);
        e.tenant_shares = p.shares.clone();
    }

    /// When Plenary last ended a record on this server of each tenant
    /// meeting that the server runs without a live record.
    async fn ended_here(
        &self,
        route: &Route,
        meetings: &[MeetingSummary],
        records: &[MeetingRecord],
        tenant_ids: &HashMap<&str, i64>,
    ) -> Result<HashMap<String, i64>, FleetError> {
        let recorded: HashSet<&str> = records.iter().map(|r| r.backend_id.as_str()).collect();
        let mut ended = HashMap::new();
        for m in meetings {
            let unrecorded = !m.is_breakout && !recorded.contains(m.meeting_id.as_str());
            let namespaced =
                owners::tenant_of(&m.meeting_id).is_some_and(|t| tenant_ids.contains_key(t));
            if unrecorded
                && namespaced
                && let Some(at) = self
                    .store
                    .last_ended_on_server(route.server_id, &m.meeting_id)
                    .await?
            {
                ended.insert(m.meeting_id.clone(), at);
            }
        }
        Ok(ended)
    }

    /// Ends, on the server, a meeting that Plenary released or ended there
    /// and that the server still runs (it was down when it was released, or
    /// its end was lost): left running it would be metered twice and never
    /// end. The operator is told, since it means a server came back.
    /// Returns whether the server accepted the end.
    async fn end_stale(&self, route: &Route, m: &MeetingSummary) -> bool {
        tracing::warn!(
            server = %route.label,
            meeting = %m.meeting_id,
            "the server still runs a meeting Plenary released or ended; ending it there"
        );
        let mut params = Params::new();
        params.set("meetingID", m.meeting_id.clone());
        let why = match self.client.call(&route.backend, "end", &params, None).await {
            Ok(doc) if succeeded(&doc) => {
                let server = route.label.clone();
                metrics::counter!("plenary_stale_meetings_ended_total", "server" => server)
                    .increment(1);
                return true;
            }
            Ok(doc) => doc.child_text("messageKey").unwrap_or_default(),
            Err(e) => e.to_string(),
        };
        tracing::warn!(
            server = %route.label,
            meeting = %m.meeting_id,
            reason = %why,
            "could not end a stale meeting; it is not metered and is tried again next poll"
        );
        false
    }

    /// The fleet's health and each tenant's meetings, once a round ends.
    fn publish_round_metrics(&self, state: &mut RoundState) {
        {
            let entries = self.entries.lock().expect("fleet lock");
            gauges::publish_tenants(
                entries.values().map(|e| &e.tenant_shares),
                &state.tenant_names,
                &mut state.tenants_published,
            );
        }
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
