//! `POST /recordings/import`: one format of one recording from a server.
//! The upload is checked before anything is kept: the token (the server's
//! secret, this record), the archive (layout, names, sizes), its
//! metadata (this record, this format) and the meeting (one that Plenary
//! placed on this very server). Files are stored before the index names
//! them, so a listed recording always plays; a refused upload leaves
//! nothing behind.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use store::{PlaybackFormat, Preview, RecordingRow, Server, StoreError};
use tokio::io::AsyncWriteExt;

use super::archive::{self, ArchiveError, Unpacked};
use super::metadata::{self, Described};
use super::token;
use crate::Gateway;
use crate::problem::problem;

#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("recordings are not stored here")]
    Disabled,
    #[error("an upload needs a bearer token signed with the server's secret")]
    NoToken,
    #[error("the token is not signed by a known server's secret, or has expired")]
    BadToken,
    #[error("the upload is larger than {0} bytes")]
    TooLarge(u64),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{0}")]
    Metadata(#[from] metadata::MetadataError),
    #[error("{0}")]
    Mismatch(String),
    #[error("this server held no meeting {0:?}")]
    UnknownMeeting(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the recording cannot be stored now")]
    Unavailable,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::Disabled => StatusCode::NOT_FOUND,
            Refusal::NoToken | Refusal::BadToken => StatusCode::UNAUTHORIZED,
            Refusal::TooLarge(_) | Refusal::Archive(ArchiveError::TooLarge(_)) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            Refusal::Archive(ArchiveError::Io(_)) | Refusal::Unavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Refusal::Archive(_) | Refusal::Metadata(_) | Refusal::Mismatch(_) => {
                StatusCode::BAD_REQUEST
            }
            Refusal::UnknownMeeting(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Conflict(_) => StatusCode::CONFLICT,
        }
    }
}

fn unavailable(e: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %e, "cannot import a recording");
    Refusal::Unavailable
}

pub(crate) async fn import(
    State(gw): State<Arc<Gateway>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match run(&gw, &headers, body).await {
        Ok((status, done)) => (status, Json(done)).into_response(),
        Err(refusal) => {
            metrics::counter!("plenary_recording_imports_refused_total").increment(1);
            tracing::warn!(reason = %refusal, "recording upload refused");
            problem(refusal.status(), refusal)
        }
    }
}

/// The staging files of one upload, removed however it ends.
struct Staged {
    archive: PathBuf,
    dir: PathBuf,
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.archive);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn run(
    gw: &Gateway,
    headers: &HeaderMap,
    body: Body,
) -> Result<(StatusCode, serde_json::Value), Refusal> {
    let cfg = &gw.config.recordings;
    let storage = cfg.storage.as_ref().ok_or(Refusal::Disabled)?;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(Refusal::NoToken)?;
    let server = uploading_server(gw, bearer).await?;
    let claims = token::verify(bearer, &server.secret).map_err(|_| Refusal::BadToken)?;

    // Tar adds a header per file and pads each to 512 bytes.
    let max_upload = cfg
        .limits
        .max_bytes
        .saturating_add(1024 * (cfg.limits.max_files as u64 + 2));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_upload) {
        return Err(Refusal::TooLarge(max_upload));
    }
    let name = store::new_token();
    let staged = Staged {
        archive: cfg.staging.join(format!("{name}.tar")),
        dir: cfg.staging.join(&name),
    };
    receive(body, &staged.archive, max_upload).await?;
    let unpacked = unpack(&staged, cfg.limits).await?;
    if unpacked.record_id != claims.record_id {
        return Err(Refusal::Mismatch(format!(
            "the token is for recording {:?}, the archive holds {:?}",
            claims.record_id, unpacked.record_id
        )));
    }
    let described = metadata::parse(&unpacked.metadata)?;
    if described.record_id != unpacked.record_id || described.format != unpacked.format {
        return Err(Refusal::Mismatch(format!(
            "metadata.xml describes {}/{}, the archive holds {}/{}",
            described.format, described.record_id, unpacked.format, unpacked.record_id
        )));
    }
    let meeting = gw
        .store
        .meeting_held_on(server.id, &described.backend_meeting_id)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| Refusal::UnknownMeeting(described.backend_meeting_id.clone()))?;
    let existing = gw
        .store
        .recording(&described.record_id)
        .await
        .map_err(unavailable)?;
    if let Some(e) = &existing {
        if e.tenant_id != meeting.tenant_id {
            return Err(Refusal::Conflict(format!(
                "recording {:?} belongs to another meeting",
                e.record_id
            )));
        }
        if e.deleted {
            return Err(Refusal::Conflict(format!(
                "recording {:?} was deleted by its owner and is not imported again",
                e.record_id
            )));
        }
    }
    let now = gw.fleet.now_ms();
    let row = indexed(existing, &described, &unpacked, &meeting, server.id, now);
    let prefix = format!("{}/{}", unpacked.record_id, unpacked.format);
    storage.remove_prefix(&prefix).await.map_err(unavailable)?;
    for (file, _) in &unpacked.files {
        storage
            .put_file(&format!("{prefix}/{file}"), &staged.dir.join(file))
            .await
            .map_err(unavailable)?;
    }
    let replaced = row.id != 0;
    match gw.store.save_recording(&row).await {
        Ok(_) => {}
        Err(StoreError::Conflict(what)) => {
            return Err(Refusal::Conflict(format!(
                "{what} belongs to another meeting"
            )));
        }
        Err(e) => return Err(unavailable(e)),
    }
    metrics::counter!("plenary_recordings_imported_total").increment(1);
    tracing::info!(record_id = %row.record_id, format = %unpacked.format, bytes = unpacked.bytes(), "recording imported");
    let status = if replaced {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        serde_json::json!({
            "record_id": row.record_id,
            "format": unpacked.format,
            "files": unpacked.files.len(),
            "bytes": unpacked.bytes(),
        }),
    ))
}

