//! Callbacks: the URLs a tenant gives on `create` reach the BBB server as
//! Plenary's own one-time URLs; what the server calls is checked and
//! forwarded to the tenant's URL, with the tenant's meeting ID and signed
//! with the tenant's secret. A local receiver stands in for the front end.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Method, Uri, header};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use plenary::config::Config;
use serde_json::Value;
use testkit::TempPostgres;

use crate::common::{Env, FrontEnd, SIM_SECRET, Setup, succeeded, text};

/// One request the front end received.
#[derive(Debug, Clone)]
struct Received {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    authorization: Option<String>,
    body: String,
}

impl Received {
    fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn form(&self, key: &str) -> Option<String> {
        form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

/// A front end's callback endpoint: answers 200 to anything and remembers it.
struct Receiver {
    origin: String,
    got: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(Received {
                        method,
                        path: uri.path().to_string(),
                        query: form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                            .into_owned()
                            .collect(),
                        authorization: headers
                            .get(header::AUTHORIZATION)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string),
                        body,
                    });
                    "ok"
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { origin, got, task }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived (and a moment more, so that one too
    /// many would show), and gives them.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            if self.received().len() >= n {
                tokio::time::sleep(Duration::from_millis(300)).await;
                return self.received();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} callbacks, received {:?}", self.received());
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Plenary with the front end's receiver on loopback, which callbacks may
/// reach only when the operator allows private networks.
fn setup(database_url: Option<String>) -> Setup {
    Setup {
        config: Config {
            callback_private_networks: true,
            ..Config::default()
        },
        database_url,
        ..Setup::default()
    }
}

async fn env() -> Env {
    Env::with(setup(None)).await
}

/// Creates `id` with a person in it, so that its recording would appear.
async fn create_with(fe: &FrontEnd, id: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![("meetingID", id), ("name", "Callbacks")];
    pairs.extend_from_slice(extra);
    let answer = fe.call("create", &pairs).await;
    assert!(succeeded(&answer), "{answer:?}");
    fe.join(id, "Ada").await;
    text(&answer, "internalMeetingID")
}

async fn end(fe: &FrontEnd, id: &str) {
    assert!(succeeded(&fe.call("end", &[("meetingID", id)]).await));
}

/// What the server holding a tenant's meeting keeps of it (its metadata,
/// `meetingEndedURL`), as JSON text.
async fn on_server(env: &Env, tenant: &str, id: &str) -> Value {
    let i = env
        .server_holding(tenant, id)
        .await
        .expect("a live meeting");
    let state = env.sim.servers[i].snapshot();
    let backend_id = format!("{id}~{tenant}");
    state["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["meeting_id"] == backend_id.as_str())
        .cloned()
        .expect("the server holds the meeting")
}

/// The URL the server was given for metadata `key`.
fn given_url(meeting: &Value, key: &str) -> String {
    meeting["metadata"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0] == key)
        .and_then(|pair| pair[1].as_str())
        .unwrap_or_else(|| panic!("no {key} in {meeting}"))
        .to_string()
}

fn claims_of(token: &str, secret: &str) -> Value {
    let mut v = Validation::new(Algorithm::HS256);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()).unwrap(),
        &v,
    )
    .expect("the JWT verifies")
    .claims
}

#[tokio::test]
async fn a_recording_ready_callback_reaches_the_tenant_signed_with_its_secret() {
    let env = env().await;
    let rx = Receiver::start().await;
    let acme = env.acme();
    let record_id = create_with(
        &acme,
        "room",
        &[
            ("record", "true"),
            ("meta_bbb-recording-ready-url", &rx.url("/recording-ready")),
        ],
    )
    .await;
    end(&acme, "room").await;
    let got = rx.wait_for(1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].method, Method::POST);
    assert_eq!(got[0].path, "/recording-ready");
    let signed = got[0].form("signed_parameters").expect("signed_parameters");
    let claims = claims_of(&signed, "acme-secret-1");
    assert_eq!(claims["meeting_id"], "room");
    assert_eq!(claims["record_id"], record_id.as_str());
    env.shutdown().await;
}

