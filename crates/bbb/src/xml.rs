//! A small XML tree for BBB documents. Backend answers are parsed into it,
//! rewritten (meeting IDs, tenant filtering) and written back out, so fields
//! Plenary does not know about pass through untouched.
//!
//! Backend answers are untrusted: reading bounds their depth and never
//! recurses on their shape, and writing never emits what XML 1.0 forbids,
//! whatever the tree holds.

use std::fmt::Write as _;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// The deepest nesting a parsed document may have, the root counting as 1.
/// BBB documents are under 10 deep. The bound is what keeps the derived
/// `Clone`, `PartialEq`, `Debug` and `Drop`, which recurse, within a few
/// dozen frames; Plenary's own walks and the writer use explicit stacks.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("the document has no root element")]
    Empty,
    #[error("the document nests elements deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("the document is not UTF-8")]
    NotUtf8,
}

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Builder: appends `<name>text</name>`.
    pub fn with(mut self, name: &str, text: impl ToString) -> Self {
        self.push_text_child(name, text);
        self
    }

    /// Builder: appends a child element.
    pub fn with_child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    pub fn with_attr(mut self, name: &str, value: impl ToString) -> Self {
        self.attrs.push((name.to_string(), value.to_string()));
        self
    }

    pub fn push_text_child(&mut self, name: &str, text: impl ToString) {
        let mut child = Element::new(name);
        let text = text.to_string();
        if !text.is_empty() {
            child.children.push(Node::Text(text));
        }
        self.children.push(Node::Element(child));
    }

    pub fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.name == name)
    }

    /// The concatenated text directly inside this element.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|e| e.text().trim().to_string())
    }

    pub fn set_text(&mut self, text: impl Into<String>) {
        self.children.retain(|n| matches!(n, Node::Element(_)));
        let text = text.into();
        if !text.is_empty() {
            self.children.push(Node::Text(text));
        }
    }

    /// Sets the text of the named child, appending the child if it is absent.
    pub fn set_child_text(&mut self, name: &str, text: impl ToString) {
        match self.child_mut(name) {
            Some(c) => c.set_text(text.to_string()),
            None => self.push_text_child(name, text),
        }
    }

    pub fn remove_children(&mut self, name: &str) {
        self.children
            .retain(|n| !matches!(n, Node::Element(e) if e.name == name));
    }

    /// Keeps only the child elements for which `keep` answers true.
    pub fn retain_elements(&mut self, mut keep: impl FnMut(&Element) -> bool) {
        self.children.retain(|n| match n {
            Node::Element(e) => keep(e),
            Node::Text(_) => true,
        });
    }

    /// Parses a UTF-8 document, as a backend sends it; see [`Element::parse`].
    pub fn parse_bytes(doc: &[u8]) -> Result<Element, XmlError> {
        Self::parse(std::str::from_utf8(doc).map_err(|_| XmlError::NotUtf8)?)
    }

    /// Parses a document and returns its root element, with an explicit
    /// stack of open elements at most [`MAX_DEPTH`] deep. Characters XML 1.0
    /// forbids are read as they come (real servers send them in meeting
    /// names); the writer replaces them.
    pub fn parse(doc: &str) -> Result<Element, XmlError> {
        let mut reader = Reader::from_str(doc);
        let mut stack: Vec<Element> = Vec::new();
        let bad = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
        let open = |stack: &[Element], s: &quick_xml::events::BytesStart<'_>| {
            if stack.len() >= MAX_DEPTH {
                return Err(XmlError::TooDeep);
            }
            Ok(Element {
                name: s.name().into_inner().to_string(),
                attrs: read_attrs(s).map_err(|e| bad(&e))?,
                children: Vec::new(),
            })
        };
        loop {
            match reader.read_event().map_err(|e| bad(&e))? {
                Event::Start(s) => stack.push(open(&stack, &s)?),
                Event::Empty(s) => {
                    let el = open(&stack, &s)?;
                    match stack.last_mut() {
                        Some(parent) => parent.push(el),
                        None => return Ok(el),
                    }
                }
                Event::End(_) => {
                    let el = stack.pop().ok_or(XmlError::Empty)?;
                    match stack.last_mut() {
                        Some(parent) => parent.push(el),
                        None => return Ok(el),
                    }
                }
                Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
                Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        r.resolve_char_ref().map_err(|e| bad(&e))?.map(String::from)
                    } else {
                        quick_xml::escape::resolve_predefined_entity(&r).map(String::from)
                    };
                    let text = resolved
                        .ok_or_else(|| XmlError::Malformed(format!("unknown entity &{};", &*r)))?;
                    push_text(&mut stack, &text);
                }
                Event::Eof => {
                    return Err(if stack.is_empty() {
                        XmlError::Empty
                    } else {
                        XmlError::Malformed("unexpected end of document".into())
                    });
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Serialises with an XML declaration, as BBB does.
    pub fn to_document(&self) -> String {
        let mut out = String::from(DECLARATION);
        self.write_into(&mut out);
        out
    }

    /// Writes the element, with an explicit stack of open elements. Text and
    /// attribute values are escaped so they read back unchanged; characters
    /// XML 1.0 forbids become U+FFFD, and characters no name may hold
    /// become `_`, so the output is well-formed whatever the tree holds.
    pub fn write_into(&self, out: &mut String) {
        let mut open: Vec<(&Element, std::slice::Iter<'_, Node>)> = Vec::new();
        if write_start(self, out) {
            open.push((self, self.children.iter()));
        }
        while let Some(&mut (el, ref mut children)) = open.last_mut() {
            match children.next() {
                Some(Node::Text(t)) => escape_into(out, t, false),
                Some(Node::Element(child)) => {
                    if write_start(child, out) {
                        open.push((child, child.children.iter()));
                    }
                }
                None => {
                    out.push_str("</");
                    write_name(out, &el.name);
                    out.push('>');
                    open.pop();
                }
            }
        }
    }

    /// Calls `f` on this element and every element below it, in no
    /// particular order, with an explicit stack.
    pub fn visit_mut(&mut self, mut f: impl FnMut(&mut Element)) {
        let mut todo = vec![self];
        while let Some(el) = todo.pop() {
            f(el);
            todo.extend(el.elements_mut());
        }
    }
}

/// Writes a document element by element, straight into its text, the way
/// [`Element::write_into`] writes the same tree: for answers too big to
/// build as a tree first (a server's `getMeetings`).
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// The start tag last written still waits for its `>` (or `/>`).
    start_open: bool,
    scratch: String,
}

