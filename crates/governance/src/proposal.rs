//! Proposals: what is being decided and how, their lifecycle (draft → open →
//! closed, or withdrawn) with the minimum lead time, and what makes a ballot
//! valid.

use crate::membership::ConsortiumRules;
use crate::share::{BasisPoints, Threshold};
use crate::time::{DurationMs, format_utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use utoipa::ToSchema;

/// How members answer. The options of a proposal are its `options` list;
/// a consent proposal has none (its positions are fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Agree / abstain / disagree / block on the text itself.
    Consent,
    /// Pick one option.
    SingleChoice,
    /// Pick up to `max_choices` options (approval voting when it equals the
    /// number of options).
    MultipleChoice { max_choices: usize },
    /// Rank options in order of preference. One seat is instant-runoff,
    /// several are the single transferable vote.
    Ranked { seats: usize },
    /// Give every option a score from `min` to `max`.
    Score { min: i32, max: i32 },
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Consent => "a consent proposal",
            Kind::SingleChoice => "a single-choice poll",
            Kind::MultipleChoice { .. } => "a multiple-choice poll",
            Kind::Ranked { .. } => "a ranked poll",
            Kind::Score { .. } => "a score poll",
        }
    }
}

/// A position on a consent proposal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Agree,
    Abstain,
    Disagree,
    /// A principled objection: with `block_stops`, one block stops the
    /// proposal whatever the count.
    Block,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Position::Agree => "agree",
            Position::Abstain => "abstain",
            Position::Disagree => "disagree",
            Position::Block => "block",
        })
    }
}

/// What one organisation chose. Option references are indices into the
/// proposal's `options`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Taking part without preferring any option (not for consent, which
    /// has its own abstain position). Counts toward turnout and quorum only.
    Abstain,
    Consent {
        position: Position,
        reason: Option<String>,
    },
    Single(usize),
    Multiple(Vec<usize>),
    /// Most preferred first; need not rank every option.
    Ranking(Vec<usize>),
    /// One score per option, in option order.
    Scores(Vec<i32>),
}

/// One organisation's ballot: its choice and, where the rules ask, a link
/// to the minutes of the decision the organisation took internally.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Ballot {
    pub choice: Choice,
    pub minutes_link: Option<String>,
}

/// A proposal's decision rules, frozen when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Rules {
    /// The shortest time between opening (or the last change of the text)
    /// and closing.
    pub min_lead_time: DurationMs,
    /// The share of the eligible *weight* that must take part, abstentions
    /// included, for the result to stand.
    pub quorum: BasisPoints,
    /// The share of the decisive weight needed to pass. What is decisive
    /// depends on the kind; see [`crate::tally`].
    pub threshold: Threshold,
    /// One block stops a consent proposal.
    pub block_stops: bool,
    /// Nobody sees counts before the proposal closes.
    pub hide_results_until_close: bool,
    /// Every ballot must link to the minutes of the member's own decision.
    pub require_minutes: bool,
}

/// Everything a decision is about: fixed for good once it opens (a change
/// of text during voting restarts the clock and changes the fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    pub title: String,
    pub text: String,
    pub kind: Kind,
    /// The options' labels; empty for a consent proposal.
    pub options: Vec<String>,
    pub rules: Rules,
    /// The consortium rules this proposal puts in place if it passes (a
    /// rules-change proposal); part of what the fingerprint commits to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amends: Option<ConsortiumRules>,
}

/// A proposal whose shape does not fit its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    #[error("a proposal needs a title")]
    NoTitle,
    #[error("a consent proposal has no options: its positions are agree, abstain, disagree, block")]
    ConsentHasOptions,
    #[error("{kind} needs at least 2 options, it has {given}")]
    TooFewOptions { kind: &'static str, given: usize },
    #[error("option {} has no label", index + 1)]
    BlankOption { index: usize },
    #[error("the option {label:?} appears twice")]
    DuplicateOption { label: String },
    #[error("the choice limit must be between 1 and the {options} options, it is {max_choices}")]
    ChoiceLimitOutOfRange { max_choices: usize, options: usize },
    #[error("the seats must be at least 1 and fewer than the {options} options, got {seats}")]
    SeatsOutOfRange { seats: usize, options: usize },
    #[error("the lowest score ({min}) must be below the highest ({max})")]
    EmptyScoreRange { min: i32, max: i32 },
}

