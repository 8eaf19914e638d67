//! One behaviour of the tally per test.

use crate::common::*;
use governance::fraction::Fraction;
use governance::proposal::{Choice, Kind, Position};
use governance::roll::RecordError;
use governance::share::{BasisPoints, Ratio, Threshold};
use governance::tally::ranked::{ElectedBy, Election};
use governance::tally::{Counts, Outcome, Shortfall, Tally, TallyError, tally};

use Position::{Abstain, Agree, Block, Disagree};

fn consent_tally(weights: &[u32], positions: &[Position]) -> Tally {
    let choices: Vec<Choice> = positions.iter().map(|&p| position(p)).collect();
    tally(&consent_proposal(), &roll_of(weights), &records(&choices)).expect("countable")
}

fn consent_counts(t: &Tally) -> &governance::tally::consent::ConsentCounts {
    match &t.counts {
        Counts::Consent(c) => c,
        other => panic!("expected consent counts, got {other:?}"),
    }
}

fn runoff(t: &Tally) -> &governance::tally::ranked::Runoff {
    match &t.counts {
        Counts::InstantRunoff(r) => r,
        other => panic!("expected instant-runoff counts, got {other:?}"),
    }
}

fn rankings(options: &[&str], seats: usize, ranked: &[&[usize]]) -> Tally {
    let choices: Vec<Choice> = ranked.iter().map(|r| Choice::Ranking(r.to_vec())).collect();
    tally(
        &proposal(Kind::Ranked { seats }, options),
        &roll_of(&vec![1; ranked.len()]),
        &records(&choices),
    )
    .expect("countable")
}

#[test]
fn consent_passes_when_agreement_meets_the_threshold() {
    let t = consent_tally(&[1, 1, 1], &[Agree, Agree, Disagree]);
    assert_eq!(t.outcome, Outcome::Passed);
    assert_eq!(consent_counts(&t).agree_share, Ratio::new(2, 3));
}

#[test]
fn one_block_stops_consent_when_blocks_stop() {
    let t = consent_tally(&[1, 1, 1, 1], &[Agree, Agree, Agree, Block]);
    assert_eq!(
        t.outcome,
        Outcome::NotPassed {
            shortfall: Shortfall::Blocked
        }
    );
    assert_eq!(consent_counts(&t).blocked_by, ["org 03"]);
}

#[test]
fn a_block_counts_as_disagreement_when_blocks_do_not_stop() {
    let mut p = consent_proposal();
    p.rules.block_stops = false;
    let choices = [
        position(Agree),
        position(Agree),
        position(Agree),
        position(Block),
    ];
    let t = tally(&p, &roll_of(&[1, 1, 1, 1]), &records(&choices)).expect("countable");
    assert_eq!(t.outcome, Outcome::Passed);
    assert_eq!(consent_counts(&t).agree_share, Ratio::new(3, 4));
}

#[test]
fn exactly_half_agreeing_does_not_pass_a_majority() {
    let t = consent_tally(&[1, 1], &[Agree, Disagree]);
    assert_eq!(
        t.outcome,
        Outcome::NotPassed {
            shortfall: Shortfall::BelowThreshold
        }
    );
}

#[test]
fn abstentions_count_toward_the_quorum_but_not_the_share() {
    // Quorum 50 % of 4: the two abstentions bring turnout to 3 of 4.
    let t = consent_tally(&[1, 1, 1, 1], &[Agree, Abstain, Abstain]);
    assert!(t.quorum_met);
    assert_eq!(t.turnout.weight_voted, 3);
    assert_eq!(consent_counts(&t).agree_share, Ratio::new(1, 1));
    assert_eq!(t.outcome, Outcome::Passed);
}

#[test]
fn without_the_quorum_nothing_is_decided() {
    let t = consent_tally(&[1, 1, 1, 1, 1], &[Agree, Agree]);
    assert!(!t.quorum_met);
    assert_eq!(t.outcome, Outcome::QuorumNotMet);
    assert!(
        t.explanation
            .ends_with("Because the quorum was not met, nothing was decided.")
    );
}

