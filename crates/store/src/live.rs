//! The live meetings, held in memory once a serving process asks for them,
//! so the hot calls (`join`, `isMeetingRunning`, `getMeetingInfo`) find a
//! meeting without reading the database.
//!
//! It stays exact the way a cache of one writer does: every change to a
//! meeting record made through this [`crate::Store`] updates it after the
//! change is committed. What other processes or instances change reaches it
//! three ways: a miss reads the database and keeps what it found; every
//! full read of a server's (or every) live meeting replaces that part of
//! it; and [`LiveView::forget`] / [`LiveView::forget_all`] drop entries on
//! demand, the hook a PostgreSQL `LISTEN`/`NOTIFY` listener would call.
//!
//! A read that raced a removal must not bring the removed record back:
//! every change takes a new epoch, an entry remembers the epoch it was last
//! confirmed at, and what a database read found is kept only if nothing
//! was removed since the read began (for a fill) or only replaces entries
//! older than the read (for a resynchronisation).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::MeetingRecord;

/// Where a database read began, for [`LiveView::fill`] and
/// [`LiveView::sync`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    epoch: u64,
    removed_at: u64,
}

#[derive(Debug, Default)]
pub struct LiveView {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Off until a serving process loads it; a CLI command never pays for it.
    enabled: bool,
    by_id: HashMap<i64, Entry>,
    by_key: HashMap<(i64, Box<str>), i64>,
    /// Each server's live IDs, so a poll of one server touches its own
    /// meetings only, not the whole fleet's.
    by_server: HashMap<i64, HashSet<i64>>,
    epoch: u64,
    /// The epoch of the last removal.
    removed_at: u64,
}

/// One live meeting: its record in a compact form, and when it was last
/// confirmed.
#[derive(Debug)]
struct Entry {
    tenant_id: i64,
    meeting_id: Box<str>,
    backend_id: Box<str>,
    server_id: i64,
    internal_id: Option<Box<str>>,
    created_at: i64,
    epoch: u64,
}

impl Entry {
    fn of(r: &MeetingRecord, epoch: u64) -> Self {
        Self {
            tenant_id: r.tenant_id,
            meeting_id: r.meeting_id.as_str().into(),
            backend_id: r.backend_id.as_str().into(),
            server_id: r.server_id,
            internal_id: r.internal_id.as_deref().map(Into::into),
            created_at: r.created_at,
            epoch,
        }
    }

    fn record(&self, id: i64) -> MeetingRecord {
        MeetingRecord {
            id,
            tenant_id: self.tenant_id,
            meeting_id: self.meeting_id.to_string(),
            backend_id: self.backend_id.to_string(),
            server_id: self.server_id,
            internal_id: self.internal_id.as_deref().map(str::to_string),
            created_at: self.created_at,
            ended_at: None,
        }
    }
}

impl Inner {
    fn tick(&mut self) -> u64 {
        self.epoch += 1;
        self.epoch
    }

    fn insert(&mut self, r: &MeetingRecord, epoch: u64) {
        if r.ended_at.is_some() {
            return;
        }
        let key = (r.tenant_id, Box::<str>::from(r.meeting_id.as_str()));
        // A live ID has one record; a newer one replaces what is left of an older.
        if let Some(old) = self.by_key.insert(key, r.id)
            && old != r.id
            && let Some(e) = self.by_id.remove(&old)
        {
            self.unindex(old, e.server_id);
        }
        if let Some(e) = self.by_id.insert(r.id, Entry::of(r, epoch)) {
            self.unindex(r.id, e.server_id);
        }
        self.by_server.entry(r.server_id).or_default().insert(r.id);
    }

    fn unindex(&mut self, id: i64, server_id: i64) {
        if let Some(ids) = self.by_server.get_mut(&server_id) {
            ids.remove(&id);
            if ids.is_empty() {
                self.by_server.remove(&server_id);
            }
        }
    }

    fn clear(&mut self) {
        self.by_id.clear();
        self.by_key.clear();
        self.by_server.clear();
    }

    fn remove(&mut self, id: i64) {
        if let Some(e) = self.by_id.remove(&id) {
            self.unindex(id, e.server_id);
            let key = (e.tenant_id, e.meeting_id);
            if self.by_key.get(&key) == Some(&id) {
                self.by_key.remove(&key);
            }
        }
    }

