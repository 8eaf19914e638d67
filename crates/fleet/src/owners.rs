//! Who each meeting in a server's `getMeetings` answer belongs to. Only
//! Plenary's own records and the namespaced meeting ID decide: metadata is
//! whatever the client sent at create, so it is never trusted for billing.

use std::collections::HashMap;

use bbb::meeting::MeetingSummary;
use store::MeetingRecord;

/// Backend meeting IDs are `<meetingID>~<tenant>`; tenant names never
/// contain it, so the text after the last one names the tenant.
pub const MEETING_ID_SEP: char = '~';

/// The tenant a namespaced backend meeting ID names.
pub fn tenant_of(backend_id: &str) -> Option<&str> {
    backend_id
        .rsplit_once(MEETING_ID_SEP)
        .map(|(_, tenant)| tenant)
        .filter(|t| !t.is_empty())
}

/// A tenant's name: it appears in host names, URL paths and namespaced
/// meeting IDs, so it is a DNS label: lower-case letters, digits and inner
/// hyphens, at most 32 characters. `~` can never appear in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantName(String);

impl TenantName {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = (1..=32).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(format!(
                "{s:?} is not a valid tenant name: use 1 to 32 lower-case letters, digits and inner hyphens"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Plenary's live record on this server (a breakout's is its parent's).
    Record { record_id: i64, tenant_id: i64 },
    /// No record here, but the ID names a tenant.
    Tenant(i64),
    /// Plenary ended or released its record here, yet the server still
    /// runs it: it must be ended there, and is never metered.
    Stale,
    /// Ended in Plenary's records so recently that the server may still be
    /// ending it: not metered, left alone.
    Ending,
    /// Not a meeting of any tenant.
    Foreign,
}

impl Owner {
    pub fn tenant_id(self) -> Option<i64> {
        match self {
            Self::Record { tenant_id, .. } | Self::Tenant(tenant_id) => Some(tenant_id),
            Self::Stale | Self::Ending | Self::Foreign => None,
        }
    }
}

/// What is known of one server's meetings besides its answer.
pub struct Books<'a> {
    /// Live records on this server.
    pub live: &'a [MeetingRecord],
    /// For meetings the server runs without a live record here: when
    /// Plenary last ended a record of that backend ID on this server.
    pub ended_here: &'a HashMap<String, i64>,
    /// Records ended before this are stale if the server still runs them.
    pub stale_before_ms: i64,
    pub tenant_ids: &'a HashMap<&'a str, i64>,
}

/// The owner of each meeting, in the answer's order.
pub fn owners(meetings: &[MeetingSummary], books: &Books<'_>) -> Vec<Owner> {
    let by_backend: HashMap<&str, &MeetingRecord> = books
        .live
        .iter()
        .map(|r| (r.backend_id.as_str(), r))
        .collect();
    let own = |m: &MeetingSummary| {
        if let Some(r) = by_backend.get(m.meeting_id.as_str()) {
            return Owner::Record {
                record_id: r.id,
                tenant_id: r.tenant_id,
            };
        }
        if let Some(ended) = books.ended_here.get(&m.meeting_id) {
            return if *ended < books.stale_before_ms {
                Owner::Stale
            } else {
                Owner::Ending
            };
        }
        tenant_of(&m.meeting_id)
            .and_then(|t| books.tenant_ids.get(t))
            .map_or(Owner::Foreign, |id| Owner::Tenant(*id))
    };
    let parents: Vec<Option<Owner>> = meetings
        .iter()
        .map(|m| (!m.is_breakout).then(|| own(m)))
        .collect();
    // A breakout room belongs to whoever owns its parent meeting.
    let mut by_internal: HashMap<&str, Owner> = books
        .live
        .iter()
        .filter_map(|r| {
            let owner = Owner::Record {
                record_id: r.id,
                tenant_id: r.tenant_id,
            };
            r.internal_id.as_deref().map(|i| (i, owner))
        })
        .collect();
    for (m, owner) in meetings.iter().zip(&parents) {
        if let Some(owner) = owner {
            by_internal.insert(m.internal_meeting_id.as_str(), *owner);
        }
    }
    meetings
        .iter()
        .zip(parents)
        .map(|(m, owner)| {
            owner.unwrap_or_else(|| {
                m.parent_meeting_id
                    .as_deref()
                    .and_then(|p| by_internal.get(p).copied())
                    .unwrap_or(Owner::Foreign)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_are_dns_labels() {
        for good in ["acme", "a", "uni-vienna", "x1"] {
            assert!(TenantName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "Acme", "a~b", "-a", "a-", "a.b", "a_b", &"x".repeat(33)] {
            assert!(TenantName::parse(bad).is_err(), "{bad}");
        }
    }

    fn meeting(id: &str, internal: &str) -> MeetingSummary {
        MeetingSummary {
            meeting_id: id.into(),
            internal_meeting_id: internal.into(),
            ..MeetingSummary::default()
        }
    }

    fn breakout(id: &str, parent_internal: &str) -> MeetingSummary {
        MeetingSummary {
            is_breakout: true,
            parent_meeting_id: Some(parent_internal.into()),
            ..meeting(id, &format!("{id}-internal"))
        }
    }

    fn record(id: i64, tenant_id: i64, backend_id: &str) -> MeetingRecord {
        MeetingRecord {
            id,
            tenant_id,
            meeting_id: backend_id.split('~').next().unwrap().into(),
            backend_id: backend_id.into(),
            server_id: 1,
            internal_id: None,
            created_at: 0,
            ended_at: None,
        }
    }

    fn tenants() -> HashMap<&'static str, i64> {
        HashMap::from([("acme", 1), ("globex", 2)])
    }

    fn owners_of(
        meetings: &[MeetingSummary],
        live: &[MeetingRecord],
        ended: &[(&str, i64)],
    ) -> Vec<Owner> {
        let ended_here = ended.iter().map(|(b, at)| (b.to_string(), *at)).collect();
        let tenant_ids = tenants();
        owners(
            meetings,
            &Books {
                live,
                ended_here: &ended_here,
                stale_before_ms: 1_000,
                tenant_ids: &tenant_ids,
            },
        )
    }

    #[test]
    fn the_tenant_is_the_last_part_of_a_namespaced_id() {
        assert_eq!(tenant_of("room~acme"), Some("acme"));
        assert_eq!(tenant_of("a~b~acme"), Some("acme"));
        assert_eq!(tenant_of("room"), None);
        assert_eq!(tenant_of("room~"), None);
    }

    #[test]
    fn a_live_record_owns_its_meeting() {
        let live = [record(7, 2, "room~globex")];
        assert_eq!(
            owners_of(&[meeting("room~globex", "i")], &live, &[]),
            [Owner::Record {
                record_id: 7,
                tenant_id: 2
            }]
        );
    }

    #[test]
    fn metadata_naming_another_tenant_does_not_change_the_owner() {
        let mut m = meeting("room~acme", "i");
        m.metadata = vec![("plenary-tenant".into(), "globex".into())];
        assert_eq!(owners_of(&[m], &[], &[]), [Owner::Tenant(1)]);
    }

    #[test]
    fn an_id_naming_no_tenant_is_foreign() {
        let found = owners_of(
            &[meeting("room", "i"), meeting("room~nobody", "j")],
            &[],
            &[],
        );
        assert_eq!(found, [Owner::Foreign, Owner::Foreign]);
    }

    #[test]
    fn a_meeting_ended_here_long_ago_is_stale_and_one_ended_just_now_is_ending() {
        let found = owners_of(
            &[meeting("old~acme", "i"), meeting("new~acme", "j")],
            &[],
            &[("old~acme", 999), ("new~acme", 1_000)],
        );
        assert_eq!(found, [Owner::Stale, Owner::Ending]);
    }

    #[test]
    fn a_breakout_belongs_to_its_parent_in_the_same_answer_or_in_the_records() {
        let mut live = record(7, 2, "room~globex");
        live.internal_id = Some("kept".into());
        let found = owners_of(
            &[
                meeting("other~acme", "listed"),
                breakout("b1", "listed"),
                breakout("b2", "kept"),
                breakout("b3", "unknown"),
            ],
            &[live],
            &[],
        );
        assert_eq!(
            found,
            [
                Owner::Tenant(1),
                Owner::Tenant(1),
                Owner::Record {
                    record_id: 7,
                    tenant_id: 2
                },
                Owner::Foreign
            ]
        );
    }

    #[test]
    fn a_breakout_of_a_stale_meeting_is_stale_too() {
        let found = owners_of(
            &[meeting("old~acme", "p"), breakout("b", "p")],
            &[],
            &[("old~acme", 0)],
        );
        assert_eq!(found, [Owner::Stale, Owner::Stale]);
    }
}