#[test]
fn the_quorum_is_a_share_of_weight_not_of_organisations() {
    // A federation of weight 2 alone is 2 of 4 votes: half, though only one
    // of three organisations.
    let mut p = consent_proposal();
    p.rules.quorum = BasisPoints::HALF;
    let t = tally(&p, &roll_of(&[2, 1, 1]), &records(&[position(Agree)])).expect("countable");
    assert!(t.quorum_met);
    assert_eq!(t.turnout.org_share(), Ratio::new(1, 3));
}

#[test]
fn nobody_voting_is_counted_without_dividing_by_zero() {
    let t = tally(&consent_proposal(), &roll_of(&[1, 1]), &[]).expect("countable");
    assert_eq!(t.turnout.weight_voted, 0);
    assert_eq!(t.outcome, Outcome::QuorumNotMet);
    assert_eq!(consent_counts(&t).agree_share.basis_points(), None);
}

#[test]
fn everyone_abstaining_passes_nothing_even_without_a_quorum_rule() {
    let mut p = consent_proposal();
    p.rules.quorum = BasisPoints::ZERO;
    let choices = [position(Abstain), position(Abstain)];
    let t = tally(&p, &roll_of(&[1, 1]), &records(&choices)).expect("countable");
    assert_eq!(
        t.outcome,
        Outcome::NotPassed {
            shortfall: Shortfall::BelowThreshold
        }
    );
}

#[test]
fn a_changed_ballot_counts_once_at_its_latest_revision() {
    let recs = [
        revised("org 00", position(Disagree), 1),
        revised("org 01", position(Agree), 1),
        revised("org 00", position(Agree), 2),
    ];
    let t = tally(&consent_proposal(), &roll_of(&[1, 1]), &recs).expect("countable");
    assert_eq!(t.turnout.orgs_voted, 2);
    assert_eq!(consent_counts(&t).agree, 2);
    assert_eq!(consent_counts(&t).disagree, 0);
}

#[test]
fn a_ballot_from_off_the_roll_stops_the_count() {
    let recs = [record("stranger", position(Agree))];
    assert_eq!(
        tally(&consent_proposal(), &roll_of(&[1]), &recs),
        Err(TallyError::Record(RecordError::NotOnRoll {
            org: "stranger".into()
        }))
    );
}

#[test]
fn a_ballot_that_does_not_fit_stops_the_count() {
    let recs = records(&[Choice::Single(0)]);
    let err = tally(&consent_proposal(), &roll_of(&[1]), &recs).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "the ballot of \"org 00\" cannot be counted: this ballot does not fit a consent proposal"
    );
}

#[test]
fn the_consent_explanation_tells_how_the_outcome_came_about() {
    let t = consent_tally(&[1, 1, 2], &[Agree, Disagree, Agree]);
    assert_eq!(
        t.explanation,
        "3 of 3 eligible organisations voted, carrying 4 of 4 votes (100 %); the quorum of 50 % of the \
         votes was met. Agree 3 votes, abstain 0 votes, disagree 1 vote, block 0 votes. Agree has 75 % \
         of the votes that took a side (agree, disagree and block; abstentions count toward the quorum \
         only), against a threshold of more than 50 %. The proposal passed."
    );
}

#[test]
fn single_choice_chooses_the_leader_that_meets_the_threshold() {
    let p = proposal(Kind::SingleChoice, &["red", "blue"]);
    let choices = [Choice::Single(0), Choice::Single(1), Choice::Single(0)];
    let t = tally(&p, &roll_of(&[1, 1, 1]), &records(&choices)).expect("countable");
    assert_eq!(t.outcome, Outcome::Chosen { options: vec![0] });
}

