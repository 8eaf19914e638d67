//! `/callbacks/<kind>/<token>`: where BBB servers call back. The token must
//! be one Plenary gave for that kind; a signed callback must verify with the
//! secret of the server holding the meeting and name that meeting. Anything
//! else is refused and forwards nothing. A token is used once: a repeated
//! call is answered but not forwarded again.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use store::CallbackTarget;
use url::Url;

use super::Kind;
use super::jwt::{self, RecordingReady};
use super::queue::{Delivery, Outgoing};
use crate::Gateway;

#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("no such callback")]
    Unknown,
    #[error("the callback's signature does not verify with its server's secret")]
    BadSignature,
    #[error("the callback is signed for another meeting")]
    OtherMeeting,
    #[error("{0}")]
    Malformed(&'static str),
    #[error("the callback cannot be handled now")]
    Unavailable,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match self {
            Refusal::Unknown => StatusCode::NOT_FOUND,
            Refusal::BadSignature | Refusal::OtherMeeting => StatusCode::UNAUTHORIZED,
            Refusal::Malformed(_) => StatusCode::BAD_REQUEST,
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        };
        crate::problem::problem(status, self)
    }
}

pub(crate) async fn receive(
    State(gw): State<Arc<Gateway>>,
    Path((kind, token)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match relay(&gw, &kind, &token, query.as_deref(), &headers, &body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(refusal) => {
            metrics::counter!("plenary_callbacks_refused_total").increment(1);
            tracing::warn!(kind, reason = %refusal, "callback refused");
            refusal.into_response()
        }
    }
}

async fn relay(
    gw: &Gateway,
    kind: &str,
    token: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    let kind = Kind::parse(kind).ok_or(Refusal::Unknown)?;
    let target = gw
        .store
        .callback(token)
        .await
        .map_err(|e| unavailable(&e))?
        .filter(|t| t.kind == kind.name())
        .ok_or(Refusal::Unknown)?;
    let mut url = Url::parse(&target.url).map_err(|_| Refusal::Unknown)?;
    // Checked before the token is used, so a forged call spends nothing.
    let outgoing = match kind {
        Kind::End | Kind::MeetingEnded => {
            ended_url(&mut url, &target, kind, query);
            Outgoing::Get
        }
        Kind::RecordingReady => recording_ready(gw, &target, body).await?,
        Kind::Analytics => analytics(gw, &target, headers, body).await?,
    };
    let first = gw
        .store
        .use_callback(target.id, gw.fleet.now_ms())
        .await
        .map_err(|e| unavailable(&e))?;
    if !first {
        tracing::info!(tenant = %target.tenant_name, kind = kind.name(), "callback already forwarded; not again");
        return Ok(());
    }
    gw.callback_queue.push(Delivery {
        kind,
        tenant: target.tenant_name,
        url,
        outgoing,
    });
    Ok(())
}

fn unavailable(e: &store::StoreError) -> Refusal {
    tracing::error!(error = %e, "cannot read a callback");
    Refusal::Unavailable
}

/// The tenant's end URL, naming its meeting (unless the URL already does)
/// and, for `meta_endCallbackUrl`, passing the server's `recordingmarks` on.
fn ended_url(url: &mut Url, target: &CallbackTarget, kind: Kind, query: Option<&str>) {
    let names_meeting = url.query_pairs().any(|(k, _)| k == "meetingID");
    let marks = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "recordingmarks")
        .map(|(_, v)| v.eq_ignore_ascii_case("true"));
    let mut pairs = url.query_pairs_mut();
    if !names_meeting {
        pairs.append_pair("meetingID", &target.meeting_id);
    }
    if kind == Kind::End
        && let Some(marks) = marks
    {
        pairs.append_pair("recordingmarks", if marks { "true" } else { "false" });
    }
}

/// The secret the meeting's server signs with.
fn server_secret(gw: &Gateway, target: &CallbackTarget) -> Result<String, Refusal> {
    gw.fleet
        .route(target.server_id)
        .map(|r| r.backend.secret().to_string())
        .ok_or(Refusal::BadSignature)
}

/// The secret the tenant's front ends check callbacks with: its first.
async fn tenant_secret(gw: &Gateway, target: &CallbackTarget) -> Result<String, Refusal> {
    gw.store
        .tenant_secrets(target.tenant_id)
        .await
        .map_err(|e| unavailable(&e))?
        .into_iter()
        .next()
        .ok_or(Refusal::Unavailable)
}

async fn recording_ready(
    gw: &Gateway,
    target: &CallbackTarget,
    body: &[u8],
) -> Result<Outgoing, Refusal> {
    let signed = form_urlencoded::parse(body)
        .find(|(k, _)| k == "signed_parameters")
        .map(|(_, v)| v.into_owned())
        .ok_or(Refusal::Malformed("signed_parameters is missing"))?;
    let claims = jwt::verify_recording_ready(&signed, &server_secret(gw, target)?)
        .map_err(|_| Refusal::BadSignature)?;
    if claims.meeting_id != target.backend_id {
        return Err(Refusal::OtherMeeting);
    }
    let own = RecordingReady {
        meeting_id: target.meeting_id.clone(),
        record_id: claims.record_id,
    };
    let token = jwt::sign_recording_ready(&own, &tenant_secret(gw, target).await?)
        .map_err(|_| Refusal::Unavailable)?;
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("signed_parameters", &token)
        .finish();
    Ok(Outgoing::Form(form))
}

async fn analytics(
    gw: &Gateway,
    target: &CallbackTarget,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Outgoing, Refusal> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Refusal::BadSignature)?;
    jwt::verify_analytics(bearer.trim(), &server_secret(gw, target)?)
        .map_err(|_| Refusal::BadSignature)?;
    let mut json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Refusal::Malformed("the body is not JSON"))?;
    let meeting = json
        .get_mut("meeting_id")
        .ok_or(Refusal::Malformed("meeting_id is missing"))?;
    if meeting.as_str() != Some(target.backend_id.as_str()) {
        return Err(Refusal::OtherMeeting);
    }
    *meeting = serde_json::Value::String(target.meeting_id.clone());
    let now = jiff::Timestamp::now().as_second();
    let bearer = jwt::sign_analytics(&tenant_secret(gw, target).await?, now)
        .map_err(|_| Refusal::Unavailable)?;
    let body = serde_json::to_vec(&json).map_err(|_| Refusal::Unavailable)?;
    Ok(Outgoing::Json { bearer, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> CallbackTarget {
        CallbackTarget {
            id: 1,
            kind: "end".into(),
            url: "https://front.example/ended".into(),
            used_at: None,
            tenant_id: 1,
            tenant_name: "acme".into(),
            meeting_id: "room".into(),
            backend_id: "room~acme".into(),
            server_id: 1,
        }
    }

    fn ended(url: &str, kind: Kind, query: Option<&str>) -> String {
        let mut url = Url::parse(url).unwrap();
        ended_url(&mut url, &target(), kind, query);
        url.to_string()
    }

    #[test]
    fn the_end_callback_names_the_tenants_meeting_and_passes_recordingmarks_on() {
        assert_eq!(
            ended(
                "https://front.example/ended?x=1",
                Kind::End,
                Some("meetingID=room~acme&recordingmarks=true")
            ),
            "https://front.example/ended?x=1&meetingID=room&recordingmarks=true"
        );
        assert_eq!(
            ended(
                "https://front.example/e?meetingID=mine",
                Kind::MeetingEnded,
                Some("recordingmarks=true")
            ),
            "https://front.example/e?meetingID=mine"
        );
    }
}
