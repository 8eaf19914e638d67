//! A consortium of three founders behind the JSON API, for black-box tests
//! over real HTTP. Time is the app's injected clock, moved by the tests and
//! never slept.

pub mod organisation;
pub mod schemas;

use std::sync::Arc;

use plenary::config::{Config, Secret};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sim::ManualClock;
use store::Act;

use crate::common::{Env, Setup};

pub const DAY: i64 = 86_400_000;
/// 2026-01-05 09:00 UTC, a Monday.
pub const T0: i64 = 1_767_603_600_000;
pub const OPERATOR: &str = "operator-token";
pub const ROOM_KEY: &str = "room-key-for-tests";

/// A consortium of three founders behind the API: `hosting` (a producer
/// co-op), `school` (a consumer) and `network` (a federation of weight 2),
/// each with a delegate holding a token named after the organisation.
pub struct Consortium {
    pub env: Env,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
}

/// What a test adds to the consortium's configuration.
#[derive(Default)]
pub struct Extras {
    pub database_url: Option<String>,
    pub smtp: Option<notify::SmtpConfig>,
    pub discourse: Option<forum::DiscourseConfig>,
    /// Changes to the default rules, set as the founding rules before the
    /// founders join (e.g. `{"admitted_legal_forms": ["co-operative"]}`).
    pub founding_rules: Option<Value>,
}

impl Consortium {
    pub async fn start() -> Self {
        Self::with(Extras::default()).await
    }

    pub async fn with(extras: Extras) -> Self {
        let clock = Arc::new(ManualClock::new(T0));
        let config = Config {
            consortium_name: "Test consortium".into(),
            governance_tenant: Some("coop".into()),
            room_key: Some(Secret::new(ROOM_KEY)),
            smtp: extras.smtp,
            discourse: extras.discourse,
            ..Config::default()
        };
        let env = Env::with(Setup {
            servers: 1,
            tenants: vec![("coop", "coop-secret")],
            config,
            database_url: extras.database_url,
            clock: Some(clock.clone()),
        })
        .await;
        let c = Self {
            env,
            clock,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        };
        let store = &c.env.app.store;
        store
            .add_token(OPERATOR, None, "ops", &Act::new("operator:test", T0))
            .await
            .unwrap();
        if let Some(changes) = extras.founding_rules {
            let mut rules = c.get(OPERATOR, "/api/v1/rules").await;
            for (rule, value) in changes.as_object().unwrap() {
                rules[rule] = value.clone();
            }
            let (status, body) = c
                .call(OPERATOR, Method::PUT, "/api/v1/rules", Some(rules))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        for (org, kind, class, weight) in [
            ("hosting", "organisation", "producer", 1),
            ("school", "organisation", "consumer", 1),
            ("network", "federation", "consumer", 2),
        ] {
            let (status, body) = c
                .call(
                    OPERATOR,
                    Method::POST,
                    "/api/v1/organisations",
                    Some(json!({
                        "name": org, "legal_name": format!("The {org} co-op"), "kind": kind,
                        "class": class, "weight": weight, "contact": format!("office@{org}.example"),
                    })),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            c.person(org, &format!("delegate-{org}"), Some((org, "delegate")))
                .await;
        }
        c
    }

    /// A person with a token named `token`, optionally in a role.
    pub async fn person(&self, token: &str, name: &str, role: Option<(&str, &str)>) {
        let store = &self.env.app.store;
        let act = Act::new("operator:test", self.now());
        store
            .add_person(name, name, &format!("{name}@mail.example"), &act)
            .await
            .unwrap();
        if let Some((org, role)) = role {
            store
                .set_representative(org, name, role, &act)
                .await
                .unwrap();
        }
        store
            .add_token(token, Some(name), "test", &act)
            .await
            .unwrap();
    }

    pub fn now(&self) -> i64 {
        sim::Clock::now_ms(&*self.clock)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.env.app.url())
    }

    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Value {
        let (status, body) = self.call(token, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    pub async fn vote(
        &self,
        token: &str,
        proposal: i64,
        org: &str,
        ballot: Value,
    ) -> (StatusCode, Value) {
        let path = format!("/api/v1/proposals/{proposal}/ballots/{org}");
        self.call(token, Method::PUT, &path, Some(ballot)).await
    }

    /// `newcomer` applies with the token of a person who has no role yet.
    pub async fn newcomer_applies(&self) -> i64 {
        self.person("dora", "dora", None).await;
        let (status, body) = self
            .call(
                "dora",
                Method::POST,
                "/api/v1/applications",
                Some(json!({
                    "organisation": {"name": "newcomer", "legal_name": "Newcomer Housing Co-op", "class": "consumer", "contact": "dora@mail.example"},
                    "statement": "We run our board meetings on BBB.",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["organisation"], "newcomer");
        body["proposal_id"].as_i64().unwrap()
    }

    /// A general consent proposal drafted and opened by `hosting`'s delegate.
    pub async fn open_proposal(&self) -> i64 {
        let (status, draft) = self
            .call(
                "hosting",
                Method::POST,
                "/api/v1/proposals",
                Some(json!({"title": "Fair-use rule", "text": "Meetings over 4 hours are split."})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        let id = draft["id"].as_i64().unwrap();
        let (status, opened) = self
            .call(
                "hosting",
                Method::POST,
                &format!("/api/v1/proposals/{id}/open"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{opened}");
        id
    }

    pub async fn duties(&self) -> (consortium::Duties, consortium::delivery::Delivered) {
        self.env.app.run_duties_once().await.unwrap()
    }

    pub async fn shutdown(self) {
        self.env.shutdown().await;
    }
}

/// The status and body of an answer: JSON read, any other text (an
/// iCalendar file, a ballot file) as a string, nothing as null.
pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_none_or(|t| t.contains("json"));
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else if json {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    } else {
        Value::String(text)
    };
    (status, body)
}

pub fn agree() -> Value {
    json!({"choice": {"consent": {"position": "agree", "reason": null}}, "minutes_link": null})
}

pub fn disagree(reason: &str) -> Value {
    json!({"choice": {"consent": {"position": "disagree", "reason": reason}}, "minutes_link": null})
}
