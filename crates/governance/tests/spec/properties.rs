//! Properties every tally keeps, over generated proposals and ballots.

use crate::common::*;
use governance::blt::Election;
use governance::fraction::Fraction;
use governance::proposal::{Choice, Kind, Position, Proposal};
use governance::record::export;
use governance::roll::{BallotRecord, Roll};
use governance::share::BasisPoints;
use governance::tally::ranked::ElectedBy;
use governance::tally::{Counts, Outcome, Tally, tally};
use proptest::prelude::*;
use proptest::sample::subsequence;

/// A proposal and one ballot (weight, choice) per organisation.
#[derive(Debug, Clone)]
struct Case {
    proposal: Proposal,
    ballots: Vec<(u32, Choice)>,
}

impl Case {
    fn roll(&self) -> Roll {
        roll_of(&self.weights())
    }

    fn weights(&self) -> Vec<u32> {
        self.ballots.iter().map(|(w, _)| *w).collect()
    }

    fn records(&self) -> Vec<BallotRecord> {
        records(
            &self
                .ballots
                .iter()
                .map(|(_, c)| c.clone())
                .collect::<Vec<_>>(),
        )
    }

    fn tally(&self) -> Tally {
        tally(&self.proposal, &self.roll(), &self.records()).expect("generated ballots are valid")
    }

    fn abstention(&self) -> Choice {
        match self.proposal.kind {
            Kind::Consent => position(Position::Abstain),
            _ => Choice::Abstain,
        }
    }
}

fn kind() -> impl Strategy<Value = (Kind, usize)> {
    prop_oneof![
        Just((Kind::Consent, 0)),
        (2..5usize).prop_map(|n| (Kind::SingleChoice, n)),
        (2..5usize).prop_flat_map(
            |n| (1..=n).prop_map(move |max_choices| (Kind::MultipleChoice { max_choices }, n))
        ),
        (2..6usize).prop_map(|n| (Kind::Ranked { seats: 1 }, n)),
        (3..6usize).prop_flat_map(|n| (2..n).prop_map(move |seats| (Kind::Ranked { seats }, n))),
        (2..5usize).prop_map(|n| (Kind::Score { min: -2, max: 5 }, n)),
    ]
}

fn choice(kind: Kind, n: usize) -> BoxedStrategy<Choice> {
    let all: Vec<usize> = (0..n).collect();
    let chosen = match kind {
        Kind::Consent => {
            let positions = [
                Position::Agree,
                Position::Abstain,
                Position::Disagree,
                Position::Block,
            ];
            return proptest::sample::select(positions.to_vec())
                .prop_map(position)
                .boxed();
        }
        Kind::SingleChoice => (0..n).prop_map(Choice::Single).boxed(),
        Kind::MultipleChoice { max_choices } => subsequence(all, 1..=max_choices)
            .prop_map(Choice::Multiple)
            .boxed(),
        Kind::Ranked { .. } => (Just(all).prop_shuffle(), 1..=n)
            .prop_map(|(order, len)| Choice::Ranking(order[..len].to_vec()))
            .boxed(),
        Kind::Score { min, max } => proptest::collection::vec(min..=max, n)
            .prop_map(Choice::Scores)
            .boxed(),
    };
    prop_oneof![1 => Just(Choice::Abstain), 6 => chosen].boxed()
}

fn options(n: usize) -> Vec<&'static str> {
    ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"][..n].to_vec()
}

fn case_of(kinds: impl Strategy<Value = (Kind, usize)>) -> impl Strategy<Value = Case> {
    kinds.prop_flat_map(|(kind, n)| {
        proptest::collection::vec((1..=2u32, choice(kind, n)), 1..14).prop_map(move |ballots| {
            Case {
                proposal: proposal(kind, &options(n)),
                ballots,
            }
        })
    })
}

fn any_case() -> impl Strategy<Value = Case> {
    case_of(kind())
}

fn consent_case() -> impl Strategy<Value = Case> {
    case_of(Just((Kind::Consent, 0)))
}

fn runoff_case() -> impl Strategy<Value = Case> {
    case_of((2..6usize).prop_map(|n| (Kind::Ranked { seats: 1 }, n)))
}

fn stv_case() -> impl Strategy<Value = Case> {
    case_of(
        (3..6usize).prop_flat_map(|n| (2..n).prop_map(move |seats| (Kind::Ranked { seats }, n))),
    )
}

/// The counts with organisation names removed, for comparing rolls whose
/// names differ.
fn anonymous(counts: &Counts) -> Counts {
    let mut counts = counts.clone();
    if let Counts::Consent(c) = &mut counts {
        c.blocked_by.clear();
    }
    counts
}

/// The counts with the abstaining weight zeroed.
fn ignoring_abstentions(counts: &Counts) -> Counts {
    let mut counts = anonymous(counts);
    match &mut counts {
        Counts::Consent(c) => c.abstain = 0,
        Counts::Choice(c) => c.abstain = 0,
        Counts::InstantRunoff(r) => r.abstain = 0,
        Counts::Stv(s) => s.abstain = 0,
        Counts::Score(s) => s.abstain = 0,
    }
    counts
}

