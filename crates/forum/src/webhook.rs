//! What the forum sends back: webhook deliveries, signed with a shared secret.

use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::HeaderMap;
use serde_json::Value;
use sha2::Sha256;

use crate::DiscourseConfig;

pub const SIGNATURE_HEADER: &str = "X-Discourse-Event-Signature";
pub const INSTANCE_HEADER: &str = "X-Discourse-Instance";
pub const EVENT_ID_HEADER: &str = "X-Discourse-Event-Id";
pub const EVENT_TYPE_HEADER: &str = "X-Discourse-Event-Type";
pub const EVENT_HEADER: &str = "X-Discourse-Event";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("the delivery carries no {SIGNATURE_HEADER}")]
    Missing,
    #[error("the signature is not of the form sha256=<hex>")]
    Malformed,
    #[error("the signature does not match the body")]
    Mismatch,
    #[error("no webhook secret is configured, so no delivery can be trusted")]
    NoSecret,
    #[error("the delivery names forum instance {0:?}, not the configured one")]
    WrongInstance(Option<String>),
    #[error("the delivery is not a Discourse event: {0}")]
    NotAnEvent(String),
}

/// One webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Discourse's ID of the delivery (`X-Discourse-Event-Id`).
    pub id: Option<String>,
    /// What it is about: `topic`, `post`, `ping`… (`X-Discourse-Event-Type`).
    pub kind: String,
    /// What happened: `topic_created`, `post_edited`… (`X-Discourse-Event`).
    pub event: String,
    /// The body: the serialized object under its kind, e.g. `{"topic": {...}}`.
    pub payload: Value,
}

impl Event {
    /// The topic the event is about: the topic itself, or a post's topic.
    pub fn topic_id(&self) -> Option<u64> {
        self.payload
            .pointer("/topic/id")
            .or_else(|| self.payload.pointer("/post/topic_id"))
            .and_then(Value::as_u64)
    }

    /// The topic's `external_id`, i.e. the proposal's ID; only topic events carry it.
    pub fn external_id(&self) -> Option<&str> {
        self.payload
            .pointer("/topic/external_id")
            .and_then(Value::as_str)
    }
}

/// The value of [`SIGNATURE_HEADER`] for `body`: `sha256=<lowercase hex HMAC-SHA256>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

/// Checks that `body` was signed with `secret`.
pub fn verify(
    secret: &str,
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<(), WebhookError> {
    let given = signature_header
        .ok_or(WebhookError::Missing)?
        .strip_prefix("sha256=")
        .and_then(|digest| hex::decode(digest).ok())
        .ok_or(WebhookError::Malformed)?;
    // In constant time, so answer timings reveal nothing of the expected MAC.
    mac(secret, body)
        .verify_slice(&given)
        .map_err(|_| WebhookError::Mismatch)
}

/// Accepts a delivery only if it is signed with the configured secret and, when
/// an instance is configured, names it; then reads the event.
pub fn receive(
    config: &DiscourseConfig,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Event, WebhookError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let secret = config
        .webhook_secret
        .as_deref()
        .ok_or(WebhookError::NoSecret)?;
    verify(secret, body, header(SIGNATURE_HEADER))?;
    if let Some(expected) = &config.instance {
        let named = header(INSTANCE_HEADER);
        if named != Some(expected.as_str()) {
            return Err(WebhookError::WrongInstance(named.map(str::to_owned)));
        }
    }
    let required = |name| {
        header(name)
            .map(str::to_owned)
            .ok_or_else(|| WebhookError::NotAnEvent(format!("no {name} header")))
    };
    Ok(Event {
        id: header(EVENT_ID_HEADER).map(str::to_owned),
        kind: required(EVENT_TYPE_HEADER)?,
        event: required(EVENT_HEADER)?,
        payload: serde_json::from_slice(body)
            .map_err(|e| WebhookError::NotAnEvent(e.to_string()))?,
    })
}

fn mac(secret: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac
}