    /// Removes the entries of `server` (or of all servers) for which
    /// `gone` holds, as one removal.
    fn remove_where(&mut self, server: Option<i64>, gone: impl Fn(i64, &Entry) -> bool) {
        let gone = |id: &i64| self.by_id.get(id).is_some_and(|e| gone(*id, e));
        let ids: Vec<i64> = match server {
            Some(s) => self
                .by_server
                .get(&s)
                .map(|ids| ids.iter().copied().filter(gone).collect())
                .unwrap_or_default(),
            None => self.by_id.keys().copied().filter(gone).collect(),
        };
        if ids.is_empty() {
            return;
        }
        for id in ids {
            self.remove(id);
        }
        self.removed_at = self.tick();
    }
}

impl LiveView {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The view holds no invariant a panicking holder could break halfway.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a serving process has loaded the view.
    pub fn enabled(&self) -> bool {
        self.lock().enabled
    }

    /// How many live meetings the view holds.
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The live record of a tenant's meeting, if the view holds it.
    pub fn get(&self, tenant_id: i64, meeting_id: &str) -> Option<MeetingRecord> {
        let inner = self.lock();
        let id = *inner.by_key.get(&(tenant_id, Box::from(meeting_id)))?;
        inner.by_id.get(&id).map(|e| e.record(id))
    }

    /// Taken before a database read whose answer is to be kept.
    pub fn stamp(&self) -> Stamp {
        let inner = self.lock();
        Stamp {
            epoch: inner.epoch,
            removed_at: inner.removed_at,
        }
    }

    /// Starts from every live meeting, as the database holds them.
    pub fn load(&self, records: &[MeetingRecord]) {
        let mut inner = self.lock();
        inner.clear();
        let epoch = inner.tick();
        inner.removed_at = epoch;
        for r in records {
            inner.insert(r, epoch);
        }
        inner.enabled = true;
    }

    /// Keeps a record a miss read from the database, unless something was
    /// removed since the read began (it may have been this one).
    pub fn fill(&self, record: &MeetingRecord, read: Stamp) {
        let mut inner = self.lock();
        if inner.enabled && inner.removed_at == read.removed_at {
            let epoch = inner.tick();
            inner.insert(record, epoch);
        }
    }

    /// A record just created (committed) through this store.
    pub(crate) fn created(&self, record: &MeetingRecord) {
        let mut inner = self.lock();
        if inner.enabled {
            let epoch = inner.tick();
            inner.insert(record, epoch);
        }
    }

    /// A record just ended, discarded or released.
    pub(crate) fn ended(&self, id: i64) {
        let mut inner = self.lock();
        if inner.enabled {
            inner.remove(id);
            inner.removed_at = inner.tick();
        }
    }

    /// Every live record of a server just released.
    pub(crate) fn released(&self, server_id: i64) {
        let mut inner = self.lock();
        if inner.enabled {
            inner.remove_where(Some(server_id), |_, _| true);
        }
    }

    pub(crate) fn moved(&self, id: i64, server_id: i64) {
        let mut inner = self.lock();
        let epoch = inner.tick();
        let Some(e) = inner.by_id.get_mut(&id) else {
            return;
        };
        let from = std::mem::replace(&mut e.server_id, server_id);
        e.epoch = epoch;
        inner.unindex(id, from);
        inner.by_server.entry(server_id).or_default().insert(id);
    }

    pub(crate) fn learned_internal_id(&self, id: i64, internal_id: &str) {
        let mut inner = self.lock();
        if let Some(e) = inner.by_id.get_mut(&id) {
            e.internal_id = Some(internal_id.into());
        }
    }

    /// Makes the view agree with a full read, begun at `read`, of the live
    /// records of `servers` (or of all servers): entries in scope the read
    /// did not find are dropped unless they changed after it began, and
    /// records it found are kept unless something was removed since.
    pub(crate) fn sync(&self, servers: Option<&[i64]>, records: &[MeetingRecord], read: Stamp) {
        let mut inner = self.lock();
        if !inner.enabled {
            return;
        }
        // Judged before this sync removes anything itself.
        let fresh = inner.removed_at == read.removed_at;
        let found: HashSet<i64> = records.iter().map(|r| r.id).collect();
        let gone = |id: i64, e: &Entry| e.epoch <= read.epoch && !found.contains(&id);
        match servers {
            Some(servers) => {
                for server in servers {
                    inner.remove_where(Some(*server), gone);
                }
            }
            None => inner.remove_where(None, gone),
        }
        if fresh {
            let epoch = inner.tick();
            for r in records {
                if !inner.by_id.contains_key(&r.id) {
                    inner.insert(r, epoch);
                }
            }
        }
    }

