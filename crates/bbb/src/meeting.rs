//! The parts of a `<meeting>` (getMeetings) or getMeetingInfo `<response>` that
//! Plenary reads: identity, size and what the people in it are doing.

use crate::xml::Element;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeetingSummary {
    pub meeting_id: String,
    pub internal_meeting_id: String,
    pub name: String,
    /// Milliseconds since the Unix epoch, as BBB reports it.
    pub create_time_ms: i64,
    pub running: bool,
    pub is_breakout: bool,
    pub parent_meeting_id: Option<String>,
    pub participants: u32,
    pub moderators: u32,
    pub listeners: u32,
    pub voice_participants: u32,
    /// Webcam streams, summed over users (one user may send several).
    pub video_streams: u32,
    pub max_users: u32,
    pub metadata: Vec<(String, String)>,
}

impl MeetingSummary {
    pub fn from_element(el: &Element) -> Self {
        let text = |n: &str| el.child_text(n).unwrap_or_default();
        let num = |n: &str| text(n).parse::<u32>().unwrap_or(0);
        let metadata = el
            .child("metadata")
            .map(|m| m.elements().map(|e| (e.name.clone(), e.text())).collect())
            .unwrap_or_default();
        let parent = el
            .child_text("parentMeetingID")
            .or_else(|| el.child("breakout").and_then(|b| b.child_text("parentId")))
            .filter(|p| !p.is_empty() && p != "bbb-none");
        Self {
            meeting_id: text("meetingID"),
            internal_meeting_id: text("internalMeetingID"),
            name: text("meetingName"),
            create_time_ms: text("createTime").parse().unwrap_or(0),
            running: text("running") == "true",
            is_breakout: text("isBreakout") == "true",
            parent_meeting_id: parent,
            participants: num("participantCount"),
            moderators: num("moderatorCount"),
            listeners: num("listenerCount"),
            voice_participants: num("voiceParticipantCount"),
            video_streams: num("videoCount"),
            max_users: num("maxUsers"),
            metadata,
        }
    }

    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// People talking: BBB counts listen-only users among the voice participants.
    pub fn mic_users(&self) -> u32 {
        self.voice_participants.saturating_sub(self.listeners)
    }
}

/// The `<meeting>` elements of a getMeetings answer (none for `noMeetings`).
pub fn meetings_of(get_meetings: &Element) -> Vec<MeetingSummary> {
    get_meetings
        .child("meetings")
        .map(|ms| ms.elements().map(MeetingSummary::from_element).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_counts_metadata_and_breakout_parent() {
        let el = Element::parse(
            "<meeting><meetingID>m</meetingID><createTime>1531155809613</createTime>\
             <running>true</running><participantCount>5</participantCount>\
             <listenerCount>2</listenerCount><voiceParticipantCount>4</voiceParticipantCount>\
             <videoCount>3</videoCount><moderatorCount>1</moderatorCount>\
             <isBreakout>true</isBreakout><parentMeetingID>p</parentMeetingID>\
             <metadata><plenary-tenant>acme</plenary-tenant></metadata></meeting>",
        )
        .unwrap();
        let m = MeetingSummary::from_element(&el);
        assert_eq!(m.create_time_ms, 1_531_155_809_613);
        assert_eq!((m.participants, m.mic_users(), m.video_streams), (5, 2, 3));
        assert_eq!(m.parent_meeting_id.as_deref(), Some("p"));
        assert_eq!(m.meta("plenary-tenant"), Some("acme"));
    }
}