impl Proposal {
    /// Checks the options fit the kind; run it before opening.
    pub fn validate(&self) -> Result<(), ProposalError> {
        if self.title.trim().is_empty() {
            return Err(ProposalError::NoTitle);
        }
        let n = self.options.len();
        if self.kind == Kind::Consent {
            return if n == 0 {
                Ok(())
            } else {
                Err(ProposalError::ConsentHasOptions)
            };
        }
        if n < 2 {
            return Err(ProposalError::TooFewOptions {
                kind: self.kind.name(),
                given: n,
            });
        }
        let mut seen = BTreeSet::new();
        for (index, label) in self.options.iter().enumerate() {
            let label = label.trim();
            if label.is_empty() {
                return Err(ProposalError::BlankOption { index });
            }
            if !seen.insert(label) {
                return Err(ProposalError::DuplicateOption {
                    label: label.to_owned(),
                });
            }
        }
        match self.kind {
            Kind::MultipleChoice { max_choices } if max_choices == 0 || max_choices > n => {
                Err(ProposalError::ChoiceLimitOutOfRange {
                    max_choices,
                    options: n,
                })
            }
            // Electing every option would be no choice at all.
            Kind::Ranked { seats } if seats == 0 || seats >= n => {
                Err(ProposalError::SeatsOutOfRange { seats, options: n })
            }
            Kind::Score { min, max } if min >= max => {
                Err(ProposalError::EmptyScoreRange { min, max })
            }
            _ => Ok(()),
        }
    }
}

/// A ballot that does not fit the proposal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    #[error("this ballot does not fit {kind}")]
    WrongKind { kind: &'static str },
    #[error("there is no option {} (the proposal has {options})", index + 1)]
    NoSuchOption { index: usize, options: usize },
    #[error("option {} is chosen more than once", index + 1)]
    RepeatedOption { index: usize },
    #[error("at most {max} options may be chosen, this ballot chooses {given}")]
    TooManyChoices { given: usize, max: usize },
    #[error("choose at least one option, or abstain")]
    NothingChosen,
    #[error("a ranking needs at least one option, or abstain")]
    EmptyRanking,
    #[error("a score is needed for each of the {options} options, this ballot has {given}")]
    WrongScoreCount { given: usize, options: usize },
    #[error("option {} is scored {score}, outside {min} to {max}", index + 1)]
    ScoreOutOfRange {
        index: usize,
        score: i32,
        min: i32,
        max: i32,
    },
    #[error("a reason is required to {position}")]
    ReasonRequired { position: Position },
    #[error("this proposal requires a link to the minutes of the member's decision")]
    MinutesLinkRequired,
}

fn check_option(index: usize, options: usize) -> Result<(), BallotError> {
    if index < options {
        Ok(())
    } else {
        Err(BallotError::NoSuchOption { index, options })
    }
}

/// Every index in range and none twice.
fn check_distinct_options(indices: &[usize], options: usize) -> Result<(), BallotError> {
    let mut seen = BTreeSet::new();
    for &index in indices {
        check_option(index, options)?;
        if !seen.insert(index) {
            return Err(BallotError::RepeatedOption { index });
        }
    }
    Ok(())
}

fn is_blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