impl Writer {
    /// Starts a document with an XML declaration, as BBB does.
    pub fn document() -> Self {
        Self {
            out: String::from(DECLARATION),
            ..Self::default()
        }
    }

    /// `<name>…</name>`, what `inside` writes in it; `<name/>` if nothing.
    pub fn element(&mut self, name: &str, inside: impl FnOnce(&mut Self)) {
        self.end_start_tag();
        self.out.push('<');
        write_name(&mut self.out, name);
        self.start_open = true;
        inside(self);
        if std::mem::take(&mut self.start_open) {
            self.out.push_str("/>");
        } else {
            self.out.push_str("</");
            write_name(&mut self.out, name);
            self.out.push('>');
        }
    }

    /// `<name>text</name>`, as [`Element::push_text_child`] adds it.
    pub fn text(&mut self, name: &str, text: impl std::fmt::Display) {
        self.scratch.clear();
        let _ = write!(self.scratch, "{text}");
        let text = std::mem::take(&mut self.scratch);
        self.element(name, |w| {
            if !text.is_empty() {
                w.end_start_tag();
                escape_into(&mut w.out, &text, false);
            }
        });
        self.scratch = text;
    }

    /// The document written.
    pub fn finish(self) -> String {
        self.out
    }

    fn end_start_tag(&mut self) {
        if std::mem::take(&mut self.start_open) {
            self.out.push('>');
        }
    }
}

