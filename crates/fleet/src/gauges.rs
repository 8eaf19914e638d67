//! The meeting gauges the poller publishes, under bigbluebutton-exporter's
//! names with a `plenary_` prefix: per server (as the exporter has them)
//! and per tenant over the whole fleet. Two small label sets rather than
//! their product: a fleet of 1,000 servers and 200 tenants has 6,000
//! series, not half a million.

use std::collections::{HashMap, HashSet};

use bbb::meeting::MeetingSummary;

const SERVER: [&str; 5] = [
    "plenary_meetings",
    "plenary_meetings_participants",
    "plenary_meetings_listeners",
    "plenary_meetings_voice_participants",
    "plenary_meetings_video_participants",
];

const TENANT: [&str; 5] = [
    "plenary_tenant_meetings",
    "plenary_tenant_meetings_participants",
    "plenary_tenant_meetings_listeners",
    "plenary_tenant_meetings_voice_participants",
    "plenary_tenant_meetings_video_participants",
];

/// Meetings and what their people do, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeetingGauges {
    meetings: u64,
    participants: u64,
    listeners: u64,
    voice: u64,
    video: u64,
}

impl MeetingGauges {
    pub fn add(&mut self, m: &MeetingSummary) {
        self.meetings += 1;
        self.participants += u64::from(m.participants);
        self.listeners += u64::from(m.listeners);
        self.voice += u64::from(m.mic_users());
        self.video += u64::from(m.video_streams);
    }

    pub fn sum<'a>(all: impl Iterator<Item = &'a Self>) -> Self {
        let mut total = Self::default();
        for g in all {
            total.add_all(g);
        }
        total
    }

    fn add_all(&mut self, other: &Self) {
        self.meetings += other.meetings;
        self.participants += other.participants;
        self.listeners += other.listeners;
        self.voice += other.voice;
        self.video += other.video;
    }

    fn values(&self) -> [u64; 5] {
        [
            self.meetings,
            self.participants,
            self.listeners,
            self.voice,
            self.video,
        ]
    }

    fn publish(&self, names: &[&'static str; 5], label: &'static str, value: &str) {
        for (name, v) in names.iter().zip(self.values()) {
            metrics::gauge!(*name, label => value.to_string()).set(v as f64);
        }
    }

    /// One server's tenant meetings at its last recorded poll.
    pub fn publish_server(&self, server: &str) {
        self.publish(&SERVER, "server", server);
    }
}

/// Sums each tenant's meetings over the servers (each server's share as
/// of its last recorded poll) and publishes them; tenants published before
/// and now without meetings are set to zero, so no stale value lingers.
pub fn publish_tenants<'a>(
    shares: impl Iterator<Item = &'a HashMap<i64, MeetingGauges>>,
    names: &HashMap<i64, String>,
    published: &mut HashSet<i64>,
) {
    let mut totals: HashMap<i64, MeetingGauges> = HashMap::new();
    for share in shares {
        for (tenant, g) in share {
            totals.entry(*tenant).or_default().add_all(g);
        }
    }
    for gone in published.iter() {
        totals.entry(*gone).or_default();
    }
    published.clear();
    for (tenant, g) in totals {
        let Some(name) = names.get(&tenant) else {
            continue;
        };
        g.publish(&TENANT, "tenant", name);
        if g.meetings > 0 {
            published.insert(tenant);
        }
    }
}
