//! Reads the `metadata.xml` BBB writes beside each published format:
//!
//! ```xml
//! <recording>
//!   <id>…</id> <state>published</state> <published>true</published>
//!   <start_time>ms</start_time> <end_time>ms</end_time> <participants>n</participants>
//!   <meeting id="internal" externalId="backend meeting ID" name="…" breakout="false"/>
//!   <meta>…</meta>
//!   <playback><format>presentation</format> <link>…</link>
//!     <processing_time>ms</processing_time> <duration>ms</duration>
//!     <extensions><preview><images><image width height alt>url</image>…</images></preview></extensions>
//!   </playback>
//! </recording>
//! ```

use bbb::Element;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MetadataError {
    #[error("metadata.xml is not XML: {0}")]
    NotXml(String),
    #[error("metadata.xml has no {0}")]
    Missing(&'static str),
    #[error("metadata.xml's {0} is not a number")]
    NotANumber(&'static str),
}

/// One format of one recording, as its server described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub record_id: String,
    pub published: bool,
    pub start_time: i64,
    pub end_time: i64,
    pub participants: i64,
    pub internal_meeting_id: String,
    /// The namespaced ID the server knew the meeting by.
    pub backend_meeting_id: String,
    pub name: String,
    pub is_breakout: bool,
    pub metadata: Vec<(String, String)>,
    pub format: String,
    pub processing_time: i64,
    /// Milliseconds.
    pub duration: i64,
    /// Width, height, alt text and URL of each preview image.
    pub previews: Vec<(String, String, String, String)>,
}

fn attr<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn number(el: &Element, name: &'static str) -> Result<i64, MetadataError> {
    match el.child_text(name) {
        None => Ok(0),
        Some(t) if t.trim().is_empty() => Ok(0),
        Some(t) => t
            .trim()
            .parse()
            .map_err(|_| MetadataError::NotANumber(name)),
    }
}

pub fn parse(doc: &[u8]) -> Result<Described, MetadataError> {
    let mut root = Element::parse_bytes(doc).map_err(|e| MetadataError::NotXml(e.to_string()))?;
    bbb::xml::trim_whitespace(&mut root);
    if root.name != "recording" {
        return Err(MetadataError::Missing("<recording>"));
    }
    let record_id = root
        .child_text("id")
        .filter(|t| !t.trim().is_empty())
        .ok_or(MetadataError::Missing("<id>"))?;
    let meeting = root
        .child("meeting")
        .ok_or(MetadataError::Missing("<meeting>"))?;
    let backend_meeting_id = attr(meeting, "externalId")
        .filter(|t| !t.is_empty())
        .ok_or(MetadataError::Missing("<meeting externalId>"))?
        .to_string();
    let playback = root
        .child("playback")
        .ok_or(MetadataError::Missing("<playback>"))?;
    let format = playback
        .child_text("format")
        .filter(|t| !t.trim().is_empty())
        .ok_or(MetadataError::Missing("<playback><format>"))?;
    let metadata = root
        .child("meta")
        .map(|m| m.elements().map(|e| (e.name.clone(), e.text())).collect())
        .unwrap_or_default();
    let previews = playback
        .child("extensions")
        .and_then(|e| e.child("preview"))
        .and_then(|p| p.child("images"))
        .map(|images| {
            images
                .elements()
                .filter(|i| i.name == "image")
                .map(|i| {
                    let a = |n| attr(i, n).unwrap_or_default().to_string();
                    (
                        a("width"),
                        a("height"),
                        a("alt"),
                        i.text().trim().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Described {
        record_id: record_id.trim().to_string(),
        published: root.child_text("published").as_deref().map(str::trim) != Some("false"),
        start_time: number(&root, "start_time")?,
        end_time: number(&root, "end_time")?,
        participants: number(&root, "participants")?,
        internal_meeting_id: attr(meeting, "id").unwrap_or_default().to_string(),
        backend_meeting_id,
        name: attr(meeting, "name").unwrap_or_default().to_string(),
        is_breakout: attr(meeting, "breakout") == Some("true"),
        metadata,
        format: format.trim().to_string(),
        processing_time: number(playback, "processing_time")?,
        duration: number(playback, "duration")?,
        previews,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRESENTATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<recording>
  <id>6e35e3b2778883f5db637d7a5dba0a427f692e91-1398363221956</id>
  <state>published</state>
  <published>true</published>
  <start_time>1398363223514</start_time>
  <end_time>1398363348994</end_time>
  <participants>5</participants>
  <meeting id="6e35e3b2778883f5db637d7a5dba0a427f692e91-1398363221956" externalId="room~acme" name="Demo Meeting" breakout="false"/>
  <meta>
    <isBreakout>false</isBreakout>
    <meetingId>room~acme</meetingId>
    <meetingName>Demo Meeting</meetingName>
    <topic>budget</topic>
  </meta>
  <playback>
    <format>presentation</format>
    <link>https://bbb1.example/playback/presentation/2.3/6e35e3b2778883f5db637d7a5dba0a427f692e91-1398363221956</link>
    <processing_time>5429</processing_time>
    <duration>101014</duration>
    <extensions>
      <preview>
        <images>
          <image width="176" height="136" alt="Welcome">https://bbb1.example/presentation/6e35e3b2778883f5db637d7a5dba0a427f692e91-1398363221956/presentation/d1/thumbnails/thumb-1.png</image>
        </images>
      </preview>
    </extensions>
  </playback>
</recording>"#;

    #[test]
    fn a_presentation_format_is_described() {
        let d = parse(PRESENTATION.as_bytes()).unwrap();
        assert_eq!(d.backend_meeting_id, "room~acme");
        assert_eq!(
            (d.format.as_str(), d.duration, d.processing_time),
            ("presentation", 101_014, 5429)
        );
        assert_eq!(
            (d.start_time, d.end_time, d.participants),
            (1_398_363_223_514, 1_398_363_348_994, 5)
        );
        assert!(d.published && !d.is_breakout);
        assert_eq!(d.metadata[3], ("topic".into(), "budget".into()));
        assert_eq!(d.previews.len(), 1);
        assert!(d.previews[0].3.ends_with("/thumbnails/thumb-1.png"));
    }

    #[test]
    fn what_is_not_a_recordings_metadata_is_refused_clearly() {
        assert!(matches!(parse(b"not xml <"), Err(MetadataError::NotXml(_))));
        assert_eq!(
            parse(b"<meeting/>"),
            Err(MetadataError::Missing("<recording>"))
        );
        assert_eq!(
            parse(b"<recording><id>r</id></recording>"),
            Err(MetadataError::Missing("<meeting>"))
        );
        let bad_time = PRESENTATION.replace("<start_time>1398363223514", "<start_time>soon");
        assert_eq!(
            parse(bad_time.as_bytes()),
            Err(MetadataError::NotANumber("start_time"))
        );
    }
}
