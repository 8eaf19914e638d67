//! The consortium's second round on both databases: deputies and
//! delegates, rules that change only by decision, outcome statements, the
//! ballot file of a ranked proposal, the calendar, and rows that do not
//! read back.

mod common;

use common::{DAY, T0, at, consent, delegate, founded, settings};
use consortium::{Consortium, ConsortiumError, Draft, Voter};
use governance::proposal::{Ballot, Choice, Kind, Position};
use governance::share::BasisPoints;
use governance::tally::Outcome;
use serde_json::Value;
use store::Act;

async fn each_backend<F, Fut>(label: &str, story: F)
where
    F: Fn(Consortium, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    testkit::on_both_backends(label, |url| {
        let story = &story;
        async move { story(founded(&url, settings(), None).await, url).await }
    })
    .await;
}

async fn general(c: &Consortium) -> i64 {
    let draft = Draft {
        title: "Fair-use rule".into(),
        text: "Meetings over 4 hours are split.".into(),
        kind: Kind::Consent,
        options: vec![],
        rules: c.rules().await.unwrap().proposal_rules(),
        purpose: "general".into(),
        subject_org: None,
        amends: None,
    };
    let id = c.draft(&draft, &at(T0)).await.unwrap();
    c.open(id, None, &at(T0)).await.unwrap();
    id
}

