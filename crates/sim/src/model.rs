//! The state of one simulated BBB server, as plain data with pure
//! operations: what a real server keeps in its meetings, users and
//! recordings, and how they change. No I/O here.

use bbb::xml::Writer;
use bbb::{ApiError, Element, Params};
use rand::Rng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

/// How simulated people behave, per behaviour step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BehaviourModel {
    /// Chance that a person leaves.
    pub leave: f64,
    /// Chance that a person on the microphone mutes off it, or back.
    pub toggle_mic: f64,
    /// Chance that a person switches between listen-only and microphone.
    pub toggle_listen_only: f64,
    /// Chance that a person starts a webcam (or stops one).
    pub toggle_webcam: f64,
    /// Share of joining people who connect audio as listen-only.
    pub joins_listen_only: f64,
}

impl Default for BehaviourModel {
    fn default() -> Self {
        Self {
            leave: 0.01,
            toggle_mic: 0.05,
            toggle_listen_only: 0.02,
            toggle_webcam: 0.04,
            joins_listen_only: 0.4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub user_id: String,
    pub external_id: String,
    pub full_name: String,
    pub moderator: bool,
    pub listen_only: bool,
    /// On the microphone (joined voice, not listen-only).
    pub mic: bool,
    pub webcams: u32,
    pub customdata: Vec<(String, String)>,
}

impl User {
    fn has_joined_voice(&self) -> bool {
        self.mic || self.listen_only
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meeting {
    pub meeting_id: String,
    pub internal_id: String,
    pub name: String,
    pub create_time: i64,
    pub attendee_pw: String,
    pub moderator_pw: String,
    pub voice_bridge: String,
    pub duration_min: u64,
    pub max_participants: u32,
    pub record: bool,
    pub meeting_camera_cap: u32,
    pub user_camera_cap: u32,
    pub expire_no_join_min: u64,
    pub expire_last_left_min: u64,
    pub metadata: Vec<(String, String)>,
    pub parent_internal_id: Option<String>,
    pub sequence: u32,
    pub free_join: bool,
    pub users: Vec<User>,
    pub has_user_joined: bool,
    pub start_time: i64,
    pub last_left_at: Option<i64>,
    pub forcibly_ended: bool,
    pub max_seen: u32,
    pub documents: u32,
    pub chat_messages: u32,
    /// `meetingEndedURL`, which BBB keeps out of the metadata.
    pub meeting_ended_url: Option<String>,
    /// `meetingKeepEvents`: events.xml is kept, so analytics are sent.
    pub keep_events: bool,
}

impl Meeting {
    pub fn running(&self) -> bool {
        !self.users.is_empty()
    }

    pub fn is_breakout(&self) -> bool {
        self.parent_internal_id.is_some()
    }

    fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// A call a server makes to the URLs given on create, once a meeting ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Callback {
    /// A GET of this URL (`meta_endCallbackUrl` with `recordingmarks`, or
    /// `meetingEndedURL` as given).
    Get { url: String },
    /// A POST of `signed_parameters`, a JWT HS256 of these, signed with the
    /// server's secret, once the recording is published.
    RecordingReady {
        url: String,
        meeting_id: String,
        record_id: String,
    },
    /// A POST of this JSON with a JWT HS512 bearer, after events are processed.
    Analytics {
        url: String,
        body: serde_json::Value,
    },
}

/// What BBB calls back when `m` ends at `now`, in the order it does:
/// the end at once, then analytics and the recording after processing.
fn callbacks_of(m: &Meeting, now: i64, recorded: bool) -> Vec<Callback> {
    let mut out = Vec::new();
    if let Some(url) = m.meta("endcallbackurl") {
        let sep = if url.contains('?') { '&' } else { '?' };
        out.push(Callback::Get {
            url: format!("{url}{sep}recordingmarks={}", bool_text(recorded)),
        });
    }
    if let Some(url) = m.meeting_ended_url.as_deref().filter(|u| !u.is_empty()) {
        out.push(Callback::Get {
            url: url.to_string(),
        });
    }
    if let Some(url) = m.meta("analytics-callback-url")
        && (m.keep_events || m.record)
    {
        out.push(Callback::Analytics {
            url: url.to_string(),
            body: analytics_body(m, now),
        });
    }
    if recorded
        && let Some(url) = m
            .meta("bbb-recording-ready-url")
            .or_else(|| m.meta("bn-recording-ready-url"))
    {
        out.push(Callback::RecordingReady {
            url: url.to_string(),
            meeting_id: m.meeting_id.clone(),
            record_id: m.internal_id.clone(),
        });
    }
    out
}

/// The analytics callback's body, as `post_events_analytics_callback.rb`
/// sends it (attendees are the people present at the end).
fn analytics_body(m: &Meeting, now: i64) -> serde_json::Value {
    let metadata: serde_json::Map<String, serde_json::Value> = m
        .metadata
        .iter()
        .filter(|(k, _)| !k.starts_with("gl_"))
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let attendees: Vec<serde_json::Value> = m
        .users
        .iter()
        .map(|u| {
            serde_json::json!({
                "ext_user_id": u.external_id,
                "name": u.full_name,
                "moderator": u.moderator,
                "joins": [],
                "leaves": [],
                "duration": (now - m.start_time) / 1000,
            })
        })
        .collect();
    serde_json::json!({
        "version": "1.0",
        "meeting_id": m.meeting_id,
        "internal_meeting_id": m.internal_id,
        "data": {
            "metadata": metadata,
            "duration": (now - m.start_time) / 1000,
            "start": m.start_time,
            "finish": now,
            "attendees": attendees,
            "files": [],
            "polls": [],
        },
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recording {
    pub record_id: String,
    pub meeting_id: String,
    pub internal_meeting_id: String,
    pub name: String,
    pub published: bool,
    pub deleted: bool,
    pub start_time: i64,
    pub end_time: i64,
    pub participants: u32,
    pub metadata: Vec<(String, String)>,
    pub is_breakout: bool,
}

impl Recording {
    pub fn state(&self) -> &'static str {
        match (self.deleted, self.published) {
            (true, _) => "deleted",
            (false, true) => "published",
            (false, false) => "unpublished",
        }
    }
}

/// Everything one simulated server knows.
#[derive(Debug, Default)]
pub struct ServerState {
    pub meetings: Vec<Meeting>,
    /// Meetings ended by `end`: joins get `meetingForciblyEnded` until re-created.
    pub ended: Vec<String>,
    pub recordings: Vec<Recording>,
    /// Callbacks due, for the server to send.
    pub callbacks: Vec<Callback>,
    next_user: u64,
}

fn random_token(rng: &mut StdRng, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn flag(p: &Params, key: &str) -> bool {
    p.get(key).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn number<T: std::str::FromStr>(p: &Params, key: &str) -> Option<T> {
    p.get(key).and_then(|v| v.trim().parse().ok())
}

/// The outcome of a join.
pub struct Joined {
    pub user_id: String,
    pub auth_token: String,
    pub session_token: String,
    pub internal_meeting_id: String,
}

impl ServerState {
    pub fn meeting(&self, id: &str) -> Option<&Meeting> {
        self.meetings.iter().find(|m| m.meeting_id == id)
    }

    fn meeting_mut(&mut self, id: &str) -> Option<&mut Meeting> {
        self.meetings.iter_mut().find(|m| m.meeting_id == id)
    }

    /// BBB's create: a repeat answers `duplicateWarning` when the passwords
    /// match (or none are sent) and `idNotUnique` otherwise.
    pub fn create(
        &mut self,
        p: &Params,
        now: i64,
        rng: &mut StdRng,
    ) -> Result<(Meeting, bool), ApiError> {
        let id = p
            .get_nonblank("meetingID")
            .ok_or_else(ApiError::missing_meeting_id)?;
        let len = id.chars().count();
        if !(2..=256).contains(&len) {
            return Err(ApiError::validation(
                "Meeting ID must be between 2 and 256 characters",
            ));
        }
        if id.contains(',') {
            return Err(ApiError::validation("Meeting ID cannot contain ','"));
        }
        if let Some(existing) = self.meeting(id) {
            let same = |key: &str, have: &str| p.get(key).is_none_or(|v| v == have);
            if same("attendeePW", &existing.attendee_pw)
                && same("moderatorPW", &existing.moderator_pw)
            {
                return Ok((existing.clone(), true));
            }
            return Err(ApiError::id_not_unique());
        }
        let parent = flag(p, "isBreakout")
            .then(|| p.get_nonblank("parentMeetingID").map(str::to_string))
            .map(|parent| parent.ok_or_else(ApiError::parent_meeting_id_missing))
            .transpose()?;
        let meeting = Meeting {
            meeting_id: id.to_string(),
            internal_id: format!(
                "{}-{now}",
                bbb::Algorithm::Sha1.hex_digest(&[id.as_bytes()])
            ),
            name: p.get("name").unwrap_or(id).to_string(),
            create_time: now,
            attendee_pw: p
                .get("attendeePW")
                .map_or_else(|| random_token(rng, 8), str::to_string),
            moderator_pw: p
                .get("moderatorPW")
                .map_or_else(|| random_token(rng, 8), str::to_string),
            voice_bridge: p.get("voiceBridge").map_or_else(
                || rng.random_range(70000..80000).to_string(),
                str::to_string,
            ),
            duration_min: number(p, "duration").unwrap_or(0),
            max_participants: number(p, "maxParticipants").unwrap_or(0),
            record: flag(p, "record"),
            meeting_camera_cap: number(p, "meetingCameraCap").unwrap_or(0),
            user_camera_cap: number(p, "userCameraCap").unwrap_or(3),
            expire_no_join_min: number(p, "meetingExpireIfNoUserJoinedInMinutes").unwrap_or(5),
            expire_last_left_min: number(p, "meetingExpireWhenLastUserLeftInMinutes").unwrap_or(1),
            metadata: p.metadata().map(|(k, v)| (k, v.to_string())).collect(),
            parent_internal_id: parent,
            sequence: number(p, "sequence").unwrap_or(0),
            free_join: flag(p, "freeJoin"),
            users: Vec::new(),
            has_user_joined: false,
            start_time: now,
            last_left_at: None,
            forcibly_ended: false,
            max_seen: 0,
            documents: 0,
            chat_messages: 0,
            meeting_ended_url: p.get("meetingEndedURL").map(str::to_string),
            keep_events: flag(p, "meetingKeepEvents"),
        };
        self.ended.retain(|e| e != id);
        self.meetings.push(meeting.clone());
        Ok((meeting, false))
    }

    /// BBB's join checks, then the person appears in the meeting.
    pub fn join(
        &mut self,
        p: &Params,
        model: &BehaviourModel,
        rng: &mut StdRng,
    ) -> Result<Joined, ApiError> {
        let id = p
            .get_nonblank("meetingID")
            .ok_or_else(ApiError::missing_meeting_id)?;
        let name = p
            .get_nonblank("fullName")
            .ok_or_else(ApiError::missing_full_name)?;
        if self.ended.iter().any(|e| e == id) && self.meeting(id).is_none() {
            return Err(ApiError::meeting_forcibly_ended());
        }
        self.next_user += 1;
        let serial = self.next_user;
        let meeting = self
            .meeting_mut(id)
            .ok_or_else(ApiError::invalid_meeting_identifier)?;
        if let Some(ct) = p.get_nonblank("createTime")
            && ct != meeting.create_time.to_string()
        {
            return Err(ApiError::mismatch_create_time());
        }
        let moderator = match (p.get("role"), p.get("password")) {
            (Some(role), _) if !role.is_empty() => role.eq_ignore_ascii_case("MODERATOR"),
            (_, Some(pw)) if pw == meeting.moderator_pw => true,
            (_, Some(pw)) if pw == meeting.attendee_pw => false,
            (_, Some(pw)) if !pw.is_empty() => {
                return Err(ApiError::new(
                    "invalidPassword",
                    "The supplied password is incorrect",
                ));
            }
            _ => false,
        };
        let user_id = format!("w_{serial:012}");
        let external_id = p
            .get_nonblank("userID")
            .map_or_else(|| user_id.clone(), str::to_string);
        let rejoin = meeting.users.iter().any(|u| u.external_id == external_id);
        if !rejoin
            && meeting.max_participants > 0
            && meeting.users.len() as u32 >= meeting.max_participants
        {
            return Err(ApiError::max_participants_reached());
        }
        // A rejoin replaces the earlier session of the same person.
        meeting.users.retain(|u| u.external_id != external_id);
        let listen_only = rng.random_bool(model.joins_listen_only.clamp(0.0, 1.0));
        meeting.users.push(User {
            user_id: user_id.clone(),
            external_id,
            full_name: name.to_string(),
            moderator,
            listen_only,
            mic: !listen_only,
            webcams: 0,
            customdata: p
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("userdata-")
                        .map(|k| (k.to_string(), v.to_string()))
                })
                .collect(),
        });
        meeting.has_user_joined = true;
        meeting.last_left_at = None;
        meeting.max_seen = meeting.max_seen.max(meeting.users.len() as u32);
        Ok(Joined {
            user_id,
            auth_token: random_token(rng, 12),
            session_token: random_token(rng, 16),
            internal_meeting_id: meeting.internal_id.clone(),
        })
    }

    /// Ends a meeting as a moderator's `end` does; its recording appears.
    pub fn end(&mut self, id: &str, now: i64) -> bool {
        let Some(i) = self.meetings.iter().position(|m| m.meeting_id == id) else {
            return false;
        };
        self.finish(i, now);
        self.ended.push(id.to_string());
        true
    }

    fn finish(&mut self, index: usize, now: i64) {
        let m = self.meetings.remove(index);
        let recorded = m.record && m.has_user_joined;
        self.callbacks.extend(callbacks_of(&m, now, recorded));
        if recorded {
            self.recordings.push(Recording {
                record_id: m.internal_id.clone(),
                meeting_id: m.meeting_id.clone(),
                internal_meeting_id: m.internal_id.clone(),
                name: m.name.clone(),
                published: true,
                deleted: false,
                start_time: m.start_time,
                end_time: now,
                participants: m.max_seen,
                metadata: m.metadata.clone(),
                is_breakout: m.is_breakout(),
            });
        }
        // Breakout rooms end with their parent.
        let children: Vec<String> = self
            .meetings
            .iter()
            .filter(|c| c.parent_internal_id.as_deref() == Some(m.internal_id.as_str()))
            .map(|c| c.meeting_id.clone())
            .collect();
        for child in children {
            if let Some(i) = self.meetings.iter().position(|c| c.meeting_id == child) {
                self.finish(i, now);
            }
        }
    }

    /// One step of people's behaviour and of BBB's meeting expiry rules.
    pub fn step(&mut self, now: i64, model: &BehaviourModel, rng: &mut StdRng) {
        for m in &mut self.meetings {
            let before = m.users.len();
            m.users
                .retain(|_| !rng.random_bool(model.leave.clamp(0.0, 1.0)));
            if before > 0 && m.users.is_empty() {
                m.last_left_at = Some(now);
            }
            let cams_in_use: u32 = m.users.iter().map(|u| u.webcams).sum();
            let mut cams = cams_in_use;
            for u in &mut m.users {
                if rng.random_bool(model.toggle_listen_only.clamp(0.0, 1.0)) {
                    u.listen_only = !u.listen_only;
                    u.mic = !u.listen_only;
                } else if u.has_joined_voice()
                    && !u.listen_only
                    && rng.random_bool(model.toggle_mic.clamp(0.0, 1.0))
                {
                    u.mic = !u.mic;
                }
                if rng.random_bool(model.toggle_webcam.clamp(0.0, 1.0)) {
                    let meeting_full = m.meeting_camera_cap > 0 && cams >= m.meeting_camera_cap;
                    let user_full = u.webcams >= m.user_camera_cap.max(1);
                    if u.webcams > 0 && (rng.random_bool(0.5) || meeting_full || user_full) {
                        u.webcams -= 1;
                        cams -= 1;
                    } else if !meeting_full && !user_full {
                        u.webcams += 1;
                        cams += 1;
                    }
                }
            }
        }
        let expired: Vec<usize> = self
            .meetings
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                let out_of_time =
                    m.duration_min > 0 && now >= m.create_time + m.duration_min as i64 * 60_000;
                let never_joined = !m.has_user_joined
                    && now >= m.create_time + m.expire_no_join_min as i64 * 60_000;
                let left_empty = m.users.is_empty()
                    && m.last_left_at
                        .is_some_and(|t| now >= t + m.expire_last_left_min as i64 * 60_000);
                out_of_time || never_joined || left_empty
            })
            .map(|(i, _)| i)
            .collect();
        for i in expired.into_iter().rev() {
            self.finish(i, now);
        }
    }

    /// Adds a scripted person (the simulator's admin interface).
    pub fn add_user(&mut self, meeting_id: &str, spec: &UserSpec) -> Option<String> {
        self.next_user += 1;
        let user_id = format!("w_{:012}", self.next_user);
        let m = self.meeting_mut(meeting_id)?;
        m.users.push(User {
            user_id: user_id.clone(),
            external_id: spec.user_id.clone().unwrap_or_else(|| user_id.clone()),
            full_name: spec.full_name.clone().unwrap_or_else(|| "Scripted".into()),
            moderator: spec.moderator.unwrap_or(false),
            listen_only: spec.listen_only.unwrap_or(false),
            mic: spec.mic.unwrap_or(false),
            webcams: spec.webcams.unwrap_or(0),
            customdata: Vec::new(),
        });
        m.has_user_joined = true;
        m.last_left_at = None;
        m.max_seen = m.max_seen.max(m.users.len() as u32);
        Some(user_id)
    }

    pub fn change_user(&mut self, meeting_id: &str, user_id: &str, spec: &UserSpec) -> bool {
        let Some(u) = self.meeting_mut(meeting_id).and_then(|m| {
            m.users
                .iter_mut()
                .find(|u| u.user_id == user_id || u.external_id == user_id)
        }) else {
            return false;
        };
        if let Some(v) = spec.listen_only {
            u.listen_only = v;
        }
        if let Some(v) = spec.mic {
            u.mic = v;
        }
        if let Some(v) = spec.webcams {
            u.webcams = v;
        }
        true
    }

    pub fn remove_user(&mut self, meeting_id: &str, user_id: &str, now: i64) -> bool {
        let Some(m) = self.meeting_mut(meeting_id) else {
            return false;
        };
        let before = m.users.len();
        m.users
            .retain(|u| u.user_id != user_id && u.external_id != user_id);
        if m.users.is_empty() && before > 0 {
            m.last_left_at = Some(now);
        }
        m.users.len() < before
    }

    pub fn note_document(&mut self, id: &str) -> bool {
        self.meeting_mut(id).map(|m| m.documents += 1).is_some()
    }

    pub fn note_chat(&mut self, id: &str) -> bool {
        self.meeting_mut(id).map(|m| m.chat_messages += 1).is_some()
    }
}

/// A scripted person, or a change to one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserSpec {
    pub full_name: Option<String>,
    pub user_id: Option<String>,
    pub moderator: Option<bool>,
    pub mic: Option<bool>,
    pub listen_only: Option<bool>,
    pub webcams: Option<u32>,
}

/// BBB's `createDate`: a Java `Date.toString()`.
pub fn java_date(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%a %b %d %H:%M:%S UTC %Y").to_string())
        .unwrap_or_default()
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The children shared by getMeetingInfo's `<response>` and getMeetings'
/// `<meeting>`, written straight out: a busy server's getMeetings holds
/// thousands of them.
pub fn meeting_fields(w: &mut Writer, m: &Meeting, all: &[Meeting]) {
    let count = |f: &dyn Fn(&User) -> bool| m.users.iter().filter(|u| f(u)).count();
    w.text("meetingName", &m.name);
    w.text("meetingID", &m.meeting_id);
    w.text("internalMeetingID", &m.internal_id);
    w.text("createTime", m.create_time);
    w.text("createDate", java_date(m.create_time));
    w.text("voiceBridge", &m.voice_bridge);
    w.text("dialNumber", "613-555-1234");
    w.text("attendeePW", &m.attendee_pw);
    w.text("moderatorPW", &m.moderator_pw);
    w.text("running", bool_text(m.running()));
    w.text("duration", m.duration_min);
    w.text("hasUserJoined", bool_text(m.has_user_joined));
    w.text("recording", bool_text(m.record));
    w.text("hasBeenForciblyEnded", bool_text(m.forcibly_ended));
    w.text("startTime", m.start_time);
    w.text("endTime", 0);
    w.text("participantCount", m.users.len());
    w.text("listenerCount", count(&|u| u.listen_only));
    w.text("voiceParticipantCount", count(&User::has_joined_voice));
    w.text("videoCount", m.users.iter().map(|u| u.webcams).sum::<u32>());
    w.text("maxUsers", m.max_participants);
    w.text("moderatorCount", count(&|u| u.moderator));
    w.element("attendees", |w| {
        for u in &m.users {
            w.element("attendee", |w| {
                w.text("userID", &u.external_id);
                w.text("fullName", &u.full_name);
                w.text("role", if u.moderator { "MODERATOR" } else { "VIEWER" });
                w.text("isPresenter", bool_text(u.moderator));
                w.text("isListeningOnly", bool_text(u.listen_only));
                w.text("hasJoinedVoice", bool_text(u.has_joined_voice()));
                w.text("hasVideo", bool_text(u.webcams > 0));
                w.text("clientType", "HTML5");
                if !u.customdata.is_empty() {
                    w.element("customdata", |w| {
                        for (k, v) in &u.customdata {
                            w.text(k, v);
                        }
                    });
                }
            });
        }
    });
    w.element("metadata", |w| {
        for (k, v) in &m.metadata {
            w.text(k, v);
        }
    });
    w.text("isBreakout", bool_text(m.is_breakout()));
    if let Some(parent) = &m.parent_internal_id {
        w.text("parentMeetingID", parent);
        w.text("sequence", m.sequence);
        w.text("freeJoin", bool_text(m.free_join));
    }
    let mut rooms = all
        .iter()
        .filter(|c| c.parent_internal_id.as_deref() == Some(m.internal_id.as_str()))
        .peekable();
    if rooms.peek().is_some() {
        w.element("breakoutRooms", |w| {
            for r in rooms {
                w.text("breakout", &r.internal_id);
            }
        });
    }
}

pub fn recording_element(r: &Recording, host: &str) -> Element {
    let mut metadata = Element::new("metadata");
    for (k, v) in &r.metadata {
        metadata.push_text_child(k, v);
    }
    let format = Element::new("format")
        .with("type", "presentation")
        .with(
            "url",
            format!("{host}/playback/presentation/2.3/{}", r.record_id),
        )
        .with("processingTime", 1200)
        .with("length", ((r.end_time - r.start_time) / 60_000).max(1));
    Element::new("recording")
        .with("recordID", &r.record_id)
        .with("meetingID", &r.meeting_id)
        .with("internalMeetingID", &r.internal_meeting_id)
        .with("name", &r.name)
        .with("isBreakout", bool_text(r.is_breakout))
        .with("published", bool_text(r.published))
        .with("state", r.state())
        .with("startTime", r.start_time)
        .with("endTime", r.end_time)
        .with("participants", r.participants)
        .with_child(metadata)
        .with_child(Element::new("playback").with_child(format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn p(q: &str) -> Params {
        Params::parse(q)
    }

    #[test]
    fn a_repeat_create_is_a_duplicate_unless_the_passwords_differ() {
        let mut s = ServerState::default();
        let mut rng = StdRng::seed_from_u64(1);
        let (first, dup) = s
            .create(
                &p("meetingID=m1&attendeePW=a&moderatorPW=b"),
                1_000,
                &mut rng,
            )
            .unwrap();
        assert!(!dup);
        assert_eq!(
            first.internal_id,
            format!("{}-1000", bbb::Algorithm::Sha1.hex_digest(&[b"m1"]))
        );
        assert!(
            s.create(
                &p("meetingID=m1&attendeePW=a&moderatorPW=b"),
                2_000,
                &mut rng
            )
            .unwrap()
            .1
        );
        assert!(s.create(&p("meetingID=m1"), 2_000, &mut rng).unwrap().1);
        assert_eq!(
            s.create(&p("meetingID=m1&attendeePW=x"), 2_000, &mut rng)
                .unwrap_err()
                .key,
            "idNotUnique"
        );
    }

    #[test]
    fn max_participants_counts_people_and_exempts_rejoins() {
        let mut s = ServerState::default();
        let mut rng = StdRng::seed_from_u64(1);
        let model = BehaviourModel::default();
        s.create(&p("meetingID=m1&maxParticipants=1"), 0, &mut rng)
            .unwrap();
        s.join(&p("meetingID=m1&fullName=A&userID=a"), &model, &mut rng)
            .unwrap();
        s.join(&p("meetingID=m1&fullName=A&userID=a"), &model, &mut rng)
            .unwrap();
        let err = s
            .join(&p("meetingID=m1&fullName=B&userID=b"), &model, &mut rng)
            .err()
            .unwrap();
        assert_eq!(err.key, "maxParticipantsReached");
        assert_eq!(s.meeting("m1").unwrap().users.len(), 1);
    }

    #[test]
    fn meetings_expire_as_bbb_expires_them() {
        let mut s = ServerState::default();
        let mut rng = StdRng::seed_from_u64(1);
        let still = BehaviourModel {
            leave: 0.0,
            ..BehaviourModel::default()
        };
        s.create(&p("meetingID=never"), 0, &mut rng).unwrap();
        s.create(&p("meetingID=timed&duration=2"), 0, &mut rng)
            .unwrap();
        s.join(&p("meetingID=timed&fullName=A"), &still, &mut rng)
            .unwrap();
        s.step(4 * 60_000, &still, &mut rng);
        assert!(
            s.meeting("never").is_some(),
            "five minutes to get a first person"
        );
        s.step(5 * 60_000, &still, &mut rng);
        assert!(s.meeting("never").is_none());
        assert!(s.meeting("timed").is_none(), "duration reached");
    }

    #[test]
    fn an_emptied_meeting_ends_after_its_grace_minute_and_leaves_a_recording() {
        let mut s = ServerState::default();
        let mut rng = StdRng::seed_from_u64(1);
        let model = BehaviourModel::default();
        s.create(&p("meetingID=m1&record=true"), 0, &mut rng)
            .unwrap();
        let j = s
            .join(&p("meetingID=m1&fullName=A"), &model, &mut rng)
            .unwrap();
        assert!(s.remove_user("m1", &j.user_id, 10_000));
        s.step(60_000, &model, &mut rng);
        assert!(s.meeting("m1").is_some());
        s.step(70_000, &model, &mut rng);
        assert!(s.meeting("m1").is_none());
        assert_eq!(s.recordings.len(), 1);
        assert_eq!(s.recordings[0].record_id, j.internal_meeting_id);
    }

    #[test]
    fn an_ended_meeting_calls_back_as_bbb_does() {
        let mut s = ServerState::default();
        let mut rng = StdRng::seed_from_u64(1);
        let model = BehaviourModel::default();
        s.create(
            &p("meetingID=m1&record=true&meta_endCallbackUrl=http%3A%2F%2Ff%2Fend%3Fid%3D1\
                &meetingEndedURL=http%3A%2F%2Ff%2Fended&meta_bbb-recording-ready-url=http%3A%2F%2Ff%2Frec\
                &meta_analytics-callback-url=http%3A%2F%2Ff%2Fa&meta_gl-listed=true"),
            0,
            &mut rng,
        )
        .unwrap();
        let j = s
            .join(&p("meetingID=m1&fullName=A"), &model, &mut rng)
            .unwrap();
        assert!(s.callbacks.is_empty());
        assert!(s.end("m1", 60_000));
        let calls = std::mem::take(&mut s.callbacks);
        assert_eq!(calls.len(), 4);
        assert_eq!(
            calls[0],
            Callback::Get {
                url: "http://f/end?id=1&recordingmarks=true".into()
            }
        );
        assert_eq!(
            calls[1],
            Callback::Get {
                url: "http://f/ended".into()
            }
        );
        let Callback::Analytics { body, .. } = &calls[2] else {
            panic!("analytics third")
        };
        assert_eq!(body["meeting_id"], "m1");
        assert_eq!(body["data"]["duration"], 60);
        assert!(body["data"]["metadata"].get("gl-listed").is_some());
        assert_eq!(
            calls[3],
            Callback::RecordingReady {
                url: "http://f/rec".into(),
                meeting_id: "m1".into(),
                record_id: j.internal_meeting_id,
            }
        );
    }

    #[test]
    fn an_unrecorded_meeting_sends_analytics_only_when_it_keeps_its_events() {
        let mut s = ServerState::default();
        let mut rng = StdRng::seed_from_u64(1);
        let q = "meta_analytics-callback-url=http%3A%2F%2Ff%2Fa&meta_bbb-recording-ready-url=http%3A%2F%2Ff%2Fr";
        s.create(&p(&format!("meetingID=plain&{q}")), 0, &mut rng)
            .unwrap();
        s.create(
            &p(&format!("meetingID=kept&meetingKeepEvents=true&{q}")),
            0,
            &mut rng,
        )
        .unwrap();
        s.end("plain", 1);
        assert!(s.callbacks.is_empty());
        s.end("kept", 1);
        assert!(matches!(
            s.callbacks.as_slice(),
            [Callback::Analytics { .. }]
        ));
    }

    #[test]
    fn the_behaviour_is_repeatable_for_a_seed() {
        let run = |seed| {
            let mut s = ServerState::default();
            let mut rng = StdRng::seed_from_u64(seed);
            let model = BehaviourModel {
                leave: 0.0,
                toggle_webcam: 0.5,
                ..BehaviourModel::default()
            };
            s.create(&p("meetingID=m1"), 0, &mut rng).unwrap();
            for i in 0..10 {
                s.join(&p(&format!("meetingID=m1&fullName=U{i}")), &model, &mut rng)
                    .unwrap();
            }
            for t in 0..20 {
                s.step(t * 1000, &model, &mut rng);
            }
            s.meeting("m1")
                .unwrap()
                .users
                .iter()
                .map(|u| (u.mic, u.listen_only, u.webcams))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn webcam_caps_are_respected() {
        let mut s = ServerState::default();
        let mut rng = StdRng::seed_from_u64(3);
        let model = BehaviourModel {
            leave: 0.0,
            toggle_webcam: 1.0,
            ..BehaviourModel::default()
        };
        s.create(
            &p("meetingID=m1&meetingCameraCap=2&userCameraCap=1"),
            0,
            &mut rng,
        )
        .unwrap();
        for i in 0..5 {
            s.join(&p(&format!("meetingID=m1&fullName=U{i}")), &model, &mut rng)
                .unwrap();
        }
        for t in 0..50 {
            s.step(t, &model, &mut rng);
            let m = s.meeting("m1").unwrap();
            assert!(m.users.iter().map(|u| u.webcams).sum::<u32>() <= 2);
            assert!(m.users.iter().all(|u| u.webcams <= 1));
        }
    }
}
