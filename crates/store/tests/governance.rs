//! The register, people, proposals, ballots and the outbox, told on SQLite
//! and on PostgreSQL.

use store::{
    Act, MembershipStep, NewBallot, NewContribution, NewProposal, Opening, OrgKind, RegisterPatch,
    Role, RollEntry, Store, StoreError, TOKEN_ID_LEN, TokenOwner, ballot_commitment,
    statement_hash, token_hash, token_id,
};

fn act(at_ms: i64) -> Act {
    Act::new("operator:test", at_ms)
}

async fn on_both_backends<F, Fut>(story: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let story = &story;
    testkit::on_both_backends("governance", move |url| async move {
        story(Store::open(&url).await.expect("store opens")).await
    })
    .await;
}

fn member(at: i64) -> MembershipStep {
    MembershipStep {
        status: "member".into(),
        effective_at: at,
        note: "founding member".into(),
        membership: format!(r#"{{"status":"member","since":{at}}}"#),
    }
}

async fn founders(s: &Store) {
    for name in ["alpha", "beta"] {
        s.add_organisation(name, name, &act(1)).await.unwrap();
        s.record_membership(name, &member(1), &act(1))
            .await
            .unwrap();
    }
}

fn proposal() -> NewProposal<'static> {
    NewProposal {
        title: "Admit gamma",
        body: "Gamma applied.",
        kind: "consent",
        options: "[]",
        purpose: "general",
        subject_org: None,
        rules: r#"{"min_lead_ms":604800000}"#,
        amends: None,
    }
}

fn ballot<'a>(org: &'a str, choice: &'a str) -> NewBallot<'a> {
    NewBallot {
        org,
        choice,
        reason: "",
        minutes_url: "",
        cast_by: "person:ada",
        cast_as: Role::Delegate,
        salt: "s1",
    }
}

fn roll() -> Vec<RollEntry> {
    ["alpha", "beta"]
        .map(|org| RollEntry {
            org: org.into(),
            kind: OrgKind::Organisation,
            weight: 1,
            member_class: "producer".into(),
            college: None,
        })
        .to_vec()
}

async fn open(s: &Store, id: i64) {
    let roll = roll();
    let opening = Opening {
        roll: &roll,
        closes_at: 1_000_000,
        fingerprint: "f1",
    };
    s.open_proposal(id, &opening, &act(10)).await.unwrap();
}

