//! getRecordings over Plenary's index: which of a tenant's recordings a
//! query names, and each as BBB's `<recording>`. Pure.

use bbb::{Element, Params};
use store::RecordingRow;

/// The filters of a getRecordings call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub meeting_ids: Vec<String>,
    /// Each is a case-sensitive prefix of a record ID (Scalelite's rule).
    pub record_ids: Vec<String>,
    pub states: Vec<String>,
    pub meta: Vec<(String, String)>,
}

impl Query {
    pub fn from_params(p: &Params) -> Self {
        let list = |k| p.list(k).map(str::to_string).collect();
        Self {
            meeting_ids: list("meetingID"),
            record_ids: list("recordID"),
            states: list("state"),
            meta: p.metadata().map(|(k, v)| (k, v.to_string())).collect(),
        }
    }

    pub fn matches(&self, r: &RecordingRow) -> bool {
        // As BBB: record IDs, when given, win over meeting IDs.
        let named = if !self.record_ids.is_empty() {
            self.record_ids
                .iter()
                .any(|p| r.record_id.starts_with(p.as_str()))
        } else {
            self.meeting_ids.is_empty() || self.meeting_ids.contains(&r.meeting_id)
        };
        let state = if self.states.iter().any(|s| s == "any") {
            true
        } else if self.states.is_empty() {
            !r.deleted
        } else {
            self.states.iter().any(|s| s == r.state())
        };
        named && state && self.meta.iter().all(|m| r.metadata.contains(m))
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Where a format of a tenant's recording plays: `<base>/t/<tenant>/playback/<record>/<format>/`.
pub fn playback_url(base: &str, tenant: &str, record_id: &str, format: &str) -> String {
    format!(
        "{}/t/{tenant}/playback/{record_id}/{format}/",
        base.trim_end_matches('/')
    )
}

/// BBB's `<recording>` of an indexed recording, its playback served by Plenary.
pub fn element(r: &RecordingRow, base: &str, tenant: &str) -> Element {
    let mut metadata = Element::new("metadata");
    for (k, v) in &r.metadata {
        metadata.push_text_child(k, v);
    }
    let mut playback = Element::new("playback");
    for f in &r.formats {
        let url = playback_url(base, tenant, &r.record_id, &f.kind);
        let mut format = Element::new("format")
            .with("type", &f.kind)
            .with("url", &url)
            .with("processingTime", f.processing_time)
            .with("length", f.length);
        if !f.previews.is_empty() {
            let mut images = Element::new("images");
            for p in &f.previews {
                let mut image = Element::new("image")
                    .with_attr("width", &p.width)
                    .with_attr("height", &p.height)
                    .with_attr("alt", &p.alt);
                image.set_text(format!("{url}{}", p.file));
                images.push(image);
            }
            format = format.with_child(Element::new("preview").with_child(images));
        }
        playback.push(format);
    }
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
        .with_child(playback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(record_id: &str, meeting_id: &str, published: bool, deleted: bool) -> RecordingRow {
        RecordingRow {
            id: 1,
            tenant_id: 1,
            record_id: record_id.into(),
            meeting_id: meeting_id.into(),
            internal_meeting_id: record_id.into(),
            name: "n".into(),
            is_breakout: false,
            published,
            deleted,
            start_time: 1,
            end_time: 2,
            participants: 1,
            metadata: vec![("topic".into(), "budget".into())],
            formats: Vec::new(),
            bytes: 0,
            server_id: None,
            imported_at: 0,
            updated_at: 0,
        }
    }

    fn q(query: &str) -> Query {
        Query::from_params(&Params::parse(query))
    }

    #[test]
    fn record_ids_are_prefixes_and_win_over_meeting_ids() {
        let r = row("abc-123", "room", true, false);
        assert!(q("recordID=abc").matches(&r));
        assert!(q("recordID=zzz,abc-1").matches(&r));
        assert!(!q("recordID=ABC").matches(&r));
        assert!(q("recordID=abc&meetingID=other").matches(&r));
        assert!(q("meetingID=other,room").matches(&r));
        assert!(!q("meetingID=roo").matches(&r));
    }

    #[test]
    fn deleted_recordings_are_listed_only_when_asked_for() {
        let gone = row("a", "m", false, true);
        assert!(!q("").matches(&gone));
        assert!(q("state=deleted").matches(&gone));
        assert!(q("state=any").matches(&gone));
        let unpublished = row("a", "m", false, false);
        assert!(q("state=published,unpublished").matches(&unpublished));
        assert!(!q("state=published").matches(&unpublished));
    }

    #[test]
    fn every_meta_filter_must_match() {
        let r = row("a", "m", true, false);
        assert!(q("meta_topic=budget").matches(&r));
        assert!(q("meta_TOPIC=budget").matches(&r));
        assert!(!q("meta_topic=budget&meta_other=x").matches(&r));
        assert!(!q("meta_topic=Budget").matches(&r));
    }
}
