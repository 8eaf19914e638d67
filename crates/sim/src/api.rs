//! The BBB API of one simulated server.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use bbb::answer::Answer;
use bbb::checksum::{self, SignedRequest};
use bbb::error::success;
use bbb::xml::Writer;
use bbb::{AlgorithmSet, ApiError, Element, Params};
use rand::Rng;

use crate::Shared;
use crate::model::{meeting_fields, recording_element};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/bigbluebutton/api", any(call))
        .route("/bigbluebutton/api/", any(call))
        .route("/bigbluebutton/api/{call}", any(call))
        .route("/html5client/join", get(client_page))
        .with_state(shared)
}

async fn call(
    State(sh): State<Arc<Shared>>,
    path: Option<Path<String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let faults = *sh.faults.lock().expect("faults");
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if faults.down {
        return (StatusCode::SERVICE_UNAVAILABLE, "BigBlueButton is down").into_response();
    }
    if faults.error_rate > 0.0
        && sh
            .rng
            .lock()
            .expect("rng")
            .random_bool(faults.error_rate.clamp(0.0, 1.0))
    {
        return (StatusCode::INTERNAL_SERVER_ERROR, "simulated failure").into_response();
    }
    let name = path.map(|Path(p)| p).unwrap_or_default();
    crate::hostile::respond(faults.answers, || {
        answer(&sh, &name, method, &uri, &headers, body)
    })
}

fn answer(
    sh: &Shared,
    name: &str,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    if name.is_empty() {
        return Answer::Xml(
            success()
                .with("version", "2.0")
                .with("apiVersion", "2.0")
                .with("bbbVersion", "3.0.0-simulated")
                .with("apiUrl", format!("{}/bigbluebutton/api", sh.origin)),
        );
    }
    match verified_params(sh, name, &method, uri, headers, body) {
        Ok(p) => dispatch(sh, name, &method, &p).unwrap_or_else(Answer::from),
        Err(e) => e.into(),
    }
}

