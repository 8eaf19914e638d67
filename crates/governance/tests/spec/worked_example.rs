//! A worked example from application to membership: three founding
//! organisations and a federation of weight 2 decide on an application.

use crate::common::{DAY, T0};
use governance::membership::{
    ConsortiumRules, Event, FederationWeight, OrgKind, Status, Weight, apply,
};
use governance::proposal::{
    Ballot, Choice, Kind, Position, Proposal, Schedule, State, close, open,
};
use governance::record::{export, fingerprint, verify};
use governance::roll::{CastError, Caster, RegisterEntry, Voting, freeze_roll};
use governance::share::Ratio;
use governance::tally::{Counts, Outcome, tally};

fn member(org: &str, kind: OrgKind, class: &str, since: i64) -> RegisterEntry {
    let rules = ConsortiumRules {
        federation_weight: FederationWeight::Two,
        ..ConsortiumRules::default()
    };
    RegisterEntry {
        org: org.into(),
        kind,
        class: class.into(),
        status: Status::Member { since },
        weight: rules.vote_weight(kind),
    }
}

fn ballot(position: Position, reason: Option<&str>) -> Ballot {
    Ballot {
        choice: Choice::Consent {
            position,
            reason: reason.map(String::from),
        },
        minutes_link: None,
    }
}

#[test]
fn three_founders_and_a_federation_of_weight_two_admit_an_applicant() {
    let rules = ConsortiumRules {
        federation_weight: FederationWeight::Two,
        ..ConsortiumRules::default()
    };
    let applicant = apply(None, Event::Apply, T0 - 2 * DAY, &rules).expect("anyone may apply");
    let register = [
        member(
            "Alpha Hosting",
            OrgKind::Organisation,
            "producer",
            T0 - 365 * DAY,
        ),
        member(
            "Beta School",
            OrgKind::Organisation,
            "consumer",
            T0 - 365 * DAY,
        ),
        member(
            "Gamma Union",
            OrgKind::Organisation,
            "consumer",
            T0 - 365 * DAY,
        ),
        member(
            "Delta Federation",
            OrgKind::Federation,
            "consumer",
            T0 - 100 * DAY,
        ),
        RegisterEntry {
            org: "Epsilon Library".into(),
            kind: OrgKind::Organisation,
            class: "consumer".into(),
            status: applicant,
            weight: Weight::ONE,
        },
    ];

    // The proposal opens now for the minimum seven days.
    let proposal = Proposal {
        title: "Admit Epsilon Library".into(),
        text: "Epsilon Library applies to join as a consumer member.".into(),
        kind: Kind::Consent,
        options: vec![],
        rules: rules.proposal_rules(),
        amends: None,
    };
    proposal.validate().expect("a well-formed proposal");
    rules
        .check_proposal_rules(&proposal.rules)
        .expect("within the consortium rules");
    let schedule = Schedule::new(T0, T0, T0 + 7 * DAY, &proposal.rules).expect("seven days");
    let state = open(State::Draft, schedule).expect("a draft opens");
    let roll = freeze_roll(&register, schedule.opens_at, &rules).expect("members at opening");
    assert_eq!(roll.entries().len(), 4);
    assert_eq!(roll.total_weight(), 5);
    assert_eq!(
        roll.get("Delta Federation").map(|e| e.weight),
        Some(Weight::TWO)
    );
    let fingerprint_at_opening = fingerprint(&proposal, &roll, schedule);

    // The applicant is not a member, so it has no vote on its own admission.
    let voting = Voting {
        proposal: &proposal,
        state,
        roll: &roll,
        last_text_change_at: None,
    };
    assert_eq!(
        voting.cast(
            &[],
            "Epsilon Library",
            Caster::Delegate,
            ballot(Position::Agree, None),
            T0 + DAY
        ),
        Err(CastError::NotOnRoll {
            org: "Epsilon Library".into()
        })
    );

    // Beta first disagrees, then changes its ballot after the discussion.
    let mut records = Vec::new();
    let casts = [
        ("Alpha Hosting", ballot(Position::Agree, None), 1),
        (
            "Beta School",
            ballot(Position::Disagree, Some("We have no spare capacity.")),
            2,
        ),
        (
            "Gamma Union",
            ballot(
                Position::Disagree,
                Some("Their use would outgrow the pool."),
            ),
            3,
        ),
        ("Delta Federation", ballot(Position::Agree, None), 4),
        ("Beta School", ballot(Position::Agree, None), 5),
    ];
    for (org, ballot, day) in casts {
        let record = voting
            .cast(&records, org, Caster::Delegate, ballot, T0 + day * DAY)
            .expect("accepted");
        records.push(record);
    }
    assert_eq!(records[4].revision, 2);

    // Nobody may close it before the seven days are up.
    let early = close(state, T0 + 6 * DAY, None, &proposal.rules).expect_err("too early");
    assert_eq!(
        early.to_string(),
        "too early: the proposal opened at 2026-01-01 00:00 UTC and may close from 2026-01-08 00:00 UTC"
    );
    let closed = close(state, T0 + 7 * DAY, None, &proposal.rules).expect("closes");

    let result = tally(&proposal, &roll, &records).expect("countable");
    let Counts::Consent(counts) = &result.counts else {
        panic!("a consent count");
    };
    assert_eq!(
        (counts.agree, counts.disagree, counts.abstain, counts.block),
        (4, 1, 0, 0)
    );
    assert_eq!(counts.agree_share, Ratio::new(4, 5));
    assert_eq!(result.outcome, Outcome::Passed);
    assert_eq!(
        result.explanation,
        "4 of 4 eligible organisations voted, carrying 5 of 5 votes (100 %); the quorum of 50 % of the \
         votes was met. Agree 4 votes, abstain 0 votes, disagree 1 vote, block 0 votes. Agree has 80 % \
         of the votes that took a side (agree, disagree and block; abstentions count toward the quorum \
         only), against a threshold of more than 50 %. The proposal passed."
    );

    // The decision admits the applicant from the closing date.
    let State::Closed { closed_at, .. } = closed else {
        panic!("closed");
    };
    assert_eq!(
        apply(Some(applicant), Event::Accept, closed_at, &rules),
        Ok(Status::Member { since: closed_at })
    );

    // The published result carries the fingerprint frozen at opening and
    // recounts to the same tally.
    let published = export(&proposal, schedule, &roll, &records).expect("countable");
    assert_eq!(published.fingerprint, fingerprint_at_opening);
    assert_eq!(published.tally, result);
    assert_eq!(verify(&published), Ok(()));
}
