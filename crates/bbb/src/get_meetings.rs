//! A `getMeetings` answer read as it streams through the XML reader,
//! keeping only what the poller needs of each meeting: no tree of the
//! answer is built, so a busy server's answer costs a pass over its bytes
//! and one small record per meeting.
//!
//! It reads exactly what [`crate::meeting::meetings_of`] reads from the
//! parsed and whitespace-trimmed tree ([`crate::xml::Element::parse`],
//! [`crate::xml::trim_whitespace`]), and refuses exactly the documents that
//! parser refuses: the same first child of each name counts, the same
//! whitespace between elements is dropped, the same depth bound holds.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::meeting::MeetingSummary;
use crate::xml::{MAX_DEPTH, XmlError};

/// What a server answered to `getMeetings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingList {
    /// `returncode` SUCCESS: the meetings, in the answer's order.
    Meetings(Vec<MeetingSummary>),
    /// Any other `returncode`, with the answer's `messageKey` (empty if none).
    Failed { message_key: String },
}

/// Reads a `getMeetings` answer, keeping of each meeting's metadata only
/// the keys in `metadata`.
pub fn read_get_meetings(doc: &[u8], metadata: &[&str]) -> Result<MeetingList, XmlError> {
    let doc = std::str::from_utf8(doc).map_err(|_| XmlError::NotUtf8)?;
    let mut reader = Reader::from_str(doc);
    let mut answer = Answer::default();
    let mut open: Vec<Role> = Vec::new();
    let mut text = Text::default();
    let bad = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                if open.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                check_attrs(s)?;
                let role = answer.open(open.last().copied(), s.name().into_inner(), metadata);
                if let Some(Role::Field(_)) = open.last() {
                    text.child_starts();
                }
                if let Role::Field(_) = role {
                    text = Text::default();
                }
                open.push(role);
                if matches!(event, Event::Empty(_)) && answer.close(&mut open, &mut text)? {
                    return Ok(answer.finish());
                }
            }
            Event::End(_) => {
                if answer.close(&mut open, &mut text)? {
                    return Ok(answer.finish());
                }
            }
            Event::Text(t) => {
                if let Some(Role::Field(_)) = open.last() {
                    text.push(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(Role::Field(_)) = open.last() {
                    text.push(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                // Resolved wherever it stands: an unknown entity makes the
                // whole answer malformed, as it does for the tree.
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(|e| bad(&e))?.map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&r).map(String::from)
                };
                let resolved = resolved
                    .ok_or_else(|| XmlError::Malformed(format!("unknown entity &{};", &*r)))?;
                if let Some(Role::Field(_)) = open.last() {
                    text.push(&resolved);
                }
            }
            Event::Eof => {
                return Err(if open.is_empty() {
                    XmlError::Empty
                } else {
                    XmlError::Malformed("unexpected end of document".into())
                });
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

/// Attributes are read for nothing, but a malformed one makes the answer
/// malformed, as it does for the tree.
fn check_attrs(s: &BytesStart<'_>) -> Result<(), XmlError> {
    for a in s.attributes() {
        let a = a.map_err(|e| XmlError::Malformed(quick_xml::Error::from(e).to_string()))?;
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
    }
    Ok(())
}

/// What an open element is to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Meetings,
    Meeting,
    Metadata,
    Breakout,
    Field(Field),
    /// Read past: none of its text or children count.
    Other,
}

/// An element whose text is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ReturnCode,
    MessageKey,
    MeetingId,
    InternalMeetingId,
    Name,
    CreateTime,
    Running,
    IsBreakout,
    ParentMeetingId,
    Participants,
    Moderators,
    Listeners,
    VoiceParticipants,
    VideoStreams,
    MaxUsers,
    /// `<breakout><parentId>`, BBB 2.x's form of the parent's ID.
    BreakoutParent,
    /// A metadata child; its key is the last pushed to the meeting's metadata.
    Meta,
}

const MEETING_FIELDS: [(&str, Field); 13] = [
    ("meetingID", Field::MeetingId),
    ("internalMeetingID", Field::InternalMeetingId),
    ("meetingName", Field::Name),
    ("createTime", Field::CreateTime),
    ("running", Field::Running),
    ("isBreakout", Field::IsBreakout),
    ("parentMeetingID", Field::ParentMeetingId),
    ("participantCount", Field::Participants),
    ("moderatorCount", Field::Moderators),
    ("listenerCount", Field::Listeners),
    ("voiceParticipantCount", Field::VoiceParticipants),
    ("videoCount", Field::VideoStreams),
    ("maxUsers", Field::MaxUsers),
];

/// The direct text of the element being kept, as the trimmed tree holds
/// it: the runs of text between its child elements, those of whitespace
/// only dropped once it has a child element.
#[derive(Debug, Default)]
struct Text {
    text: String,
    /// Where the run of text since the last child element starts.
    run: usize,
    has_children: bool,
}

impl Text {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn end_run(&mut self) {
        if self.text[self.run..].trim().is_empty() {
            self.text.truncate(self.run);
        }
        self.run = self.text.len();
    }

    fn child_starts(&mut self) {
        self.has_children = true;
        self.end_run();
    }

    fn take(&mut self) -> String {
        if self.has_children {
            self.end_run();
        }
        std::mem::take(&mut self.text)
    }
}

/// One meeting as it is read: each field's first occurrence.
#[derive(Debug, Default)]
struct MeetingFields {
    summary: MeetingSummary,
    /// Which of [`MEETING_FIELDS`] (by index), `metadata` (13) and
    /// `breakout` (14) were seen.
    seen: u16,
    parent_meeting_id: Option<String>,
    breakout_parent_seen: bool,
    breakout_parent: Option<String>,
    /// Whether the last metadata child is one of the kept keys.
    meta_kept: bool,
}

const SEEN_METADATA: u16 = 1 << 13;
const SEEN_BREAKOUT: u16 = 1 << 14;

impl MeetingFields {
    fn first(&mut self, bit: u16) -> bool {
        let first = self.seen & bit == 0;
        self.seen |= bit;
        first
    }

    fn finish(self) -> MeetingSummary {
        let mut m = self.summary;
        m.parent_meeting_id = self
            .parent_meeting_id
            .or(self.breakout_parent)
            .filter(|p| !p.is_empty() && p != "bbb-none");
        m
    }
}

#[derive(Debug, Default)]
struct Answer {
    return_code: Option<String>,
    message_key: Option<String>,
    meetings_seen: bool,
    meetings: Vec<MeetingSummary>,
    meeting: MeetingFields,
}

impl Answer {
    /// The role of an element named `name` opening inside `parent`.
    fn open(&mut self, parent: Option<Role>, name: &str, metadata: &[&str]) -> Role {
        let Some(parent) = parent else {
            return Role::Root;
        };
        match parent {
            Role::Root => match name {
                "returncode" if self.return_code.is_none() => {
                    self.return_code = Some(String::new());
                    Role::Field(Field::ReturnCode)
                }
                "messageKey" if self.message_key.is_none() => {
                    self.message_key = Some(String::new());
                    Role::Field(Field::MessageKey)
                }
                "meetings" if !self.meetings_seen => {
                    self.meetings_seen = true;
                    Role::Meetings
                }
                _ => Role::Other,
            },
            Role::Meetings => {
                self.meeting = MeetingFields::default();
                Role::Meeting
            }
            Role::Meeting => {
                if let Some(i) = MEETING_FIELDS.iter().position(|(n, _)| *n == name) {
                    if self.meeting.first(1 << i) {
                        return Role::Field(MEETING_FIELDS[i].1);
                    }
                    return Role::Other;
                }
                match name {
                    "metadata" if self.meeting.first(SEEN_METADATA) => Role::Metadata,
                    "breakout" if self.meeting.first(SEEN_BREAKOUT) => Role::Breakout,
                    _ => Role::Other,
                }
            }
            Role::Metadata => {
                self.meeting.meta_kept = metadata.contains(&name);
                if self.meeting.meta_kept {
                    let m = &mut self.meeting.summary.metadata;
                    m.push((name.to_string(), String::new()));
                }
                Role::Field(Field::Meta)
            }
            Role::Breakout if name == "parentId" && !self.meeting.breakout_parent_seen => {
                self.meeting.breakout_parent_seen = true;
                Role::Field(Field::BreakoutParent)
            }
            Role::Breakout | Role::Field(_) | Role::Other => Role::Other,
        }
    }

    /// Closes the innermost open element; true once the root is closed.
    fn close(&mut self, open: &mut Vec<Role>, text: &mut Text) -> Result<bool, XmlError> {
        match open.pop().ok_or(XmlError::Empty)? {
            Role::Root => return Ok(true),
            Role::Field(f) => self.keep(f, text.take()),
            Role::Meeting => {
                let m = std::mem::take(&mut self.meeting);
                self.meetings.push(m.finish());
            }
            Role::Meetings | Role::Metadata | Role::Breakout | Role::Other => {}
        }
        Ok(false)
    }

    fn keep(&mut self, field: Field, text: String) {
        let trimmed = || text.trim().to_string();
        let num = || text.trim().parse::<u32>().unwrap_or(0);
        let m = &mut self.meeting.summary;
        match field {
            Field::ReturnCode => self.return_code = Some(trimmed()),
            Field::MessageKey => self.message_key = Some(trimmed()),
            Field::MeetingId => m.meeting_id = trimmed(),
            Field::InternalMeetingId => m.internal_meeting_id = trimmed(),
            Field::Name => m.name = trimmed(),
            Field::CreateTime => m.create_time_ms = text.trim().parse().unwrap_or(0),
            Field::Running => m.running = text.trim() == "true",
            Field::IsBreakout => m.is_breakout = text.trim() == "true",
            Field::ParentMeetingId => self.meeting.parent_meeting_id = Some(trimmed()),
            Field::Participants => m.participants = num(),
            Field::Moderators => m.moderators = num(),
            Field::Listeners => m.listeners = num(),
            Field::VoiceParticipants => m.voice_participants = num(),
            Field::VideoStreams => m.video_streams = num(),
            Field::MaxUsers => m.max_users = num(),
            Field::BreakoutParent => self.meeting.breakout_parent = Some(trimmed()),
            // Metadata values are kept as they are, untrimmed.
            Field::Meta if self.meeting.meta_kept => {
                if let Some((_, v)) = m.metadata.last_mut() {
                    *v = text;
                }
            }
            Field::Meta => {}
        }
    }

    fn finish(self) -> MeetingList {
        if self.return_code.as_deref() == Some("SUCCESS") {
            MeetingList::Meetings(self.meetings)
        } else {
            MeetingList::Failed {
                message_key: self.message_key.unwrap_or_default(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::meetings_of;
    use crate::xml::{Element, trim_whitespace};
    use proptest::prelude::*;

    const KEPT: &[&str] = &["bbb-origin-server-name", "bbb-meeting-size-hint"];

    /// What the tree gives: the answer parsed whole, trimmed, then read.
    fn by_tree(doc: &[u8], metadata: &[&str]) -> Result<MeetingList, XmlError> {
        let mut el = Element::parse_bytes(doc)?;
        trim_whitespace(&mut el);
        if el.child_text("returncode").as_deref() != Some("SUCCESS") {
            let message_key = el.child_text("messageKey").unwrap_or_default();
            return Ok(MeetingList::Failed { message_key });
        }
        let mut meetings = meetings_of(&el);
        for m in &mut meetings {
            m.metadata.retain(|(k, _)| metadata.contains(&k.as_str()));
        }
        Ok(MeetingList::Meetings(meetings))
    }

    fn same_as_tree(doc: &str) -> MeetingList {
        let streamed = read_get_meetings(doc.as_bytes(), KEPT).unwrap();
        assert_eq!(streamed, by_tree(doc.as_bytes(), KEPT).unwrap(), "{doc}");
        streamed
    }

    fn meetings(doc: &str) -> Vec<MeetingSummary> {
        match same_as_tree(doc) {
            MeetingList::Meetings(ms) => ms,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_pretty_printed_answer_reads_counts_metadata_and_parent() {
        let ms = meetings(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<response>
  <returncode>SUCCESS</returncode>
  <meetings>
    <meeting>
      <meetingName>R&amp;D</meetingName>
      <meetingID>room~acme</meetingID>
      <internalMeetingID>abc-1</internalMeetingID>
      <createTime>1531155809613</createTime>
      <running>true</running>
      <participantCount>5</participantCount>
      <listenerCount>2</listenerCount>
      <voiceParticipantCount>4</voiceParticipantCount>
      <videoCount>3</videoCount>
      <moderatorCount>1</moderatorCount>
      <maxUsers>0</maxUsers>
      <attendees><attendee><fullName>Ada</fullName></attendee></attendees>
      <metadata>
        <bbb-origin-server-name>lms.example.org</bbb-origin-server-name>
        <other>dropped</other>
      </metadata>
      <isBreakout>true</isBreakout>
      <parentMeetingID>p</parentMeetingID>
    </meeting>
  </meetings>
</response>"#,
        );
        let m = &ms[0];
        assert_eq!(
            (m.meeting_id.as_str(), m.name.as_str()),
            ("room~acme", "R&D")
        );
        assert_eq!(m.create_time_ms, 1_531_155_809_613);
        assert_eq!((m.participants, m.mic_users(), m.video_streams), (5, 2, 3));
        assert_eq!(m.parent_meeting_id.as_deref(), Some("p"));
        assert_eq!(
            m.metadata,
            [("bbb-origin-server-name".into(), "lms.example.org".into())]
        );
    }

    /// Odd but valid documents, each read the same as the tree reads it.
    #[test]
    fn odd_but_valid_answers_read_as_the_tree_reads_them() {
        let wrap = |meeting: &str| {
            format!(
                "<response><returncode>SUCCESS</returncode><meetings><meeting>{meeting}</meeting></meetings></response>"
            )
        };
        let cases = [
            // Comments, CDATA, character and entity references in fields.
            wrap("<meetingID>a<!-- c -->b</meetingID><participantCount>&#52;2</participantCount>"),
            wrap("<meetingID><![CDATA[x<y]]>&lt;z</meetingID><videoCount> 7 </videoCount>"),
            // A field holding an element: only its own text counts, and
            // whitespace-only runs around the child are dropped.
            wrap("<meetingID> a<x>hidden</x> <y/>b </meetingID>"),
            wrap("<meetingName>  <b/>  </meetingName><meetingID>\n\t id \n</meetingID>"),
            // The first of a repeated field counts.
            wrap("<meetingID>first</meetingID><meetingID>second</meetingID>"),
            wrap("<metadata><bbb-origin-server-name>a</bbb-origin-server-name></metadata><metadata><bbb-origin-server-name>b</bbb-origin-server-name></metadata>"),
            // Metadata values are not trimmed, but runs of whitespace next
            // to a child element are dropped.
            wrap("<metadata><bbb-origin-server-name> sp </bbb-origin-server-name><bbb-meeting-size-hint> <i/>12</bbb-meeting-size-hint></metadata>"),
            // Attributes, unknown elements, empty elements, self-closing fields.
            wrap("<meetingID kind=\"x&amp;y\">m</meetingID><unknown><meetingID>no</meetingID></unknown><running/>"),
            // The parent: an empty parentMeetingID hides breakout/parentId;
            // bbb-none is no parent.
            wrap("<isBreakout>true</isBreakout><breakout><parentId>p2</parentId></breakout>"),
            wrap("<parentMeetingID/><breakout><parentId>p2</parentId></breakout>"),
            wrap("<parentMeetingID>bbb-none</parentMeetingID>"),
            wrap("<breakout><parentId>bbb-none</parentId><parentId>x</parentId></breakout>"),
            // Numbers that do not parse read as zero.
            wrap("<participantCount>-1</participantCount><createTime>soon</createTime><maxUsers>99999999999</maxUsers>"),
            // returncode after the meetings; a second meetings list ignored.
            "<response><meetings><m><meetingID>a</meetingID></m></meetings><meetings><meeting><meetingID>b</meetingID></meeting></meetings><returncode> SUCCESS </returncode></response>".into(),
            // Any element in the list is a meeting, whatever its name.
            "<r><returncode>SUCCESS</returncode><meetings><meeting/><x><meetingID>y</meetingID></x>text</meetings></r>".into(),
            // No meetings.
            "<response><returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey></response>".into(),
            "<response><returncode>SUCCESS</returncode></response>".into(),
            // Declarations, processing instructions and a doctype around the root;
            // what follows the root is not read.
            "<?xml version='1.0'?><!DOCTYPE response><?pi x?>\r\n<response>\r\n<returncode>SUCCESS</returncode>\r\n<meetings><meeting><meetingName>a\r\nb</meetingName></meeting></meetings></response><after>".into(),
        ];
        for doc in cases {
            same_as_tree(&doc);
        }
    }

    #[test]
    fn a_failed_answer_carries_its_message_key() {
        for (doc, key) in [
            (
                "<response><returncode>FAILED</returncode><messageKey> checksumError </messageKey><meetings/></response>",
                "checksumError",
            ),
            ("<response><returncode>success</returncode></response>", ""),
            ("<response/>", ""),
        ] {
            assert_eq!(
                same_as_tree(doc),
                MeetingList::Failed {
                    message_key: key.into()
                }
            );
        }
    }

    fn same_outcome(doc: &[u8]) -> Result<(), TestCaseError> {
        let streamed = read_get_meetings(doc, KEPT);
        let tree = by_tree(doc, KEPT);
        match (&streamed, &tree) {
            (Ok(s), Ok(t)) => prop_assert_eq!(s, t),
            (Err(s), Err(t)) => {
                prop_assert_eq!(
                    std::mem::discriminant(s),
                    std::mem::discriminant(t),
                    "{:?}",
                    doc
                )
            }
            _ => prop_assert!(false, "{:?} streamed {:?}, tree {:?}", doc, streamed, tree),
        }
        Ok(())
    }

    /// Text as servers send it, odd parts included.
    fn field_text() -> impl Strategy<Value = String> {
        let part = prop::sample::select(vec![
            "",
            " ",
            "\n  ",
            "\r\n",
            "\t",
            "42",
            "7",
            "-3",
            "true",
            "false",
            "SUCCESS",
            "bbb-none",
            "room~acme",
            "p",
            "a b",
            "&amp;",
            "&lt;",
            "&#51;",
            "&#x41;",
            "<![CDATA[ 1<2 ]]>",
            "<!-- note -->",
            "<?pi?>",
            "<x/>",
            "<x>in</x>",
            "<x> <y/> </x>",
            "é",
            "\u{1}",
        ]);
        prop::collection::vec(part, 0..5).prop_map(|ps| ps.concat())
    }

    fn element(
        names: &'static [&'static str],
        inner: BoxedStrategy<String>,
    ) -> BoxedStrategy<String> {
        let attrs = prop::sample::select(vec!["", " a=\"1\"", " b='&amp;'", " c=\"\t\""]);
        (
            prop::sample::select(names.to_vec()),
            attrs,
            inner,
            any::<bool>(),
        )
            .prop_map(|(n, a, inner, empty)| {
                if empty && inner.is_empty() {
                    format!("<{n}{a}/>")
                } else {
                    format!("<{n}{a}>{inner}</{n}>")
                }
            })
            .boxed()
    }

    fn meeting_doc() -> impl Strategy<Value = String> {
        let fields: &'static [&'static str] = &[
            "meetingID",
            "internalMeetingID",
            "meetingName",
            "createTime",
            "running",
            "isBreakout",
            "parentMeetingID",
            "participantCount",
            "moderatorCount",
            "listenerCount",
            "voiceParticipantCount",
            "videoCount",
            "maxUsers",
            "other",
        ];
        let field = element(fields, field_text().boxed());
        let meta_child = element(
            &["bbb-origin-server-name", "bbb-meeting-size-hint", "extra"],
            field_text().boxed(),
        );
        let metadata = element(
            &["metadata"],
            prop::collection::vec(meta_child, 0..3)
                .prop_map(|v| v.concat())
                .boxed(),
        );
        let parent = element(&["parentId", "other"], field_text().boxed());
        let breakout = element(
            &["breakout"],
            prop::collection::vec(parent, 0..3)
                .prop_map(|v| v.concat())
                .boxed(),
        );
        let ws = prop::sample::select(vec!["", "\n  ", "<!-- c -->", " x "]);
        let child = prop_oneof![6 => field, 1 => metadata, 1 => breakout];
        let meeting = element(
            &["meeting", "m"],
            prop::collection::vec((child, ws.clone()), 0..12)
                .prop_map(|v| v.into_iter().map(|(c, w)| format!("{c}{w}")).collect())
                .boxed(),
        );
        let code = prop::sample::select(vec!["SUCCESS", " SUCCESS\n", "FAILED", ""]);
        let key = prop::sample::select(vec![
            "",
            "<messageKey>noMeetings</messageKey>",
            "<messageKey/>",
        ]);
        (
            prop::collection::vec((meeting, ws), 0..4),
            code,
            key,
            any::<bool>(),
        )
            .prop_map(|(ms, code, key, code_first)| {
                let list: String = ms.into_iter().map(|(m, w)| format!("{m}{w}")).collect();
                let code = format!("<returncode>{code}</returncode>");
                let (a, b) = if code_first {
                    (code.as_str(), "")
                } else {
                    ("", code.as_str())
                };
                format!("<response>\n{a}<meetings>{list}</meetings>{key}{b}\n</response>")
            })
    }

    /// Pieces of documents and stray bytes, as a broken server might send.
    fn broken_bytes() -> impl Strategy<Value = Vec<u8>> {
        let fragment = prop_oneof![
            prop::sample::select(vec![
                "<response>",
                "</response>",
                "<returncode>SUCCESS</returncode>",
                "<meetings>",
                "</meetings>",
                "<meeting>",
                "</meeting>",
                "<meetingID>",
                "</meetingID>",
                "<a x='1' x='2'>",
                "<b y='&bogus;'>",
                "&bogus;",
                "&#0;",
                "&amp;",
                "<![CDATA[",
                "]]>",
                "<!--",
                "-->",
                "text",
                "<c/>",
                "</c>",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 0..4),
        ];
        prop::collection::vec(fragment, 0..30).prop_map(|fs| fs.concat())
    }

    proptest! {
        #[test]
        fn generated_answers_read_as_the_tree_reads_them(doc in meeting_doc()) {
            same_outcome(doc.as_bytes())?;
        }

        #[test]
        fn broken_answers_are_refused_as_the_tree_refuses_them(bytes in broken_bytes()) {
            same_outcome(&bytes)?;
        }
    }

    #[test]
    fn too_deep_and_not_utf8_are_refused_as_the_tree_refuses_them() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(matches!(
            read_get_meetings(deep.as_bytes(), KEPT),
            Err(XmlError::TooDeep)
        ));
        assert!(matches!(
            read_get_meetings(b"<a>\xff</a>", KEPT),
            Err(XmlError::NotUtf8)
        ));
        assert!(matches!(read_get_meetings(b"", KEPT), Err(XmlError::Empty)));
    }
}
