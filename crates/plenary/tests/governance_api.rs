//! The consortium through its JSON API, over real HTTP against the app on a
//! random port. Time is the app's injected clock, moved by the tests and
//! never slept; the consortium's duties run when a test says so.

use crate::common;
use crate::coop;

use std::time::Duration;

use consortium::Record;
use coop::schemas::Schemas;
use coop::{Consortium, DAY, Extras, OPERATOR, ROOM_KEY, T0, agree, disagree, read};
use forum::fake::FakeDiscourse;
use governance::record::recompute;
use governance::tally::Tally;
use notify::sink::SmtpSink;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use store::Act;
use testkit::TempPostgres;
/// The consortium's own story, from an application to a member that
/// leaves after its notice.
async fn the_consortium_story(c: &Consortium) {
    let id = c.newcomer_applies().await;
    let proposal = c.get(OPERATOR, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(proposal["state"], "open");
    assert_eq!(proposal["kind"], "consent");
    assert_eq!(proposal["subject_org"], "newcomer");
    assert_eq!(proposal["closes_at_ms"], T0 + 7 * DAY);
    let roll: Vec<(String, i64)> = proposal["roll"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["org"].as_str().unwrap().to_string(),
                l["weight"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roll,
        [
            ("hosting".into(), 1),
            ("network".into(), 2),
            ("school".into(), 1)
        ],
        "the founders are the roll, the federation with weight 2; the applicant is not on it"
    );

    c.clock.advance(DAY);
    assert_eq!(
        c.vote("hosting", id, "hosting", agree()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        c.vote("network", id, "network", agree()).await.0,
        StatusCode::OK
    );
    let (status, first) = c
        .vote(
            "school",
            id,
            "school",
            disagree("We have not discussed it yet"),
        )
        .await;
    assert_eq!(
        (status, first["revision"].as_i64()),
        (StatusCode::OK, Some(1))
    );
    c.clock.advance(DAY);
    let (status, second) = c.vote("school", id, "school", agree()).await;
    assert_eq!(
        (status, second["revision"].as_i64()),
        (StatusCode::OK, Some(2))
    );

    let (status, problem) = c
        .call(
            OPERATOR,
            Method::POST,
            &format!("/api/v1/proposals/{id}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "urn:plenary:problem:refused");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("may close from 2026-01-12 09:00"),
        "the problem names when it may close: {detail}"
    );

    c.clock.set(T0 + 7 * DAY);
    let (status, tally) = c
        .call(
            OPERATOR,
            Method::POST,
            &format!("/api/v1/proposals/{id}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    assert_eq!(tally["outcome"], json!({"outcome": "passed"}));
    assert_eq!(tally["quorum_met"], true);
    assert_eq!(tally["turnout"]["weight_voted"], 4);
    assert_eq!(
        tally["counts"]["consent"]["agree"], 4,
        "only school's latest ballot counts, and the federation counts twice"
    );
    assert_eq!(tally["counts"]["consent"]["disagree"], 0);

    let newcomer = c.get(OPERATOR, "/api/v1/organisations/newcomer").await;
    assert_eq!(newcomer["status"], "member");
    let steps: Vec<&str> = newcomer["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["applicant", "member"]);

    // The co-op makes the applicant's contact its delegate.
    c.env
        .app
        .store
        .set_representative(
            "newcomer",
            "dora",
            "delegate",
            &Act::new("operator:test", c.now()),
        )
        .await
        .unwrap();
    c.clock.advance(60 * DAY);
    let (status, leaving) = c
        .call(
            "dora",
            Method::POST,
            "/api/v1/organisations/newcomer/notice",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{leaving}");
    assert_eq!(leaving["status"], "leaving");

    c.clock.advance(29 * DAY);
    assert!(
        c.duties().await.0.left.is_empty(),
        "the notice runs 30 days"
    );
    assert_eq!(
        c.get(OPERATOR, "/api/v1/organisations/newcomer").await["status"],
        "leaving"
    );
    c.clock.advance(DAY);
    assert_eq!(c.duties().await.0.left, ["newcomer"]);
    let left = c.get(OPERATOR, "/api/v1/organisations/newcomer").await;
    assert_eq!(left["status"], "left");
    assert_eq!(left["history"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn an_applicant_is_admitted_after_the_lead_time_and_leaves_after_its_notice() {
    let c = Consortium::start().await;
    the_consortium_story(&c).await;
    c.shutdown().await;
}

#[tokio::test]
async fn the_consortium_story_runs_on_postgresql() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let c = Consortium::with(Extras {
        database_url: Some(pg.fresh_database_url()),
        ..Extras::default()
    })
    .await;
    the_consortium_story(&c).await;
    c.shutdown().await;
}

#[tokio::test]
async fn a_closed_proposal_exports_a_record_that_recounts_to_its_tally() {
    let c = Consortium::start().await;
    let id = c.newcomer_applies().await;
    c.vote("hosting", id, "hosting", agree()).await;
    c.vote("school", id, "school", disagree("Too soon")).await;
    c.clock.advance(7 * DAY);
    let (status, closed) = c
        .call(
            OPERATOR,
            Method::POST,
            &format!("/api/v1/proposals/{id}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let record: Record = serde_json::from_value(
        c.get("school", &format!("/api/v1/proposals/{id}/export"))
            .await,
    )
    .expect("the export reads as the published record");
    let published: Tally = serde_json::from_value(closed).unwrap();
    assert_eq!(recompute(&record.result).unwrap(), published);
    assert_eq!(record.result.ballots.len(), 2);
    assert_eq!(
        c.env.app.consortium.recount(&record).await.unwrap(),
        2,
        "both ballots match their commitments in the audit log"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_open_proposal_has_no_export_yet() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    let (status, problem) = c
        .call(
            "school",
            Method::GET,
            &format!("/api/v1/proposals/{id}/export"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    c.shutdown().await;
}

#[tokio::test]
async fn a_change_of_text_restarts_the_lead_time() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    c.clock.advance(3 * DAY);
    let (status, edited) = c
        .call(
            "hosting",
            Method::PATCH,
            &format!("/api/v1/proposals/{id}"),
            Some(json!({"text": "Meetings over 5 hours are split."})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["closes_at_ms"], T0 + 10 * DAY);
    c.clock.advance(5 * DAY);
    let (status, problem) = c
        .call(
            "hosting",
            Method::POST,
            &format!("/api/v1/proposals/{id}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    insta::assert_snapshot!(serde_json::to_string_pretty(&problem).unwrap());
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_never_votes() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    let (status, problem) = c.vote(OPERATOR, id, "school", agree()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:plenary:problem:forbidden");
    c.shutdown().await;
}

#[tokio::test]
async fn a_person_of_one_organisation_never_acts_for_another() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    assert_eq!(
        c.vote("school", id, "hosting", agree()).await.0,
        StatusCode::FORBIDDEN,
        "no ballot for another organisation"
    );
    let (status, _) = c
        .call(
            "school",
            Method::POST,
            "/api/v1/organisations/hosting/notice",
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "no notice for another organisation"
    );
    let (status, _) = c
        .call(
            "school",
            Method::POST,
            "/api/v1/applications",
            Some(json!({"organisation": {"name": "hosting", "class": "producer"}})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "no application in another's name"
    );
    for (path, action) in [("close", "close"), ("withdraw", "withdraw")] {
        let (status, _) = c
            .call(
                "school",
                Method::POST,
                &format!("/api/v1/proposals/{id}/{path}"),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "no {action} of another's proposal"
        );
    }
    let hosting = c.get("school", "/api/v1/organisations/hosting").await;
    assert!(hosting.get("contact").is_none(), "{hosting}");
    assert!(
        hosting["representatives"][0].get("email").is_none(),
        "{hosting}"
    );
    let own = c.get("school", "/api/v1/organisations/school").await;
    assert_eq!(own["contact"], "office@school.example");
    assert_eq!(
        own["representatives"][0]["email"],
        "delegate-school@mail.example"
    );
    let me = c.get("school", "/api/v1/me").await;
    assert_eq!(
        me["roles"],
        json!([{"organisation": "school", "role": "delegate"}])
    );
    c.shutdown().await;
}

#[tokio::test]
async fn plain_customers_are_hidden_from_other_organisations() {
    let c = Consortium::start().await;
    c.env
        .app
        .store
        .add_organisation("customer", "A customer", &Act::new("operator:test", T0))
        .await
        .unwrap();
    let names = |list: Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(names(c.get(OPERATOR, "/api/v1/organisations").await).contains(&"customer".into()));
    assert_eq!(
        names(c.get("school", "/api/v1/organisations").await),
        ["hosting", "network", "school"]
    );
    let (status, _) = c
        .call(
            "school",
            Method::GET,
            "/api/v1/organisations/customer",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    c.shutdown().await;
}

#[tokio::test]
async fn only_operators_register_founders_and_set_the_rules() {
    let c = Consortium::start().await;
    let (status, _) = c
        .call(
            "school",
            Method::POST,
            "/api/v1/organisations",
            Some(json!({"name": "friend", "class": "consumer"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut rules = c.get("school", "/api/v1/rules").await;
    assert_eq!(rules["min_lead_time"], 7 * DAY);
    rules["reminder_lead"] = json!(DAY / 2);
    let (status, _) = c
        .call("school", Method::PUT, "/api/v1/rules", Some(rules.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, set) = c
        .call(OPERATOR, Method::PUT, "/api/v1/rules", Some(rules.clone()))
        .await;
    assert_eq!(
        (status, &set["reminder_lead"]),
        (StatusCode::OK, &json!(DAY / 2)),
        "when reminders go out protects nobody"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn rules_set_without_a_decision_is_refused_for_every_rule_that_protects_members() {
    let c = Consortium::start().await;
    let rules = c.get(OPERATOR, "/api/v1/rules").await;
    for (rule, value) in [
        ("min_lead_time", json!(0)),
        ("default_quorum", json!(0)),
        ("default_threshold", json!({"more_than": 1000})),
        ("notice_period", json!(0)),
        ("federation_weight", json!(2)),
        (
            "member_classes",
            json!(["consumer", "producer", "investor"]),
        ),
        ("require_minutes_link", json!(true)),
        ("admitted_legal_forms", json!(["company"])),
        ("floor", json!({"min_lead_time": 0})),
        ("amendment_threshold", json!({"more_than": 0})),
        ("floor_threshold", json!({"more_than": 0})),
    ] {
        let mut changed = rules.clone();
        changed[rule] = value;
        let (status, problem) = c
            .call(OPERATOR, Method::PUT, "/api/v1/rules", Some(changed))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{rule}: {problem}"
        );
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("only by a decision") || detail.contains("floor"),
            "{rule}: {detail}"
        );
    }
    assert_eq!(
        c.get(OPERATOR, "/api/v1/rules").await,
        rules,
        "nothing changed"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn requests_without_a_valid_token_get_a_bearer_challenge() {
    let c = Consortium::start().await;
    c.env
        .app
        .store
        .revoke_token("school", &Act::new("operator:test", T0))
        .await
        .unwrap();
    for token in [None, Some("nonsense"), Some("school")] {
        let mut request = c.http.get(c.url("/api/v1/me"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"plenary\""
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let (status, problem) = read(
        c.http
            .get(c.url("/api/v1/me?access_token=hosting"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a token in the URL is refused: {problem}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_are_answered_with_problems() {
    let c = Consortium::start().await;
    let post = |path: &str, body: &'static str, content_type: &'static str| {
        c.http
            .post(c.url(path))
            .bearer_auth("hosting")
            .header("content-type", content_type)
            .body(body)
    };
    let cases = [
        (
            post("/api/v1/proposals", "{\"title\": ", "application/json"),
            400,
        ),
        (
            post("/api/v1/proposals", "{\"title\": 3}", "application/json"),
            400,
        ),
        (post("/api/v1/proposals", "{}", "text/plain"), 415),
        (
            post("/api/v1/proposals/seven/open", "", "application/json"),
            400,
        ),
        (
            post("/api/v1/proposals/999/open", "", "application/json"),
            404,
        ),
        (post("/api/v1/nowhere", "", "application/json"), 404),
        (
            c.http.delete(c.url("/api/v1/me")).bearer_auth("hosting"),
            405,
        ),
    ];
    for (request, expected) in cases {
        let (status, problem) = read(request.send().await.unwrap()).await;
        assert_eq!(status.as_u16(), expected, "{problem}");
        assert_eq!(problem["status"], expected);
        assert!(
            problem["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:plenary:problem:")
        );
        assert!(problem["title"].is_string() && problem["detail"].is_string());
    }
    c.shutdown().await;
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let c = Consortium::start().await;
    let doc = read(
        c.http
            .get(c.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await
    .1;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/proposals/{id}/ballots/{org}"]["put"].is_object());
    c.shutdown().await;
}

#[tokio::test]
async fn every_answer_in_a_proposals_life_is_as_the_document_describes_it() {
    let c = Consortium::start().await;
    let api = Schemas::of(&c).await;
    let get = Method::GET;
    let post = Method::POST;
    let (_, draft) = api
        .call(
            &c,
            "hosting",
            post.clone(),
            "/api/v1/proposals",
            Some(json!({"title": "Pick a day", "text": "For the assembly.", "kind": {"ranked": {"seats": 1}}, "options": ["Monday", "Friday"]})),
        )
        .await;
    let id = draft["id"].as_i64().unwrap();
    let proposal = format!("/api/v1/proposals/{id}");
    api.call(
        &c,
        "hosting",
        Method::PATCH,
        &proposal,
        Some(json!({"text": "For the spring assembly."})),
    )
    .await;
    api.call(
        &c,
        "hosting",
        post.clone(),
        &format!("{proposal}/open"),
        None,
    )
    .await;
    let ranking = json!({"choice": {"ranking": [1, 0]}, "minutes_link": null});
    for org in ["hosting", "school", "network"] {
        let ballot = format!("{proposal}/ballots/{org}");
        let (status, _) = api
            .call(&c, org, Method::PUT, &ballot, Some(ranking.clone()))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    api.call(
        &c,
        "school",
        Method::PUT,
        &format!("{proposal}/ballots/hosting"),
        Some(ranking),
    )
    .await;
    api.call(
        &c,
        "hosting",
        post.clone(),
        &format!("{proposal}/close"),
        None,
    )
    .await;
    c.clock.advance(7 * DAY);
    let (status, tally) = api
        .call(
            &c,
            "hosting",
            post.clone(),
            &format!("{proposal}/close"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    let statement = json!({"text": "The assembly meets on a Friday."});
    api.call(
        &c,
        "hosting",
        Method::PUT,
        &format!("{proposal}/statement"),
        Some(statement),
    )
    .await;
    for path in [
        proposal.clone(),
        format!("{proposal}/export"),
        "/api/v1/proposals".to_string(),
        "/api/v1/audit/head".to_string(),
        "/api/v1/audit/verify".to_string(),
        "/api/v1/rules".to_string(),
        "/api/v1/me".to_string(),
        "/api/v1/organisations".to_string(),
        "/api/v1/organisations/school".to_string(),
        "/api/v1/people".to_string(),
        "/api/v1/tokens".to_string(),
    ] {
        let (status, answer) = api.call(&c, "hosting", get.clone(), &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    }
    c.shutdown().await;
}

#[tokio::test]
async fn the_opening_is_mailed_to_every_member_with_its_meeting_room() {
    let sink = SmtpSink::start().await.unwrap();
    let c = Consortium::with(Extras {
        smtp: Some(sink.config()),
        ..Extras::default()
    })
    .await;
    let id = c.open_proposal().await;
    let (_, delivered) = c.duties().await;
    assert_eq!(delivered.sent, 3);
    let mails = sink
        .wait_for(3, Duration::from_secs(10))
        .await
        .expect("three mails");
    let to_school = mails
        .iter()
        .find(|m| m.to == ["delegate-school@mail.example"])
        .expect("school's delegate is told");
    assert!(
        to_school
            .header("Subject")
            .unwrap()
            .contains("Fair-use rule")
    );
    let room = format!("{}/rooms/{id}/school/", c.env.app.url());
    assert!(to_school.body().contains(&room), "{}", to_school.body());
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn the_forum_topic_opens_once_though_the_first_attempt_fails_and_the_outcome_carries_the_audit_head()
 {
    let discourse = FakeDiscourse::start("forum-key", "plenary").await.unwrap();
    let c = Consortium::with(Extras {
        discourse: Some(discourse.config(5)),
        ..Extras::default()
    })
    .await;
    let id = c.open_proposal().await;
    discourse.fail_next(1, 503);
    assert_eq!(c.duties().await.1.retrying, 1);
    c.clock.advance(60_000);
    assert_eq!(c.duties().await.1.sent, 1);
    c.clock.advance(60_000);
    c.duties().await;
    let topics = discourse.topics();
    assert_eq!(topics.len(), 1, "one topic");
    assert_eq!(
        topics[0].external_id.as_deref(),
        Some(&*format!("plenary-proposal-{id}"))
    );

    c.vote("school", id, "school", agree()).await;
    c.clock.advance(7 * DAY);
    assert_eq!(c.duties().await.0.closed, [id], "it closes at its deadline");
    c.duties().await;
    let head = c.get(OPERATOR, &format!("/api/v1/proposals/{id}")).await["audit_head"]
        .as_str()
        .unwrap()
        .to_string();
    let posts = discourse.posts_of(topics[0].id);
    let outcome = posts.last().unwrap();
    assert!(outcome.raw.contains("**Result: "), "{}", outcome.raw);
    assert!(
        outcome.raw.contains(&head),
        "the outcome names the audit head"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_forum_answer_lost_on_the_way_does_not_open_a_second_topic() {
    let discourse = FakeDiscourse::start("forum-key", "plenary").await.unwrap();
    let c = Consortium::with(Extras {
        discourse: Some(discourse.config(5)),
        ..Extras::default()
    })
    .await;
    c.open_proposal().await;
    discourse.lose_next_posts(1, 504);
    assert_eq!(c.duties().await.1.retrying, 1);
    c.clock.advance(60_000);
    assert_eq!(c.duties().await.1.sent, 1);
    assert_eq!(discourse.topics().len(), 1);
    c.shutdown().await;
}

#[tokio::test]
async fn forum_webhooks_are_trusted_only_with_their_signature() {
    let discourse = FakeDiscourse::start("forum-key", "plenary").await.unwrap();
    let mut config = discourse.config(5);
    config.webhook_secret = Some("webhook-secret".into());
    let c = Consortium::with(Extras {
        discourse: Some(config),
        ..Extras::default()
    })
    .await;
    let id = c.open_proposal().await;
    let body = json!({"topic": {"id": 77, "slug": "fair-use-rule", "external_id": format!("plenary-proposal-{id}")}})
        .to_string();
    let deliver = |signature: String| {
        c.http
            .post(c.url("/api/v1/forum/webhook"))
            .header("content-type", "application/json")
            .header("X-Discourse-Event-Type", "topic")
            .header("X-Discourse-Event", "topic_created")
            .header("X-Discourse-Event-Signature", signature)
            .body(body.clone())
            .send()
    };
    let forged = forum::webhook::sign("not-the-secret", body.as_bytes());
    let (status, problem) = read(deliver(forged).await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(c.env.app.store.forum_topic(id).await.unwrap(), None);

    let signed = forum::webhook::sign("webhook-secret", body.as_bytes());
    let (status, received) = read(deliver(signed).await.unwrap()).await;
    assert_eq!(
        (status, &received["linked_proposal"]),
        (StatusCode::OK, &json!(id))
    );
    let (topic, url) = c.env.app.store.forum_topic(id).await.unwrap().unwrap();
    assert_eq!(topic, 77);
    assert!(url.ends_with("/t/fair-use-rule/77"), "{url}");
    c.shutdown().await;
}

#[tokio::test]
async fn a_row_altered_in_the_database_breaks_the_audit_chain_at_that_entry() {
    let c = Consortium::start().await;
    let verified = c.get("school", "/api/v1/audit/verify").await;
    assert_eq!(verified["intact"], true);
    let head = c.get("school", "/api/v1/audit/head").await;
    assert_eq!(head["head"], verified["head"]);
    assert_eq!(head["entries"], verified["entries"]);

    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&c.env.database_url()).await.unwrap();
    sqlx::query("UPDATE audit_log SET detail = '{\"legal_name\":\"Someone else\"}' WHERE seq = 3")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let broken = c.get("school", "/api/v1/audit/verify").await;
    assert_eq!(broken["intact"], false);
    assert_eq!(broken["broken"]["seq"], 3);
    assert_eq!(broken["entries"], 2, "the entries before it still hold");
    c.shutdown().await;
}

#[tokio::test]
async fn a_tail_cut_with_its_head_row_is_caught_against_a_published_head() {
    let c = Consortium::start().await;
    let published = c.get("school", "/api/v1/audit/head").await;
    let entries = published["entries"].as_i64().unwrap();
    let head = published["head"].as_str().unwrap().to_string();
    c.open_proposal().await;
    let later = c.get("school", "/api/v1/audit/head").await;
    assert!(later["entries"].as_i64().unwrap() > entries);
    let path = format!("/api/v1/audit/verify?head={head}");
    assert_eq!(c.get("school", &path).await["intact"], true);

    // Cut the log back past the published head, and the head row with it:
    // the chain alone still holds.
    let cut = entries - 1;
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&c.env.database_url()).await.unwrap();
    let kept: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(cut)
        .fetch_one(&db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq > $1")
        .bind(cut)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(cut)
        .bind(&kept)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(
        c.get("school", "/api/v1/audit/verify").await["intact"],
        true
    );
    let against = c.get("school", &path).await;
    assert_eq!(against["intact"], false, "{against}");
    assert_eq!(against["broken"]["seq"], cut + 1);
    assert!(
        against["broken"]["reason"]
            .as_str()
            .unwrap()
            .contains("is not in the log"),
        "{against}"
    );

    let (status, problem) = c
        .call(
            "school",
            Method::GET,
            "/api/v1/audit/verify?head=nope",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not an audit head")
    );
    c.shutdown().await;
}

#[tokio::test]
async fn the_register_records_a_legal_form_and_the_rules_may_restrict_it() {
    let c = Consortium::with(Extras {
        founding_rules: Some(json!({"admitted_legal_forms": ["co-operative"]})),
        ..Extras::default()
    })
    .await;
    let rules = c.get(OPERATOR, "/api/v1/rules").await;
    assert_eq!(rules["admitted_legal_forms"], json!(["co-operative"]));
    let apply = |form: &str| {
        let body =
            json!({"organisation": {"name": "radio", "class": "consumer", "legal_form": form}});
        c.call("school", Method::POST, "/api/v1/applications", Some(body))
    };
    let (status, problem) = apply("company").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("admit only co-operative"),
        "{problem}"
    );
    let (status, problem) = apply("plc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, applied) = apply("co-operative").await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let radio = c.get("school", "/api/v1/organisations/radio").await;
    assert_eq!(radio["legal_form"], "co-operative");
    let listed = c.get("school", "/api/v1/organisations").await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "radio" && o["legal_form"] == "co-operative"),
        "{listed}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_room_link_opens_the_organisations_meeting_on_the_coops_tenant() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    let links = consortium::RoomLinks::new(&c.env.app.url(), ROOM_KEY.as_bytes());
    let link = links.link(id, "school");
    let form = c.http.get(&link).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(
        form.text()
            .await
            .unwrap()
            .contains("<form method=\"post\">")
    );

    let joined = c
        .http
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Ada")
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let location = joined.headers()["location"].to_str().unwrap().to_string();
    let join = format!("{}/t/coop/bigbluebutton/api/join?", c.env.app.url());
    assert!(location.starts_with(&join), "{location}");
    assert!(
        location.contains(&format!("meetingID=proposal-{id}-school")),
        "{location}"
    );
    let gateway = c.http.get(&location).send().await.unwrap();
    assert_eq!(
        gateway.status(),
        StatusCode::FOUND,
        "the gateway accepts the signed join"
    );
    let info = c
        .env
        .tenant("coop", "coop-secret")
        .call(
            "getMeetingInfo",
            &[("meetingID", &format!("proposal-{id}-school"))],
        )
        .await;
    assert!(
        common::succeeded(&info),
        "the room runs on the co-op's tenant"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_room_link_with_a_bad_signature_answers_not_found() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    let links = consortium::RoomLinks::new(&c.env.app.url(), ROOM_KEY.as_bytes());
    let moved = format!(
        "{}/rooms/{id}/hosting/{}",
        c.env.app.url(),
        links.signature(id, "school")
    );
    let forged = format!("{}/rooms/{id}/school/{}", c.env.app.url(), "00".repeat(32));
    for url in [moved, forged] {
        assert_eq!(
            c.http.get(&url).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let post = c
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=Eve")
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), StatusCode::NOT_FOUND);
    }
    c.shutdown().await;
}
