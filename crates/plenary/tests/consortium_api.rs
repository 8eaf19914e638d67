//! The consortium's second round through the JSON API, over real HTTP, on
//! SQLite and on PostgreSQL, with the app's clock moved by the tests: a
//! rules change decided and applied at close, a deputy's ballot replaced
//! by the delegate's with both told, the outcome statement in the
//! published record, the calendar, and a delegate's vote in the forum poll
//! counted while another's is ignored and reported.

use crate::coop;

use std::time::Duration;

use consortium::Record;
use coop::{Consortium, DAY, Extras, OPERATOR, agree, disagree};
use forum::fake::FakeDiscourse;
use notify::sink::SmtpSink;
use reqwest::{Method, StatusCode};
use serde_json::json;
use store::Act;
use testkit::TempPostgres;

async fn post(
    c: &Consortium,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let (status, answer) = c.call(token, Method::POST, path, Some(body)).await;
    assert!(status.is_success(), "POST {path}: {status} {answer}");
    answer
}

async fn close(c: &Consortium, id: i64) -> serde_json::Value {
    let (status, tally) = c
        .call(
            "hosting",
            Method::POST,
            &format!("/api/v1/proposals/{id}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    tally
}

async fn rules_change_lowering_the_quorum(c: &Consortium) {
    let mut rules = c.get(OPERATOR, "/api/v1/rules").await;
    rules["default_quorum"] = json!(2_500);
    let (status, problem) = c
        .call(OPERATOR, Method::PUT, "/api/v1/rules", Some(rules.clone()))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("quorum can change only by a decision")
    );
    let drafted = post(
        c,
        "hosting",
        "/api/v1/rules/changes",
        json!({"title": "Quorum of a quarter", "text": "Turnout is low in summer.", "rules": rules}),
    )
    .await;
    assert_eq!(drafted["purpose"], "rules");
    assert_eq!(drafted["rules"]["threshold"], json!({"at_least": 7_500}));
    assert_eq!(drafted["amends"]["default_quorum"], 2_500);
    let id = drafted["id"].as_i64().unwrap();
    post(
        c,
        "hosting",
        &format!("/api/v1/proposals/{id}/open"),
        json!({}),
    )
    .await;
    c.clock.advance(DAY);
    for org in ["hosting", "school", "network"] {
        assert_eq!(c.vote(org, id, org, agree()).await.0, StatusCode::OK);
    }
    assert_eq!(
        c.get(OPERATOR, "/api/v1/rules").await["default_quorum"],
        5_000
    );
    c.clock.advance(6 * DAY);
    assert_eq!(close(c, id).await["outcome"], json!({"outcome": "passed"}));
    assert_eq!(
        c.get(OPERATOR, "/api/v1/rules").await["default_quorum"],
        2_500,
        "the decision applies at its close"
    );
}

async fn a_deputy_then_the_delegate(c: &Consortium, sink: &SmtpSink) -> i64 {
    c.person("school-deputy", "deputy-school", Some(("school", "deputy")))
        .await;
    let id = c.open_proposal().await;
    c.clock.advance(DAY);
    c.vote(
        "school-deputy",
        id,
        "school",
        disagree("We have not discussed it"),
    )
    .await;
    c.vote("hosting", id, "hosting", agree()).await;
    c.clock.advance(DAY);
    assert_eq!(
        c.vote("school", id, "school", agree()).await.0,
        StatusCode::OK
    );
    let view = c.get("school", &format!("/api/v1/proposals/{id}")).await;
    let replaced = &view["replacements"][0];
    assert_eq!(
        (
            &replaced["org"],
            &replaced["by"],
            &replaced["earlier_by"],
            &replaced["counts"]
        ),
        (
            &json!("school"),
            &json!("person:delegate-school"),
            &json!("person:deputy-school"),
            &json!(true)
        ),
        "{view}"
    );
    c.duties().await;
    let mails = sink
        .wait_for(1, Duration::from_secs(10))
        .await
        .expect("mail");
    let told: Vec<String> = mails
        .iter()
        .filter(|m| {
            m.header("Subject")
                .is_some_and(|s| s.contains("Your ballot was replaced"))
        })
        .flat_map(|m| m.to.clone())
        .collect();
    assert_eq!(
        told,
        ["delegate-school@mail.example", "deputy-school@mail.example"],
        "the delegate and the deputy are both told"
    );
    c.clock.advance(5 * DAY);
    let tally = close(c, id).await;
    assert_eq!(
        tally["counts"]["consent"]["disagree"], 0,
        "the delegate's ballot counts"
    );
    assert_eq!(tally["counts"]["consent"]["agree"], 2);
    id
}

async fn the_outcome_in_the_published_record(c: &Consortium, id: i64) {
    let path = format!("/api/v1/proposals/{id}/statement");
    let text = json!({"text": "Adopted: meetings over four hours are split from January."});
    let (status, _) = c
        .call("school", Method::PUT, &path, Some(text.clone()))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the author or an operator"
    );
    let (status, stated) = c.call("hosting", Method::PUT, &path, Some(text)).await;
    assert_eq!(status, StatusCode::OK, "{stated}");
    let record: Record = serde_json::from_value(
        c.get("school", &format!("/api/v1/proposals/{id}/export"))
            .await,
    )
    .unwrap();
    assert_eq!(
        record.statement.as_ref().map(|s| s.by.as_str()),
        Some("person:delegate-hosting")
    );
    assert_eq!(c.env.app.consortium.recount(&record).await.unwrap(), 3);
    let (status, _) = c
        .call(
            "hosting",
            Method::GET,
            &format!("/api/v1/proposals/{id}/ballots.blt"),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only a ranked proposal has one"
    );
}

