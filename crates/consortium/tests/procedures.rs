//! The consortium's procedures over a real store, with time moved by hand.

mod common;

use common::{DAY, T0, apply_delta, at, consent, delegate, member, world, world_under};
use consortium::{ConsortiumError, NewMember, Voter};
use governance::membership::{LegalForm, OrgKind};
use governance::proposal::{Ballot, Choice, Position};
use governance::tally::Outcome;
use store::Act;

#[tokio::test]
async fn an_application_is_decided_by_the_members_and_the_applicant_joins() {
    let w = world().await;
    let c = &w.c;
    let id = apply_delta(c).await;
    let view = c.view(id).await.unwrap();
    assert_eq!(view.state, "open");
    assert_eq!(view.roll.len(), 4, "the applicant is not on its own roll");
    assert_eq!(view.closes_at_ms, Some(T0 + 7 * DAY));
    for (org, position) in [
        ("alpha", Position::Disagree),
        ("beta", Position::Agree),
        ("fed", Position::Agree),
    ] {
        c.vote(
            id,
            org,
            &delegate(c, org).await,
            consent(position),
            &at(T0 + DAY),
        )
        .await
        .unwrap();
    }
    let second = c
        .vote(
            id,
            "alpha",
            &delegate(c, "alpha").await,
            consent(Position::Agree),
            &at(T0 + 2 * DAY),
        )
        .await
        .unwrap();
    assert_eq!(
        second, 2,
        "a changed vote is the organisation's next revision"
    );
    let early = c.close(id, &at(T0 + 6 * DAY)).await;
    assert!(
        matches!(&early, Err(ConsortiumError::Refused(m)) if m.contains("2026-12-08 00:00 UTC")),
        "{early:?}"
    );
    let tally = c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
    assert_eq!(tally.outcome, Outcome::Passed);
    assert_eq!(tally.turnout.weight_voted, 4, "the federation weighs 2");
    let delta = c.store().organisation("delta").await.unwrap();
    assert_eq!(delta.status, "member");
    let export = c.export(id).await.unwrap();
    assert_eq!(governance::record::recompute(&export).unwrap(), tally);
    assert_eq!(
        export.ballots.len(),
        3,
        "one counted ballot per organisation"
    );
    let closed = c.view(id).await.unwrap();
    let (_, head) = c.store().audit_head().await.unwrap();
    assert!(closed.audit_head.is_some());
    assert!(c.store().verify_audit().await.unwrap().broken.is_none());
    assert_ne!(closed.audit_head.as_deref(), Some(""), "{head}");
}

#[tokio::test]
async fn only_a_delegate_or_deputy_votes_and_only_for_its_own_organisation() {
    let w = world().await;
    let c = &w.c;
    let id = apply_delta(c).await;
    let beta = delegate(c, "beta").await;
    let for_alpha = c
        .vote(id, "alpha", &beta, consent(Position::Agree), &at(T0 + 1))
        .await;
    assert!(matches!(for_alpha, Err(ConsortiumError::Forbidden(_))));
    let operator = Voter::Operator("ada".into());
    let by_operator = c
        .vote(
            id,
            "alpha",
            &operator,
            consent(Position::Agree),
            &at(T0 + 1),
        )
        .await;
    assert!(matches!(by_operator, Err(ConsortiumError::Forbidden(_))));
    let no_reason = Ballot {
        choice: Choice::Consent {
            position: Position::Block,
            reason: None,
        },
        minutes_link: None,
    };
    assert!(matches!(
        c.vote(id, "beta", &beta, no_reason, &at(T0 + 1)).await,
        Err(ConsortiumError::Refused(_))
    ));
}

#[tokio::test]
async fn a_text_change_restarts_the_lead_time_and_the_fingerprint() {
    let w = world().await;
    let c = &w.c;
    let id = apply_delta(c).await;
    let before = c.view(id).await.unwrap();
    c.edit(id, &before.title, "v2", &at(T0 + 3 * DAY))
        .await
        .unwrap();
    let after = c.view(id).await.unwrap();
    assert_eq!(after.closes_at_ms, Some(T0 + 10 * DAY));
    assert_ne!(after.fingerprint, before.fingerprint);
    assert!(c.close(id, &at(T0 + 8 * DAY)).await.is_err());
}