#[test]
fn a_leader_below_the_threshold_is_not_chosen() {
    let p = proposal(Kind::SingleChoice, &["red", "blue", "green"]);
    let choices = [
        Choice::Single(0),
        Choice::Single(0),
        Choice::Single(1),
        Choice::Single(2),
    ];
    let t = tally(&p, &roll_of(&[1, 1, 1, 1]), &records(&choices)).expect("countable");
    assert_eq!(
        t.outcome,
        Outcome::NotPassed {
            shortfall: Shortfall::BelowThreshold
        }
    );
}

#[test]
fn a_tie_for_first_is_reported_not_broken() {
    let mut p = proposal(Kind::SingleChoice, &["red", "blue", "green"]);
    p.rules.threshold = Threshold::AtLeast(BasisPoints::ZERO);
    let choices = [Choice::Single(2), Choice::Single(0), Choice::Abstain];
    let t = tally(&p, &roll_of(&[1, 1, 1]), &records(&choices)).expect("countable");
    assert_eq!(
        t.outcome,
        Outcome::Tie {
            options: vec![0, 2]
        }
    );
    assert!(
        t.explanation
            .contains("\"red\" and \"green\" are tied with 1 vote each")
    );
}

#[test]
fn multiple_choice_counts_every_chosen_option_with_the_ballot_weight() {
    let p = proposal(Kind::MultipleChoice { max_choices: 2 }, &["a", "b", "c"]);
    let choices = [Choice::Multiple(vec![0, 1]), Choice::Multiple(vec![1])];
    let t = tally(&p, &roll_of(&[2, 1]), &records(&choices)).expect("countable");
    let Counts::Choice(c) = &t.counts else {
        panic!("expected choice counts");
    };
    assert_eq!(c.per_option, [2, 3, 0]);
    assert_eq!(c.leading_share, Ratio::new(3, 3));
    assert_eq!(t.outcome, Outcome::Chosen { options: vec![1] });
}

#[test]
fn a_poll_where_everyone_abstains_has_no_preference() {
    let p = proposal(Kind::SingleChoice, &["a", "b"]);
    let t = tally(
        &p,
        &roll_of(&[1, 1]),
        &records(&[Choice::Abstain, Choice::Abstain]),
    )
    .expect("countable");
    assert!(t.quorum_met);
    assert_eq!(t.outcome, Outcome::NoPreference);
}

#[test]
fn a_first_preference_majority_wins_in_round_one() {
    let t = rankings(&["a", "b", "c"], 1, &[&[0], &[0, 1], &[1, 2]]);
    assert_eq!(runoff(&t).rounds.len(), 1);
    assert_eq!(t.outcome, Outcome::Chosen { options: vec![0] });
}

#[test]
fn instant_runoff_moves_an_eliminated_option_s_ballots_to_the_next_preference() {
    let mut ballots: Vec<&[usize]> = vec![&[0]; 4];
    ballots.extend([&[1, 2][..]; 3]);
    ballots.extend([&[2, 1][..]; 2]);
    let t = rankings(&["a", "b", "c"], 1, &ballots);
    let r = runoff(&t);
    assert_eq!(r.rounds[0].counts, [Some(4), Some(3), Some(2)]);
    assert_eq!(r.rounds[0].eliminated, Some(2));
    assert_eq!(r.rounds[1].counts, [Some(4), Some(5), None]);
    assert_eq!(r.winner, Some(1));
    assert!(!r.ties_broken);
}

#[test]
fn an_elimination_tie_is_broken_by_the_earlier_round() {
    let mut ballots: Vec<&[usize]> = vec![&[0]; 4];
    ballots.extend([&[1][..]; 3]);
    ballots.extend([&[2][..]; 2]);
    ballots.push(&[3, 2]);
    let t = rankings(&["a", "b", "c", "d"], 1, &ballots);
    let r = runoff(&t);
    // Round 2: b and c both have 3; c had less in round 1, so c goes.
    assert_eq!(r.rounds[1].counts, [Some(4), Some(3), Some(3), None]);
    assert_eq!(r.rounds[1].eliminated, Some(2));
    assert!(r.rounds[1].tie_broken);
    assert!(r.ties_broken);
    assert_eq!(r.rounds[2].exhausted, 3);
    assert_eq!(r.winner, Some(0));
    assert!(t.explanation.contains("a tie for last place"));
}