const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Writes the start tag (`<a/>` if there is nothing inside); true if the
/// element has children to write and close.
fn write_start(el: &Element, out: &mut String) -> bool {
    out.push('<');
    write_name(out, &el.name);
    let mut written: Vec<String> = Vec::new();
    for (k, v) in &el.attrs {
        let mut name = String::new();
        write_name(&mut name, k);
        // A repeated attribute is ill-formed; the first one counts.
        if written.contains(&name) {
            continue;
        }
        let _ = write!(out, " {name}=\"");
        escape_into(out, v, true);
        out.push('"');
        written.push(name);
    }
    if el.children.is_empty() {
        out.push_str("/>");
        false
    } else {
        out.push('>');
        true
    }
}

fn write_name(out: &mut String, name: &str) {
    // Every name BBB and Plenary write is plain ASCII: copied whole.
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':');
    if name.bytes().all(plain) && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.push_str(name);
        return;
    }
    if !name.starts_with(is_name_start_char) {
        out.push('_');
    }
    out.extend(name.chars().map(|c| if is_name_char(c) { c } else { '_' }));
}

fn escape_into(out: &mut String, s: &str, in_attribute: bool) {
    // Runs of characters written as they are are copied whole; most text
    // is one such run.
    let mut rest = s;
    while let Some(at) = rest.find(|c: char| needs_escape(c, in_attribute)) {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().expect("found there");
        escape_char_into(out, c, in_attribute);
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
}

fn needs_escape(c: char, in_attribute: bool) -> bool {
    match c {
        '&' | '<' | '>' | '\r' => true,
        '"' | '\t' | '\n' => in_attribute,
        c => !is_xml_char(c),
    }
}

fn escape_char_into(out: &mut String, c: char, in_attribute: bool) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' if in_attribute => out.push_str("&quot;"),
        // Readers normalise line ends in text, and all whitespace in
        // attribute values; character references survive both.
        '\r' => out.push_str("&#13;"),
        '\t' | '\n' if in_attribute => {
            let _ = write!(out, "&#{};", u32::from(c));
        }
        c if is_xml_char(c) => out.push(c),
        _ => out.push(char::REPLACEMENT_CHARACTER),
    }
}

/// XML 1.0's `Char`: what a document may hold at all.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// XML 1.0's `NameStartChar`.
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0's `NameChar`.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(parent) = stack.last_mut() else {
        return;
    };
    // Entity references arrive as separate events; join them to their text.
    if let Some(Node::Text(prev)) = parent.children.last_mut() {
        prev.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_string()));
    }
}