#[tokio::test]
async fn analytics_reach_the_tenant_re_signed_and_naming_its_meeting() {
    let env = env().await;
    let rx = Receiver::start().await;
    let acme = env.acme();
    create_with(
        &acme,
        "room",
        &[
            ("meetingKeepEvents", "true"),
            ("meta_analytics-callback-url", &rx.url("/analytics")),
        ],
    )
    .await;
    end(&acme, "room").await;
    let got = rx.wait_for(1).await;
    assert_eq!((got.len(), &got[0].method), (1, &Method::POST));
    let bearer = got[0]
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .expect("a bearer token");
    let v = Validation::new(Algorithm::HS512);
    jsonwebtoken::decode::<Value>(
        bearer,
        &DecodingKey::from_secret(b"acme-secret-1").unwrap(),
        &v,
    )
    .expect("signed with the tenant's secret, unexpired");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["meeting_id"], "room");
    env.shutdown().await;
}

/// The end callback's story, on whichever database `env` runs.
async fn end_callback_arrives_once(env: &Env) {
    let rx = Receiver::start().await;
    let acme = env.acme();
    create_with(
        &acme,
        "room",
        &[("meta_endCallbackUrl", &rx.url("/ended?from=front"))],
    )
    .await;
    let given = given_url(&on_server(env, "acme", "room").await, "endcallbackurl");
    end(&acme, "room").await;
    let got = rx.wait_for(1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (&got[0].method, got[0].path.as_str()),
        (&Method::GET, "/ended")
    );
    assert_eq!(got[0].param("from"), Some("front"));
    assert_eq!(got[0].param("meetingID"), Some("room"));
    assert_eq!(got[0].param("recordingmarks"), Some("false"));

    // The server calling the same URL again is answered, not forwarded.
    let again = env
        .http
        .get(format!("{given}?recordingmarks=true"))
        .send()
        .await
        .unwrap();
    assert!(again.status().is_success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.received().len(), 1);
}

#[tokio::test]
async fn an_end_callback_arrives_exactly_once_with_the_tenants_meeting_id() {
    let env = env().await;
    end_callback_arrives_once(&env).await;
    env.shutdown().await;
}

#[tokio::test]
async fn an_end_callback_arrives_exactly_once_on_postgresql() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let env = Env::with(setup(Some(pg.fresh_database_url()))).await;
    end_callback_arrives_once(&env).await;
    env.shutdown().await;
}

