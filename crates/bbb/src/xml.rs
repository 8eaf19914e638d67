//! A small XML tree for BBB documents. Backend answers are parsed into it,
//! rewritten (meeting IDs, tenant filtering) and written back out, so fields
//! Plenary does not know about pass through untouched.

use std::fmt::Write as _;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

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

    /// Parses a document and returns its root element. Whitespace-only text
    /// between elements is dropped; it carries nothing in BBB documents.
    pub fn parse(doc: &str) -> Result<Element, XmlError> {
        let mut reader = Reader::from_str(doc);
        let mut stack: Vec<Element> = Vec::new();
        let bad = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
        loop {
            match reader.read_event().map_err(|e| bad(&e))? {
                Event::Start(s) => stack.push(Element {
                    name: s.name().into_inner().to_string(),
                    attrs: read_attrs(&s).map_err(|e| bad(&e))?,
                    children: Vec::new(),
                }),
                Event::Empty(s) => {
                    let el = Element {
                        name: s.name().into_inner().to_string(),
                        attrs: read_attrs(&s).map_err(|e| bad(&e))?,
                        children: Vec::new(),
                    };
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
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write_into(&mut out);
        out
    }

    pub fn write_into(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            let _ = write!(out, " {k}=\"{}\"", quick_xml::escape::escape(v.as_str()));
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for child in &self.children {
            match child {
                Node::Element(e) => e.write_into(out),
                Node::Text(t) => out.push_str(&quick_xml::escape::escape(t.as_str())),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
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
pub fn trim_whitespace(el: &mut Element) {
    let has_elements = el.elements().next().is_some();
    el.children.retain(|n| match n {
        Node::Text(t) => !(has_elements && t.trim().is_empty()),
        Node::Element(_) => true,
    });
    for child in el.elements_mut() {
        trim_whitespace(child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