fn verified_params(
    sh: &Shared,
    name: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Params, ApiError> {
    let body = body.map_err(|_| ApiError::validation("The request body is too large."))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_ascii_lowercase());
    let mut form = None;
    if *method == Method::POST && !body.is_empty() {
        let xml = matches!(
            content_type.as_deref(),
            Some("text/xml" | "application/xml")
        );
        let allowed = match (name, content_type.as_deref()) {
            ("create", Some(_)) => true,
            ("insertDocument", _) => xml,
            (_, Some("application/x-www-form-urlencoded" | "multipart/form-data")) => true,
            _ => false,
        };
        let known = matches!(
            content_type.as_deref(),
            Some(
                "text/xml"
                    | "application/xml"
                    | "application/x-www-form-urlencoded"
                    | "multipart/form-data"
            )
        );
        if !allowed || !known {
            return Err(ApiError::unsupported_content_type());
        }
        if content_type.as_deref() == Some("application/x-www-form-urlencoded") {
            form = Some(Params::parse(&String::from_utf8_lossy(&body)));
        }
    }
    let raw_query = uri.query().unwrap_or("");
    // An empty secret disables the check, as on a real server.
    if !sh.secret.is_empty() {
        checksum::verify(
            SignedRequest {
                call: name,
                raw_query,
                body_params: form.as_ref(),
            },
            [sh.secret.as_str()],
            AlgorithmSet::all(),
        )
        .map_err(|_| ApiError::checksum_error())?;
    }
    let mut params = Params::parse(raw_query);
    if let Some(f) = form {
        params.extend(f.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    }
    params.remove("checksum");
    Ok(params)
}

/// A SUCCESS `<response>` written straight out, `fields` after its returncode.
fn written_success(fields: impl FnOnce(&mut Writer)) -> Answer {
    let mut w = Writer::document();
    w.element("response", |w| {
        w.text("returncode", "SUCCESS");
        fields(w);
    });
    Answer::Written {
        xml: w.finish(),
        success: true,
    }
}

fn meeting_id(p: &Params) -> Result<&str, ApiError> {
    p.get_nonblank("meetingID")
        .ok_or_else(ApiError::missing_meeting_id)
}

fn dispatch(sh: &Shared, name: &str, method: &Method, p: &Params) -> Result<Answer, ApiError> {
    let xml = |el: Element| Ok(Answer::Xml(el));
    match name {
        "create" => {
            let (m, duplicate) = sh.with(|s, rng, now| s.create(p, now, rng))?;
            let el = success()
                .with("meetingID", &m.meeting_id)
                .with("internalMeetingID", &m.internal_id)
                .with(
                    "parentMeetingID",
                    m.parent_internal_id.as_deref().unwrap_or("bbb-none"),
                )
                .with("attendeePW", &m.attendee_pw)
                .with("moderatorPW", &m.moderator_pw)
                .with("createTime", m.create_time)
                .with("voiceBridge", &m.voice_bridge)
                .with("dialNumber", "613-555-1234")
                .with("createDate", crate::model::java_date(m.create_time))
                .with("hasUserJoined", m.has_user_joined)
                .with("duration", m.duration_min)
                .with("hasBeenForciblyEnded", "false");
            let (key, message) = if duplicate {
                (
                    "duplicateWarning",
                    "This conference was already in existence and may currently be in progress.",
                )
            } else {
                ("", "")
            };
            xml(el.with("messageKey", key).with("message", message))
        }
        "join" => {
            if method != Method::GET {
                return Err(ApiError::unsupported_request());
            }
            let wants_xml = p
                .get("redirect")
                .is_some_and(|r| r.eq_ignore_ascii_case("false"));
            let logout = p
                .get_nonblank("redirectErrorUrl")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}/", sh.origin));
            let model = sh.model;
            match sh.with(|s, rng, _| s.join(p, &model, rng)) {
                Ok(j) => {
                    let url = format!(
                        "{}/html5client/join?sessionToken={}",
                        sh.origin, j.session_token
                    );
                    if wants_xml {
                        xml(success()
                            .with("messageKey", "successfullyJoined")
                            .with("message", "You have joined successfully.")
                            .with("meeting_id", &j.internal_meeting_id)
                            .with("user_id", &j.user_id)
                            .with("auth_token", &j.auth_token)
                            .with("session_token", &j.session_token)
                            .with("guestStatus", "ALLOW")
                            .with("url", url))
                    } else {
                        Ok(Answer::Redirect(url))
                    }
                }
                Err(e) if wants_xml => Err(e),
                Err(e) => Ok(Answer::Redirect(e.join_redirect(&logout))),
            }
        }
        "end" => {
            let id = meeting_id(p)?;
            if !sh.with(|s, _, now| s.end(id, now)) {
                return Err(ApiError::not_found());
            }
            xml(success()
                .with("messageKey", "sentEndMeetingRequest")
                .with("message", "A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended."))
        }
        "isMeetingRunning" => {
            let id = meeting_id(p)?;
            let running = sh.with(|s, _, _| s.meeting(id).is_some_and(|m| m.running()));
            xml(success().with("running", running))
        }
        "getMeetingInfo" => {
            let id = meeting_id(p)?;
            sh.with(|s, _, _| {
                let m = s.meeting(id).ok_or_else(ApiError::not_found)?;
                Ok(written_success(|w| meeting_fields(w, m, &s.meetings)))
            })
        }
        "getMeetings" => sh.with(|s, _, _| {
            Ok(written_success(|w| {
                w.element("meetings", |w| {
                    for m in &s.meetings {
                        w.element("meeting", |w| meeting_fields(w, m, &s.meetings));
                    }
                });
                if s.meetings.is_empty() {
                    w.text("messageKey", "noMeetings");
                    w.text("message", "no meetings were found on this server");
                }
            }))
        }),
        "insertDocument" => {
            let id = meeting_id(p)?;
            if sh.with(|s, _, _| s.note_document(id)) {
                xml(success().with("message", "Presentation is being uploaded"))
            } else {
                xml(Element::new("response")
                    .with("returncode", "FAILED")
                    .with("message", format!("Meeting with id [{id}] not found.")))
            }
        }
        "sendChatMessage" => {
            let id = meeting_id(p)?;
            if !sh.with(|s, _, _| s.note_chat(id)) {
                return Err(ApiError::not_found());
            }
            xml(success().with("messageKey", "").with("message", ""))
        }
        "getRecordings" => get_recordings(sh, p),
        "publishRecordings" | "updateRecordings" | "deleteRecordings" => {
            change_recordings(sh, name, p)
        }
        _ => Err(ApiError::unsupported_request()),
    }
}

