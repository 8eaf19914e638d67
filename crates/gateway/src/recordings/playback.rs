//! `/t/<tenant>/playback/<record_id>/<format>/[file]`: a published
//! recording's files, under its own tenant's path only. Anything else (another
//! tenant's recording, an unpublished or deleted one, a file the import did
//! not list) is the same 404. Files come from servers, so they are sent
//! sandboxed: no script in them runs with Plenary's origin.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use store::{PlaybackFormat, RecordingRow};

use crate::Gateway;
use crate::problem::problem;

pub(crate) async fn play_root(
    State(gw): State<Arc<Gateway>>,
    Path((tenant, record_id, format)): Path<(String, String, String)>,
) -> Response {
    match find(&gw, &tenant, &record_id, &format).await {
        Ok((_, f)) => sandboxed(listing(&record_id, &f), "text/html; charset=utf-8", None),
        Err(response) => response,
    }
}

pub(crate) async fn play_file(
    State(gw): State<Arc<Gateway>>,
    Path((tenant, record_id, format, file)): Path<(String, String, String, String)>,
) -> Response {
    let (row, f) = match find(&gw, &tenant, &record_id, &format).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !f.files.contains(&file) {
        return not_found();
    }
    let Some(storage) = &gw.config.recordings.storage else {
        return not_found();
    };
    match storage
        .open(&format!("{}/{}/{file}", row.record_id, f.kind))
        .await
    {
        Ok(Some(object)) => sandboxed(object.body, content_type(&file), Some(object.len)),
        Ok(None) => {
            tracing::error!(record_id = %row.record_id, file, "an indexed recording file is missing from storage");
            not_found()
        }
        Err(e) => unreadable(e),
    }
}

fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "no such recording")
}

/// The index or the storage failed: logged, and answered without detail.
fn unreadable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "cannot read a recording");
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "the recording cannot be read now",
    )
}

/// The tenant's published recording and its format.
async fn find(
    gw: &Gateway,
    tenant: &str,
    record_id: &str,
    format: &str,
) -> Result<(RecordingRow, PlaybackFormat), Response> {
    let Some(tenant) = gw.store.tenant_by_name(tenant).await.map_err(unreadable)? else {
        return Err(not_found());
    };
    let row = gw
        .store
        .recording(record_id)
        .await
        .map_err(unreadable)?
        .filter(|r| r.tenant_id == tenant.id && tenant.enabled && r.published && !r.deleted)
        .ok_or_else(not_found)?;
    let f = row
        .formats
        .iter()
        .find(|f| f.kind == format)
        .cloned()
        .ok_or_else(not_found)?;
    Ok((row, f))
}

fn sandboxed(body: impl Into<Body>, content_type: &'static str, len: Option<u64>) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    response
}

/// The format's files, linked; names are the import's checked names, which
/// need no escaping.
fn listing(record_id: &str, f: &PlaybackFormat) -> String {
    let items: String = f
        .files
        .iter()
        .map(|file| format!("<li><a href=\"{file}\">{file}</a></li>"))
        .collect();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Recording {record_id}</title></head>\
         <body><h1>Recording {record_id} ({})</h1><ul>{items}</ul></body></html>",
        f.kind
    )
}

fn content_type(file: &str) -> &'static str {
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "json" => "application/json",
        "webm" => "video/webm",
        "mp4" | "m4v" => "video/mp4",
        "ogg" | "opus" => "audio/ogg",
        "vtt" => "text/vtt",
        "txt" => "text/plain; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        _ => "application/octet-stream",
    }
}
