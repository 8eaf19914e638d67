//! Builders shared by the specification tests.

use governance::membership::ConsortiumRules;
use governance::membership::{OrgKind, Weight};
use governance::proposal::{Ballot, Choice, Kind, Position, Proposal, Schedule};
use governance::roll::{BallotRecord, Caster, Roll, RollEntry};

pub const DAY: i64 = 86_400_000;
/// 2026-01-01 00:00 UTC.
pub const T0: i64 = 1_767_225_600_000;

pub fn entry(org: &str, weight: u32) -> RollEntry {
    RollEntry {
        org: org.into(),
        kind: if weight == 1 {
            OrgKind::Organisation
        } else {
            OrgKind::Federation
        },
        class: "consumer".into(),
        weight: Weight::new(weight).expect("weights in tests are non-zero"),
        college: None,
    }
}

/// A roll of organisations named by the given weights: "org 00", "org 01"…
pub fn roll_of(weights: &[u32]) -> Roll {
    Roll::new(
        weights
            .iter()
            .enumerate()
            .map(|(i, &w)| entry(&name(i), w))
            .collect(),
    )
    .expect("a valid roll")
}

pub fn name(i: usize) -> String {
    format!("org {i:02}")
}

pub fn proposal(kind: Kind, options: &[&str]) -> Proposal {
    Proposal {
        title: "A decision".into(),
        text: "What the members decide.".into(),
        kind,
        options: options.iter().map(|o| o.to_string()).collect(),
        rules: ConsortiumRules::default().proposal_rules(),
        amends: None,
    }
}

pub fn consent_proposal() -> Proposal {
    proposal(Kind::Consent, &[])
}

pub fn schedule() -> Schedule {
    Schedule {
        opens_at: T0,
        closes_at: T0 + 7 * DAY,
    }
}

pub fn position(position: Position) -> Choice {
    let reason = matches!(position, Position::Disagree | Position::Block)
        .then(|| "a stated reason".to_owned());
    Choice::Consent { position, reason }
}

pub fn record(org: &str, choice: Choice) -> BallotRecord {
    revised(org, choice, 1)
}

pub fn revised(org: &str, choice: Choice, revision: u32) -> BallotRecord {
    BallotRecord {
        org: org.into(),
        ballot: Ballot {
            choice,
            minutes_link: None,
        },
        cast_at: T0 + i64::from(revision) * DAY / 10,
        revision,
        cast_as: Caster::Delegate,
    }
}

/// Ballots for "org 00", "org 01"… in order.
pub fn records(choices: &[Choice]) -> Vec<BallotRecord> {
    choices
        .iter()
        .enumerate()
        .map(|(i, c)| record(&name(i), c.clone()))
        .collect()
}