    /// Drops one record, which another process or instance changed.
    pub fn forget(&self, id: i64) {
        self.ended(id);
    }

    /// Drops everything; misses refill it from the database. For a
    /// listener that lost its connection and cannot tell what it missed.
    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.clear();
        inner.removed_at = inner.tick();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, meeting_id: &str, server_id: i64) -> MeetingRecord {
        MeetingRecord {
            id,
            tenant_id: 1,
            meeting_id: meeting_id.into(),
            backend_id: format!("{meeting_id}~acme"),
            server_id,
            internal_id: None,
            created_at: 0,
            ended_at: None,
        }
    }

    fn loaded(records: &[MeetingRecord]) -> LiveView {
        let view = LiveView::default();
        view.load(records);
        view
    }

    #[test]
    fn a_view_not_loaded_holds_nothing_and_keeps_nothing() {
        let view = LiveView::default();
        view.created(&record(1, "a", 1));
        view.fill(&record(2, "b", 1), view.stamp());
        assert!(view.get(1, "a").is_none() && view.get(1, "b").is_none());
    }

    #[test]
    fn created_is_found_and_ended_is_gone() {
        let view = loaded(&[]);
        view.created(&record(1, "a", 1));
        assert_eq!(view.get(1, "a"), Some(record(1, "a", 1)));
        assert!(
            view.get(2, "a").is_none(),
            "another tenant's ID is another meeting"
        );
        view.ended(1);
        assert!(view.get(1, "a").is_none());
    }

    #[test]
    fn a_fill_that_raced_a_removal_is_not_kept() {
        let view = loaded(&[record(1, "a", 1)]);
        let read = view.stamp();
        view.ended(1);
        view.fill(&record(1, "a", 1), read);
        assert!(view.get(1, "a").is_none());
        let read = view.stamp();
        view.fill(&record(1, "a", 1), read);
        assert!(view.get(1, "a").is_some(), "an undisturbed fill is kept");
    }

    #[test]
    fn a_server_read_drops_what_it_did_not_find_but_not_what_came_after_it() {
        let view = loaded(&[record(1, "a", 1), record(2, "b", 1), record(3, "c", 2)]);
        let read = view.stamp();
        view.created(&record(4, "d", 1));
        view.sync(Some(&[1]), &[record(1, "a", 1)], read);
        assert!(view.get(1, "a").is_some());
        assert!(view.get(1, "b").is_none(), "ended elsewhere: gone");
        assert!(view.get(1, "c").is_some(), "another server's: kept");
        assert!(view.get(1, "d").is_some(), "created after the read: kept");
    }

    #[test]
    fn a_server_read_adds_what_another_instance_created() {
        let view = loaded(&[]);
        let read = view.stamp();
        view.sync(Some(&[1]), &[record(1, "a", 1)], read);
        assert!(view.get(1, "a").is_some());
    }

    #[test]
    fn a_moved_meeting_is_read_with_its_new_server() {
        let view = loaded(&[record(1, "a", 1), record(2, "b", 2)]);
        view.moved(1, 2);
        let read = view.stamp();
        view.sync(Some(&[1]), &[], read);
        assert!(view.get(1, "a").is_some(), "no longer the old server's");
        view.sync(Some(&[2]), &[record(2, "b", 2)], read);
        assert!(
            view.get(1, "a").is_none(),
            "its new server's read lacked it"
        );
        assert!(view.get(1, "b").is_some());
    }

    #[test]
    fn releasing_a_server_drops_its_meetings_only() {
        let view = loaded(&[record(1, "a", 1), record(2, "b", 2)]);
        view.released(1);
        assert!(view.get(1, "a").is_none());
        assert!(view.get(1, "b").is_some());
    }

    #[test]
    fn forgetting_everything_leaves_misses_to_refill() {
        let view = loaded(&[record(1, "a", 1)]);
        view.forget_all();
        assert!(view.get(1, "a").is_none());
        assert!(view.enabled());
        view.fill(&record(1, "a", 1), view.stamp());
        assert!(view.get(1, "a").is_some());
    }
}
