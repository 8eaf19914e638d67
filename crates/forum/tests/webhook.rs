use forum::DiscourseConfig;
use forum::webhook::{self, Event, WebhookError};
use reqwest::header::HeaderMap;
use serde_json::json;

const SECRET: &str = "webhook-secret";
const INSTANCE: &str = "https://forum.example.coop";

fn config() -> DiscourseConfig {
    DiscourseConfig {
        base_url: INSTANCE.parse().unwrap(),
        api_key: "key".into(),
        api_username: "plenary".into(),
        category_id: 3,
        webhook_secret: Some(SECRET.into()),
        instance: Some(INSTANCE.into()),
    }
}

fn topic_created() -> Vec<u8> {
    json!({ "topic": { "id": 12, "title": "Budget", "external_id": "proposal-42" } })
        .to_string()
        .into_bytes()
}

/// The headers Discourse sends with `body`, signed with `secret`.
fn delivery(secret: &str, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        (webhook::INSTANCE_HEADER, INSTANCE.to_owned()),
        (webhook::EVENT_ID_HEADER, "7".to_owned()),
        (webhook::EVENT_TYPE_HEADER, "topic".to_owned()),
        (webhook::EVENT_HEADER, "topic_created".to_owned()),
        (webhook::SIGNATURE_HEADER, webhook::sign(secret, body)),
    ] {
        headers.insert(name, value.parse().unwrap());
    }
    headers
}

#[test]
fn a_correctly_signed_delivery_is_accepted() {
    let body = topic_created();
    let event = webhook::receive(&config(), &delivery(SECRET, &body), &body).unwrap();
    assert_eq!(event.id.as_deref(), Some("7"));
    assert_eq!(
        (event.kind.as_str(), event.event.as_str()),
        ("topic", "topic_created")
    );
    assert_eq!(event.topic_id(), Some(12));
    assert_eq!(event.external_id(), Some("proposal-42"));
}

#[test]
fn a_delivery_signed_with_another_secret_is_refused() {
    let body = topic_created();
    let headers = delivery("another-secret", &body);
    assert_eq!(
        webhook::receive(&config(), &headers, &body),
        Err(WebhookError::Mismatch)
    );
}

#[test]
fn a_tampered_body_is_refused() {
    let body = topic_created();
    let headers = delivery(SECRET, &body);
    assert_eq!(
        webhook::receive(&config(), &headers, b"{\"topic\":{\"id\":13}}"),
        Err(WebhookError::Mismatch)
    );
}

#[test]
fn a_delivery_without_a_signature_is_refused() {
    let body = topic_created();
    let mut headers = delivery(SECRET, &body);
    headers.remove(webhook::SIGNATURE_HEADER);
    assert_eq!(
        webhook::receive(&config(), &headers, &body),
        Err(WebhookError::Missing)
    );
}

#[test]
fn a_signature_not_in_the_sha256_hex_form_is_malformed() {
    for header in ["deadbeef", "sha1=deadbeef", "sha256=not-hex"] {
        assert_eq!(
            webhook::verify(SECRET, b"{}", Some(header)),
            Err(WebhookError::Malformed),
            "{header}"
        );
    }
}

#[test]
fn the_signature_is_lowercase_hex_hmac_sha256() {
    // RFC 4231 test case 2.
    assert_eq!(
        webhook::sign("Jefe", b"what do ya want for nothing?"),
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn a_delivery_from_another_instance_is_refused() {
    let body = topic_created();
    let mut headers = delivery(SECRET, &body);
    headers.insert(
        webhook::INSTANCE_HEADER,
        "https://elsewhere.example".parse().unwrap(),
    );
    assert_eq!(
        webhook::receive(&config(), &headers, &body),
        Err(WebhookError::WrongInstance(Some(
            "https://elsewhere.example".into()
        )))
    );
}

#[test]
fn without_a_secret_every_delivery_is_refused() {
    let body = topic_created();
    let config = DiscourseConfig {
        webhook_secret: None,
        ..config()
    };
    assert_eq!(
        webhook::receive(&config, &delivery(SECRET, &body), &body),
        Err(WebhookError::NoSecret)
    );
}

#[test]
fn a_post_event_names_its_topic_but_not_the_external_id() {
    let event = Event {
        id: None,
        kind: "post".into(),
        event: "post_created".into(),
        payload: json!({ "post": { "id": 30, "topic_id": 12, "post_number": 3 } }),
    };
    assert_eq!(event.topic_id(), Some(12));
    assert_eq!(event.external_id(), None);
}