fn read_attrs(
    s: &quick_xml::events::BytesStart<'_>,
) -> Result<Vec<(String, String)>, quick_xml::Error> {
    s.attributes()
        .map(|a| {
            let a = a.map_err(quick_xml::Error::from)?;
            Ok((
                a.key.into_inner().to_string(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                    .into_owned(),
            ))
        })
        .collect()
}

/// Drops whitespace-only text nodes left between elements by pretty-printed input.
pub fn trim_whitespace(root: &mut Element) {
    root.visit_mut(|el| {
        let has_elements = el.elements().next().is_some();
        el.children.retain(|n| match n {
            Node::Text(t) => !(has_elements && t.trim().is_empty()),
            Node::Element(_) => true,
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    #[test]
    fn the_writer_writes_what_the_tree_writes() {
        let tree = Element::new("response")
            .with("returncode", "SUCCESS")
            .with("empty", "")
            .with("count", 3)
            .with_child(
                Element::new("meetings")
                    .with_child(Element::new("meeting").with("meetingName", "R&D <weekly>\r"))
                    .with_child(Element::new("metadata")),
            )
            .with("bad name", "\u{1}");
        let mut w = Writer::document();
        w.element("response", |w| {
            w.text("returncode", "SUCCESS");
            w.text("empty", "");
            w.text("count", 3);
            w.element("meetings", |w| {
                w.element("meeting", |w| w.text("meetingName", "R&D <weekly>\r"));
                w.element("metadata", |_| {});
            });
            w.text("bad name", "\u{1}");
        });
        assert_eq!(w.finish(), tree.to_document());
    }

    #[test]
    fn parse_and_write_round_trip_with_escapes() {
        let doc = r#"<?xml version="1.0"?>
<response>
  <returncode>SUCCESS</returncode>
  <meetingName>R&amp;D &lt;weekly&gt;</meetingName>
  <metadata><bbb-origin>Greenlight</bbb-origin></metadata>
  <document url="https://h/x?a=1&amp;b=2"/>
  <message><![CDATA[a < b]]></message>
</response>"#;
        let mut el = Element::parse(doc).unwrap();
        trim_whitespace(&mut el);
        assert_eq!(el.child_text("meetingName").unwrap(), "R&D <weekly>");
        assert_eq!(el.child_text("message").unwrap(), "a < b");
        assert_eq!(
            el.child("document").unwrap().attrs[0].1,
            "https://h/x?a=1&b=2"
        );
        let again = Element::parse(&el.to_document()).unwrap();
        assert_eq!(again, el);
    }

    #[test]
    fn truncated_documents_are_errors_not_panics() {
        assert!(Element::parse("<response><a>").is_err());
        assert!(Element::parse("").is_err());
        assert!(Element::parse("<a>&bogus;</a>").is_err());
    }

    fn nested(depth: usize) -> String {
        format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth))
    }

    #[test]
    fn a_document_200_000_levels_deep_is_refused_not_a_stack_overflow() {
        assert!(matches!(
            Element::parse(&nested(200_000)),
            Err(XmlError::TooDeep)
        ));
        assert!(matches!(
            Element::parse(&format!(
                "{}<b/>{}",
                "<a>".repeat(MAX_DEPTH),
                "</a>".repeat(MAX_DEPTH)
            )),
            Err(XmlError::TooDeep)
        ));
    }

    #[test]
    fn a_document_exactly_as_deep_as_the_bound_is_read() {
        let el = Element::parse(&nested(MAX_DEPTH)).unwrap();
        let mut depth = 0;
        let mut at = Some(&el);
        while let Some(e) = at {
            depth += 1;
            at = e.child("a");
        }
        assert_eq!(depth, MAX_DEPTH);
    }

    #[test]
    fn an_answer_that_is_not_utf8_is_refused() {
        assert!(matches!(
            Element::parse_bytes(b"<a>\xff</a>"),
            Err(XmlError::NotUtf8)
        ));
    }

    #[test]
    fn characters_xml_1_0_forbids_are_written_as_replacement_characters() {
        let el = Element::new("response")
            .with("meetingName", "a\u{1}b\u{1b}c\u{FFFF}")
            .with_attr("x", "\u{0}");
        assert_eq!(
            el.to_document(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <response x=\"\u{FFFD}\"><meetingName>a\u{FFFD}b\u{FFFD}c\u{FFFD}</meetingName></response>"
        );
    }

    #[test]
    fn names_no_xml_name_may_hold_are_written_with_underscores() {
        let el = Element::new("1 a<b").with_attr("", "v").with_attr("_", "w");
        let mut out = String::new();
        el.write_into(&mut out);
        assert_eq!(out, "<_1_a_b _=\"v\"/>");
    }

    #[test]
    fn the_writer_and_the_walks_handle_a_deep_tree_built_in_code() {
        let mut el = Element::new("a");
        for _ in 0..MAX_DEPTH * 2 {
            el = Element::new("a").with_child(el);
        }
        trim_whitespace(&mut el);
        assert!(el.to_document().ends_with("</a></a>"));
    }

    /// What XML 1.0 requires of a document Plenary writes: only `Char`s, and
    /// a tree a reader accepts with valid names (the reader refuses repeated
    /// attributes and mismatched tags itself).
    fn assert_well_formed(doc: &str) -> Result<(), TestCaseError> {
        prop_assert!(doc.chars().all(is_xml_char), "{doc:?}");
        let el = Element::parse(doc).map_err(|e| TestCaseError::fail(format!("{e}: {doc:?}")))?;
        let mut names_ok = true;
        let mut el = el;
        el.visit_mut(|e| {
            let valid = |n: &str| n.starts_with(is_name_start_char) && n.chars().all(is_name_char);
            names_ok &= valid(&e.name) && e.attrs.iter().all(|(k, _)| valid(k));
        });
        prop_assert!(names_ok, "{doc:?}");
        Ok(())
    }

    fn name() -> impl Strategy<Value = String> {
        "[A-Za-z_:\u{C0}-\u{D6}\u{370}-\u{37D}][A-Za-z0-9_.:\u{B7}\u{C0}-\u{D6}\u{300}-\u{37D}-]{0,8}"
    }

    /// Any string of XML `Char`s, weighted towards the ones escaping concerns.
    fn xml_text() -> impl Strategy<Value = String> {
        let special =
            prop::sample::select(vec!['&', '<', '>', '"', '\'', '\r', '\n', '\t', ']', ' ']);
        let any = any::<char>().prop_filter("an XML Char", |c| is_xml_char(*c));
        prop::collection::vec(prop_oneof![special, any], 1..12)
            .prop_map(|cs| cs.into_iter().collect())
    }

    /// Attributes with unique names, as a reader produces them.
    fn attrs() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::btree_map(name(), xml_text(), 0..3)
            .prop_map(|m| m.into_iter().collect::<Vec<_>>())
    }

    /// Trees in the form a reader produces: no empty or adjacent text nodes.
    fn tree() -> impl Strategy<Value = Element> {
        let leaf = (name(), attrs()).prop_map(|(name, attrs)| Element {
            name,
            attrs,
            children: Vec::new(),
        });
        leaf.prop_recursive(6, 40, 5, move |inner| {
            let child = prop_oneof![
                inner.prop_map(Node::Element),
                xml_text().prop_map(Node::Text)
            ];
            (name(), attrs(), prop::collection::vec(child, 0..5)).prop_map(
                |(name, attrs, children)| {
                    let mut el = Element {
                        name,
                        attrs,
                        children: Vec::new(),
                    };
                    for child in children {
                        match (child, el.children.last()) {
                            (Node::Text(_), Some(Node::Text(_))) => {}
                            (child, _) => el.children.push(child),
                        }
                    }
                    el
                },
            )
        })
    }

    /// Bytes a hostile or broken server might send: fragments of XML mixed
    /// with arbitrary bytes.
    fn answer_bytes() -> impl Strategy<Value = Vec<u8>> {
        let fragment = prop_oneof![
            prop::sample::select(vec![
                "<response>",
                "</response>",
                "<a>",
                "</a>",
                "<b x='1' y=\"&#9;\">",
                "</b>",
                "<c/>",
                "&amp;",
                "&#1;",
                "&#0;",
                "&#xFFFF;",
                "&bogus;",
                "\u{1}",
                "\u{FFFF}",
                "text",
                "<![CDATA[",
                "]]>",
                "<!--",
                "-->",
                "<?xml version='1.0'?>",
                "<!DOCTYPE x>",
                "\r\n",
                "<a\u{1}b>",
                "<1>",
                "<a x='1' x='2'>",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ];
        prop::collection::vec(fragment, 0..40).prop_map(|fs| fs.concat())
    }

    proptest! {
        #[test]
        fn parse_of_write_is_the_tree(el in tree()) {
            prop_assert_eq!(Element::parse(&el.to_document()).unwrap(), el);
        }

        #[test]
        fn whatever_a_tree_holds_its_document_is_well_formed(
            names in prop::collection::vec(any::<String>(), 1..4),
            texts in prop::collection::vec(any::<String>(), 1..4),
        ) {
            let mut el = Element::new(names[0].clone());
            for (n, t) in names.iter().zip(texts.iter().cycle()) {
                el = el.with_attr(n, t).with(n, t).with_child(Element::new(n.clone()).with_attr(n, t));
                el.children.push(Node::Text(t.clone()));
            }
            assert_well_formed(&el.to_document())?;
        }

        #[test]
        fn arbitrary_bytes_from_a_backend_never_panic_the_reader(bytes in answer_bytes()) {
            match Element::parse_bytes(&bytes) {
                Ok(mut el) => {
                    trim_whitespace(&mut el);
                    assert_well_formed(&el.to_document())?;
                }
                Err(XmlError::Malformed(_) | XmlError::Empty | XmlError::TooDeep | XmlError::NotUtf8) => {}
            }
        }
    }
}
