//! Individual members and contributions on both databases: a college of
//! individuals whose one vote is shared among those who voted, and what
//! members give recorded on the register.

mod common;

use common::{DAY, T0, at, consent, delegate, founded, member, settings};
use consortium::{Consortium, ConsortiumError, Draft, Offered};
use governance::college::{IndividualRules, IndividualVoting};
use governance::contribution::ContributionKind;
use governance::membership::{ConsortiumRules, OrgKind};
use governance::proposal::{Kind, Position};
use governance::tally::{Counts, Outcome};
use std::num::NonZeroU32;

const PEOPLE: [&str; 4] = ["ada", "bo", "cy", "di"];

fn with_a_college() -> ConsortiumRules {
    let mut rules = ConsortiumRules::default();
    rules.member_classes.insert("individual".into());
    rules.individuals = Some(IndividualRules {
        class: "individual".into(),
        voting: IndividualVoting::College {
            votes: NonZeroU32::MIN,
            per: None,
        },
    });
    rules
}

/// The four founders (alpha, beta, gamma of weight 1, fed of weight 2) and
/// four individuals, each their own delegate.
async fn each_backend<F, Fut>(label: &str, story: F)
where
    F: Fn(Consortium) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    testkit::on_both_backends(label, |url| {
        let story = &story;
        async move {
            let c = founded(&url, settings(), Some(&with_a_college())).await;
            for name in PEOPLE {
                c.admit_founder(
                    &member(name, "individual", OrgKind::Individual, None),
                    &at(T0 - 30 * DAY),
                )
                .await
                .unwrap();
                let person = format!("{name}-delegate");
                c.store()
                    .add_person(&person, name, &format!("{name}@x.example"), &at(T0))
                    .await
                    .unwrap();
                c.store()
                    .set_representative(name, &person, "delegate", &at(T0))
                    .await
                    .unwrap();
            }
            story(c).await
        }
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

async fn votes(c: &Consortium, id: i64, ballots: &[(&str, Position)]) {
    for &(org, position) in ballots {
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
}

#[tokio::test]
async fn an_individual_members_college_vote_shared_among_three_voters_changes_the_outcome() {
    // By hand. The organisations: fed (2) agrees, alpha (1) and beta (1)
    // disagree, gamma does not vote: 2 to 2, which is not more than half.
    // The individuals' college weighs 1 vote; ada, bo and cy vote, so each
    // carries 1/3 (di does not vote). ada and bo agree, cy disagrees:
    //   agree    = 2 + 1/3 + 1/3 = 8/3
    //   disagree = 2 + 1/3       = 7/3
    //   share    = (8/3) / (15/3) = 8/15 > 1/2: passed.
    // Quorum: 2 + 1 + 1 + 1 (the college) = 5 of 5 + 1 = 6 votes, over half.
    // In thirds of a vote: agree 8, disagree 7, voted 15 of 18.
    each_backend("college", |c| async move {
        let id = general(&c).await;
        votes(
            &c,
            id,
            &[
                ("fed", Position::Agree),
                ("alpha", Position::Disagree),
                ("beta", Position::Disagree),
            ],
        )
        .await;
        let before = c.view(id).await.unwrap().tally.unwrap();
        assert_ne!(
            before.outcome,
            Outcome::Passed,
            "organisations alone are split"
        );
        votes(
            &c,
            id,
            &[
                ("ada", Position::Agree),
                ("bo", Position::Agree),
                ("cy", Position::Disagree),
            ],
        )
        .await;
        let tally = c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
        assert_eq!(tally.scale, 3);
        let Counts::Consent(counts) = &tally.counts else {
            panic!("consent counts expected, got {:?}", tally.counts);
        };
        assert_eq!((counts.agree, counts.disagree), (8, 7));
        assert_eq!(
            (tally.turnout.weight_voted, tally.turnout.weight_eligible),
            (15, 18)
        );
        assert_eq!(tally.outcome, Outcome::Passed);
        let record = c.record(id).await.unwrap();
        assert_eq!(c.recount(&record).await.unwrap(), 6, "the record recounts");
    })
    .await;
}

#[tokio::test]
async fn an_individual_sits_only_in_the_individuals_class() {
    each_backend("individual-class", |c| async move {
        let astray = member("eve", "consumer", OrgKind::Individual, None);
        assert!(matches!(
            c.admit_founder(&astray, &at(T0)).await,
            Err(ConsortiumError::Invalid(_))
        ));
        let org = member("acme", "individual", OrgKind::Organisation, None);
        assert!(matches!(
            c.admit_founder(&org, &at(T0)).await,
            Err(ConsortiumError::Invalid(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn contributions_of_organisations_and_individuals_show_on_the_register() {
    each_backend("contributions", |c| async move {
        let hours = Offered {
            kind: "hours",
            amount: "12.5",
            day: "2026-11-30",
            note: "Moderated the forum",
        };
        let servers = Offered {
            kind: "servers",
            amount: "2",
            day: "2026-11-01",
            note: "Two BBB servers",
        };
        c.contribute("ada", &hours, &at(T0)).await.unwrap();
        c.contribute("alpha", &servers, &at(T0)).await.unwrap();
        let all = c.contributions(None).await.unwrap();
        let shown: Vec<(&str, String)> = all
            .iter()
            .map(|x| (x.org.as_str(), x.contribution.amount_text()))
            .collect();
        assert_eq!(shown, [("ada", "12.50".into()), ("alpha", "2".into())]);
        let ada = c.contributions(Some("ada")).await.unwrap();
        assert_eq!(ada.len(), 1);
        assert_eq!(ada[0].contribution.kind, ContributionKind::Hours);
        assert_eq!(ada[0].contribution.amount, 1250);
        let wrong = Offered {
            amount: "1.5",
            ..servers
        };
        assert!(matches!(
            c.contribute("alpha", &wrong, &at(T0)).await,
            Err(ConsortiumError::Invalid(_))
        ));
        assert!(matches!(
            c.contribute("nobody", &hours, &at(T0)).await,
            Err(ConsortiumError::NotFound(_))
        ));
    })
    .await;
}
