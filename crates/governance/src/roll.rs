//! The eligible roll, frozen at opening, and the ballots cast against it:
//! one ballot per organisation, changeable until the deadline, of which only
//! the latest revision counts.

use crate::fraction::Fraction;
use crate::membership::{
    ConsortiumRules, OrgKind, Status, UnknownClass, Weight, WeightError, validate_weight,
};
use crate::proposal::{
    Ballot, BallotError, Proposal, Rules, State, VotingClosed, check_voting_open, validate_ballot,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One organisation with a vote on one proposal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct RollEntry {
    pub org: String,
    pub kind: OrgKind,
    pub class: String,
    pub weight: Weight,
    /// For an individual voting in a college: the whole college's weight,
    /// shared among those of its members who vote (then `weight` is not
    /// counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub college: Option<Fraction>,
}

/// Who may vote and with what weight: at least one organisation, each once,
/// with a weight its kind allows, sorted by name so that equal rolls
/// serialize (and fingerprint) identically.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "Vec<RollEntry>", into = "Vec<RollEntry>")]
pub struct Roll(Vec<RollEntry>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollError {
    #[error("nobody is eligible: the roll has no members")]
    Empty,
    #[error("{org:?} appears on the roll twice")]
    DuplicateOrg { org: String },
    #[error("{org}: {source}")]
    Weight { org: String, source: WeightError },
    #[error("{org}: {source}")]
    Class { org: String, source: UnknownClass },
    #[error("{org:?} is an individual, but the rules admit no individual members")]
    NoIndividuals { org: String },
    #[error("{org:?} carries a college weight that is not its class's college weight")]
    College { org: String },
}

impl Roll {
    pub fn new(mut entries: Vec<RollEntry>) -> Result<Self, RollError> {
        if entries.is_empty() {
            return Err(RollError::Empty);
        }
        entries.sort_by(|a, b| a.org.cmp(&b.org));
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].org == pair[1].org) {
            return Err(RollError::DuplicateOrg {
                org: pair[0].org.clone(),
            });
        }
        for entry in &entries {
            validate_weight(entry.kind, entry.weight).map_err(|source| RollError::Weight {
                org: entry.org.clone(),
                source,
            })?;
        }
        let mut colleges: BTreeMap<&str, &Fraction> = BTreeMap::new();
        for entry in &entries {
            let Some(weight) = &entry.college else {
                continue;
            };
            let first = *colleges.entry(&entry.class).or_insert(weight);
            if entry.kind != OrgKind::Individual || first != weight {
                return Err(RollError::College {
                    org: entry.org.clone(),
                });
            }
        }
        Ok(Roll(entries))
    }

    pub fn entries(&self) -> &[RollEntry] {
        &self.0
    }

    pub fn get(&self, org: &str) -> Option<&RollEntry> {
        self.0
            .binary_search_by(|entry| entry.org.as_str().cmp(org))
            .ok()
            .map(|i| &self.0[i])
    }

    /// The weight of the organisations and individuals voting on their
    /// own; a college's weight is counted by the tally, shared among its
    /// voters.
    pub fn total_weight(&self) -> u64 {
        self.0.iter().map(|entry| entry.weight.units()).sum()
    }
}

impl TryFrom<Vec<RollEntry>> for Roll {
    type Error = RollError;
    fn try_from(entries: Vec<RollEntry>) -> Result<Self, Self::Error> {
        Roll::new(entries)
    }
}

impl From<Roll> for Vec<RollEntry> {
    fn from(roll: Roll) -> Self {
        roll.0
    }
}

/// An organisation as the register knows it, with the vote weight the
/// register gives it (the consortium's rule for its kind unless set).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegisterEntry {
    pub org: String,
    pub kind: OrgKind,
    pub class: String,
    pub status: Status,
    pub weight: Weight,
}

/// The roll for a proposal opening at `opens_at`: the organisations that
/// are members then (see [`Status::is_member_at`]), with their register
/// weights (checked against their kind by [`Roll::new`]).
pub fn freeze_roll(
    register: &[RegisterEntry],
    opens_at: i64,
    rules: &ConsortiumRules,
) -> Result<Roll, RollError> {
    let members: Vec<&RegisterEntry> = register
        .iter()
        .filter(|entry| entry.status.is_member_at(opens_at))
        .collect();
    let individuals = members
        .iter()
        .filter(|entry| entry.kind == OrgKind::Individual)
        .count();
    let college = rules
        .individuals
        .as_ref()
        .and_then(|i| i.voting.college_weight(individuals));
    let entries = members
        .into_iter()
        .map(|entry| {
            rules
                .check_class(&entry.class)
                .map_err(|source| RollError::Class {
                    org: entry.org.clone(),
                    source,
                })?;
            let individual = entry.kind == OrgKind::Individual;
            if individual && rules.individuals.is_none() {
                return Err(RollError::NoIndividuals {
                    org: entry.org.clone(),
                });
            }
            Ok(RollEntry {
                org: entry.org.clone(),
                kind: entry.kind,
                class: entry.class.clone(),
                weight: entry.weight,
                college: college.clone().filter(|_| individual),
            })
        })
        .collect::<Result<Vec<_>, RollError>>()?;
    Roll::new(entries)
}