proptest! {
    #[test]
    fn an_organisation_of_weight_two_counts_as_two_of_weight_one_choosing_alike(case in any_case()) {
        let split: Vec<(u32, Choice)> = case
            .ballots
            .iter()
            .flat_map(|(w, c)| std::iter::repeat_n((1, c.clone()), *w as usize))
            .collect();
        let split = Case { proposal: case.proposal.clone(), ballots: split };
        let (whole, parts) = (case.tally(), split.tally());
        prop_assert_eq!(anonymous(&whole.counts), anonymous(&parts.counts));
        prop_assert_eq!(&whole.outcome, &parts.outcome);
        prop_assert_eq!(whole.quorum_met, parts.quorum_met);
        prop_assert_eq!(whole.turnout.weight_voted, parts.turnout.weight_voted);
        prop_assert_eq!(whole.turnout.weight_eligible, parts.turnout.weight_eligible);
    }

    #[test]
    fn abstentions_never_change_the_outcome_but_count_toward_the_quorum(
        case in any_case(),
        abstainers in proptest::collection::vec(1..=2u32, 1..5),
    ) {
        let mut weights = case.weights();
        weights.extend(&abstainers);
        let roll = roll_of(&weights);
        let mut with: Vec<BallotRecord> = case.records();
        let base = with.clone();
        for i in case.ballots.len()..weights.len() {
            with.push(record(&name(i), case.abstention()));
        }
        let count = |p: &Proposal, recs: &[BallotRecord]| tally(p, &roll, recs).expect("valid");
        let mut no_quorum = case.proposal.clone();
        no_quorum.rules.quorum = BasisPoints::ZERO;
        let (before, after) = (count(&no_quorum, &base), count(&no_quorum, &with));
        prop_assert_eq!(ignoring_abstentions(&before.counts), ignoring_abstentions(&after.counts));
        prop_assert_eq!(&before.outcome, &after.outcome);
        let added: u64 = abstainers.iter().map(|&w| u64::from(w)).sum();
        prop_assert_eq!(after.turnout.weight_voted, before.turnout.weight_voted + added);
        let (before, after) = (count(&case.proposal, &base), count(&case.proposal, &with));
        prop_assert!(after.quorum_met || !before.quorum_met);
    }

    #[test]
    fn one_block_stops_a_consent_proposal(case in consent_case(), at in any::<prop::sample::Index>()) {
        let mut case = case;
        let i = at.index(case.ballots.len());
        case.ballots[i].1 = position(Position::Block);
        let t = case.tally();
        prop_assert_ne!(t.outcome, Outcome::Passed);
    }

    #[test]
    fn a_changed_ballot_counts_once_at_its_latest_revision(
        case in any_case(),
        earlier in proptest::collection::vec(0..3usize, 14),
        seed in any::<u64>(),
    ) {
        let mut history = Vec::new();
        for (i, (_, final_choice)) in case.ballots.iter().enumerate() {
            let org = name(i);
            // Earlier revisions hold another organisation's choice: valid,
            // and usually different.
            for revision in 0..earlier[i] {
                let other = &case.ballots[(i + revision + 1) % case.ballots.len()].1;
                history.push(revised(&org, other.clone(), revision as u32 + 1));
            }
            history.push(revised(&org, final_choice.clone(), earlier[i] as u32 + 1));
        }
        // The order records arrive in must not matter either.
        let turn = (seed as usize) % history.len();
        history.rotate_left(turn);
        let t = tally(&case.proposal, &case.roll(), &history).expect("valid");
        prop_assert_eq!(t, case.tally());
    }

    #[test]
    fn the_weight_across_positions_equals_the_weight_voted(case in any_case()) {
        let t = case.tally();
        let accounted = match &t.counts {
            Counts::Consent(c) => c.agree + c.abstain + c.disagree + c.block,
            Counts::Choice(c) => c.decisive + c.abstain,
            Counts::Score(s) => s.scoring + s.abstain,
            Counts::InstantRunoff(r) => r.rounds.first().map_or(0, |first| {
                first.counts.iter().flatten().sum::<u64>() + first.exhausted
            }) + r.abstain,
            Counts::Stv(s) => {
                // Round one holds every ranking at its full weight.
                let first = s.rounds.first().map_or(Fraction::ZERO, |first| {
                    first
                        .counts
                        .iter()
                        .flatten()
                        .chain([&first.exhausted])
                        .fold(Fraction::ZERO, |sum, c| &sum + c)
                });
                prop_assert_eq!(first, Fraction::whole(t.turnout.weight_voted - s.abstain));
                t.turnout.weight_voted
            }
        };
        prop_assert_eq!(accounted, t.turnout.weight_voted);
        if case.proposal.kind == Kind::SingleChoice && let Counts::Choice(c) = &t.counts {
            prop_assert_eq!(c.per_option.iter().sum::<u64>(), c.decisive);
        }
    }

    #[test]
    fn the_runoff_winner_has_a_majority_of_the_weight_left_in_the_last_round(case in runoff_case()) {
        let t = case.tally();
        let Counts::InstantRunoff(r) = &t.counts else { unreachable!("a runoff case") };
        if let (Some(w), Some(last)) = (r.winner, r.rounds.last()) {
            let active: u64 = last.counts.iter().flatten().sum();
            let winner = last.counts[w].expect("the winner is still in the count");
            prop_assert!(2 * winner > active);
        }
    }

    #[test]
    fn a_first_preference_majority_wins_in_round_one(case in runoff_case()) {
        let mut first = vec![0u64; case.proposal.options.len()];
        let mut total = 0;
        for (w, c) in &case.ballots {
            if let Choice::Ranking(r) = c {
                first[r[0]] += u64::from(*w);
                total += u64::from(*w);
            }
        }
        if let Some(majority) = (0..first.len()).find(|&i| 2 * first[i] > total) {
            let t = case.tally();
            let Counts::InstantRunoff(r) = &t.counts else { unreachable!("a runoff case") };
            prop_assert_eq!(r.rounds.len(), 1);
            prop_assert_eq!(r.winner, Some(majority));
        }
    }

    #[test]
    fn permuting_the_ballots_gives_the_identical_result(
        (case, shuffled) in any_case().prop_flat_map(|case| {
            let records = case.records();
            (Just(case), Just(records).prop_shuffle())
        }),
    ) {
        let roll = case.roll();
        let again = tally(&case.proposal, &roll, &shuffled).expect("valid");
        prop_assert_eq!(&again, &case.tally());
        prop_assert_eq!(again, tally(&case.proposal, &roll, &shuffled).expect("valid"));
    }

    #[test]
    fn stv_never_elects_more_than_the_seats_and_each_elected_reached_the_quota_or_was_last(
        case in stv_case(),
    ) {
        let t = case.tally();
        let Counts::Stv(s) = &t.counts else { unreachable!("an STV case") };
        prop_assert!(s.elected.len() <= s.seats);
        let quota = Fraction::whole(s.quota);
        for e in &s.elected {
            match e.by {
                ElectedBy::Quota => prop_assert!(e.count >= quota),
                ElectedBy::LastRemaining => {
                    let round = &s.rounds[e.round - 1];
                    let standing = round.counts.iter().flatten().count();
                    let seats_before = s.elected.iter().filter(|o| o.round < e.round).count();
                    prop_assert!(standing <= s.seats - seats_before);
                }
            }
        }
        let mut options: Vec<usize> = s.elected.iter().map(|e| e.option).collect();
        options.sort_unstable();
        options.dedup();
        prop_assert_eq!(options.len(), s.elected.len());
        let ranked = case.ballots.iter().any(|(_, c)| matches!(c, Choice::Ranking(_)));
        prop_assert_eq!(s.elected.len(), if ranked { s.seats } else { 0 });
    }

    #[test]
    fn a_ballot_file_recounted_by_plenary_s_own_stv_elects_the_same_seats(
        mut case in prop_oneof![stv_case(), runoff_case()],
    ) {
        // The file has no quorum to meet: compare with the count itself.
        case.proposal.rules.quorum = BasisPoints::ZERO;
        let export = export(&case.proposal, schedule(), &case.roll(), &case.records())
            .expect("countable");
        let file = Election::from_export(&export).expect("ranked").to_blt();
        let read = Election::parse(&file).expect("a well-formed file");
        prop_assert_eq!(read.count(), export.tally.outcome);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The value in the count is conserved exactly: each round's counts plus
    /// the exhausted weight plus a quota for every option elected earlier
    /// with a surplus transfer is the whole valid weight.
    #[test]
    fn stv_conserves_every_vote_exactly_in_a_large_consortium(
        case in (8..12usize).prop_flat_map(|n| (Just(n), 2..n)).prop_flat_map(|(n, seats)| {
            let kind = Kind::Ranked { seats };
            proptest::collection::vec((1..=2u32, choice(kind, n)), 40..100)
                .prop_map(move |ballots| Case { proposal: proposal(kind, &options(n)), ballots })
        }),
    ) {
        let t = case.tally();
        let Counts::Stv(s) = &t.counts else { unreachable!("an STV case") };
        let valid = Fraction::whole(t.turnout.weight_voted - s.abstain);
        let quota = Fraction::whole(s.quota);
        for (i, round) in s.rounds.iter().enumerate() {
            let held = s
                .elected
                .iter()
                .filter(|e| e.round <= i && e.by == ElectedBy::Quota)
                .fold(Fraction::ZERO, |sum, _| &sum + &quota);
            let in_round = round
                .counts
                .iter()
                .flatten()
                .chain([&round.exhausted])
                .fold(held, |sum, c| &sum + c);
            prop_assert_eq!(&in_round, &valid, "round {}", i + 1);
        }
        prop_assert_eq!(s.elected.len(), s.seats);
    }
}