async fn the_calendar_of_an_organisation(c: &Consortium) {
    let id = c.open_proposal().await;
    let response = c
        .http
        .get(c.url("/api/v1/organisations/school/calendar.ics"))
        .bearer_auth("school")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let feed = response.text().await.unwrap();
    assert!(
        feed.contains(&format!("UID:proposal-{id}-deadline@")),
        "{feed}"
    );
}

async fn a_vote_in_the_forum_poll(c: &Consortium, forum: &FakeDiscourse) {
    let id = c.open_proposal().await;
    c.duties().await;
    let topic = forum
        .topics()
        .into_iter()
        .find(|t| t.external_id.as_deref() == Some(&*format!("plenary-proposal-{id}")))
        .expect("the proposal's topic")
        .id;
    let act = Act::new("operator:test", c.now());
    c.person("guest", "guest", None).await;
    for (person, username) in [("delegate-network", "net"), ("guest", "guest")] {
        c.env
            .app
            .consortium
            .link_forum_account(person, username, &act)
            .await
            .unwrap();
    }
    forum.vote(topic, "plenary", "net", "Agree");
    forum.vote(topic, "plenary", "guest", "Block");
    c.duties().await;
    c.duties().await;
    let view = c.get("school", &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(
        view["voted"],
        json!(["network"]),
        "the delegate's forum vote counts: {view}"
    );
    let reported = forum
        .posts_of(topic)
        .iter()
        .any(|p| p.raw.contains("@guest was not counted"));
    assert!(reported, "the ignored vote is reported in the topic");
}

async fn the_second_round(database_url: Option<String>) {
    let sink = SmtpSink::start().await.unwrap();
    let forum = FakeDiscourse::start("forum-key", "plenary").await.unwrap();
    let c = Consortium::with(Extras {
        database_url,
        smtp: Some(sink.config()),
        discourse: Some(forum.config(5)),
        ..Extras::default()
    })
    .await;
    rules_change_lowering_the_quorum(&c).await;
    let id = a_deputy_then_the_delegate(&c, &sink).await;
    the_outcome_in_the_published_record(&c, id).await;
    the_calendar_of_an_organisation(&c).await;
    a_vote_in_the_forum_poll(&c, &forum).await;
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn the_second_round_on_sqlite() {
    the_second_round(None).await;
}

#[tokio::test]
async fn the_second_round_on_postgresql() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    the_second_round(Some(pg.fresh_database_url())).await;
}