/// In which role a ballot was cast for an organisation. The delegate's
/// ballot prevails over a deputy's; a deputy's counts while the delegate
/// has not voted.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Caster {
    Deputy,
    /// Records from before deputies were told apart were the delegate's.
    #[default]
    Delegate,
}

impl Caster {
    pub fn as_str(self) -> &'static str {
        match self {
            Caster::Deputy => "deputy",
            Caster::Delegate => "delegate",
        }
    }
}

/// A ballot as stored: who cast it, when, and which revision of that
/// organisation's ballot it is (1 for the first, then 2, 3…).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BallotRecord {
    pub org: String,
    pub ballot: Ballot,
    pub cast_at: i64,
    pub revision: u32,
    #[serde(default)]
    pub cast_as: Caster,
}

/// Ballot records that cannot be counted as they stand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("{org:?} is not on the roll of this proposal")]
    NotOnRoll { org: String },
    #[error("{org:?} has two ballots numbered revision {revision}")]
    DuplicateRevision { org: String, revision: u32 },
}

/// A ballot that counts, with the organisation's roll entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted<'a> {
    pub entry: &'a RollEntry,
    pub record: &'a BallotRecord,
}

/// Each organisation's counting ballot, in roll order: the delegate's
/// latest revision if the delegate voted, else the latest deputy's. A
/// record from an organisation off the roll, or two records with the same
/// revision, make the set uncountable: which one counts would be a guess.
pub fn latest_ballots<'a>(
    roll: &'a Roll,
    records: &'a [BallotRecord],
) -> Result<Vec<Counted<'a>>, RecordError> {
    let mut revisions: BTreeMap<(&str, u32), ()> = BTreeMap::new();
    let mut latest: BTreeMap<&str, Counted<'a>> = BTreeMap::new();
    for record in records {
        let entry = roll
            .get(&record.org)
            .ok_or_else(|| RecordError::NotOnRoll {
                org: record.org.clone(),
            })?;
        if revisions
            .insert((record.org.as_str(), record.revision), ())
            .is_some()
        {
            return Err(RecordError::DuplicateRevision {
                org: record.org.clone(),
                revision: record.revision,
            });
        }
        let rank = |r: &BallotRecord| (r.cast_as, r.revision);
        match latest.get(record.org.as_str()) {
            Some(held) if rank(held.record) > rank(record) => {}
            _ => {
                latest.insert(&entry.org, Counted { entry, record });
            }
        }
    }
    Ok(latest.into_values().collect())
}

/// Why a ballot was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CastError {
    #[error(transparent)]
    Closed(#[from] VotingClosed),
    #[error("{org:?} is not on the roll of this proposal and cannot vote on it")]
    NotOnRoll { org: String },
    #[error(transparent)]
    Ballot(#[from] BallotError),
}

/// What the proposal looks like to a ballot arriving now.
#[derive(Debug, Clone, Copy)]
pub struct Voting<'a> {
    pub proposal: &'a Proposal,
    pub state: State,
    pub roll: &'a Roll,
    pub last_text_change_at: Option<i64>,
}

