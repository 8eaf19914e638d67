//! Answers of a broken or hostile server, for [`AnswerFault`]: what a
//! gateway must survive from a backend it cannot trust.

use std::str::FromStr;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bbb::answer::Answer;
use bbb::xml::{Element, Node};
use serde::{Deserialize, Serialize};

/// What every API answer of a server is turned into; all come with HTTP 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnswerFault {
    /// The answer a real server gives.
    #[default]
    Normal,
    /// Bytes that are not XML.
    Garbage,
    /// A `SUCCESS` whose `<meetings>` holds `<m>` elements nested `depth` levels deep.
    Nested { depth: usize },
    /// A `SUCCESS` padded to `bytes` bytes.
    Oversized { bytes: usize },
    /// The real answer, with characters XML 1.0 forbids (raw, as a server
    /// that does not check meeting names writes them) at the end of every
    /// text but `returncode`.
    ControlCharacters,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "{0:?} is not an answer fault: use normal, garbage, nested:DEPTH, oversized:BYTES or control-characters"
)]
pub struct AnswerFaultError(String);

/// The command-line form: `normal`, `garbage`, `nested:DEPTH`,
/// `oversized:BYTES`, `control-characters`.
impl FromStr for AnswerFault {
    type Err = AnswerFaultError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || AnswerFaultError(s.to_string());
        let number = |n: &str| n.parse::<usize>().map_err(|_| bad());
        match s.split_once(':') {
            None if s == "normal" => Ok(Self::Normal),
            None if s == "garbage" => Ok(Self::Garbage),
            None if s == "control-characters" => Ok(Self::ControlCharacters),
            Some(("nested", n)) => Ok(Self::Nested { depth: number(n)? }),
            Some(("oversized", n)) => Ok(Self::Oversized { bytes: number(n)? }),
            _ => Err(bad()),
        }
    }
}

/// Neither UTF-8 nor markup: the start of a PNG, a NUL, a stray tag.
const GARBAGE: &[u8] = b"\x89PNG\r\n\x1a\n\x00\xff\xfe<<garbage>> &&& not BBB XML";

/// Stands in for each XML 1.0 forbidden sequence until the document is written,
/// since the writer would replace the real ones.
const MARK: char = '\u{E000}';
const FORBIDDEN: &str = "\u{1}\u{8}\u{1b}\u{FFFF}";

const START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                     <response><returncode>SUCCESS</returncode><meetings>";
const END: &str = "</meetings></response>";

/// The answer under `fault`; `answer` computes the real one when it is needed.
pub(crate) fn respond(fault: AnswerFault, answer: impl FnOnce() -> Answer) -> Response {
    match fault {
        AnswerFault::Normal => answer().into_response(),
        AnswerFault::Garbage => xml(GARBAGE.to_vec()),
        AnswerFault::Nested { depth } => xml(nested(depth).into_bytes()),
        AnswerFault::Oversized { bytes } => xml(oversized(bytes).into_bytes()),
        AnswerFault::ControlCharacters => match answer() {
            // A written answer is read back into its tree to be marked.
            Answer::Written { xml: doc, .. } => match Element::parse(&doc) {
                Ok(el) => control_characters(el),
                Err(_) => xml(doc.into_bytes()),
            },
            Answer::Xml(el) => control_characters(el),
            redirect => redirect.into_response(),
        },
    }
}

/// The answer with forbidden characters in every text but its returncode.
fn control_characters(mut el: Element) -> Response {
    el.visit_mut(|e| {
        if e.name != "returncode" {
            for child in &mut e.children {
                if let Node::Text(t) = child {
                    t.push(MARK);
                }
            }
        }
    });
    xml(el.to_document().replace(MARK, FORBIDDEN).into_bytes())
}

fn nested(depth: usize) -> String {
    format!(
        "{START}{}{}{END}",
        "<m>".repeat(depth),
        "</m>".repeat(depth)
    )
}

fn oversized(bytes: usize) -> String {
    let padding = bytes.saturating_sub(START.len() + END.len() + "<!---->".len());
    format!("{START}<!--{}-->{END}", "x".repeat(padding))
}

fn xml(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_faults_are_written_on_the_command_line_as_documented() {
        assert_eq!("garbage".parse(), Ok(AnswerFault::Garbage));
        assert_eq!(
            "nested:200000".parse(),
            Ok(AnswerFault::Nested { depth: 200_000 })
        );
        assert_eq!(
            "oversized:5000000".parse(),
            Ok(AnswerFault::Oversized { bytes: 5_000_000 })
        );
        assert_eq!(
            "control-characters".parse(),
            Ok(AnswerFault::ControlCharacters)
        );
        assert!("nested".parse::<AnswerFault>().is_err());
        assert!("nested:deep".parse::<AnswerFault>().is_err());
    }

    #[test]
    fn an_oversized_answer_has_the_size_asked_for() {
        assert_eq!(oversized(100_000).len(), 100_000);
    }

    #[test]
    fn a_nested_answer_of_200_000_levels_takes_1_4_mb() {
        let doc = nested(200_000);
        assert!(doc.len() > 1_400_000);
        assert!(doc.contains(&"<m>".repeat(1000)));
    }
}
