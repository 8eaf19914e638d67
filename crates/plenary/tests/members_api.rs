//! Individual members and contributions through the JSON API, over real
//! HTTP, on SQLite and on PostgreSQL, with the app's clock moved by the
//! tests: a college of individuals whose one vote is shared among those who
//! voted changes a decision, and what members give shows on the register.

use crate::coop;

use coop::{Consortium, DAY, Extras, OPERATOR, agree, disagree};
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::TempPostgres;

const PEOPLE: [&str; 4] = ["ada", "bo", "cy", "di"];

async fn with_a_college(database_url: Option<String>) -> Consortium {
    let c = Consortium::with(Extras {
        database_url,
        founding_rules: Some(json!({
            "member_classes": ["consumer", "individual", "producer"],
            "individuals": {"class": "individual", "voting": "college", "votes": 1},
        })),
        ..Extras::default()
    })
    .await;
    for name in PEOPLE {
        let (status, body) = c
            .call(
                OPERATOR,
                Method::POST,
                "/api/v1/organisations",
                Some(json!({"name": name, "kind": "individual", "class": "individual"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        c.person(name, &format!("{name}-self"), Some((name, "delegate")))
            .await;
    }
    c
}

async fn a_college_vote_shared_among_three_voters(c: &Consortium) {
    // By hand. The organisations: network (2) agrees, hosting (1) and
    // school (1) disagree: 2 to 2, not more than half. The individuals'
    // college weighs 1 vote, shared by ada, bo and cy (1/3 each; di does
    // not vote): ada and bo agree, cy disagrees.
    //   agree    = 2 + 2/3 = 8/3,  disagree = 2 + 1/3 = 7/3
    //   share    = 8/15 > 1/2: passed.
    // In thirds of a vote: agree 8, disagree 7; 15 of 15 voted.
    let id = c.open_proposal().await;
    c.clock.advance(DAY);
    for (org, ballot) in [
        ("network", agree()),
        ("hosting", disagree("too strict")),
        ("school", disagree("too strict")),
        ("ada", agree()),
        ("bo", agree()),
        ("cy", disagree("not for volunteers")),
    ] {
        let (status, body) = c.vote(org, id, org, ballot).await;
        assert_eq!(status, StatusCode::OK, "{org}: {body}");
    }
    c.clock.advance(6 * DAY);
    let (status, tally) = c
        .call(
            "hosting",
            Method::POST,
            &format!("/api/v1/proposals/{id}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    assert_eq!(tally["scale"], 3, "{tally}");
    assert_eq!(tally["counts"]["consent"]["agree"], 8);
    assert_eq!(tally["counts"]["consent"]["disagree"], 7);
    assert_eq!(tally["turnout"]["weight_eligible"], 15);
    assert_eq!(tally["outcome"], json!({"outcome": "passed"}));
}

async fn contributions_on_the_register(c: &Consortium) {
    let path = "/api/v1/organisations/ada/contributions";
    let hours = json!({"kind": "hours", "amount": "12.5", "day": "2026-01-02", "note": "Moderated the forum"});
    let (status, _) = c.call("ada", Method::POST, path, Some(hours.clone())).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "operators record contributions"
    );
    let (status, shown) = c.call(OPERATOR, Method::POST, path, Some(hours)).await;
    assert_eq!(status, StatusCode::CREATED, "{shown}");
    let bad =
        json!({"kind": "servers", "amount": "1.5", "day": "2026-01-02", "note": "Half a server"});
    let (status, _) = c
        .call(
            OPERATOR,
            Method::POST,
            "/api/v1/organisations/hosting/contributions",
            Some(bad),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let ada = c.get("school", "/api/v1/organisations/ada").await;
    assert_eq!(ada["kind"], "individual");
    let given = &ada["contributions"][0];
    assert_eq!(
        (&given["kind"], &given["amount"], &given["day"]),
        (&json!("hours"), &json!("12.50"), &json!("2026-01-02"))
    );
}

async fn the_story(database_url: Option<String>) {
    let c = with_a_college(database_url).await;
    a_college_vote_shared_among_three_voters(&c).await;
    contributions_on_the_register(&c).await;
    c.shutdown().await;
}

#[tokio::test]
async fn individual_members_and_contributions_on_sqlite() {
    the_story(None).await;
}

#[tokio::test]
async fn individual_members_and_contributions_on_postgresql() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    the_story(Some(pg.fresh_database_url())).await;
}