fn list(p: &Params, key: &str) -> Vec<String> {
    p.list(key).map(str::to_string).collect()
}

fn get_recordings(sh: &Shared, p: &Params) -> Result<Answer, ApiError> {
    let meeting_ids = list(p, "meetingID");
    let record_ids = list(p, "recordID");
    let states = list(p, "state");
    let meta: Vec<(String, String)> = p.metadata().map(|(k, v)| (k, v.to_string())).collect();
    let offset: usize = p.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let limit: usize = p
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    sh.with(|s, _, _| {
        let mut recordings = Element::new("recordings");
        s.recordings
            .iter()
            .filter(|r| meeting_ids.is_empty() || meeting_ids.contains(&r.meeting_id))
            .filter(|r| record_ids.is_empty() || record_ids.contains(&r.record_id))
            .filter(|r| {
                if states.iter().any(|x| x == "any") {
                    true
                } else if states.is_empty() {
                    r.state() != "deleted"
                } else {
                    states.iter().any(|x| x == r.state())
                }
            })
            .filter(|r| meta.iter().all(|m| r.metadata.contains(m)))
            .skip(offset)
            .take(limit)
            .for_each(|r| recordings.push(recording_element(r, &sh.origin)));
        let empty = recordings.children.is_empty();
        let mut el = success().with_child(recordings);
        if empty {
            el = el
                .with("messageKey", "noRecordings")
                .with("message", "There are no recordings for the meeting(s).");
        }
        Ok(Answer::Xml(el))
    })
}

fn change_recordings(sh: &Shared, name: &str, p: &Params) -> Result<Answer, ApiError> {
    let ids = list(p, "recordID");
    if ids.is_empty() {
        return Err(ApiError::missing_record_id());
    }
    let publish = if name == "publishRecordings" {
        let v = p
            .get_nonblank("publish")
            .ok_or_else(ApiError::missing_publish)?;
        Some(v.eq_ignore_ascii_case("true"))
    } else {
        None
    };
    let meta: Vec<(String, String)> = p.metadata().map(|(k, v)| (k, v.to_string())).collect();
    sh.with(|s, _, _| {
        let found: Vec<usize> = s
            .recordings
            .iter()
            .enumerate()
            .filter(|(_, r)| ids.contains(&r.record_id) && !r.deleted)
            .map(|(i, _)| i)
            .collect();
        if found.is_empty() {
            return Err(ApiError::recordings_not_found());
        }
        for i in found {
            let r = &mut s.recordings[i];
            match name {
                "publishRecordings" => r.published = publish.unwrap_or(r.published),
                "deleteRecordings" => r.deleted = true,
                _ => {
                    for (k, v) in &meta {
                        r.metadata.retain(|(mk, _)| mk != k);
                        // An empty value deletes the key, as BBB does.
                        if !v.is_empty() {
                            r.metadata.push((k.clone(), v.clone()));
                        }
                    }
                }
            }
        }
        let (field, value) = match name {
            "publishRecordings" => ("published", publish.unwrap_or(true)),
            "deleteRecordings" => ("deleted", true),
            _ => ("updated", true),
        };
        Ok(Answer::Xml(success().with(field, value)))
    })
}

#[derive(serde::Deserialize)]
struct ClientQuery {
    #[serde(rename = "sessionToken")]
    session_token: Option<String>,
}

/// Stands in for the HTML5 client a joining browser lands on.
async fn client_page(Query(q): Query<ClientQuery>) -> Html<String> {
    let token: String = q
        .session_token
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Html(format!(
        "<!doctype html><html><head><title>BigBlueButton (simulated)</title></head>\
         <body><p>Simulated BigBlueButton client, session {token}.</p></body></html>"
    ))
}
