//! Individual members voting as one college whose weight is shared
//! exactly among those who voted.

use crate::common::*;
use governance::college::{IndividualRules, IndividualVoting};
use governance::membership::{ConsortiumRules, OrgKind, Status};
use governance::proposal::Position;
use governance::roll::{BallotRecord, RegisterEntry, Roll, RollError, freeze_roll};
use governance::tally::{Counts, Outcome, Tally, tally};
use std::num::NonZeroU32;

use Position::{Agree, Disagree};

fn rules(voting: IndividualVoting) -> ConsortiumRules {
    let mut rules = ConsortiumRules::default();
    rules.member_classes.insert("individual".into());
    rules.individuals = Some(IndividualRules {
        class: "individual".into(),
        voting,
    });
    rules
}

fn one_vote_college() -> ConsortiumRules {
    rules(IndividualVoting::College {
        votes: NonZeroU32::MIN,
        per: None,
    })
}

fn member(name: &str, kind: OrgKind, rules: &ConsortiumRules) -> RegisterEntry {
    RegisterEntry {
        org: name.into(),
        kind,
        class: if kind == OrgKind::Individual {
            "individual".into()
        } else {
            "consumer".into()
        },
        status: Status::Member {
            since: T0 - 90 * DAY,
        },
        weight: rules.vote_weight(kind),
    }
}

/// Four organisations and four individuals.
fn roll(rules: &ConsortiumRules) -> Roll {
    let orgs = ["Alpha", "Beta", "Gamma", "Delta"].map(|n| member(n, OrgKind::Organisation, rules));
    let people = ["Ada", "Bo", "Cy", "Di"].map(|n| member(n, OrgKind::Individual, rules));
    let register: Vec<RegisterEntry> = orgs.into_iter().chain(people).collect();
    freeze_roll(&register, T0, rules).expect("a valid roll")
}

fn ballots(votes: &[(&str, Position)]) -> Vec<BallotRecord> {
    votes
        .iter()
        .map(|&(who, p)| record(who, position(p)))
        .collect()
}

fn counted(rules: &ConsortiumRules, votes: &[(&str, Position)]) -> Tally {
    tally(&consent_proposal(), &roll(rules), &ballots(votes)).expect("countable")
}

const ORGS_SPLIT: [(&str, Position); 4] = [
    ("Alpha", Agree),
    ("Beta", Agree),
    ("Gamma", Disagree),
    ("Delta", Disagree),
];

#[test]
fn a_college_vote_shared_among_three_voters_carries_a_split_majority() {
    // By hand: the organisations split 2 to 2, which is not more than half.
    // The college of 1 vote has three voters, each carrying 1/3: Ada and Bo
    // agree, Cy disagrees, Di does not vote. Agree = 2 + 2/3 = 8/3,
    // disagree = 2 + 1/3 = 7/3; the share is (8/3) / 5 = 8/15 > 1/2, so the
    // proposal passes. In thirds of a vote: agree 8, disagree 7, of 15
    // eligible (4 organisations + the college's 1, times 3), all of which
    // took part.
    let votes: Vec<_> = ORGS_SPLIT
        .into_iter()
        .chain([("Ada", Agree), ("Bo", Agree), ("Cy", Disagree)])
        .collect();
    let with_college = counted(&one_vote_college(), &votes);
    let without = counted(&one_vote_college(), &ORGS_SPLIT);

    assert_eq!(with_college.scale, 3);
    let Counts::Consent(c) = &with_college.counts else {
        panic!("consent counts expected");
    };
    assert_eq!((c.agree, c.disagree), (8, 7));
    assert_eq!(with_college.turnout.weight_voted, 15);
    assert_eq!(with_college.turnout.weight_eligible, 15);
    assert_eq!(with_college.outcome, Outcome::Passed);
    assert!(with_college.explanation.contains("carrying 5 of 5 votes"));
    assert_ne!(without.outcome, Outcome::Passed);
}

#[test]
fn a_college_nobody_voted_in_still_counts_toward_the_quorum() {
    let t = counted(&one_vote_college(), &ORGS_SPLIT);
    assert_eq!(t.scale, 1);
    assert_eq!((t.turnout.weight_voted, t.turnout.weight_eligible), (4, 5));
}

#[test]
fn one_vote_per_ten_individuals_gives_four_members_two_fifths_of_a_vote() {
    // 4 individuals × 1/10 = 2/5 of a vote, shared by one voter: eligible
    // 4 + 2/5 = 22/5, counted in fifths.
    let rules = rules(IndividualVoting::College {
        votes: NonZeroU32::MIN,
        per: NonZeroU32::new(10),
    });
    let t = counted(&rules, &[("Ada", Agree)]);
    assert_eq!(t.scale, 5);
    assert_eq!((t.turnout.weight_voted, t.turnout.weight_eligible), (2, 22));
}

#[test]
fn individuals_voting_each_count_as_organisations_do() {
    let rules = rules(IndividualVoting::Each {
        weight: governance::membership::Weight::ONE,
    });
    let t = counted(&rules, &[("Ada", Agree), ("Bo", Disagree)]);
    assert_eq!(t.scale, 1);
    assert_eq!(t.turnout.weight_eligible, 8);
}

#[test]
fn an_organisations_only_tally_keeps_its_json() {
    let t = tally(&consent_proposal(), &roll_of(&[1, 1]), &[]).expect("countable");
    let json = serde_json::to_value(&t).expect("serializable");
    assert!(json.get("scale").is_none());
}

#[test]
fn individuals_need_rules_that_admit_them() {
    let rules = ConsortiumRules::default();
    let register = [RegisterEntry {
        class: "consumer".into(),
        ..member("Ada", OrgKind::Individual, &rules)
    }];
    assert_eq!(
        freeze_roll(&register, T0, &rules),
        Err(RollError::NoIndividuals { org: "Ada".into() })
    );
}