/// The server a token names, among all of them (a disabled one still
/// publishes what it recorded).
async fn uploading_server(gw: &Gateway, bearer: &str) -> Result<Server, Refusal> {
    let named = token::claimed_server(bearer).ok_or(Refusal::BadToken)?;
    gw.store
        .servers()
        .await
        .map_err(unavailable)?
        .into_iter()
        .find(|s| token::server_name(&s.url).as_deref() == Some(named.as_str()))
        .ok_or(Refusal::BadToken)
}

/// Writes the body to `to`, refusing it past `max` bytes.
async fn receive(body: Body, to: &Path, max: u64) -> Result<(), Refusal> {
    let mut file = tokio::fs::File::create(to).await.map_err(unavailable)?;
    let mut stream = body.into_data_stream();
    let mut received = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Refusal::Mismatch(format!("the upload broke off: {e}")))?;
        received += chunk.len() as u64;
        if received > max {
            return Err(Refusal::TooLarge(max));
        }
        file.write_all(&chunk).await.map_err(unavailable)?;
    }
    file.flush().await.map_err(unavailable)?;
    Ok(())
}

async fn unpack(staged: &Staged, limits: archive::ArchiveLimits) -> Result<Unpacked, Refusal> {
    let (from, into) = (staged.archive.clone(), staged.dir.clone());
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir(&into)?;
        let file = std::fs::File::open(&from)?;
        archive::unpack(std::io::BufReader::new(file), &into, limits)
    })
    .await
    .map_err(unavailable)?
    .map_err(Refusal::from)
}

/// The index's row after this import: the format added (or replaced), and
/// what the tenant changed since the first import (published, metadata) kept.
fn indexed(
    existing: Option<RecordingRow>,
    d: &Described,
    unpacked: &Unpacked,
    meeting: &store::MeetingRecord,
    server_id: i64,
    now: i64,
) -> RecordingRow {
    let files: Vec<String> = unpacked.files.iter().map(|(f, _)| f.clone()).collect();
    let marker = format!("/{}/", d.record_id);
    let previews = d
        .previews
        .iter()
        .filter_map(|(width, height, alt, url)| {
            // A preview's URL names a file of the format's directory.
            let file = url.split_once(&marker)?.1.to_string();
            files.contains(&file).then(|| Preview {
                width: width.clone(),
                height: height.clone(),
                alt: alt.clone(),
                file,
            })
        })
        .collect();
    let format = PlaybackFormat {
        kind: d.format.clone(),
        length: d.duration / 60_000,
        processing_time: d.processing_time,
        bytes: i64::try_from(unpacked.bytes()).unwrap_or(i64::MAX),
        files,
        previews,
    };
    // The tenant knows its meeting by its own ID, in metadata too.
    let metadata = d
        .metadata
        .iter()
        .map(|(k, v)| {
            let v = if k.eq_ignore_ascii_case("meetingId") && *v == d.backend_meeting_id {
                meeting.meeting_id.clone()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect();
    let mut row = existing.unwrap_or_else(|| RecordingRow {
        id: 0,
        tenant_id: meeting.tenant_id,
        record_id: d.record_id.clone(),
        meeting_id: meeting.meeting_id.clone(),
        internal_meeting_id: d.internal_meeting_id.clone(),
        name: d.name.clone(),
        is_breakout: d.is_breakout,
        published: d.published,
        deleted: false,
        start_time: d.start_time,
        end_time: d.end_time,
        participants: d.participants,
        metadata,
        formats: Vec::new(),
        bytes: 0,
        server_id: Some(server_id),
        imported_at: now,
        updated_at: now,
    });
    row.formats.retain(|f| f.kind != format.kind);
    row.formats.push(format);
    row.bytes = row.formats.iter().map(|f| f.bytes).sum();
    row.server_id = Some(server_id);
    row.updated_at = now;
    row
}
