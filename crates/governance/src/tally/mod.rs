//! Weighted tallies, in exact integer (or rational) arithmetic.
//!
//! [`tally`] counts each organisation's latest ballot with its roll weight.
//! Every result carries the turnout, whether the quorum was met, the counts
//! for its kind, the outcome, and a plain-language explanation.
//!
//! **Quorum**: the weight of organisations that cast any ballot, abstentions
//! included, must be at least `quorum` of the roll's total weight. Without
//! it the outcome is [`Outcome::QuorumNotMet`], whatever the counts.
//!
//! **Threshold**, and what it is a share of, by kind:
//! - consent: agree / (agree + disagree + block). Abstentions count toward
//!   the quorum only. With `block_stops`, any block stops the proposal.
//! - single choice: the leading option / the weight that chose an option.
//! - multiple choice: the leading option / the weight of ballots that chose
//!   at least one option (the leader's approval share).
//! - ranked and score: no threshold. Instant-runoff ends with a majority of
//!   the weight still in the count; STV elects by the Droop quota; score
//!   picks the highest weighted total.
//!
//! Equal leaders in choice and score polls are reported as
//! [`Outcome::Tie`], never broken. Ranked counts must eliminate someone, so
//! they break elimination ties by a fixed rule (see [`ranked`]) and flag it.

pub mod choice;
pub mod consent;
pub mod ranked;
pub mod score;

use crate::college::{TooFine, weigh};
use crate::fraction::Fraction;
use crate::proposal::{BallotError, Choice, Kind, Proposal, ProposalError, validate_ballot};
use crate::roll::{BallotRecord, Counted, RecordError, Roll, latest_ballots};
use crate::share::{BasisPoints, Ratio};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who took part, by weight and by organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Turnout {
    pub weight_voted: u64,
    pub weight_eligible: u64,
    pub orgs_voted: u64,
    pub orgs_eligible: u64,
}

impl Turnout {
    pub fn weight_share(self) -> Ratio {
        Ratio::new(self.weight_voted, self.weight_eligible)
    }

    pub fn org_share(self) -> Ratio {
        Ratio::new(self.orgs_voted, self.orgs_eligible)
    }
}

/// The counts, by kind of proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Counts {
    Consent(consent::ConsentCounts),
    Choice(choice::ChoiceCounts),
    InstantRunoff(ranked::Runoff),
    Stv(ranked::Stv),
    Score(score::ScoreCounts),
}

/// Why a proposal or poll did not pass although the quorum was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    Blocked,
    BelowThreshold,
}

/// What was decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Too little weight took part; nothing is decided.
    QuorumNotMet,
    /// A consent proposal passed.
    Passed,
    NotPassed {
        shortfall: Shortfall,
    },
    /// The options chosen (one, or an STV poll's seats in order of
    /// election).
    Chosen {
        options: Vec<usize>,
    },
    /// Options level at the top; the count does not pick among them.
    Tie {
        options: Vec<usize>,
    },
    /// Every ballot abstained, so no option was preferred.
    NoPreference,
}

/// A complete result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tally {
    pub turnout: Turnout,
    pub quorum: BasisPoints,
    pub quorum_met: bool,
    pub counts: Counts,
    pub outcome: Outcome,
    /// What an outcome statement would say about how the result came about.
    pub explanation: String,
    /// Every weight above is in units of `1/scale` of a vote: more than 1
    /// only when an individual members' college is shared among its
    /// voters, so records of organisations alone read as before.
    #[serde(default = "one_vote", skip_serializing_if = "is_one_vote")]
    pub scale: u64,
}

fn one_vote() -> u64 {
    1
}