#[tokio::test]
async fn duties_remind_non_voters_close_at_the_deadline_and_complete_leaves() {
    let w = world().await;
    let c = &w.c;
    let id = apply_delta(c).await;
    c.vote(
        id,
        "beta",
        &delegate(c, "beta").await,
        consent(Position::Agree),
        &at(T0 + DAY),
    )
    .await
    .unwrap();
    let system = |ms| Act::new("system", ms);
    assert!(
        c.run_duties(&system(T0 + 2 * DAY))
            .await
            .unwrap()
            .reminded
            .is_empty()
    );
    let reminded = c.run_duties(&system(T0 + 6 * DAY + 1)).await.unwrap();
    assert_eq!(reminded.reminded, [id]);
    let due = c.store().due_messages(T0 + 7 * DAY, 100).await.unwrap();
    let reminders: Vec<_> = due
        .iter()
        .filter(|m| m.key.starts_with("reminder:"))
        .collect();
    assert_eq!(
        reminders.len(),
        3 + 1,
        "three non-voters by mail, one forum post"
    );
    let closed = c.run_duties(&system(T0 + 7 * DAY)).await.unwrap();
    assert_eq!(closed.closed, [id]);
    assert_eq!(
        c.store().organisation("delta").await.unwrap().status,
        "withdrawn",
        "one organisation of four is no quorum: nothing is decided, the application lapses"
    );
    c.give_notice("beta", &at(T0 + 8 * DAY)).await.unwrap();
    assert!(
        c.run_duties(&system(T0 + 20 * DAY))
            .await
            .unwrap()
            .left
            .is_empty()
    );
    let left = c.run_duties(&system(T0 + 38 * DAY)).await.unwrap();
    assert_eq!(left.left, ["beta"]);
    assert_eq!(c.store().organisation("beta").await.unwrap().status, "left");
}

#[tokio::test]
async fn a_published_record_recounts_and_a_forged_ballot_is_caught() {
    let w = world().await;
    let c = &w.c;
    let id = apply_delta(c).await;
    let alpha = delegate(c, "alpha").await;
    c.vote(
        id,
        "alpha",
        &alpha,
        consent(Position::Disagree),
        &at(T0 + 1),
    )
    .await
    .unwrap();
    c.vote(id, "alpha", &alpha, consent(Position::Agree), &at(T0 + 2))
        .await
        .unwrap();
    assert!(
        matches!(c.record(id).await, Err(ConsortiumError::Conflict(_))),
        "not while open"
    );
    c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
    let record = c.record(id).await.unwrap();
    assert_eq!(record.receipts.len(), 2, "every revision is published");
    let json = serde_json::to_string(&record).unwrap();
    let read: consortium::Record = serde_json::from_str(&json).unwrap();
    assert_eq!(c.recount(&read).await.unwrap(), 2);
    let mut forged = read.clone();
    forged.receipts[0].ballot = forged.receipts[0].ballot.replace("disagree", "block");
    let caught = c.recount(&forged).await;
    assert!(
        matches!(&caught, Err(ConsortiumError::Refused(m)) if m.contains("revision 1 of alpha")),
        "{caught:?}"
    );
    let mut recounted = read;
    recounted.result.tally.turnout.weight_voted += 1;
    assert!(
        c.recount(&recounted).await.is_err(),
        "a changed tally does not recount"
    );
}

#[tokio::test]
async fn an_applicant_accepts_the_membership_terms_in_force_when_it_applies() {
    let w = world().await;
    let c = &w.c;
    c.store()
        .publish_document(consortium::register::MEMBERSHIP_TERMS, "Rights v1", &at(T0))
        .await
        .unwrap();
    c.store()
        .publish_document(
            consortium::register::MEMBERSHIP_TERMS,
            "Rights v2",
            &at(T0 + 1),
        )
        .await
        .unwrap();
    c.apply(
        &member("delta", "consumer", OrgKind::Organisation, None),
        "",
        &at(T0 + 2),
    )
    .await
    .unwrap();
    let delta = c.store().organisation("delta").await.unwrap();
    assert_eq!(
        c.store().acceptances(delta.id).await.unwrap(),
        [("membership".to_string(), 2, T0 + 2)]
    );
}