#[test]
fn an_elimination_tie_level_in_every_round_eliminates_the_later_option() {
    let t = rankings(&["a", "b", "c"], 1, &[&[0], &[0], &[1], &[2]]);
    let r = runoff(&t);
    assert_eq!(r.rounds[0].eliminated, Some(2));
    assert!(r.rounds[0].tie_broken);
}

#[test]
fn stv_elects_by_quota_and_transfers_surpluses_exactly() {
    let mut ballots: Vec<&[usize]> = vec![&[0, 2]; 4];
    ballots.extend([&[1][..]; 2]);
    ballots.push(&[2, 1]);
    let t = rankings(&["a", "b", "c"], 2, &ballots);
    let Counts::Stv(s) = &t.counts else {
        panic!("expected STV counts");
    };
    // 7 votes, 2 seats: quota ⌊7/3⌋ + 1 = 3. a's surplus of 1 passes on at 1/4.
    assert_eq!(s.quota, 3);
    // c: its own ballot plus four quarters.
    let two = Fraction::whole(2);
    assert_eq!(s.rounds[1].counts, [None, Some(two.clone()), Some(two)]);
    // b and c tie at 2; c had less in round 1 and is eliminated.
    assert_eq!(s.rounds[1].eliminated, Some(2));
    assert!(s.rounds[1].tie_broken);
    assert_eq!(s.rounds[2].exhausted, Fraction::whole(1));
    assert_eq!(
        s.elected,
        [
            Election {
                option: 0,
                round: 1,
                count: Fraction::whole(4),
                by: ElectedBy::Quota
            },
            Election {
                option: 1,
                round: 3,
                count: Fraction::whole(3),
                by: ElectedBy::Quota
            },
        ]
    );
    assert_eq!(
        t.outcome,
        Outcome::Chosen {
            options: vec![0, 1]
        }
    );
}

#[test]
fn stv_fills_the_last_seats_with_the_options_left() {
    let t = rankings(&["a", "b", "c"], 2, &[&[0], &[0], &[0], &[1], &[2], &[1]]);
    let Counts::Stv(s) = &t.counts else {
        panic!("expected STV counts");
    };
    assert_eq!(s.elected.len(), 2);
    assert_eq!(s.elected[0].by, ElectedBy::Quota);
    assert_eq!(s.elected[1].option, 1);
    assert_eq!(s.elected[1].by, ElectedBy::LastRemaining);
}

#[test]
fn score_weights_each_ballot_and_reports_means() {
    let p = proposal(Kind::Score { min: 0, max: 5 }, &["x", "y"]);
    let choices = [Choice::Scores(vec![5, 1]), Choice::Scores(vec![2, 4])];
    let t = tally(&p, &roll_of(&[2, 1]), &records(&choices)).expect("countable");
    let Counts::Score(s) = &t.counts else {
        panic!("expected score counts");
    };
    assert_eq!(s.per_option[0].weighted_total, 12);
    assert_eq!(s.per_option[0].mean_hundredths, Some(400));
    assert_eq!(s.per_option[1].weighted_total, 6);
    assert_eq!(s.per_option[1].mean_hundredths, Some(200));
    assert_eq!(t.outcome, Outcome::Chosen { options: vec![0] });
}

#[test]
fn equal_score_totals_are_a_tie() {
    let p = proposal(Kind::Score { min: -2, max: 2 }, &["x", "y"]);
    let choices = [Choice::Scores(vec![2, -2]), Choice::Scores(vec![-2, 2])];
    let t = tally(&p, &roll_of(&[1, 1]), &records(&choices)).expect("countable");
    assert_eq!(
        t.outcome,
        Outcome::Tie {
            options: vec![0, 1]
        }
    );
}