/// Checks a choice against the kind and the options: indices in range, no
/// option twice, the multiple-choice limit, scores in range and one per
/// option, a non-empty ranking, and a reason to disagree or block.
pub fn validate_choice(kind: Kind, options: &[String], choice: &Choice) -> Result<(), BallotError> {
    let n = options.len();
    match (kind, choice) {
        (Kind::Consent, Choice::Consent { position, reason }) => {
            let needs_reason = matches!(position, Position::Disagree | Position::Block);
            if needs_reason && is_blank(reason) {
                Err(BallotError::ReasonRequired {
                    position: *position,
                })
            } else {
                Ok(())
            }
        }
        (Kind::Consent, _) | (_, Choice::Consent { .. }) => {
            Err(BallotError::WrongKind { kind: kind.name() })
        }
        (_, Choice::Abstain) => Ok(()),
        (Kind::SingleChoice, Choice::Single(index)) => check_option(*index, n),
        (Kind::MultipleChoice { max_choices }, Choice::Multiple(indices)) => {
            if indices.is_empty() {
                return Err(BallotError::NothingChosen);
            }
            check_distinct_options(indices, n)?;
            if indices.len() > max_choices {
                return Err(BallotError::TooManyChoices {
                    given: indices.len(),
                    max: max_choices,
                });
            }
            Ok(())
        }
        (Kind::Ranked { .. }, Choice::Ranking(ranking)) => {
            if ranking.is_empty() {
                return Err(BallotError::EmptyRanking);
            }
            check_distinct_options(ranking, n)
        }
        (Kind::Score { min, max }, Choice::Scores(scores)) => {
            if scores.len() != n {
                return Err(BallotError::WrongScoreCount {
                    given: scores.len(),
                    options: n,
                });
            }
            match scores.iter().position(|s| !(min..=max).contains(s)) {
                Some(index) => Err(BallotError::ScoreOutOfRange {
                    index,
                    score: scores[index],
                    min,
                    max,
                }),
                None => Ok(()),
            }
        }
        _ => Err(BallotError::WrongKind { kind: kind.name() }),
    }
}

/// Checks a whole ballot: its choice, and the minutes link when the
/// proposal's rules require one.
pub fn validate_ballot(proposal: &Proposal, ballot: &Ballot) -> Result<(), BallotError> {
    validate_choice(proposal.kind, &proposal.options, &ballot.choice)?;
    if proposal.rules.require_minutes && is_blank(&ballot.minutes_link) {
        return Err(BallotError::MinutesLinkRequired);
    }
    Ok(())
}

/// When voting opens and when it is announced to close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Schedule {
    pub opens_at: i64,
    pub closes_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("a proposal cannot open in the past ({} is before now, {})", format_utc(*opens_at), format_utc(*now))]
    OpensInThePast { opens_at: i64, now: i64 },
    #[error(
        "the closing date {} is too soon: proposals stay open at least {lead}, so it must be {} or later",
        format_utc(*closes_at),
        format_utc(*earliest)
    )]
    ClosesTooSoon {
        closes_at: i64,
        earliest: i64,
        lead: DurationMs,
    },
}

impl Schedule {
    /// A schedule opening at `opens_at` (not before `now`) and closing at
    /// `closes_at`, at least the lead time later.
    pub fn new(
        now: i64,
        opens_at: i64,
        closes_at: i64,
        rules: &Rules,
    ) -> Result<Self, ScheduleError> {
        if opens_at < now {
            return Err(ScheduleError::OpensInThePast { opens_at, now });
        }
        let earliest = rules.min_lead_time.after(opens_at);
        if closes_at < earliest {
            return Err(ScheduleError::ClosesTooSoon {
                closes_at,
                earliest,
                lead: rules.min_lead_time,
            });
        }
        Ok(Schedule {
            opens_at,
            closes_at,
        })
    }
}

/// The earliest a proposal may close: the lead time after it opened, or
/// after its text last changed if that was later (a change restarts the
/// clock, so nobody votes on a text they had no time to read).
pub fn earliest_close(opened_at: i64, last_text_change_at: Option<i64>, rules: &Rules) -> i64 {
    let start = last_text_change_at.map_or(opened_at, |changed| changed.max(opened_at));
    rules.min_lead_time.after(start)
}

/// The effective deadline: the announced closing date, pushed back if a
/// text change restarted the clock.
pub fn deadline(schedule: Schedule, last_text_change_at: Option<i64>, rules: &Rules) -> i64 {
    schedule.closes_at.max(earliest_close(
        schedule.opens_at,
        last_text_change_at,
        rules,
    ))
}