/// The queued mails of `kind`, as (recipients, body).
async fn mails(c: &Consortium, kind: &str) -> Vec<(Vec<String>, String)> {
    c.store()
        .due_messages(i64::MAX, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.channel == "mail")
        .map(|m| serde_json::from_str::<Value>(&m.payload).unwrap())
        .filter(|m| m["kind"] == kind)
        .map(|m| {
            let to = m["to"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            (to, m["body"].as_str().unwrap().to_string())
        })
        .collect()
}

async fn deputy(c: &Consortium, org: &str) -> Voter {
    let name = format!("{org}-deputy");
    c.store()
        .add_person(&name, &name, &format!("{name}@x.example"), &at(T0))
        .await
        .unwrap();
    c.store()
        .set_representative(org, &name, "deputy", &at(T0))
        .await
        .unwrap();
    Voter::Person(c.store().person(&name).await.unwrap())
}

#[tokio::test]
async fn a_deputy_votes_then_the_delegate_and_the_delegate_s_ballot_counts_with_both_mailed() {
    each_backend("deputy", |c, _| async move {
        let id = general(&c).await;
        for org in ["alpha", "fed"] {
            c.vote(id, org, &delegate(&c, org).await, consent(Position::Agree), &at(T0 + DAY))
                .await
                .unwrap();
        }
        let stand_in = deputy(&c, "beta").await;
        c.vote(id, "beta", &stand_in, consent(Position::Disagree), &at(T0 + DAY))
            .await
            .unwrap();
        assert_eq!(
            c.view(id).await.unwrap().tally.unwrap().counts,
            governance::tally::Counts::Consent(governance::tally::consent::ConsentCounts {
                agree: 3,
                abstain: 0,
                disagree: 1,
                block: 0,
                agree_share: governance::share::Ratio::new(3, 4),
                blocked_by: vec![],
            }),
            "the deputy's ballot counts while the delegate has not voted"
        );
        let beta = delegate(&c, "beta").await;
        c.vote(id, "beta", &beta, consent(Position::Agree), &at(T0 + 2 * DAY))
            .await
            .unwrap();
        c.vote(id, "beta", &stand_in, consent(Position::Block), &at(T0 + 3 * DAY))
            .await
            .unwrap();
        let view = c.view(id).await.unwrap();
        let shown: Vec<(&str, bool)> = view
            .replacements
            .iter()
            .map(|r| (r.by.as_str(), r.counts))
            .collect();
        assert_eq!(
            shown,
            [("person:beta-delegate", true), ("person:beta-deputy", false)],
            "the proposal shows each replacement, and that the deputy's later ballot did not replace the delegate's"
        );
        let tally = c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
        assert_eq!(tally.outcome, Outcome::Passed, "the delegate's agree counts, not the deputy's block");
        let replaced = mails(&c, "ballot_replaced").await;
        // One message per person, since each carries that person's own sign-in link.
        let mut to: Vec<&str> = replaced
            .iter()
            .map(|(to, _)| match to.as_slice() {
                [one] => one.as_str(),
                many => panic!("one recipient per message, not {many:?}"),
            })
            .collect();
        to.sort_unstable();
        assert_eq!(
            to,
            [
                "beta-delegate@x.example",
                "beta-delegate@x.example",
                "beta-deputy@x.example",
                "beta-deputy@x.example"
            ],
            "the delegate and the deputy are both told of both replacements"
        );
        let told = |text: &str| replaced.iter().filter(|(_, body)| body.contains(text)).count();
        assert_eq!(told("replaces the ballot of beta-deputy (deputy)"), 2);
        assert_eq!(told("It does not count"), 2);
    })
    .await;
}

#[tokio::test]
async fn a_rules_change_lowering_the_quorum_passes_and_applies_at_close() {
    each_backend("rules-change", |c, _| async move {
        let mut lower = c.rules().await.unwrap();
        lower.default_quorum = BasisPoints::new(2_500).unwrap();
        let refused = c.set_rules(&lower, &at(T0)).await;
        assert!(
            matches!(&refused, Err(ConsortiumError::Refused(m)) if m.contains("quorum can change only by a decision")),
            "the founding rules stand, so the operator may not lower the quorum: {refused:?}"
        );
        let id = c
            .draft_rules_change("Quorum of a quarter", "Turnout is low in summer.", &lower, &at(T0))
            .await
            .unwrap();
        let view = c.view(id).await.unwrap();
        assert_eq!(view.rules.threshold, governance::share::Threshold::special());
        c.open(id, None, &at(T0)).await.unwrap();
        for org in ["alpha", "beta", "fed"] {
            c.vote(id, org, &delegate(&c, org).await, consent(Position::Agree), &at(T0 + DAY))
                .await
                .unwrap();
        }
        assert_eq!(c.rules().await.unwrap().default_quorum, BasisPoints::HALF, "not before close");
        let tally = c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
        assert_eq!(tally.outcome, Outcome::Passed);
        assert_eq!(c.rules().await.unwrap().default_quorum, BasisPoints::new(2_500).unwrap());
        let amended = c.store().audit_entries(Some("rules"), 0, 100).await.unwrap();
        assert!(
            amended
                .iter()
                .any(|e| e.kind == "rules.amend" && e.detail.contains(&format!("\"proposal\":{id}"))),
            "the audit log names the decision"
        );
    })
    .await;
}

#[tokio::test]
async fn a_rules_change_below_its_threshold_is_refused_at_drafting() {
    each_backend("rules-threshold", |c, _| async move {
        let mut lower = c.rules().await.unwrap();
        lower.floor.min_lead_time = governance::time::DurationMs::days(3);
        lower.min_lead_time = governance::time::DurationMs::days(3);
        let mut draft = Draft {
            title: "Three days".into(),
            text: "Faster decisions.".into(),
            kind: Kind::Consent,
            options: vec![],
            rules: c.rules().await.unwrap().proposal_rules(),
            purpose: consortium::RULES_CHANGE.into(),
            subject_org: None,
            amends: Some(lower.clone()),
        };
        let err = c
            .draft(&draft, &at(T0))
            .await
            .expect_err("a majority cannot move the floor");
        assert!(
            err.to_string()
                .contains("needs a threshold of at least 90 %"),
            "{err}"
        );
        draft.rules.threshold = governance::share::Threshold::near_unanimous();
        c.draft(&draft, &at(T0)).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_outcome_statement_is_in_the_published_record_and_the_recount_verifies() {
    each_backend("statement", |c, _| async move {
        let id = general(&c).await;
        for org in ["alpha", "beta", "fed"] {
            c.vote(
                id,
                org,
                &delegate(&c, org).await,
                consent(Position::Agree),
                &at(T0 + DAY),
            )
            .await
            .unwrap();
        }
        let early = c.state_outcome(id, "Adopted.", &at(T0 + DAY)).await;
        assert!(
            matches!(early, Err(ConsortiumError::Conflict(_))),
            "{early:?}"
        );
        c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
        let stranger = Act::new("person:beta-delegate", T0 + 8 * DAY);
        assert!(matches!(
            c.state_outcome(id, "Adopted.", &stranger).await,
            Err(ConsortiumError::Forbidden(_))
        ));
        let text = "Adopted: the split applies from January; the tier page changes this week.";
        c.state_outcome(id, text, &at(T0 + 8 * DAY)).await.unwrap();
        assert!(matches!(
            c.state_outcome(id, "Again.", &at(T0 + 9 * DAY)).await,
            Err(ConsortiumError::Conflict(_))
        ));
        let record = c.record(id).await.unwrap();
        assert_eq!(
            record.statement.as_ref().map(|s| s.text.as_str()),
            Some(text)
        );
        assert_eq!(c.recount(&record).await.unwrap(), 3);
        let mut altered = record.clone();
        if let Some(s) = altered.statement.as_mut() {
            s.text = "Rejected.".into();
            s.sha256 = store::statement_hash("Rejected.");
        }
        assert!(
            c.recount(&altered).await.is_err(),
            "an altered statement does not verify"
        );
        let mailed = mails(&c, "outcome_stated").await;
        assert_eq!(mailed.len(), 4, "every organisation on the roll");
        assert!(mailed[0].1.contains(text));
    })
    .await;
}

#[tokio::test]
async fn a_ranked_proposal_exports_a_ballot_file_that_recounts_to_its_seats() {
    each_backend("blt", |c, _| async move {
        let draft = Draft {
            title: "Board".into(),
            text: "Two seats.".into(),
            kind: Kind::Ranked { seats: 2 },
            options: vec!["Ana".into(), "Ben".into(), "Cleo".into()],
            rules: c.rules().await.unwrap().proposal_rules(),
            purpose: "general".into(),
            subject_org: None,
            amends: None,
        };
        let id = c.draft(&draft, &at(T0)).await.unwrap();
        c.open(id, None, &at(T0)).await.unwrap();
        for (org, ranking) in [
            ("alpha", vec![0, 1]),
            ("beta", vec![2]),
            ("fed", vec![1, 0]),
        ] {
            let ballot = Ballot {
                choice: Choice::Ranking(ranking),
                minutes_link: None,
            };
            c.vote(id, org, &delegate(&c, org).await, ballot, &at(T0 + DAY))
                .await
                .unwrap();
        }
        let tally = c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
        let file = c.ballot_file(id).await.unwrap();
        assert!(file.starts_with("3 2\n"), "{file}");
        assert!(
            file.contains("\n2 2 1 0\n"),
            "the federation's ballot carries its weight: {file}"
        );
        let read = governance::blt::Election::parse(&file).unwrap();
        assert_eq!(read.count(), tally.outcome);
    })
    .await;
}

#[tokio::test]
async fn an_organisation_s_calendar_has_the_earliest_close_and_the_deadline() {
    each_backend("calendar", |c, _| async move {
        let draft = Draft {
            title: "Fair use".into(),
            text: "As circulated.".into(),
            kind: Kind::Consent,
            options: vec![],
            rules: c.rules().await.unwrap().proposal_rules(),
            purpose: "general".into(),
            subject_org: None,
            amends: None,
        };
        let id = c.draft(&draft, &at(T0)).await.unwrap();
        c.open(id, Some(T0 + 10 * DAY), &at(T0)).await.unwrap();
        let moments = c.calendar_moments("beta").await.unwrap();
        let at_ms: Vec<i64> = moments.iter().map(|m| m.at_ms).collect();
        assert_eq!(at_ms, [T0 + 7 * DAY, T0 + 10 * DAY]);
        let feed = c.calendar("beta").await.unwrap();
        assert!(feed.contains("DTSTART:20261208T000000Z\r\n"), "{feed}");
        assert!(
            feed.contains("SUMMARY:Voting closes: Fair use\r\n"),
            "{feed}"
        );
        assert!(matches!(
            c.calendar("nobody").await,
            Err(ConsortiumError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn a_corrupt_row_is_an_error_that_names_the_row() {
    each_backend("corrupt", |c, url| async move {
        let id = general(&c).await;
        c.vote(
            id,
            "beta",
            &delegate(&c, "beta").await,
            consent(Position::Agree),
            &at(T0 + DAY),
        )
        .await
        .unwrap();
        c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
        sqlx::any::install_default_drivers();
        let db = sqlx::AnyPool::connect(&url).await.unwrap();
        let corrupt = async |sql: &str| {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&db)
                .await
                .unwrap();
        };
        corrupt("UPDATE proposals SET closed_at = NULL").await;
        let err = c.view(id).await.expect_err("no closing time");
        assert!(
            err.to_string().contains(&format!(
                "proposal {id}: it is closed without its closing time"
            )),
            "{err}"
        );
        corrupt("UPDATE proposals SET state = 'shut'").await;
        let err = c.view(id).await.expect_err("no such state");
        assert!(
            err.to_string()
                .contains(&format!("proposal {id}: \"shut\" is not a proposal state")),
            "{err}"
        );
        corrupt("UPDATE ballots SET cast_as = 'chair'").await;
        let err = c.store().ballots(id).await.expect_err("no such role");
        assert!(
            err.to_string().contains(&format!(
                "revision 1 of beta's ballot on proposal {id}: \"chair\" is not a role"
            )),
            "{err}"
        );
        corrupt("UPDATE organisations SET kind = 'club' WHERE name = 'gamma'").await;
        let err = c
            .store()
            .organisation("gamma")
            .await
            .expect_err("no such kind");
        assert!(
            err.to_string()
                .contains("organisation \"gamma\": \"club\" is not an organisation kind"),
            "{err}"
        );
        db.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_delegate_s_forum_poll_vote_counts_and_a_non_delegate_s_is_ignored_and_reported() {
    each_backend("forum-poll", |c, _| async move {
        let forum = forum::fake::FakeDiscourse::start("key", "plenary")
            .await
            .unwrap();
        let delivery = consortium::delivery::Delivery::new(
            c.store().clone(),
            None,
            Some(forum::Discourse::new(&forum.config(5)).unwrap()),
        );
        let id = general(&c).await;
        delivery.deliver_due(T0).await.unwrap();
        let topic = forum.topics()[0].id;
        let first = &forum.posts_of(topic)[0].raw;
        assert!(first.contains("[poll name=plenary type=regular"), "{first}");
        c.store()
            .add_person("outsider", "Outsider", "o@x.example", &at(T0))
            .await
            .unwrap();
        for (person, username) in [("beta-delegate", "Bea"), ("outsider", "olga")] {
            c.link_forum_account(person, username, &at(T0))
                .await
                .unwrap();
        }
        assert!(matches!(
            c.link_forum_account("outsider", "x", &Act::new("person:outsider", T0))
                .await,
            Err(ConsortiumError::Forbidden(_))
        ));
        forum.vote(topic, "plenary", "bea", "Agree");
        forum.vote(topic, "plenary", "olga", "Agree");
        forum.vote(topic, "plenary", "stranger", "Block");
        let read = delivery.read_polls(&c, &at(T0 + DAY)).await.unwrap();
        assert_eq!(read.counted, [("bea".to_string(), "beta".to_string())]);
        let ignored: Vec<&str> = read.ignored.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(ignored, ["olga", "stranger"]);
        let view = c.view(id).await.unwrap();
        assert_eq!(
            view.voted,
            ["beta"],
            "the delegate's forum vote is beta's ballot"
        );
        let again = delivery.read_polls(&c, &at(T0 + DAY + 1)).await.unwrap();
        assert_eq!(again, Default::default(), "a vote is imported once");
        delivery.deliver_due(T0 + DAY).await.unwrap();
        let reports: Vec<String> = forum
            .posts_of(topic)
            .into_iter()
            .map(|p| p.raw)
            .filter(|r| r.contains("was not counted"))
            .collect();
        assert_eq!(reports.len(), 2, "{reports:?}");
        assert!(
            reports[0].contains("@olga")
                && reports[0].contains("outsider is not the delegate or a deputy"),
            "{}",
            reports[0]
        );
        assert!(
            reports[1].contains("not linked to a registered person"),
            "{}",
            reports[1]
        );
        forum.vote(topic, "plenary", "bea", "Abstain");
        delivery.read_polls(&c, &at(T0 + 2 * DAY)).await.unwrap();
        let ballots = c.store().ballots(id).await.unwrap();
        assert_eq!(
            ballots.len(),
            2,
            "a changed forum vote is the next revision"
        );
    })
    .await;
}
