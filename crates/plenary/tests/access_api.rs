//! People, roles and tokens through the JSON API, over real HTTP: who may
//! see and change whom, and that tokens are shown once and die at once.
//! The consortium is the one of `coop`: `hosting`, `school` and `network`,
//! each with a delegate whose token is named after the organisation.

use crate::coop;

use coop::{Consortium, OPERATOR, read};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `school`'s admin, with the token `sue`.
const ADMIN: &str = "sue";

async fn with_school_admin() -> Consortium {
    let c = Consortium::start().await;
    c.person(ADMIN, "sue", Some(("school", "admin"))).await;
    c
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

/// An organisation's people and their roles, as the register shows them.
async fn representatives(c: &Consortium, org: &str) -> Vec<(String, String)> {
    c.get(OPERATOR, &format!("/api/v1/organisations/{org}"))
        .await["representatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn add_person(c: &Consortium, token: &str, body: Value) -> (StatusCode, Value) {
    c.call(token, Method::POST, "/api/v1/people", Some(body))
        .await
}

async fn set_role(
    c: &Consortium,
    token: &str,
    org: &str,
    person: &str,
    role: &str,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/organisations/{org}/representatives/{person}");
    c.call(token, Method::PUT, &path, Some(json!({"role": role})))
        .await
}

async fn remove_role(c: &Consortium, token: &str, org: &str, person: &str) -> StatusCode {
    let path = format!("/api/v1/organisations/{org}/representatives/{person}");
    c.call(token, Method::DELETE, &path, None).await.0
}

/// Makes a token as `token`'s owner, answering the whole response.
async fn issue(c: &Consortium, token: &str, body: Value) -> reqwest::Response {
    c.http
        .post(c.url("/api/v1/tokens"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn issued(c: &Consortium, token: &str, body: Value) -> Value {
    let (status, body) = read(issue(c, token, body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn me(c: &Consortium, token: &str) -> (StatusCode, Value) {
    c.call(token, Method::GET, "/api/v1/me", None).await
}

async fn revoke(c: &Consortium, token: &str, id: &str) -> StatusCode {
    c.call(token, Method::DELETE, &format!("/api/v1/tokens/{id}"), None)
        .await
        .0
}

#[tokio::test]
async fn an_operator_lists_everyone_with_their_emails_and_roles() {
    let c = with_school_admin().await;
    let people = c.get(OPERATOR, "/api/v1/people").await;
    assert_eq!(
        names(&people),
        [
            "delegate-hosting",
            "delegate-network",
            "delegate-school",
            "sue"
        ]
    );
    assert_eq!(
        people[3],
        json!({"name": "sue", "display_name": "sue", "email": "sue@mail.example",
               "roles": [{"organisation": "school", "role": "admin"}]})
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_person_lists_only_the_people_of_their_own_organisations() {
    let c = with_school_admin().await;
    let people = c.get("school", "/api/v1/people").await;
    assert_eq!(names(&people), ["delegate-school", "sue"]);
    assert_eq!(people[1]["email"], "sue@mail.example");
    c.shutdown().await;
}

#[tokio::test]
async fn a_person_sees_the_roles_of_their_organisations_people_only_there() {
    let c = with_school_admin().await;
    c.person("pat", "pat", Some(("school", "deputy"))).await;
    let act = store::Act::new("operator:test", c.now());
    c.env
        .app
        .store
        .set_representative("hosting", "pat", "admin", &act)
        .await
        .unwrap();
    let people = c.get(ADMIN, "/api/v1/people").await;
    let pat = &people[1];
    assert_eq!(pat["name"], "pat");
    assert_eq!(
        pat["roles"],
        json!([{"organisation": "school", "role": "deputy"}])
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_admin_adds_a_person_into_their_own_organisation() {
    let c = with_school_admin().await;
    let (status, added) = add_person(
        &c,
        ADMIN,
        json!({"name": "tom", "display_name": "Tom Teacher", "email": "tom@school.example",
               "representing": {"organisation": "school", "role": "deputy"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        added["roles"],
        json!([{"organisation": "school", "role": "deputy"}])
    );
    assert_eq!(
        representatives(&c, "school").await,
        pairs(&[
            ("delegate-school", "delegate"),
            ("tom", "deputy"),
            ("sue", "admin")
        ])
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_admin_does_not_add_a_delegate_directly() {
    let c = with_school_admin().await;
    let (status, problem) = add_person(
        &c,
        ADMIN,
        json!({"name": "tom", "email": "tom@school.example",
               "representing": {"organisation": "school", "role": "delegate"}}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(!names(&c.get(OPERATOR, "/api/v1/people").await).contains(&"tom"));
    c.shutdown().await;
}

#[tokio::test]
async fn an_admin_cannot_add_a_person_to_another_organisation() {
    let c = with_school_admin().await;
    let (status, _) = add_person(
        &c,
        ADMIN,
        json!({"name": "mole", "email": "mole@school.example",
               "representing": {"organisation": "hosting", "role": "deputy"}}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!names(&c.get(OPERATOR, "/api/v1/people").await).contains(&"mole"));
    c.shutdown().await;
}

#[tokio::test]
async fn a_delegate_who_is_not_an_admin_cannot_add_people() {
    let c = with_school_admin().await;
    let (status, _) = add_person(
        &c,
        "school",
        json!({"name": "tom", "email": "tom@school.example",
               "representing": {"organisation": "school", "role": "deputy"}}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    c.shutdown().await;
}

#[tokio::test]
async fn only_operators_add_a_person_outside_any_organisation() {
    let c = with_school_admin().await;
    let person = json!({"name": "free", "email": "free@mail.example"});
    assert_eq!(
        add_person(&c, ADMIN, person.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, added) = add_person(&c, OPERATOR, person).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["roles"], json!([]));
    c.shutdown().await;
}

#[tokio::test]
async fn a_malformed_person_is_answered_with_a_problem() {
    let c = with_school_admin().await;
    let school = |role: &str| json!({"organisation": "school", "role": role});
    for (body, expected) in [
        (
            json!({"name": "Tom Teacher", "email": "tom@school.example"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "tom", "email": "not an address"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "tom", "email": "tom@school.example", "representing": school("chair")}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "tom", "email": "tom@school.example", "representing": {"organisation": "nowhere", "role": "admin"}}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"name": "sue", "email": "sue@elsewhere.example"}),
            StatusCode::CONFLICT,
        ),
    ] {
        let (status, problem) = add_person(&c, OPERATOR, body.clone()).await;
        assert_eq!(status, expected, "{body}: {problem}");
        assert!(
            problem["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:plenary:problem:")
        );
    }
    assert!(
        !names(&c.get(OPERATOR, "/api/v1/people").await).contains(&"tom"),
        "a refused person is not added, not even without the role"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_new_delegate_named_by_the_admin_makes_the_previous_one_a_deputy() {
    let c = with_school_admin().await;
    c.person("tom", "tom", Some(("school", "deputy"))).await;
    let (status, school) = set_role(&c, ADMIN, "school", "tom", "delegate").await;
    assert_eq!(status, StatusCode::OK, "{school}");
    assert_eq!(
        representatives(&c, "school").await,
        pairs(&[
            ("tom", "delegate"),
            ("delegate-school", "deputy"),
            ("sue", "admin")
        ])
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_admin_removes_a_person_from_their_organisation() {
    let c = with_school_admin().await;
    c.person("tom", "tom", Some(("school", "deputy"))).await;
    assert_eq!(
        remove_role(&c, ADMIN, "school", "tom").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        representatives(&c, "school").await,
        pairs(&[("delegate-school", "delegate"), ("sue", "admin")])
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_admin_cannot_promote_or_remove_the_people_of_another_organisation() {
    let c = with_school_admin().await;
    let before = representatives(&c, "hosting").await;
    assert_eq!(
        set_role(&c, ADMIN, "hosting", "delegate-hosting", "admin")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        remove_role(&c, ADMIN, "hosting", "delegate-hosting").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(representatives(&c, "hosting").await, before);
    c.shutdown().await;
}

#[tokio::test]
async fn an_admin_cannot_take_in_a_person_of_another_organisation() {
    let c = with_school_admin().await;
    let (status, problem) = set_role(&c, ADMIN, "school", "delegate-hosting", "deputy").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (unknown, _) = set_role(&c, ADMIN, "school", "nobody", "deputy").await;
    assert_eq!(
        unknown,
        StatusCode::FORBIDDEN,
        "an unknown name answers the same, so names elsewhere cannot be probed"
    );
    let people = c.get(ADMIN, "/api/v1/people").await;
    assert!(!names(&people).contains(&"delegate-hosting"), "{people}");
    c.shutdown().await;
}

#[tokio::test]
async fn a_delegate_who_is_not_an_admin_cannot_change_roles() {
    let c = with_school_admin().await;
    assert_eq!(
        set_role(&c, "school", "school", "sue", "deputy").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        remove_role(&c, "school", "school", "sue").await,
        StatusCode::FORBIDDEN
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_gives_anyone_a_role_anywhere() {
    let c = with_school_admin().await;
    let (status, _) = set_role(&c, OPERATOR, "hosting", "sue", "deputy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        representatives(&c, "hosting")
            .await
            .contains(&("sue".to_string(), "deputy".to_string()))
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_never_cached() {
    let c = with_school_admin().await;
    let response = issue(&c, ADMIN, json!({"label": "laptop"})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (_, made) = read(response).await;
    let token = made["token"].as_str().unwrap();
    assert!(token.starts_with("pl_"));
    assert_eq!(me(&c, token).await.1["name"], "sue");

    let listed = c.get(ADMIN, "/api/v1/tokens").await.to_string();
    assert!(!listed.contains(token), "{listed}");
    assert!(!listed.contains(&store::token_hash(token)), "{listed}");
    assert!(listed.contains(made["id"].as_str().unwrap()));
    c.shutdown().await;
}

#[tokio::test]
async fn a_person_lists_only_their_own_tokens() {
    let c = with_school_admin().await;
    issued(&c, ADMIN, json!({"label": "laptop"})).await;
    let tokens = c.get(ADMIN, "/api/v1/tokens").await;
    let labels: Vec<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["person"].as_str().unwrap(), t["label"].as_str().unwrap()))
        .collect();
    assert_eq!(labels, [("sue", "test"), ("sue", "laptop")]);
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_lists_every_token() {
    let c = with_school_admin().await;
    let tokens = c.get(OPERATOR, "/api/v1/tokens").await;
    let owners: Vec<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["person"].as_str().unwrap_or("(operator)"))
        .collect();
    assert_eq!(
        owners,
        [
            "(operator)",
            "delegate-hosting",
            "delegate-school",
            "delegate-network",
            "sue"
        ]
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_person_cannot_make_a_token_for_someone_else() {
    let c = with_school_admin().await;
    let (status, _) = read(issue(&c, ADMIN, json!({"person": "delegate-school"})).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_makes_tokens_for_a_person_and_for_operators() {
    let c = with_school_admin().await;
    let made = issued(&c, OPERATOR, json!({"person": "sue", "label": "phone"})).await;
    assert_eq!(
        me(&c, made["token"].as_str().unwrap()).await.1["name"],
        "sue"
    );
    let operator = issued(&c, OPERATOR, json!({})).await;
    let (_, who) = me(&c, operator["token"].as_str().unwrap()).await;
    assert_eq!(
        (&who["kind"], &who["name"]),
        (&json!("operator"), &json!("ops")),
        "a new operator token acts as the operator who made it"
    );
    let (status, _) = read(issue(&c, OPERATOR, json!({"label": " "})).await).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an operator's token needs a name"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once() {
    let c = with_school_admin().await;
    let made = issued(&c, ADMIN, json!({"label": "laptop"})).await;
    let token = made["token"].as_str().unwrap();
    assert_eq!(me(&c, token).await.0, StatusCode::OK);
    assert_eq!(
        revoke(&c, ADMIN, made["id"].as_str().unwrap()).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(me(&c, token).await.0, StatusCode::UNAUTHORIZED);
    let listed = c.get(ADMIN, "/api/v1/tokens").await;
    assert!(listed[1]["revoked_at_ms"].is_i64(), "{listed}");
    c.shutdown().await;
}

#[tokio::test]
async fn a_person_cannot_revoke_another_persons_token() {
    let c = with_school_admin().await;
    let theirs = issued(&c, "school", json!({"label": "laptop"})).await;
    assert_eq!(
        revoke(&c, ADMIN, theirs["id"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND,
        "as if it did not exist"
    );
    assert_eq!(
        me(&c, theirs["token"].as_str().unwrap()).await.0,
        StatusCode::OK
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_revokes_any_token() {
    let c = with_school_admin().await;
    let theirs = issued(&c, ADMIN, json!({"label": "laptop"})).await;
    assert_eq!(
        revoke(&c, OPERATOR, theirs["id"].as_str().unwrap()).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        me(&c, theirs["token"].as_str().unwrap()).await.0,
        StatusCode::UNAUTHORIZED
    );
    c.shutdown().await;
}

#[tokio::test]
async fn token_changes_are_audited_without_the_token() {
    let c = with_school_admin().await;
    let made = issued(&c, ADMIN, json!({"label": "laptop"})).await;
    revoke(&c, ADMIN, made["id"].as_str().unwrap()).await;
    let log = c.env.app.store.audit_entries(None, 0, 1000).await.unwrap();
    let token = made["token"].as_str().unwrap();
    let hash = store::token_hash(token);
    let by_sue: Vec<_> = log
        .iter()
        .filter(|e| e.actor == "person:sue")
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(by_sue, ["token.add", "token.revoke"]);
    assert!(
        log.iter()
            .all(|e| !e.detail.contains(token) && !e.detail.contains(&hash))
    );
    c.shutdown().await;
}

#[tokio::test]
async fn an_applicant_withdraws_their_application() {
    let c = Consortium::start().await;
    let id = c.newcomer_applies().await;
    let (status, withdrawn) = c
        .call(
            "dora",
            Method::POST,
            &format!("/api/v1/proposals/{id}/withdraw"),
            Some(json!({"reason": "We found another host"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["state"], "withdrawn");
    c.shutdown().await;
}

#[tokio::test]
async fn an_applicant_cannot_change_the_text_of_their_open_application() {
    let c = Consortium::start().await;
    let id = c.newcomer_applies().await;
    let path = format!("/api/v1/proposals/{id}");
    let before = c.get(OPERATOR, &path).await;
    let (status, problem) = c
        .call(
            "dora",
            Method::PATCH,
            &path,
            Some(json!({"text": "We also want a free server."})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(c.get(OPERATOR, &path).await, before);
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_may_change_the_text_of_an_application() {
    let c = Consortium::start().await;
    let id = c.newcomer_applies().await;
    c.clock.advance(coop::DAY);
    let (status, edited) = c
        .call(
            OPERATOR,
            Method::PATCH,
            &format!("/api/v1/proposals/{id}"),
            Some(json!({"text": "Newcomer applies; its statement was corrected."})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        edited["closes_at_ms"],
        coop::T0 + 8 * coop::DAY,
        "the lead time restarts for every member"
    );
    c.shutdown().await;
}