/// Why a proposal cannot close yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseError {
    #[error("{} cannot be closed", state.described())]
    NotOpen { state: State },
    #[error(
        "the proposal opens at {} and may close from {}",
        format_utc(*opens_at),
        format_utc(*may_close_from)
    )]
    NotYetOpen { opens_at: i64, may_close_from: i64 },
    #[error(
        "too early: the proposal opened at {}{} and may close from {}",
        format_utc(*opened_at),
        text_changed_at.map(|at| format!(", its text changed at {} (which restarts the clock)", format_utc(at))).unwrap_or_default(),
        format_utc(*may_close_from)
    )]
    TooEarly {
        opened_at: i64,
        text_changed_at: Option<i64>,
        may_close_from: i64,
    },
}

/// Whether an open proposal may close at `now`: only from its deadline
/// (see [`deadline`]), so nobody loses the time they were promised.
pub fn can_close(
    now: i64,
    schedule: Schedule,
    last_text_change_at: Option<i64>,
    rules: &Rules,
) -> Result<(), CloseError> {
    let may_close_from = deadline(schedule, last_text_change_at, rules);
    if now < schedule.opens_at {
        Err(CloseError::NotYetOpen {
            opens_at: schedule.opens_at,
            may_close_from,
        })
    } else if now < may_close_from {
        Err(CloseError::TooEarly {
            opened_at: schedule.opens_at,
            text_changed_at: last_text_change_at.filter(|&at| at > schedule.opens_at),
            may_close_from,
        })
    } else {
        Ok(())
    }
}

/// Where a proposal is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Draft,
    Open { schedule: Schedule },
    Closed { schedule: Schedule, closed_at: i64 },
    Withdrawn { withdrawn_at: i64 },
}

