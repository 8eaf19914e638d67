//! How heavy a meeting is, in load points (one point ≈ one seated participant).
//!
//! A young meeting reserves the seats it will probably fill, decaying to zero
//! over `cooldown`: a meeting created a second ago has nobody in it yet, but
//! counting it as empty is what piles bursts of creates onto one server.

/// Named, documented knobs of the load model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadModel {
    /// Fixed cost of a meeting, whatever its size (media servers, recording).
    pub per_meeting: u64,
    /// Cost of one participant.
    pub per_participant: u64,
    /// Extra cost of one participant on the microphone (half a point: ×2 scale below).
    pub per_voice_half: u64,
    /// Extra cost of one webcam stream (half a point).
    pub per_video_half: u64,
    /// Seats a new meeting is expected to fill when the caller gives no hint.
    pub default_size: u64,
    /// The largest size hint believed (`meta_bbb-meeting-size-hint`).
    pub max_size_hint: u64,
    /// How long reserved seats take to decay to nothing.
    pub cooldown_ms: i64,
}

impl Default for LoadModel {
    fn default() -> Self {
        Self {
            per_meeting: 5,
            per_participant: 1,
            per_voice_half: 1,
            per_video_half: 1,
            default_size: 20,
            max_size_hint: 100,
            cooldown_ms: 30 * 60 * 1000,
        }
    }
}

/// What the load model needs to know of one meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeetingLoad {
    pub participants: u64,
    pub voice: u64,
    pub video: u64,
    /// Milliseconds since the meeting was created (BBB's `createTime` is in ms).
    pub age_ms: i64,
    pub size_hint: Option<u64>,
}

impl LoadModel {
    fn expected_size(&self, hint: Option<u64>) -> u64 {
        hint.map_or(self.default_size, |h| h.clamp(1, self.max_size_hint))
    }

    /// What placing a brand-new meeting adds to a server.
    pub fn new_meeting_cost(&self, size_hint: Option<u64>) -> u64 {
        self.meeting(&MeetingLoad {
            size_hint,
            ..MeetingLoad::default()
        })
    }

    /// The load of one running meeting: its people, or the seats it still
    /// reserves while young, whichever is more.
    pub fn meeting(&self, m: &MeetingLoad) -> u64 {
        let age = m.age_ms.clamp(0, self.cooldown_ms);
        let remaining = (self.cooldown_ms - age) as u128;
        let reserved = (self.expected_size(m.size_hint) as u128 * remaining
            / self.cooldown_ms.max(1) as u128) as u64;
        let seats = m.participants.max(reserved);
        self.per_meeting
            + seats * self.per_participant
            + (m.voice * self.per_voice_half + m.video * self.per_video_half) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_meeting_reserves_its_expected_size() {
        let m = LoadModel::default();
        assert_eq!(m.new_meeting_cost(None), 25);
        assert_eq!(m.new_meeting_cost(Some(50)), 55);
        assert_eq!(m.new_meeting_cost(Some(10_000)), 105);
    }

    #[test]
    fn reserved_seats_decay_with_age_in_milliseconds() {
        let m = LoadModel::default();
        let at = |minutes: i64| {
            m.meeting(&MeetingLoad {
                age_ms: minutes * 60_000,
                ..MeetingLoad::default()
            })
        };
        assert_eq!(at(0), 25);
        assert_eq!(at(15), 15);
        assert_eq!(at(30), 5);
        assert_eq!(at(600), 5);
    }

    #[test]
    fn real_people_count_once_they_outnumber_the_reservation() {
        let m = LoadModel::default();
        let load = m.meeting(&MeetingLoad {
            participants: 40,
            voice: 10,
            video: 4,
            age_ms: 0,
            size_hint: None,
        });
        assert_eq!(load, 5 + 40 + 7);
    }
}
