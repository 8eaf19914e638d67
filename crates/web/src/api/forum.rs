//! Webhooks from the forum: trusted only when signed with the configured
//! secret (checked in constant time), they link a proposal to its topic.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use forum::webhook::{self, WebhookError};
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiState;
use super::openapi::{Forbidden, Invalid, NotFound};
use super::problem::{Answer, Problem};

/// A delivery accepted.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookReceived)]
pub struct Received {
    /// The proposal whose topic the event linked, if it was about one.
    linked_proposal: Option<i64>,
}

/// Forum webhook
///
/// Deliveries from the configured Discourse, authenticated by their
/// `X-Discourse-Event-Signature` (HMAC-SHA256 of the body with the webhook
/// secret, checked in constant time), not by a bearer token. A topic event
/// whose `external_id` is `plenary-proposal-<id>` links the proposal to its
/// topic. A bad or missing signature is refused with 403; without a
/// configured forum the endpoint answers 404.
#[utoipa::path(
    post,
    path = "/api/v1/forum/webhook",
    security(("discourseSignature" = [])),
    request_body(content = serde_json::Value, description = "A Discourse webhook event"),
    responses(
        (status = 200, body = Received),
        (status = 400, response = Invalid),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn webhook(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Received>> {
    let Some(config) = &state.discourse else {
        return Err(Problem::not_found("no forum is configured"));
    };
    let event = webhook::receive(config, &headers, &body).map_err(|e| match e {
        WebhookError::NotAnEvent(_) => Problem::bad_request(e.to_string()),
        e => Problem::forbidden(e.to_string()),
    })?;
    let proposal = event.external_id().and_then(consortium::proposal_of_topic);
    let (Some(id), Some(topic_id)) = (proposal, event.topic_id()) else {
        return Ok(Json(Received {
            linked_proposal: None,
        }));
    };
    let store = state.consortium.store();
    store.proposal(id).await?;
    let slug = event
        .payload
        .pointer("/topic/slug")
        .and_then(|s| s.as_str())
        .unwrap_or("topic");
    let url = config
        .base_url
        .join(&format!("t/{slug}/{topic_id}"))
        .map_err(|e| Problem::bad_request(format!("the topic's slug makes no address: {e}")))?;
    let topic_id = i64::try_from(topic_id)
        .map_err(|_| Problem::bad_request("the topic ID is out of range"))?;
    store.set_forum_topic(id, topic_id, url.as_str()).await?;
    tracing::info!(
        proposal = id,
        topic_id,
        event = event.event,
        "forum topic linked"
    );
    Ok(Json(Received {
        linked_proposal: Some(id),
    }))
}
