//! Meeting IDs on the backends carry their tenant: `<meetingID>~<tenant>`.
//! Tenant names cannot contain `~`, so "ends with `~<tenant>`" is an exact
//! ownership test, and two tenants may use the same meeting ID safely.

use bbb::Element;
use bbb::xml::Node;

pub use fleet::owners::TenantName;

const SEP: char = fleet::owners::MEETING_ID_SEP;

/// BBB's own limit on meeting IDs, which the namespaced ID must respect.
pub const BBB_MAX_MEETING_ID: usize = 256;

pub fn backend_id(tenant: &str, meeting_id: &str) -> String {
    format!("{meeting_id}{SEP}{tenant}")
}

/// The tenant's own ID, if `backend_id` belongs to `tenant`.
pub fn tenant_id<'a>(tenant: &str, backend_id: &'a str) -> Option<&'a str> {
    backend_id
        .strip_suffix(tenant)
        .and_then(|rest| rest.strip_suffix(SEP))
}

/// The longest meeting ID a tenant may use.
pub fn max_meeting_id_len(tenant: &str) -> usize {
    BBB_MAX_MEETING_ID - tenant.len() - SEP.len_utf8()
}

fn carries_meeting_id(element_name: &str) -> bool {
    matches!(
        element_name.to_ascii_lowercase().as_str(),
        "meetingid" | "parentmeetingid" | "externalmeetingid" | "meeting_id_external"
    )
}

/// Maps every meeting ID of `tenant` in a backend answer back to the ID the
/// tenant knows, wherever it appears.
pub fn unmap(tenant: &str, root: &mut Element) {
    // Without recursion: the answer's shape is the backend's to choose.
    root.visit_mut(|el| {
        if !carries_meeting_id(&el.name) {
            return;
        }
        for child in &mut el.children {
            if let Node::Text(t) = child
                && let Some(own) = tenant_id(tenant, t.trim())
            {
                *t = own.to_string();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ownership_is_exact_even_for_similar_tenant_names() {
        let id = backend_id("acme", "room");
        assert_eq!(tenant_id("acme", &id), Some("room"));
        assert_eq!(tenant_id("me", &id), None);
        assert_eq!(tenant_id("acme-1", &id), None);
        assert_eq!(tenant_id("acme", "room~acme-1"), None);
    }

    #[test]
    fn every_meeting_id_field_is_mapped_back() {
        let mut el = Element::parse(
            "<response><meetingID>r~acme</meetingID><recording><meetingID>r~acme</meetingID>\
             <metadata><meetingId>r~acme</meetingId></metadata></recording>\
             <meetingName>r~acme</meetingName><meetingID>r~other</meetingID></response>",
        )
        .unwrap();
        unmap("acme", &mut el);
        assert_eq!(
            el.to_document(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><meetingID>r</meetingID><recording><meetingID>r</meetingID>\
             <metadata><meetingId>r</meetingId></metadata></recording>\
             <meetingName>r~acme</meetingName><meetingID>r~other</meetingID></response>"
        );
    }

    #[test]
    fn an_answer_nested_deeper_than_any_parsed_one_is_mapped_without_recursion() {
        let mut el = Element::new("meetingID").with_child(Element::new("x"));
        el.children.push(Node::Text("r~acme".into()));
        for _ in 0..200_000 {
            el = Element::new("meeting").with_child(el);
        }
        unmap("acme", &mut el);
        let mut at = &el;
        while let Some(inner) = at.elements().next() {
            at = inner;
            if at.name == "meetingID" {
                break;
            }
        }
        assert_eq!(at.text(), "r");
        // Dropping is recursive and would overflow; the tree is taken apart by hand.
        let mut todo = vec![el];
        while let Some(mut e) = todo.pop() {
            todo.extend(e.children.drain(..).filter_map(|n| match n {
                Node::Element(c) => Some(c),
                Node::Text(_) => None,
            }));
        }
    }

    proptest! {
        #[test]
        fn mapping_round_trips_and_never_crosses_tenants(
            id in "\\PC{1,40}",
            a in "[a-z0-9][a-z0-9-]{0,15}",
            b in "[a-z0-9][a-z0-9-]{0,15}",
        ) {
            let backend = backend_id(&a, &id);
            prop_assert_eq!(tenant_id(&a, &backend), Some(id.as_str()));
            if a != b {
                prop_assert_eq!(tenant_id(&b, &backend), None);
            }
        }
    }
}
