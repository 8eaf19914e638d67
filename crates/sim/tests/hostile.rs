//! The simulator's hostile answers, and that its own answers stay
//! well-formed XML whatever callers put in them.

use std::sync::Arc;

use bbb::client::{Backend, Client, ClientError};
use bbb::xml::{XmlError, is_xml_char};
use bbb::{Algorithm, Params};

const SECRET: &str = "sim-hostile-secret";

struct Sim {
    fleet: sim::SimFleet,
    http: reqwest::Client,
    bbb: Client,
    backend: Backend,
}

async fn start() -> Sim {
    let config = sim::SimConfig {
        secret: SECRET.into(),
        tick: std::time::Duration::ZERO,
        ..sim::SimConfig::default()
    };
    let fleet = sim::start(config, Arc::new(sim::SystemClock))
        .await
        .unwrap();
    let backend = Backend::new(&fleet.servers[0].url(), SECRET, Algorithm::Sha256).unwrap();
    Sim {
        fleet,
        http: reqwest::Client::new(),
        bbb: Client::new(
            std::time::Duration::from_secs(2),
            std::time::Duration::from_secs(5),
        ),
        backend,
    }
}

impl Sim {
    async fn set_answers(&self, answers: serde_json::Value) {
        let faults = format!("http://{}/sim/faults", self.fleet.servers[0].addr());
        let res = self
            .http
            .put(&faults)
            .json(&serde_json::json!({ "answers": answers }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// The raw answer to a signed call, status and body.
    async fn raw(&self, call: &str, p: &Params) -> (u16, Vec<u8>) {
        let res = self
            .http
            .get(self.backend.signed_url(call, p))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
    }

    async fn get_meetings(&self) -> Result<bbb::Element, ClientError> {
        self.bbb
            .call(&self.backend, "getMeetings", &Params::new(), None)
            .await
    }
}

fn meeting(id: &str, name: &str) -> Params {
    let mut p = Params::new();
    p.push("meetingID", id);
    p.push("name", name);
    p.push("meta_purpose", name);
    p
}

#[tokio::test]
async fn a_garbage_server_answers_bytes_that_are_not_xml_with_http_200() {
    let sim = start().await;
    sim.set_answers(serde_json::json!({ "kind": "garbage" }))
        .await;
    let (status, body) = sim.raw("getMeetings", &Params::new()).await;
    assert_eq!(status, 200);
    assert!(std::str::from_utf8(&body).is_err());
    assert!(matches!(
        sim.get_meetings().await,
        Err(ClientError::BadXml(XmlError::NotUtf8))
    ));
    sim.fleet.shutdown().await;
}

#[tokio::test]
async fn a_nested_server_answers_xml_as_deep_as_asked() {
    let sim = start().await;
    sim.set_answers(serde_json::json!({ "kind": "nested", "depth": 200_000 }))
        .await;
    let (status, body) = sim.raw("getMeetings", &Params::new()).await;
    assert_eq!(status, 200);
    assert_eq!(body.windows(3).filter(|w| w == b"<m>").count(), 200_000);
    assert!(matches!(
        sim.get_meetings().await,
        Err(ClientError::BadXml(XmlError::TooDeep))
    ));
    sim.fleet.shutdown().await;
}

#[tokio::test]
async fn an_oversized_server_answers_xml_of_the_size_asked() {
    let sim = start().await;
    let bytes = bbb::client::DEFAULT_MAX_ANSWER_BYTES + 1;
    sim.set_answers(serde_json::json!({ "kind": "oversized", "bytes": bytes }))
        .await;
    let (status, body) = sim.raw("getMeetings", &Params::new()).await;
    assert_eq!((status, body.len()), (200, bytes));
    assert!(matches!(
        sim.get_meetings().await,
        Err(ClientError::TooLarge { .. })
    ));
    sim.fleet.shutdown().await;
}

#[tokio::test]
async fn a_control_character_server_puts_forbidden_characters_in_its_answers() {
    let sim = start().await;
    sim.bbb
        .call(&sim.backend, "create", &meeting("room", "Weekly"), None)
        .await
        .unwrap();
    sim.set_answers(serde_json::json!({ "kind": "control_characters" }))
        .await;
    let (_, body) = sim.raw("getMeetings", &Params::new()).await;
    let doc = String::from_utf8(body).unwrap();
    assert!(doc.contains("<meetingName>Weekly\u{1}"), "{doc}");
    assert!(doc.contains("<returncode>SUCCESS</returncode>"), "{doc}");
    sim.fleet.shutdown().await;
}

#[tokio::test]
async fn answer_faults_can_be_lifted() {
    let sim = start().await;
    sim.set_answers(serde_json::json!({ "kind": "garbage" }))
        .await;
    assert!(sim.get_meetings().await.is_err());
    sim.set_answers(serde_json::json!({ "kind": "normal" }))
        .await;
    assert!(sim.get_meetings().await.is_ok());
    sim.fleet.shutdown().await;
}

#[tokio::test]
async fn a_meeting_named_with_control_characters_is_answered_as_well_formed_xml() {
    let sim = start().await;
    let name = "Weekly\u{1}\u{8}\u{1b} <sync> & \u{FFFF}";
    let p = meeting("room\u{2}", name);
    let (_, created) = sim.raw("create", &p).await;
    let (_, info) = sim.raw("getMeetingInfo", &p).await;
    let (_, list) = sim.raw("getMeetings", &Params::new()).await;
    for body in [created, info, list] {
        let doc = String::from_utf8(body).unwrap();
        assert!(doc.chars().all(is_xml_char), "{doc:?}");
        let el = bbb::Element::parse(&doc).unwrap();
        assert_eq!(el.child_text("returncode").as_deref(), Some("SUCCESS"));
    }
    sim.fleet.shutdown().await;
}