#[tokio::test]
async fn a_callback_url_is_never_called_for_another_tenants_meeting() {
    let env = env().await;
    let rx = Receiver::start().await;
    let (acme, globex) = (env.acme(), env.globex());
    for (fe, path) in [(&acme, "/acme"), (&globex, "/globex")] {
        create_with(
            fe,
            "room",
            &[
                ("record", "true"),
                ("meta_endCallbackUrl", &rx.url(path)),
                (
                    "meta_bbb-recording-ready-url",
                    &rx.url(&format!("{path}/rec")),
                ),
            ],
        )
        .await;
    }
    // globex's server signing for globex's meeting, sent to acme's URL.
    let acme_rec = given_url(
        &on_server(&env, "acme", "room").await,
        "bbb-recording-ready-url",
    );
    let foreign = forged_recording_ready("room~globex", SIM_SECRET);
    let refused = post_form(&env.http, &acme_rec, &[("signed_parameters", &foreign)]).await;
    assert_eq!(refused, 401);

    end(&globex, "room").await;
    let got = rx.wait_for(2).await;
    let mut paths: Vec<&str> = got.iter().map(|r| r.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/globex", "/globex/rec"], "{got:?}");
    let rec = got.iter().find(|r| r.path == "/globex/rec").unwrap();
    let claims = claims_of(&rec.form("signed_parameters").unwrap(), "globex-secret-1");
    assert_eq!(claims["meeting_id"], "room");
    env.shutdown().await;
}

async fn post_form(http: &reqwest::Client, url: &str, pairs: &[(&str, &str)]) -> u16 {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    http.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn forged_recording_ready(meeting_id: &str, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &serde_json::json!({ "meeting_id": meeting_id, "record_id": "forged-1" }),
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_forged_callback_is_refused_and_forwards_nothing() {
    let env = env().await;
    let rx = Receiver::start().await;
    let acme = env.acme();
    create_with(
        &acme,
        "room",
        &[
            ("record", "true"),
            ("meta_bbb-recording-ready-url", &rx.url("/rec")),
            ("meta_analytics-callback-url", &rx.url("/analytics")),
        ],
    )
    .await;
    let meeting = on_server(&env, "acme", "room").await;
    let rec = given_url(&meeting, "bbb-recording-ready-url");
    let analytics = given_url(&meeting, "analytics-callback-url");
    let http = &env.http;
    let wrong_secret = forged_recording_ready("room~acme", "not-the-server-secret");
    assert_eq!(
        post_form(http, &rec, &[("signed_parameters", &wrong_secret)]).await,
        401
    );
    assert_eq!(
        post_form(http, &rec, &[("signed_parameters", "x.y.z")]).await,
        401
    );
    assert_eq!(post_form(http, &rec, &[]).await, 400);
    let unknown = format!("{}/callbacks/recording-ready/pl_0000", env.app.url());
    let good = forged_recording_ready("room~acme", SIM_SECRET);
    assert_eq!(
        post_form(http, &unknown, &[("signed_parameters", &good)]).await,
        404
    );
    // A token is good for its own kind only.
    let other_kind = rec.replace("/recording-ready/", "/end/");
    assert_eq!(env.http.get(other_kind).send().await.unwrap().status(), 404);
    let no_bearer = env
        .http
        .post(&analytics)
        .header("content-type", "application/json")
        .body(r#"{"meeting_id":"room~acme"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(no_bearer.status(), 401);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.received().is_empty(), "{:?}", rx.received());

    // Refused calls spent nothing: the server's own callbacks still pass.
    end(&acme, "room").await;
    let got = rx.wait_for(2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    env.shutdown().await;
}

#[tokio::test]
async fn the_server_never_sees_the_tenants_callback_urls() {
    let env = env().await;
    let rx = Receiver::start().await;
    let acme = env.acme();
    create_with(
        &acme,
        "room",
        &[
            ("meta_endCallbackUrl", &rx.url("/end")),
            ("meetingEndedURL", &rx.url("/ended")),
            ("meta_bbb-recording-ready-url", &rx.url("/rec")),
            ("meta_bn-recording-ready-url", &rx.url("/bn")),
            ("meta_analytics-callback-url", &rx.url("/analytics")),
        ],
    )
    .await;
    let meeting = on_server(&env, "acme", "room").await;
    assert!(
        !meeting.to_string().contains(&rx.origin),
        "the server saw a tenant URL: {meeting}"
    );
    let plenary = format!("{}/callbacks/", env.app.url());
    for key in [
        "endcallbackurl",
        "bbb-recording-ready-url",
        "bn-recording-ready-url",
        "analytics-callback-url",
    ] {
        assert!(given_url(&meeting, key).starts_with(&plenary), "{key}");
    }
    let ended = meeting["meeting_ended_url"].as_str().unwrap();
    assert!(ended.starts_with(&format!("{plenary}meeting-ended/")));
    env.shutdown().await;
}

#[tokio::test]
async fn a_callback_to_a_private_address_is_not_called_unless_the_operator_allows_it() {
    let env = Env::with(Setup::default()).await;
    let rx = Receiver::start().await;
    let acme = env.acme();
    create_with(&acme, "room", &[("meta_endCallbackUrl", &rx.url("/ended"))]).await;
    end(&acme, "room").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(rx.received().is_empty(), "{:?}", rx.received());
    env.shutdown().await;
}
