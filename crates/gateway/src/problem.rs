//! RFC 9457 problems, as Plenary answers servers that call it (callbacks,
//! recording uploads) and viewers of playback URLs.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub(crate) fn problem(status: StatusCode, detail: impl std::fmt::Display) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail.to_string(),
    });
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/problem+json"),
    );
    response
}