impl Voting<'_> {
    fn rules(&self) -> &Rules {
        &self.proposal.rules
    }

    /// Accepts `ballot` from `org`'s delegate or deputy at `now` and
    /// returns the record to store: voting must be open, `org` on the roll,
    /// the ballot valid. The revision follows the organisation's highest
    /// one in `previous`.
    pub fn cast(
        &self,
        previous: &[BallotRecord],
        org: &str,
        cast_as: Caster,
        ballot: Ballot,
        now: i64,
    ) -> Result<BallotRecord, CastError> {
        check_voting_open(self.state, now, self.last_text_change_at, self.rules())?;
        if self.roll.get(org).is_none() {
            return Err(CastError::NotOnRoll {
                org: org.to_owned(),
            });
        }
        validate_ballot(self.proposal, &ballot)?;
        let revision = previous
            .iter()
            .filter(|record| record.org == org)
            .map(|record| record.revision)
            .max()
            .map_or(1, |highest| highest.saturating_add(1));
        Ok(BallotRecord {
            org: org.to_owned(),
            ballot,
            cast_at: now,
            revision,
            cast_as,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposal::{Choice, Kind, Position, Schedule};

    const DAY: i64 = 86_400_000;
    const T0: i64 = 1_767_225_600_000;

    fn entry(org: &str, kind: OrgKind, status: Status) -> RegisterEntry {
        RegisterEntry {
            org: org.into(),
            kind,
            class: "consumer".into(),
            status,
            weight: ConsortiumRules::default().vote_weight(kind),
        }
    }

    fn roll_entry(org: &str, weight: u32) -> RollEntry {
        RollEntry {
            org: org.into(),
            kind: if weight == 1 {
                OrgKind::Organisation
            } else {
                OrgKind::Federation
            },
            class: "consumer".into(),
            weight: Weight::new(weight).expect("non-zero"),
            college: None,
        }
    }

    fn agree() -> Ballot {
        Ballot {
            choice: Choice::Consent {
                position: Position::Agree,
                reason: None,
            },
            minutes_link: None,
        }
    }

    fn record(org: &str, revision: u32) -> BallotRecord {
        BallotRecord {
            org: org.into(),
            ballot: agree(),
            cast_at: T0 + i64::from(revision),
            revision,
            cast_as: Caster::Delegate,
        }
    }

    fn by_deputy(org: &str, revision: u32) -> BallotRecord {
        BallotRecord {
            cast_as: Caster::Deputy,
            ..record(org, revision)
        }
    }

    #[test]
    fn a_deputy_s_ballot_counts_until_the_delegate_votes() {
        let roll = Roll::new(vec![roll_entry("A", 1)]).expect("roll");
        let revision = |records: &[BallotRecord]| {
            latest_ballots(&roll, records).expect("countable")[0]
                .record
                .revision
        };
        assert_eq!(revision(&[by_deputy("A", 1)]), 1);
        assert_eq!(revision(&[by_deputy("A", 1), record("A", 2)]), 2);
        assert_eq!(
            revision(&[record("A", 1), by_deputy("A", 2)]),
            1,
            "the delegate's earlier ballot prevails over a deputy's later one"
        );
        assert_eq!(revision(&[by_deputy("A", 1), by_deputy("A", 2)]), 2);
    }

    #[test]
    fn only_members_at_opening_are_on_the_roll() {
        let register = [
            entry(
                "Alpha",
                OrgKind::Organisation,
                Status::Member { since: T0 - DAY },
            ),
            entry(
                "Beta",
                OrgKind::Organisation,
                Status::Member { since: T0 + 1 },
            ),
            entry(
                "Gamma",
                OrgKind::Organisation,
                Status::Applicant {
                    applied_at: T0 - DAY,
                },
            ),
            entry(
                "Delta",
                OrgKind::Organisation,
                Status::Leaving {
                    member_since: T0 - 9 * DAY,
                    notice_at: T0 - DAY,
                    leaves_at: T0 + 29 * DAY,
                },
            ),
            entry(
                "Epsilon",
                OrgKind::Organisation,
                Status::Left { left_at: T0 - DAY },
            ),
        ];
        let roll = freeze_roll(&register, T0, &ConsortiumRules::default()).expect("roll");
        let orgs: Vec<&str> = roll.entries().iter().map(|e| e.org.as_str()).collect();
        assert_eq!(orgs, ["Alpha", "Delta"]);
    }

    #[test]
    fn the_roll_takes_each_organisation_s_register_weight() {
        let register = [
            RegisterEntry {
                weight: Weight::TWO,
                ..entry("Fed", OrgKind::Federation, Status::Member { since: T0 })
            },
            entry("Org", OrgKind::Organisation, Status::Member { since: T0 }),
        ];
        let roll = freeze_roll(&register, T0, &ConsortiumRules::default()).expect("roll");
        assert_eq!(roll.total_weight(), 3);
        assert_eq!(roll.get("Fed").map(|e| e.weight), Some(Weight::TWO));
    }

    #[test]
    fn an_organisation_with_weight_two_stops_the_roll() {
        let register = [RegisterEntry {
            weight: Weight::TWO,
            ..entry("Org", OrgKind::Organisation, Status::Member { since: T0 })
        }];
        assert!(matches!(
            freeze_roll(&register, T0, &ConsortiumRules::default()),
            Err(RollError::Weight { .. })
        ));
    }

    #[test]
    fn a_member_of_an_unknown_class_stops_the_roll() {
        let mut member = entry("Alpha", OrgKind::Organisation, Status::Member { since: T0 });
        member.class = "investor".into();
        assert!(matches!(
            freeze_roll(&[member], T0, &ConsortiumRules::default()),
            Err(RollError::Class { .. })
        ));
    }

    #[test]
    fn a_roll_without_members_is_refused() {
        assert_eq!(Roll::new(vec![]), Err(RollError::Empty));
    }

    #[test]
    fn an_organisation_is_on_the_roll_once() {
        assert_eq!(
            Roll::new(vec![roll_entry("A", 1), roll_entry("A", 1)]),
            Err(RollError::DuplicateOrg { org: "A".into() })
        );
    }

    #[test]
    fn a_roll_with_an_organisation_of_weight_two_is_refused() {
        let mut heavy = roll_entry("A", 2);
        heavy.kind = OrgKind::Organisation;
        assert!(matches!(
            Roll::new(vec![heavy]),
            Err(RollError::Weight { .. })
        ));
    }

    #[test]
    fn a_roll_that_breaks_the_rules_does_not_deserialize() {
        let json = r#"[{"org":"A","kind":"organisation","class":"consumer","weight":2}]"#;
        assert!(serde_json::from_str::<Roll>(json).is_err());
    }

    #[test]
    fn only_the_latest_revision_counts() {
        let roll = Roll::new(vec![roll_entry("A", 1), roll_entry("B", 1)]).expect("roll");
        let records = [record("A", 2), record("B", 1), record("A", 1)];
        let counted = latest_ballots(&roll, &records).expect("countable");
        let picked: Vec<(&str, u32)> = counted
            .iter()
            .map(|c| (c.entry.org.as_str(), c.record.revision))
            .collect();
        assert_eq!(picked, [("A", 2), ("B", 1)]);
    }

    #[test]
    fn two_ballots_with_the_same_revision_are_not_counted() {
        let roll = Roll::new(vec![roll_entry("A", 1)]).expect("roll");
        assert_eq!(
            latest_ballots(&roll, &[record("A", 1), record("A", 1)]),
            Err(RecordError::DuplicateRevision {
                org: "A".into(),
                revision: 1
            })
        );
    }

    #[test]
    fn a_stored_ballot_from_off_the_roll_is_not_counted() {
        let roll = Roll::new(vec![roll_entry("A", 1)]).expect("roll");
        assert!(matches!(
            latest_ballots(&roll, &[record("Z", 1)]),
            Err(RecordError::NotOnRoll { .. })
        ));
    }

    fn voting<'a>(proposal: &'a Proposal, roll: &'a Roll) -> Voting<'a> {
        let schedule = Schedule::new(T0, T0, T0 + 7 * DAY, &proposal.rules).expect("valid");
        Voting {
            proposal,
            state: State::Open { schedule },
            roll,
            last_text_change_at: None,
        }
    }

    fn consent_proposal() -> Proposal {
        Proposal {
            title: "Admit Beta".into(),
            text: "Beta applies to join as a consumer member.".into(),
            kind: Kind::Consent,
            options: vec![],
            rules: ConsortiumRules::default().proposal_rules(),
            amends: None,
        }
    }

    #[test]
    fn a_ballot_from_an_organisation_off_the_roll_is_refused() {
        let proposal = consent_proposal();
        let roll = Roll::new(vec![roll_entry("A", 1)]).expect("roll");
        assert_eq!(
            voting(&proposal, &roll).cast(&[], "Z", Caster::Delegate, agree(), T0 + DAY),
            Err(CastError::NotOnRoll { org: "Z".into() })
        );
    }

    #[test]
    fn casting_again_makes_the_next_revision() {
        let proposal = consent_proposal();
        let roll = Roll::new(vec![roll_entry("A", 1), roll_entry("B", 1)]).expect("roll");
        let voting = voting(&proposal, &roll);
        let first = voting
            .cast(&[], "A", Caster::Delegate, agree(), T0 + DAY)
            .expect("cast");
        assert_eq!(first.revision, 1);
        let others = [first, record("B", 5)];
        let second = voting
            .cast(&others, "A", Caster::Delegate, agree(), T0 + 2 * DAY)
            .expect("cast");
        assert_eq!(second.revision, 2);
    }

    #[test]
    fn a_ballot_after_the_deadline_is_refused() {
        let proposal = consent_proposal();
        let roll = Roll::new(vec![roll_entry("A", 1)]).expect("roll");
        assert!(matches!(
            voting(&proposal, &roll).cast(&[], "A", Caster::Delegate, agree(), T0 + 7 * DAY),
            Err(CastError::Closed(VotingClosed::PastDeadline { .. }))
        ));
    }

    #[test]
    fn an_invalid_ballot_is_refused() {
        let proposal = consent_proposal();
        let roll = Roll::new(vec![roll_entry("A", 1)]).expect("roll");
        let ballot = Ballot {
            choice: Choice::Single(0),
            minutes_link: None,
        };
        assert!(matches!(
            voting(&proposal, &roll).cast(&[], "A", Caster::Delegate, ballot, T0 + DAY),
            Err(CastError::Ballot(_))
        ));
    }
}