#[tokio::test]
async fn the_register_keeps_membership_fields_and_history() {
    on_both_backends(|s| async move {
        s.add_organisation("fed", "A Federation", &act(1))
            .await
            .unwrap();
        let fresh = s.organisation("fed").await.unwrap();
        assert_eq!((fresh.status.as_str(), fresh.weight), ("customer", 1));
        let patch = RegisterPatch {
            kind: Some("federation".into()),
            member_class: Some("consumer".into()),
            weight: Some(2),
            contact: Some("board@fed.example".into()),
            ..RegisterPatch::default()
        };
        s.set_register("fed", &patch, &act(2)).await.unwrap();
        s.record_membership("fed", &member(3), &act(3))
            .await
            .unwrap();
        let leaving = MembershipStep {
            status: "leaving".into(),
            effective_at: 90,
            note: "notice given".into(),
            membership: r#"{"status":"leaving","member_since":3,"notice_at":4,"leaves_at":90}"#
                .into(),
        };
        s.record_membership("fed", &leaving, &act(4)).await.unwrap();
        let org = s.organisation("fed").await.unwrap();
        assert_eq!(org.kind, "federation");
        assert_eq!(org.member_class.as_deref(), Some("consumer"));
        assert_eq!((org.weight, org.status.as_str()), (2, "leaving"));
        assert!(org.membership.unwrap().contains(r#""leaves_at":90"#));
        let history = s.membership_history(org.id).await.unwrap();
        let steps: Vec<_> = history.iter().map(|e| e.status.as_str()).collect();
        assert_eq!(steps, ["member", "leaving"]);
        assert!(matches!(
            s.set_register("nobody", &patch, &act(5)).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn contributions_are_recorded_for_organisations_and_individuals_alike() {
    on_both_backends(|s| async move {
        founders(&s).await;
        s.add_organisation("ada", "Ada Lovelace", &act(1))
            .await
            .unwrap();
        let patch = RegisterPatch {
            kind: Some("individual".into()),
            member_class: Some("individual".into()),
            ..RegisterPatch::default()
        };
        s.set_register("ada", &patch, &act(2)).await.unwrap();
        assert_eq!(
            s.organisation("ada").await.unwrap().kind,
            OrgKind::Individual
        );
        let hours = NewContribution {
            kind: "hours",
            amount: 1250,
            day: "2026-11-30",
            note: "Moderated the forum",
        };
        let servers = NewContribution {
            kind: "servers",
            amount: 2,
            day: "2026-11-01",
            note: "Two BBB servers",
        };
        s.record_contribution("ada", &hours, &act(3)).await.unwrap();
        s.record_contribution("beta", &servers, &act(4))
            .await
            .unwrap();
        let all = s.contributions().await.unwrap();
        let seen: Vec<_> = all
            .iter()
            .map(|c| (c.org.as_str(), c.kind.as_str(), c.amount, c.day.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("ada", "hours", 1250, "2026-11-30"),
                ("beta", "servers", 2, "2026-11-01")
            ]
        );
        assert_eq!(all[0].recorded_by, "operator:test");
        assert!(matches!(
            s.record_contribution("nobody", &hours, &act(5)).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn documents_are_versioned_and_accepted_once() {
    on_both_backends(|s| async move {
        founders(&s).await;
        let v1 = s
            .publish_document("membership", "Rights v1", &act(1))
            .await
            .unwrap();
        let v2 = s
            .publish_document("membership", "Rights v2", &act(2))
            .await
            .unwrap();
        assert_eq!((v1.version, v2.version), (1, 2));
        assert_eq!(
            s.document("membership").await.unwrap().unwrap().body,
            "Rights v2"
        );
        s.accept_document("alpha", &v2, &act(3)).await.unwrap();
        s.accept_document("alpha", &v2, &act(4)).await.unwrap();
        let alpha = s.organisation("alpha").await.unwrap();
        assert_eq!(
            s.acceptances(alpha.id).await.unwrap(),
            [("membership".to_string(), 2, 3)]
        );
        assert_eq!(s.documents().await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_new_delegate_makes_the_old_one_a_deputy() {
    on_both_backends(|s| async move {
        founders(&s).await;
        for p in ["ada", "bob"] {
            s.add_person(p, p, &format!("{p}@alpha.example"), &act(1))
                .await
                .unwrap();
        }
        s.set_representative("alpha", "ada", "delegate", &act(2))
            .await
            .unwrap();
        s.set_representative("alpha", "bob", "delegate", &act(3))
            .await
            .unwrap();
        let alpha = s.organisation("alpha").await.unwrap();
        let roles: Vec<_> = s
            .representatives(alpha.id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.person.name, r.role))
            .collect();
        assert_eq!(
            roles,
            [
                ("bob".to_string(), Role::Delegate),
                ("ada".to_string(), Role::Deputy)
            ]
        );
        let ada = s.person("ada").await.unwrap();
        assert_eq!(s.roles_of(ada.id).await.unwrap()[0].org, "alpha");
        s.remove_representative("alpha", "ada", &act(4))
            .await
            .unwrap();
        assert!(matches!(
            s.remove_representative("alpha", "ada", &act(5)).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn tokens_are_found_by_hash_until_revoked() {
    on_both_backends(|s| async move {
        s.add_person("ada", "Ada", "ada@x.example", &act(1))
            .await
            .unwrap();
        s.add_token("person-token", Some("ada"), "laptop", &act(1))
            .await
            .unwrap();
        s.add_token("operator-token", None, "ops", &act(1))
            .await
            .unwrap();
        assert!(matches!(
            s.token_owner("person-token").await.unwrap(),
            Some(TokenOwner::Person(p)) if p.name == "ada"
        ));
        assert!(matches!(
            s.token_owner("operator-token").await.unwrap(),
            Some(TokenOwner::Operator { .. })
        ));
        assert_eq!(s.token_owner("guess").await.unwrap(), None);
        s.revoke_token("person-token", &act(2)).await.unwrap();
        assert_eq!(s.token_owner("person-token").await.unwrap(), None);
        let (_, head) = s.audit_head().await.unwrap();
        let log = s.audit_entries(None, 0, 100).await.unwrap();
        assert!(log.iter().all(|e| !e.detail.contains("person-token")));
        assert_eq!(log.last().unwrap().hash, head);
    })
    .await;
}

#[tokio::test]
async fn tokens_are_listed_by_public_id_and_revoked_by_it() {
    on_both_backends(|s| async move {
        for p in ["ada", "bob"] {
            s.add_person(p, p, &format!("{p}@x.example"), &act(1))
                .await
                .unwrap();
        }
        let laptop = s.issue_token(Some("ada"), "laptop", &act(2)).await.unwrap();
        assert!(laptop.token.starts_with("pl_"));
        assert_eq!(laptop.info.id, token_id(&laptop.token));
        assert_eq!(laptop.info.id.len(), TOKEN_ID_LEN);
        s.add_token("bob-token", Some("bob"), "phone", &act(3))
            .await
            .unwrap();
        s.add_token("ops-token", None, "ops", &act(4))
            .await
            .unwrap();

        let ada = s.person("ada").await.unwrap();
        assert_eq!(
            s.tokens_of(ada.id).await.unwrap(),
            std::slice::from_ref(&laptop.info)
        );
        let all: Vec<_> = s
            .tokens()
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.person, t.label))
            .collect();
        assert_eq!(
            all,
            [
                (Some("ada".to_string()), "laptop".to_string()),
                (Some("bob".to_string()), "phone".to_string()),
                (None, "ops".to_string()),
            ]
        );

        s.revoke_token_by_id(&laptop.info.id, &act(5))
            .await
            .unwrap();
        assert_eq!(s.token_owner(&laptop.token).await.unwrap(), None);
        assert_eq!(s.token(&laptop.info.id).await.unwrap().revoked_at, Some(5));
        assert!(matches!(
            s.revoke_token_by_id(&laptop.info.id, &act(6)).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.token("000000000000").await,
            Err(StoreError::NotFound(_))
        ));
        assert!(
            s.token_owner("bob-token").await.unwrap().is_some(),
            "only the named token is revoked"
        );
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_names_tokens_by_public_id_only() {
    on_both_backends(|s| async move {
        s.add_person("ada", "Ada", "ada@x.example", &act(1))
            .await
            .unwrap();
        let issued = s.issue_token(Some("ada"), "laptop", &act(2)).await.unwrap();
        s.revoke_token_by_id(&issued.info.id, &act(3))
            .await
            .unwrap();
        let log = s.audit_entries(None, 0, 100).await.unwrap();
        let token_entries: Vec<_> = log
            .iter()
            .filter(|e| e.kind.starts_with("token."))
            .map(|e| (e.kind.as_str(), e.subject.as_str()))
            .collect();
        assert_eq!(
            token_entries,
            [("token.add", "person:ada"), ("token.revoke", "person:ada")]
        );
        let hash = token_hash(&issued.token);
        for entry in &log {
            assert!(!entry.detail.contains(&issued.token), "{}", entry.detail);
            assert!(!entry.detail.contains(&hash), "{}", entry.detail);
        }
        assert!(log.iter().any(|e| e.detail.contains(&issued.info.id)));
    })
    .await;
}

#[tokio::test]
async fn every_role_of_every_person_is_listed_by_organisation() {
    on_both_backends(|s| async move {
        founders(&s).await;
        for p in ["ada", "bob"] {
            s.add_person(p, p, &format!("{p}@x.example"), &act(1))
                .await
                .unwrap();
        }
        s.set_representative("beta", "ada", "admin", &act(2))
            .await
            .unwrap();
        s.set_representative("alpha", "bob", "delegate", &act(2))
            .await
            .unwrap();
        s.set_representative("alpha", "ada", "deputy", &act(2))
            .await
            .unwrap();
        let roles: Vec<_> = s
            .all_representatives()
            .await
            .unwrap()
            .into_iter()
            .map(|r| format!("{} {} {}", r.org, r.person.name, r.role))
            .collect();
        assert_eq!(
            roles,
            ["alpha ada deputy", "alpha bob delegate", "beta ada admin"]
        );
    })
    .await;
}

#[tokio::test]
async fn a_proposal_opens_once_takes_revised_ballots_and_closes_once() {
    on_both_backends(|s| async move {
        founders(&s).await;
        let p = s.create_proposal(&proposal(), &act(5)).await.unwrap();
        assert_eq!(p.state, "draft");
        assert!(matches!(
            s.cast_ballot(p.id, &ballot("alpha", "agree"), &act(6))
                .await,
            Err(StoreError::Conflict(_))
        ));
        open(&s, p.id).await;
        let roll = roll();
        let again = Opening {
            roll: &roll,
            closes_at: 1,
            fingerprint: "f2",
        };
        assert!(s.open_proposal(p.id, &again, &act(11)).await.is_err());
        assert_eq!(s.roll(p.id).await.unwrap(), roll);
        let r1 = s
            .cast_ballot(p.id, &ballot("alpha", "disagree"), &act(20))
            .await
            .unwrap();
        let r2 = s
            .cast_ballot(p.id, &ballot("alpha", "agree"), &act(30))
            .await
            .unwrap();
        assert_eq!((r1, r2), (1, 2));
        assert!(matches!(
            s.cast_ballot(p.id, &ballot("outsider", "agree"), &act(31))
                .await,
            Err(StoreError::NotFound(_))
        ));
        let ballots = s.ballots(p.id).await.unwrap();
        assert_eq!(ballots.len(), 2);
        assert_eq!(ballots[1].choice, "agree");
        s.edit_proposal(
            p.id,
            "Admit gamma",
            "New text",
            Some(("f3", 2_000_000)),
            &act(40),
        )
        .await
        .unwrap();
        let edited = s.proposal(p.id).await.unwrap();
        assert_eq!(
            (edited.text_changed_at, edited.closes_at, edited.fingerprint),
            (Some(40), Some(2_000_000), Some("f3".into()))
        );
        let entry = s
            .close_proposal(p.id, r#"{"passed":true}"#, &act(50))
            .await
            .unwrap();
        let closed = s.proposal(p.id).await.unwrap();
        assert_eq!(closed.state, "closed");
        assert_eq!(closed.audit_head, Some(entry.hash));
        assert!(s.close_proposal(p.id, "{}", &act(51)).await.is_err());
        assert!(s.withdraw_proposal(p.id, "late", &act(52)).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn a_rules_change_a_deputy_s_ballot_and_the_outcome_statement_read_back() {
    on_both_backends(|s| async move {
        founders(&s).await;
        let new = NewProposal {
            purpose: "rules",
            amends: Some(r#"{"default_quorum":2500}"#),
            ..proposal()
        };
        let p = s.create_proposal(&new, &act(5)).await.unwrap();
        assert_eq!(p.amends.as_deref(), new.amends);
        open(&s, p.id).await;
        let by_deputy = NewBallot {
            cast_as: Role::Deputy,
            ..ballot("alpha", "agree")
        };
        s.cast_ballot(p.id, &by_deputy, &act(20)).await.unwrap();
        assert_eq!(s.ballots(p.id).await.unwrap()[0].cast_as, Role::Deputy);
        assert!(
            matches!(
                s.set_statement(p.id, "Early.", &act(21)).await,
                Err(StoreError::Conflict(_))
            ),
            "only a closed proposal has an outcome statement"
        );
        s.close_proposal(p.id, "{}", &act(50)).await.unwrap();
        s.set_statement(p.id, "The quorum is a quarter.", &act(60))
            .await
            .unwrap();
        let statement = s.proposal(p.id).await.unwrap().statement.unwrap();
        assert_eq!(
            (
                statement.text.as_str(),
                statement.by.as_str(),
                statement.at_ms
            ),
            ("The quorum is a quarter.", "operator:test", 60)
        );
        assert!(matches!(
            s.set_statement(p.id, "Again.", &act(61)).await,
            Err(StoreError::Conflict(_))
        ));
        let logged = s
            .audit_entries(Some(&format!("proposal:{}", p.id)), 0, 100)
            .await
            .unwrap();
        assert!(logged.iter().any(|e| {
            e.kind == "proposal.statement"
                && e.detail
                    .contains(&statement_hash("The quorum is a quarter."))
        }));
        s.set_consortium_rules(
            &serde_json::json!({"default_quorum": 2500}),
            Some(p.id),
            &act(70),
        )
        .await
        .unwrap();
        let amended = s.audit_entries(Some("rules"), 0, 100).await.unwrap();
        assert_eq!(amended.last().map(|e| e.kind.as_str()), Some("rules.amend"));
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_commits_to_ballots_without_showing_them() {
    on_both_backends(|s| async move {
        founders(&s).await;
        let p = s.create_proposal(&proposal(), &act(5)).await.unwrap();
        open(&s, p.id).await;
        s.cast_ballot(p.id, &ballot("beta", "block"), &act(20))
            .await
            .unwrap();
        let entries = s.audit_entries(None, 0, 100).await.unwrap();
        let cast = entries.iter().find(|e| e.kind == "ballot.cast").unwrap();
        assert!(!cast.detail.contains("block"));
        assert!(cast.detail.contains(&ballot_commitment("block", "s1")));
        assert!(s.verify_audit().await.unwrap().broken.is_none());
    })
    .await;
}

#[tokio::test]
async fn a_reminder_is_marked_once() {
    on_both_backends(|s| async move {
        founders(&s).await;
        let p = s.create_proposal(&proposal(), &act(5)).await.unwrap();
        assert!(s.mark_reminded(p.id, &act(6)).await.unwrap());
        assert!(!s.mark_reminded(p.id, &act(7)).await.unwrap());
        s.withdraw_proposal(p.id, "duplicate", &act(8))
            .await
            .unwrap();
        assert_eq!(s.proposals().await.unwrap()[0].state, "withdrawn");
    })
    .await;
}

#[tokio::test]
async fn outbox_messages_are_queued_once_and_retried_until_sent() {
    on_both_backends(|s| async move {
        assert!(s.enqueue("mail", "open:1:alpha", "{}", 100).await.unwrap());
        assert!(!s.enqueue("mail", "open:1:alpha", "{}", 101).await.unwrap());
        s.enqueue("forum", "topic:1", "{}", 100).await.unwrap();
        let due = s.due_messages(100, 10).await.unwrap();
        assert_eq!(due.len(), 2);
        s.message_failed(due[0].id, "connection refused", Some(500), 100)
            .await
            .unwrap();
        s.message_sent(due[1].id, 100).await.unwrap();
        assert!(s.due_messages(200, 10).await.unwrap().is_empty());
        let retry = s.due_messages(500, 10).await.unwrap();
        assert_eq!(
            (retry[0].attempts, retry[0].last_error.as_str()),
            (1, "connection refused")
        );
        s.message_failed(retry[0].id, "550 no such user", None, 500)
            .await
            .unwrap();
        assert!(s.due_messages(10_000, 10).await.unwrap().is_empty());
        assert_eq!(s.failing_messages().await.unwrap().len(), 1);
        let p = s.create_proposal(&proposal(), &act(5)).await.unwrap();
        s.set_forum_topic(p.id, 42, "https://forum/t/42")
            .await
            .unwrap();
        s.set_forum_topic(p.id, 42, "https://forum/t/42")
            .await
            .unwrap();
        assert_eq!(
            s.forum_topic(p.id).await.unwrap(),
            Some((42, "https://forum/t/42".into()))
        );
    })
    .await;
}