impl State {
    fn described(self) -> &'static str {
        match self {
            State::Draft => "a draft",
            State::Open { .. } => "an open proposal",
            State::Closed { .. } => "a closed proposal",
            State::Withdrawn { .. } => "a withdrawn proposal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("{} cannot be {action}", state.described())]
    NotAllowed { state: State, action: &'static str },
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error(transparent)]
    Close(#[from] CloseError),
}

/// Draft → open with a schedule (see [`Schedule::new`]). The caller
/// freezes the roll and the fingerprint at the same moment.
pub fn open(state: State, schedule: Schedule) -> Result<State, LifecycleError> {
    match state {
        State::Draft => Ok(State::Open { schedule }),
        state => Err(LifecycleError::NotAllowed {
            state,
            action: "opened",
        }),
    }
}

/// Open → closed at `now`, if [`can_close`] allows it.
pub fn close(
    state: State,
    now: i64,
    last_text_change_at: Option<i64>,
    rules: &Rules,
) -> Result<State, LifecycleError> {
    match state {
        State::Open { schedule } => {
            can_close(now, schedule, last_text_change_at, rules)?;
            Ok(State::Closed {
                schedule,
                closed_at: now,
            })
        }
        state => Err(CloseError::NotOpen { state }.into()),
    }
}

/// Draft or open → withdrawn. A closed decision stands.
pub fn withdraw(state: State, now: i64) -> Result<State, LifecycleError> {
    match state {
        State::Draft | State::Open { .. } => Ok(State::Withdrawn { withdrawn_at: now }),
        state => Err(LifecycleError::NotAllowed {
            state,
            action: "withdrawn",
        }),
    }
}

/// Why a ballot cannot be cast now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VotingClosed {
    #[error("{} takes no ballots", state.described())]
    NotOpen { state: State },
    #[error("voting opens at {}", format_utc(*opens_at))]
    NotYetOpen { opens_at: i64 },
    #[error("voting ended at {}", format_utc(*deadline))]
    PastDeadline { deadline: i64 },
}

/// Whether ballots are taken at `now`: between opening and the deadline
/// (see [`deadline`]) of an open proposal.
pub fn check_voting_open(
    state: State,
    now: i64,
    last_text_change_at: Option<i64>,
    rules: &Rules,
) -> Result<(), VotingClosed> {
    let State::Open { schedule } = state else {
        return Err(VotingClosed::NotOpen { state });
    };
    let deadline = deadline(schedule, last_text_change_at, rules);
    if now < schedule.opens_at {
        Err(VotingClosed::NotYetOpen {
            opens_at: schedule.opens_at,
        })
    } else if now >= deadline {
        Err(VotingClosed::PastDeadline { deadline })
    } else {
        Ok(())
    }
}

/// Whether counts may be shown in this state.
pub fn results_visible(state: State, rules: &Rules) -> bool {
    !rules.hide_results_until_close || matches!(state, State::Closed { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC

    fn rules() -> Rules {
        ConsortiumRules::default().proposal_rules()
    }

    fn poll(kind: Kind, options: &[&str]) -> Proposal {
        Proposal {
            title: "Pick a colour".into(),
            text: "Which colour for the portal?".into(),
            kind,
            options: options.iter().map(|o| o.to_string()).collect(),
            rules: rules(),
            amends: None,
        }
    }

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("option {i}")).collect()
    }

    fn consent(position: Position, reason: Option<&str>) -> Choice {
        Choice::Consent {
            position,
            reason: reason.map(String::from),
        }
    }

    #[test]
    fn a_consent_proposal_has_no_options() {
        assert!(poll(Kind::Consent, &[]).validate().is_ok());
        assert_eq!(
            poll(Kind::Consent, &["yes"]).validate(),
            Err(ProposalError::ConsentHasOptions)
        );
    }

    #[test]
    fn a_poll_needs_two_distinct_labelled_options() {
        assert!(poll(Kind::SingleChoice, &["red"]).validate().is_err());
        assert_eq!(
            poll(Kind::SingleChoice, &["red", " red "]).validate(),
            Err(ProposalError::DuplicateOption {
                label: "red".into()
            })
        );
        assert_eq!(
            poll(Kind::SingleChoice, &["red", " "]).validate(),
            Err(ProposalError::BlankOption { index: 1 })
        );
    }

    #[test]
    fn a_ranked_poll_elects_fewer_seats_than_options() {
        assert!(
            poll(Kind::Ranked { seats: 2 }, &["a", "b", "c"])
                .validate()
                .is_ok()
        );
        assert!(
            poll(Kind::Ranked { seats: 3 }, &["a", "b", "c"])
                .validate()
                .is_err()
        );
        assert!(
            poll(Kind::Ranked { seats: 0 }, &["a", "b", "c"])
                .validate()
                .is_err()
        );
    }

    #[test]
    fn the_choice_limit_and_score_range_must_make_sense() {
        assert!(
            poll(Kind::MultipleChoice { max_choices: 3 }, &["a", "b"])
                .validate()
                .is_err()
        );
        assert!(
            poll(Kind::Score { min: 3, max: 3 }, &["a", "b"])
                .validate()
                .is_err()
        );
    }

    #[test]
    fn disagreeing_or_blocking_needs_a_reason() {
        for position in [Position::Disagree, Position::Block] {
            assert_eq!(
                validate_choice(Kind::Consent, &[], &consent(position, Some("  "))),
                Err(BallotError::ReasonRequired { position })
            );
            assert!(validate_choice(Kind::Consent, &[], &consent(position, Some("cost"))).is_ok());
        }
        assert!(validate_choice(Kind::Consent, &[], &consent(Position::Agree, None)).is_ok());
        assert_eq!(
            BallotError::ReasonRequired {
                position: Position::Block
            }
            .to_string(),
            "a reason is required to block"
        );
    }

    #[test]
    fn a_consent_proposal_takes_positions_not_options() {
        assert!(validate_choice(Kind::Consent, &[], &Choice::Single(0)).is_err());
        assert!(validate_choice(Kind::Consent, &[], &Choice::Abstain).is_err());
        assert!(
            validate_choice(
                Kind::SingleChoice,
                &labels(2),
                &consent(Position::Agree, None)
            )
            .is_err()
        );
    }

    #[test]
    fn any_poll_accepts_an_abstention() {
        for kind in [
            Kind::SingleChoice,
            Kind::MultipleChoice { max_choices: 2 },
            Kind::Ranked { seats: 1 },
            Kind::Score { min: 0, max: 5 },
        ] {
            assert!(validate_choice(kind, &labels(3), &Choice::Abstain).is_ok());
        }
    }

    #[test]
    fn an_option_out_of_range_is_refused() {
        assert_eq!(
            validate_choice(Kind::SingleChoice, &labels(2), &Choice::Single(2)),
            Err(BallotError::NoSuchOption {
                index: 2,
                options: 2
            })
        );
    }

    #[test]
    fn multiple_choice_respects_the_limit_and_refuses_repeats() {
        let kind = Kind::MultipleChoice { max_choices: 2 };
        assert!(validate_choice(kind, &labels(3), &Choice::Multiple(vec![0, 2])).is_ok());
        assert_eq!(
            validate_choice(kind, &labels(3), &Choice::Multiple(vec![0, 1, 2])),
            Err(BallotError::TooManyChoices { given: 3, max: 2 })
        );
        assert_eq!(
            validate_choice(kind, &labels(3), &Choice::Multiple(vec![1, 1])),
            Err(BallotError::RepeatedOption { index: 1 })
        );
        assert_eq!(
            validate_choice(kind, &labels(3), &Choice::Multiple(vec![])),
            Err(BallotError::NothingChosen)
        );
    }

    #[test]
    fn a_ranking_is_non_empty_and_without_repeats() {
        let kind = Kind::Ranked { seats: 1 };
        assert!(validate_choice(kind, &labels(3), &Choice::Ranking(vec![2])).is_ok());
        assert_eq!(
            validate_choice(kind, &labels(3), &Choice::Ranking(vec![])),
            Err(BallotError::EmptyRanking)
        );
        assert_eq!(
            validate_choice(kind, &labels(3), &Choice::Ranking(vec![2, 0, 2])),
            Err(BallotError::RepeatedOption { index: 2 })
        );
    }

    #[test]
    fn scores_are_one_per_option_and_in_range() {
        let kind = Kind::Score { min: 0, max: 5 };
        assert!(validate_choice(kind, &labels(2), &Choice::Scores(vec![0, 5])).is_ok());
        assert_eq!(
            validate_choice(kind, &labels(2), &Choice::Scores(vec![3])),
            Err(BallotError::WrongScoreCount {
                given: 1,
                options: 2
            })
        );
        assert_eq!(
            validate_choice(kind, &labels(2), &Choice::Scores(vec![3, 6])),
            Err(BallotError::ScoreOutOfRange {
                index: 1,
                score: 6,
                min: 0,
                max: 5
            })
        );
    }

    #[test]
    fn the_minutes_link_is_required_when_the_rules_say_so() {
        let mut proposal = poll(Kind::Consent, &[]);
        proposal.rules.require_minutes = true;
        let mut ballot = Ballot {
            choice: consent(Position::Agree, None),
            minutes_link: None,
        };
        assert_eq!(
            validate_ballot(&proposal, &ballot),
            Err(BallotError::MinutesLinkRequired)
        );
        ballot.minutes_link = Some("https://example.org/minutes/2026-01".into());
        assert!(validate_ballot(&proposal, &ballot).is_ok());
    }

    #[test]
    fn the_closing_date_is_at_least_the_lead_time_after_opening() {
        assert!(Schedule::new(T0, T0, T0 + 7 * DAY, &rules()).is_ok());
        let err = Schedule::new(T0, T0, T0 + 7 * DAY - 1, &rules()).expect_err("too soon");
        assert_eq!(
            err.to_string(),
            "the closing date 2026-01-07 23:59 UTC is too soon: proposals stay open at least 7 days, \
             so it must be 2026-01-08 00:00 UTC or later"
        );
    }

    #[test]
    fn a_proposal_cannot_open_in_the_past() {
        assert!(matches!(
            Schedule::new(T0, T0 - 1, T0 + 8 * DAY, &rules()),
            Err(ScheduleError::OpensInThePast { .. })
        ));
    }

    #[test]
    fn a_text_change_restarts_the_clock() {
        assert_eq!(earliest_close(T0, None, &rules()), T0 + 7 * DAY);
        assert_eq!(
            earliest_close(T0, Some(T0 + 2 * DAY), &rules()),
            T0 + 9 * DAY
        );
        // A change while still a draft is no restart.
        assert_eq!(earliest_close(T0, Some(T0 - DAY), &rules()), T0 + 7 * DAY);
    }

    #[test]
    fn a_proposal_may_close_from_its_deadline() {
        let schedule = Schedule::new(T0, T0, T0 + 7 * DAY, &rules()).expect("valid");
        assert!(can_close(T0 + 7 * DAY, schedule, None, &rules()).is_ok());
        let err = can_close(T0 + 7 * DAY, schedule, Some(T0 + DAY), &rules()).expect_err("early");
        assert_eq!(
            err.to_string(),
            "too early: the proposal opened at 2026-01-01 00:00 UTC, its text changed at \
             2026-01-02 00:00 UTC (which restarts the clock) and may close from 2026-01-09 00:00 UTC"
        );
    }

    #[test]
    fn a_scheduled_proposal_explains_when_it_opens_and_may_close() {
        let schedule = Schedule::new(T0, T0 + DAY, T0 + 10 * DAY, &rules()).expect("valid");
        let err = can_close(T0, schedule, None, &rules()).expect_err("not open");
        assert_eq!(
            err.to_string(),
            "the proposal opens at 2026-01-02 00:00 UTC and may close from 2026-01-11 00:00 UTC"
        );
    }

    #[test]
    fn the_lifecycle_runs_draft_open_closed() {
        let schedule = Schedule::new(T0, T0, T0 + 7 * DAY, &rules()).expect("valid");
        let open_state = open(State::Draft, schedule).expect("opens");
        assert!(close(open_state, T0 + DAY, None, &rules()).is_err());
        let closed = close(open_state, T0 + 7 * DAY, None, &rules()).expect("closes");
        assert_eq!(
            closed,
            State::Closed {
                schedule,
                closed_at: T0 + 7 * DAY
            }
        );
        assert!(open(closed, schedule).is_err());
        assert!(withdraw(closed, T0 + 8 * DAY).is_err());
        assert_eq!(
            close(State::Draft, T0, None, &rules()).map_err(|e| e.to_string()),
            Err("a draft cannot be closed".into())
        );
    }

    #[test]
    fn a_draft_or_open_proposal_can_be_withdrawn() {
        assert!(withdraw(State::Draft, T0).is_ok());
        let schedule = Schedule::new(T0, T0, T0 + 7 * DAY, &rules()).expect("valid");
        assert!(withdraw(State::Open { schedule }, T0).is_ok());
    }

    #[test]
    fn ballots_are_taken_between_opening_and_the_deadline() {
        let schedule = Schedule::new(T0, T0 + DAY, T0 + 8 * DAY, &rules()).expect("valid");
        let state = State::Open { schedule };
        assert!(check_voting_open(state, T0, None, &rules()).is_err());
        assert!(check_voting_open(state, T0 + DAY, None, &rules()).is_ok());
        assert!(check_voting_open(state, T0 + 8 * DAY, None, &rules()).is_err());
        assert!(check_voting_open(state, T0 + 8 * DAY, Some(T0 + 2 * DAY), &rules()).is_ok());
        assert!(check_voting_open(State::Draft, T0 + DAY, None, &rules()).is_err());
    }

    #[test]
    fn hidden_results_show_only_once_closed() {
        let mut rules = rules();
        rules.hide_results_until_close = true;
        let schedule = Schedule::new(T0, T0, T0 + 7 * DAY, &rules).expect("valid");
        assert!(!results_visible(State::Open { schedule }, &rules));
        assert!(results_visible(
            State::Closed {
                schedule,
                closed_at: T0 + 7 * DAY
            },
            &rules
        ));
    }
}
