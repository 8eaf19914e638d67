//! Stored rows to the governance crate's types and back. The store keeps
//! the governance crate's own JSON, so these are readings, not translations.

use governance::membership::{LegalForm, OrgKind, Status, Weight};
use governance::proposal::{Ballot, Kind, Proposal, Rules, Schedule, State};
use governance::roll::{BallotRecord, Roll, RollEntry};
use serde::de::DeserializeOwned;

use crate::{ConsortiumError, Result};

pub(crate) fn json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| ConsortiumError::corrupt(what, e))
}

pub(crate) fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) fn kind_name(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Organisation => "organisation",
        OrgKind::Federation => "federation",
    }
}

pub(crate) fn org_kind(name: &str) -> Result<OrgKind> {
    match name {
        "organisation" => Ok(OrgKind::Organisation),
        "federation" => Ok(OrgKind::Federation),
        other => Err(ConsortiumError::corrupt(
            "organisation kind",
            format!("{other:?}"),
        )),
    }
}

pub(crate) fn legal_form(name: &str) -> Result<LegalForm> {
    name.parse()
        .map_err(|e| ConsortiumError::corrupt("legal form", e))
}

/// The register state of an organisation: `None` for a plain customer.
pub(crate) fn status(org: &store::Organisation) -> Result<Option<Status>> {
    org.membership
        .as_deref()
        .map(|m| json("membership", m))
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
        .ok_or_else(|| ConsortiumError::corrupt("weight", org.weight))
}

/// A stored proposal as the governance crate sees it.
pub(crate) struct Stored {
    pub proposal: Proposal,
    pub state: State,
}

pub(crate) fn proposal(p: &store::Proposal) -> Result<Stored> {
    let kind: Kind = json("proposal kind", &p.kind)?;
    let rules: Rules = json("proposal rules", &p.rules)?;
    let proposal = Proposal {
        title: p.title.clone(),
        text: p.body.clone(),
        kind,
        options: json("proposal options", &p.options)?,
        rules,
    };
    let schedule = || -> Result<Schedule> {
        match (p.opened_at, p.closes_at) {
            (Some(opens_at), Some(closes_at)) => Ok(Schedule {
                opens_at,
                closes_at,
            }),
            _ => Err(ConsortiumError::corrupt(
                "proposal schedule",
                format!("proposal {} is {} without dates", p.id, p.state),
            )),
        }
    };
    let state = match p.state.as_str() {
        "draft" => State::Draft,
        "open" => State::Open {
            schedule: schedule()?,
        },
        "closed" => State::Closed {
            schedule: schedule()?,
            closed_at: p.closed_at.unwrap_or_default(),
        },
        "withdrawn" => State::Withdrawn {
            withdrawn_at: p.closed_at.unwrap_or_default(),
        },
        other => return Err(ConsortiumError::corrupt("proposal state", other)),
    };
    Ok(Stored { proposal, state })
}

pub(crate) fn roll(entries: &[store::RollEntry]) -> Result<Roll> {
    let entries = entries
        .iter()
        .map(|e| {
            Ok(RollEntry {
                org: e.org.clone(),
                kind: org_kind(&e.kind)?,
                class: e.member_class.clone(),
                weight: u32::try_from(e.weight)
                    .ok()
                    .and_then(|w| Weight::new(w).ok())
                    .ok_or_else(|| ConsortiumError::corrupt("roll weight", e.weight))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Roll::new(entries).map_err(|e| ConsortiumError::corrupt("roll", e))
}

pub(crate) fn store_roll(roll: &Roll) -> Vec<store::RollEntry> {
    roll.entries()
        .iter()
        .map(|e| store::RollEntry {
            org: e.org.clone(),
            kind: kind_name(e.kind).into(),
            weight: i64::from(u32::from(e.weight)),
            member_class: e.class.clone(),
        })
        .collect()
}

pub(crate) fn records(ballots: &[store::Ballot]) -> Result<Vec<BallotRecord>> {
    ballots
        .iter()
        .map(|b| {
            Ok(BallotRecord {
                org: b.org.clone(),
                ballot: json::<Ballot>("ballot", &b.choice)?,
                cast_at: b.cast_at,
                revision: u32::try_from(b.revision)
                    .map_err(|e| ConsortiumError::corrupt("ballot revision", e))?,
            })
        })
        .collect()
}

pub(crate) fn shortfall(s: governance::tally::Shortfall) -> &'static str {
    match s {
        governance::tally::Shortfall::Blocked => "blocked",
        governance::tally::Shortfall::BelowThreshold => "below the threshold",
    }
}
