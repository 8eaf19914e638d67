//! Stored rows to the governance crate's types and back. The store keeps
//! the governance crate's own JSON, so these are readings, not translations;
//! a value that does not read is an error naming its row, never a default.

use governance::membership::{LegalForm, OrgKind, Status, Weight};
use governance::proposal::{Ballot, Proposal, Schedule, State};
use governance::roll::{BallotRecord, Caster, Roll, RollEntry};
use serde::de::DeserializeOwned;
use store::ProposalState;

use crate::{ConsortiumError, Result};

pub(crate) fn json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| ConsortiumError::corrupt(what, e))
}

pub(crate) fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) fn kind_name(kind: OrgKind) -> &'static str {
    store_kind(kind).as_str()
}

pub(crate) fn store_kind(kind: OrgKind) -> store::OrgKind {
    match kind {
        OrgKind::Organisation => store::OrgKind::Organisation,
        OrgKind::Federation => store::OrgKind::Federation,
        OrgKind::Individual => store::OrgKind::Individual,
    }
}

pub(crate) fn org_kind(kind: store::OrgKind) -> OrgKind {
    match kind {
        store::OrgKind::Organisation => OrgKind::Organisation,
        store::OrgKind::Federation => OrgKind::Federation,
        store::OrgKind::Individual => OrgKind::Individual,
    }
}

pub(crate) fn legal_form(org: &str, name: &str) -> Result<LegalForm> {
    name.parse()
        .map_err(|e| ConsortiumError::corrupt(&format!("the legal form of {org}"), e))
}

/// The register state of an organisation: `None` for a plain customer.
pub(crate) fn status(org: &store::Organisation) -> Result<Option<Status>> {
    org.membership
        .as_deref()
        .map(|m| json(&format!("the membership of {}", org.name), m))
        .transpose()
}

pub(crate) fn status_name(status: Status) -> &'static str {
    match status {
        Status::Applicant { .. } => "applicant",
        Status::Member { .. } => "member",
        Status::Leaving { .. } => "leaving",
        Status::Left { .. } => "left",
        Status::Rejected { .. } => "rejected",
        Status::Withdrawn { .. } => "withdrawn",
    }
}

pub(crate) fn weight(org: &store::Organisation) -> Result<Weight> {
    u32::try_from(org.weight)
        .ok()
        .and_then(|w| Weight::new(w).ok())
        .ok_or_else(|| {
            ConsortiumError::corrupt(&format!("the vote weight of {}", org.name), org.weight)
        })
}

/// A stored proposal as the governance crate sees it.
pub(crate) struct Stored {
    pub proposal: Proposal,
    pub state: State,
}

pub(crate) fn proposal(p: &store::Proposal) -> Result<Stored> {
    let row = |what: &str| format!("the {what} of proposal {}", p.id);
    let proposal = Proposal {
        title: p.title.clone(),
        text: p.body.clone(),
        kind: json(&row("kind"), &p.kind)?,
        options: json(&row("options"), &p.options)?,
        rules: json(&row("rules"), &p.rules)?,
        amends: p
            .amends
            .as_deref()
            .map(|a| json(&row("rules change"), a))
            .transpose()?,
    };
    let missing = |what: &str| {
        ConsortiumError::corrupt(
            &format!("proposal {}", p.id),
            format!("it is {} without its {what}", p.state),
        )
    };
    let schedule = || -> Result<Schedule> {
        match (p.opened_at, p.closes_at) {
            (Some(opens_at), Some(closes_at)) => Ok(Schedule {
                opens_at,
                closes_at,
            }),
            _ => Err(missing("opening and closing times")),
        }
    };
    let closed_at = || p.closed_at.ok_or_else(|| missing("closing time"));
    let state = match p.state {
        ProposalState::Draft => State::Draft,
        ProposalState::Open => State::Open {
            schedule: schedule()?,
        },
        ProposalState::Closed => State::Closed {
            schedule: schedule()?,
            closed_at: closed_at()?,
        },
        ProposalState::Withdrawn => State::Withdrawn {
            withdrawn_at: closed_at()?,
        },
    };
    Ok(Stored { proposal, state })
}

pub(crate) fn roll(id: i64, entries: &[store::RollEntry]) -> Result<Roll> {
    let entries = entries
        .iter()
        .map(|e| {
            Ok(RollEntry {
                org: e.org.clone(),
                kind: org_kind(e.kind),
                class: e.member_class.clone(),
                weight: u32::try_from(e.weight)
                    .ok()
                    .and_then(|w| Weight::new(w).ok())
                    .ok_or_else(|| {
                        ConsortiumError::corrupt(
                            &format!("the weight of {} on the roll of proposal {id}", e.org),
                            e.weight,
                        )
                    })?,
                college: e
                    .college
                    .as_deref()
                    .map(|c| {
                        c.parse().map_err(|err| {
                            ConsortiumError::corrupt(
                                &format!("the college of {} on the roll of proposal {id}", e.org),
                                err,
                            )
                        })
                    })
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Roll::new(entries)
        .map_err(|e| ConsortiumError::corrupt(&format!("the roll of proposal {id}"), e))
}

pub(crate) fn store_roll(roll: &Roll) -> Vec<store::RollEntry> {
    roll.entries()
        .iter()
        .map(|e| store::RollEntry {
            org: e.org.clone(),
            kind: store_kind(e.kind),
            weight: i64::from(u32::from(e.weight)),
            member_class: e.class.clone(),
            college: e.college.as_ref().map(ToString::to_string),
        })
        .collect()
}

pub(crate) fn records(id: i64, ballots: &[store::Ballot]) -> Result<Vec<BallotRecord>> {
    ballots
        .iter()
        .map(|b| {
            let row = format!(
                "revision {} of {}'s ballot on proposal {id}",
                b.revision, b.org
            );
            Ok(BallotRecord {
                org: b.org.clone(),
                ballot: json::<Ballot>(&row, &b.choice)?,
                cast_at: b.cast_at,
                revision: u32::try_from(b.revision)
                    .map_err(|e| ConsortiumError::corrupt(&row, e))?,
                cast_as: caster(b.cast_as).ok_or_else(|| {
                    ConsortiumError::corrupt(&row, "cast by an admin, who does not vote")
                })?,
            })
        })
        .collect()
}

/// The voting role a stored role stands for; an admin casts no ballot.
pub(crate) fn caster(role: store::Role) -> Option<Caster> {
    match role {
        store::Role::Delegate => Some(Caster::Delegate),
        store::Role::Deputy => Some(Caster::Deputy),
        store::Role::Admin => None,
    }
}

pub(crate) fn shortfall(s: governance::tally::Shortfall) -> &'static str {
    match s {
        governance::tally::Shortfall::Blocked => "blocked",
        governance::tally::Shortfall::BelowThreshold => "below the threshold",
    }
}