#[tokio::test]
async fn a_withdrawn_application_can_be_made_again() {
    let w = world().await;
    let c = &w.c;
    let id = apply_delta(c).await;
    c.withdraw(id, "we will apply next year", &at(T0 + DAY))
        .await
        .unwrap();
    assert_eq!(
        c.store().organisation("delta").await.unwrap().status,
        "withdrawn"
    );
    let again = c
        .apply(
            &member("delta", "consumer", OrgKind::Organisation, None),
            "A year later.",
            &at(T0 + 2 * DAY),
        )
        .await
        .unwrap();
    assert_ne!(again, id);
    let delta = c.store().organisation("delta").await.unwrap();
    assert_eq!(delta.status, "applicant");
    let steps: Vec<String> = c
        .store()
        .membership_history(delta.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(steps, ["applicant", "withdrawn", "applicant"]);
}

#[tokio::test]
async fn applying_again_keeps_the_legal_name_and_contact_it_does_not_give() {
    let w = world().await;
    let c = &w.c;
    c.store()
        .add_organisation("delta", "Delta School Trust", &at(T0))
        .await
        .unwrap();
    let contact = store::RegisterPatch {
        contact: Some("office@delta.example".into()),
        ..store::RegisterPatch::default()
    };
    c.store()
        .set_register("delta", &contact, &at(T0))
        .await
        .unwrap();
    let bare = NewMember {
        legal_name: None,
        contact: None,
        ..member("delta", "consumer", OrgKind::Organisation, None)
    };
    c.apply(&bare, "", &at(T0 + 1)).await.unwrap();
    let delta = c.store().organisation("delta").await.unwrap();
    assert_eq!(
        (delta.legal_name.as_str(), delta.contact.as_str()),
        ("Delta School Trust", "office@delta.example")
    );
    assert_eq!(delta.status, "applicant");
}

#[tokio::test]
async fn a_member_class_cannot_be_removed_while_members_hold_it() {
    let w = world().await;
    let c = &w.c;
    let mut rules = c.rules().await.unwrap();
    rules.member_classes = ["consumer".to_string()].into();
    let title = "One class";
    let refused = c
        .draft_rules_change(title, "Simpler.", &rules, &at(T0))
        .await;
    match refused {
        Err(ConsortiumError::Refused(why)) => assert_eq!(
            why,
            "the member class \"producer\" cannot be removed while alpha hold it: change their class first"
        ),
        other => panic!("refused, not {other:?}"),
    }
    c.set_member("alpha", Some("consumer"), None, None, &at(T0))
        .await
        .unwrap();
    c.draft_rules_change(title, "Simpler.", &rules, &at(T0 + 1))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_operator_sets_the_founding_rules_once_and_then_only_what_protects_nobody() {
    let w = world().await;
    let c = &w.c;
    let mut rules = c.rules().await.unwrap();
    rules.min_lead_time = governance::time::DurationMs::days(10);
    assert!(
        matches!(c.set_rules(&rules, &at(T0)).await, Err(ConsortiumError::Refused(m)) if m.contains("lead time")),
        "members joined under the default rules, so they are in force"
    );
    let mut reminder = c.rules().await.unwrap();
    reminder.reminder_lead = governance::time::DurationMs::hours(6);
    c.set_rules(&reminder, &at(T0)).await.unwrap();
    assert_eq!(
        c.rules().await.unwrap().reminder_lead,
        reminder.reminder_lead
    );
}

#[tokio::test]
async fn an_application_from_a_legal_form_the_rules_do_not_admit_is_refused() {
    let rules = governance::membership::ConsortiumRules {
        admitted_legal_forms: [LegalForm::CoOperative, LegalForm::Association].into(),
        ..Default::default()
    };
    let w = world_under(&rules).await;
    let c = &w.c;
    let company = NewMember {
        legal_form: Some(LegalForm::Company),
        ..member("delta", "consumer", OrgKind::Organisation, None)
    };
    match c.apply(&company, "", &at(T0 + 1)).await {
        Err(ConsortiumError::Refused(why)) => assert_eq!(
            why,
            "the membership rules admit only co-operative, association; this organisation is a company"
        ),
        other => panic!("refused, not {other:?}"),
    }
    assert!(
        c.store().organisation("delta").await.is_err(),
        "a refused application leaves nothing behind"
    );
    let unknown = member("delta", "consumer", OrgKind::Organisation, None);
    assert!(matches!(
        c.apply(&unknown, "", &at(T0 + 1)).await,
        Err(ConsortiumError::Refused(_))
    ));
    let co_op = NewMember {
        legal_form: Some(LegalForm::CoOperative),
        ..unknown
    };
    c.apply(&co_op, "", &at(T0 + 2)).await.unwrap();
    let delta = c.store().organisation("delta").await.unwrap();
    assert_eq!(delta.legal_form.as_deref(), Some("co-operative"));
    let audited = c
        .store()
        .audit_entries(Some("org:delta"), 0, 100)
        .await
        .unwrap();
    assert!(
        audited
            .iter()
            .any(|e| e.kind == "org.set" && e.detail.contains("\"legal_form\":\"co-operative\"")),
        "the legal form is in the audit log"
    );
}
