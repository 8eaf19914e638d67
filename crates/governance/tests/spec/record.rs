//! The fingerprint and the result export.

use crate::common::*;
use governance::membership::Weight;
use governance::proposal::{Choice, Kind, Position, Proposal};
use governance::record::{
    Export, RecomputeError, VerifyError, canonical_form, export, fingerprint, recompute, verify,
};
use governance::roll::{BallotRecord, Roll};

fn consent_export() -> Export {
    let recs = [
        revised("org 00", position(Position::Disagree), 1),
        revised("org 00", position(Position::Agree), 2),
        record("org 01", position(Position::Block)),
        record("org 02", position(Position::Abstain)),
    ];
    export(&consent_proposal(), schedule(), &roll_of(&[1, 1, 2]), &recs).expect("countable")
}

fn stv_export() -> Export {
    let p = proposal(Kind::Ranked { seats: 2 }, &["a", "b", "c", "d"]);
    let choices = [
        Choice::Ranking(vec![0, 2, 1]),
        Choice::Ranking(vec![0, 1]),
        Choice::Ranking(vec![0, 3]),
        Choice::Ranking(vec![2, 3]),
        Choice::Ranking(vec![3, 1]),
        Choice::Abstain,
    ];
    export(
        &p,
        schedule(),
        &roll_of(&[2, 1, 2, 1, 1, 1]),
        &records(&choices),
    )
    .expect("countable")
}

fn score_export() -> Export {
    let p = proposal(Kind::Score { min: -2, max: 2 }, &["x", "y", "z"]);
    let choices = [
        Choice::Scores(vec![2, -1, 0]),
        Choice::Scores(vec![-2, 1, 1]),
        Choice::Abstain,
    ];
    export(&p, schedule(), &roll_of(&[2, 1, 1]), &records(&choices)).expect("countable")
}

fn runoff_export() -> Export {
    let p = proposal(Kind::Ranked { seats: 1 }, &["a", "b", "c"]);
    let choices = [
        Choice::Ranking(vec![2, 1]),
        Choice::Ranking(vec![1]),
        Choice::Ranking(vec![0, 2]),
    ];
    export(&p, schedule(), &roll_of(&[1, 1, 2]), &records(&choices)).expect("countable")
}

fn through_json(export: &Export) -> Export {
    let json = serde_json::to_string_pretty(export).expect("serializes");
    serde_json::from_str(&json).expect("deserializes")
}

#[test]
fn an_export_round_trips_through_json_and_recomputes_to_the_identical_tally() {
    for original in [
        consent_export(),
        stv_export(),
        score_export(),
        runoff_export(),
    ] {
        let read_back = through_json(&original);
        assert_eq!(read_back, original);
        assert_eq!(recompute(&read_back), Ok(original.tally.clone()));
        assert_eq!(verify(&read_back), Ok(()));
    }
}

#[test]
fn an_export_holds_only_each_organisation_s_counted_ballot() {
    let e = consent_export();
    let org00: Vec<u32> = e
        .ballots
        .iter()
        .filter(|b| b.org == "org 00")
        .map(|b| b.revision)
        .collect();
    assert_eq!(org00, [2]);
    assert_eq!(e.ballots.iter().map(|b| b.weight.get()).sum::<u32>(), 4);
}

#[test]
fn a_ballot_changed_after_publication_is_detected() {
    let mut e = consent_export();
    e.ballots[1].ballot.choice = position(Position::Agree);
    assert_eq!(verify(&e), Err(VerifyError::TallyDiffers));
}

#[test]
fn a_text_changed_after_publication_is_detected() {
    let mut e = consent_export();
    e.proposal.text.push_str(" And one more thing.");
    assert!(matches!(verify(&e), Err(VerifyError::Fingerprint { .. })));
}

#[test]
fn a_ballot_claiming_another_weight_than_the_roll_is_refused() {
    let mut e = consent_export();
    e.ballots[0].weight = Weight::TWO;
    assert_eq!(
        recompute(&e),
        Err(RecomputeError::WeightMismatch {
            org: "org 00".into(),
            claimed: 2,
            on_roll: 1
        })
    );
}

#[test]
fn an_export_with_two_ballots_for_one_organisation_is_refused() {
    let mut e = consent_export();
    let mut again = e.ballots[0].clone();
    again.revision = 3;
    e.ballots.push(again);
    assert!(matches!(
        recompute(&e),
        Err(RecomputeError::DuplicateBallot { .. })
    ));
}

fn small() -> (Proposal, Roll) {
    let mut p = proposal(Kind::SingleChoice, &["yes", "no"]);
    p.title = "Tier prices 2026".into();
    p.text = "Keep the prices.".into();
    (p, roll_of(&[1, 2]))
}

#[test]
fn the_canonical_form_is_fixed_json_in_a_documented_order() {
    let (p, roll) = small();
    let json = String::from_utf8(canonical_form(&p, &roll, schedule())).expect("UTF-8");
    assert_eq!(
        json,
        concat!(
            r#"{"format":"plenary-proposal/1","title":"Tier prices 2026","text":"Keep the prices.","#,
            r#""kind":"single_choice","options":["yes","no"],"#,
            r#""rules":{"min_lead_time":604800000,"quorum":5000,"threshold":{"more_than":5000},"#,
            r#""block_stops":true,"hide_results_until_close":false,"require_minutes":false},"#,
            r#""roll":[{"org":"org 00","kind":"organisation","class":"consumer","weight":1},"#,
            r#"{"org":"org 01","kind":"federation","class":"consumer","weight":2}],"#,
            r#""opens_at":1767225600000,"closes_at":1767830400000}"#
        )
    );
}

#[test]
fn the_fingerprint_is_the_sha256_of_the_canonical_form() {
    let (p, roll) = small();
    // Also what `printf '%s' '<the JSON above>' | sha256sum` prints.
    assert_eq!(
        fingerprint(&p, &roll, schedule()).as_str(),
        "a5c2946fe6f77b2d41cc73240df10259f3ba0e89e9140e379beb2b6c1874111b"
    );
}

#[test]
fn any_change_to_what_was_frozen_changes_the_fingerprint() {
    let (p, roll) = small();
    let base = fingerprint(&p, &roll, schedule());
    let mut reworded = p.clone();
    reworded.options[1] = "no, raise them".into();
    let mut stricter = p.clone();
    stricter.rules.block_stops = false;
    let mut later = schedule();
    later.closes_at += 1;
    assert_ne!(fingerprint(&reworded, &roll, schedule()), base);
    assert_ne!(fingerprint(&stricter, &roll, schedule()), base);
    assert_ne!(fingerprint(&p, &roll, later), base);
    assert_ne!(fingerprint(&p, &roll_of(&[1, 1]), schedule()), base);
}

#[test]
fn recompute_ignores_the_tally_the_export_carries() {
    let mut e = stv_export();
    let honest = e.tally.clone();
    e.tally.explanation = "Everything passed.".into();
    assert_eq!(recompute(&e), Ok(honest));
    assert_eq!(verify(&e), Err(VerifyError::TallyDiffers));
}

#[test]
fn an_export_of_unknown_format_is_refused() {
    let mut e = consent_export();
    e.format = "something-else/9".into();
    assert!(matches!(recompute(&e), Err(RecomputeError::Format(_))));
}

#[test]
fn a_stored_ballot_from_off_the_roll_cannot_be_exported() {
    let recs: [BallotRecord; 1] = [record("stranger", position(Position::Agree))];
    assert!(export(&consent_proposal(), schedule(), &roll_of(&[1]), &recs).is_err());
}