fn is_one_vote(scale: &u64) -> bool {
    *scale == 1
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    #[error("the proposal cannot be counted: {0}")]
    Proposal(#[from] ProposalError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("the ballot of {org:?} cannot be counted: {source}")]
    Ballot { org: String, source: BallotError },
    #[error(transparent)]
    TooFine(#[from] TooFine),
}

/// One counted ballot: its weight and choice.
pub(crate) struct Weighted<'a> {
    pub org: &'a str,
    pub weight: u64,
    pub choice: &'a Choice,
}

/// What a kind's count hands back: its counts, its outcome before the
/// quorum is applied, how the count went, and what it decided (said only
/// when the quorum is met).
pub(crate) struct KindResult {
    pub counts: Counts,
    pub outcome: Outcome,
    pub how: String,
    pub verdict: String,
}

/// Counts the latest ballot of each organisation on `roll`. Fails, rather
/// than guess, if the proposal is malformed, a record is off the roll or
/// ambiguous, or a counted ballot does not fit the proposal.
pub fn tally(
    proposal: &Proposal,
    roll: &Roll,
    records: &[BallotRecord],
) -> Result<Tally, TallyError> {
    proposal.validate()?;
    let counted = latest_ballots(roll, records)?;
    for Counted { entry, record } in &counted {
        validate_ballot(proposal, &record.ballot).map_err(|source| TallyError::Ballot {
            org: entry.org.clone(),
            source,
        })?;
    }
    let weighing = weigh(roll, &counted)?;
    let ballots: Vec<Weighted> = counted
        .iter()
        .zip(&weighing.ballots)
        .map(|(c, &weight)| Weighted {
            org: &c.entry.org,
            weight,
            choice: &c.record.ballot.choice,
        })
        .collect();
    let turnout = Turnout {
        weight_voted: ballots.iter().map(|b| b.weight).sum(),
        weight_eligible: weighing.eligible,
        orgs_voted: ballots.len() as u64,
        orgs_eligible: roll.entries().len() as u64,
    };
    let quorum = proposal.rules.quorum;
    let quorum_met = turnout.weight_share().at_least(quorum);
    let options = &proposal.options;
    let result = match proposal.kind {
        Kind::Consent => consent::count(&ballots, &proposal.rules),
        Kind::SingleChoice | Kind::MultipleChoice { .. } => {
            choice::count(&ballots, options, proposal.rules.threshold)
        }
        Kind::Ranked { seats: 1 } => ranked::instant_runoff(&ballots, options),
        Kind::Ranked { seats } => ranked::stv(&ballots, options, seats),
        Kind::Score { .. } => score::count(&ballots, options),
    };
    let (outcome, verdict) = if quorum_met {
        (result.outcome, result.verdict)
    } else {
        (
            Outcome::QuorumNotMet,
            "Because the quorum was not met, nothing was decided.".to_owned(),
        )
    };
    let explanation = format!(
        "{}{} {} {verdict}",
        turnout_sentence(turnout, quorum, quorum_met, weighing.scale),
        unit_sentence(weighing.scale),
        result.how,
    );
    Ok(Tally {
        turnout,
        quorum,
        quorum_met,
        counts: result.counts,
        outcome,
        explanation,
        scale: weighing.scale,
    })
}

/// Weights in units of `1/scale`, read back as votes.
fn in_votes(weight: u64, scale: u64) -> String {
    Fraction::new(weight, scale).map_or_else(|| weight.to_string(), |f| f.to_string())
}

fn unit_sentence(scale: u64) -> String {
    if scale == 1 {
        String::new()
    } else {
        format!(
            " The individual members' college is shared among its voters, so the counts below are in 1/{scale} of a vote."
        )
    }
}

fn turnout_sentence(turnout: Turnout, quorum: BasisPoints, met: bool, scale: u64) -> String {
    format!(
        "{} of {} eligible organisations voted, carrying {} of {} votes ({}); the quorum of {} of the votes was {}.",
        turnout.orgs_voted,
        turnout.orgs_eligible,
        in_votes(turnout.weight_voted, scale),
        in_votes(turnout.weight_eligible, scale),
        turnout.weight_share(),
        quorum,
        if met { "met" } else { "not met" },
    )
}

/// An option's label for explanations.
pub(crate) fn label(options: &[String], index: usize) -> String {
    options
        .get(index)
        .map_or_else(|| format!("option {}", index + 1), |l| format!("\"{l}\""))
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Indices of the largest values; several when they are level.
pub(crate) fn leaders<T: Ord>(values: &[T]) -> Vec<usize> {
    match values.iter().max() {
        Some(top) => (0..values.len()).filter(|&i| &values[i] == top).collect(),
        None => Vec::new(),
    }
}

/// Plural for weights in sentences: "1 vote", "2 votes".
pub(crate) fn votes(n: u64) -> String {
    if n == 1 {
        "1 vote".to_owned()
    } else {
        format!("{n} votes")
    }
}
