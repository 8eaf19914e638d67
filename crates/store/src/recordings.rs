//! The recordings Plenary imported from its servers, indexed per tenant.
//! Metadata and playback formats are kept as JSON: they are read and
//! written whole, with the recording.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, flag};

/// One playback format of a recording, as its `metadata.xml` described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybackFormat {
    /// `presentation`, `video`, `podcast`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Minutes, as getRecordings' `<length>` gives them.
    pub length: i64,
    /// Milliseconds.
    pub processing_time: i64,
    /// Bytes of the format's files.
    pub bytes: i64,
    /// The format's files, relative to its directory.
    pub files: Vec<String>,
    pub previews: Vec<Preview>,
}

/// A thumbnail of a format's preview, a file of that format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub width: String,
    pub height: String,
    pub alt: String,
    pub file: String,
}

/// A recording in the index, as the tenant knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingRow {
    pub id: i64,
    pub tenant_id: i64,
    pub record_id: String,
    /// The tenant's own meeting ID, not the namespaced one.
    pub meeting_id: String,
    pub internal_meeting_id: String,
    pub name: String,
    pub is_breakout: bool,
    pub published: bool,
    pub deleted: bool,
    pub start_time: i64,
    pub end_time: i64,
    pub participants: i64,
    /// Keys as BBB keeps them (lower-cased at create), in their order.
    pub metadata: Vec<(String, String)>,
    pub formats: Vec<PlaybackFormat>,
    pub bytes: i64,
    pub server_id: Option<i64>,
    pub imported_at: i64,
    pub updated_at: i64,
}

impl RecordingRow {
    /// BBB's state names.
    pub fn state(&self) -> &'static str {
        match (self.deleted, self.published) {
            (true, _) => "deleted",
            (false, true) => "published",
            (false, false) => "unpublished",
        }
    }
}

const COLUMNS: &str = "id, tenant_id, record_id, meeting_id, internal_meeting_id, name, \
    is_breakout, published, deleted, start_time, end_time, participants, metadata, formats, \
    bytes, server_id, imported_at, updated_at";

fn json<T: for<'de> Deserialize<'de>>(r: &AnyRow, column: &str) -> Result<T> {
    let text: String = r.try_get(column)?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("recordings.{column}: {e}")))
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

fn row_from(r: &AnyRow) -> Result<RecordingRow> {
    Ok(RecordingRow {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        record_id: r.try_get("record_id")?,
        meeting_id: r.try_get("meeting_id")?,
        internal_meeting_id: r.try_get("internal_meeting_id")?,
        name: r.try_get("name")?,
        is_breakout: r.try_get::<i64, _>("is_breakout")? != 0,
        published: r.try_get::<i64, _>("published")? != 0,
        deleted: r.try_get::<i64, _>("deleted")? != 0,
        start_time: r.try_get("start_time")?,
        end_time: r.try_get("end_time")?,
        participants: r.try_get("participants")?,
        metadata: json(r, "metadata")?,
        formats: json(r, "formats")?,
        bytes: r.try_get("bytes")?,
        server_id: r.try_get("server_id")?,
        imported_at: r.try_get("imported_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// A recording of any tenant, deleted or not.
    pub async fn recording(&self, record_id: &str) -> Result<Option<RecordingRow>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM recordings WHERE record_id = $1"
        )))
        .bind(record_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(row_from)
        .transpose()
    }

    /// Every recording of a tenant, deleted ones too, oldest first.
    pub async fn tenant_recordings(&self, tenant_id: i64) -> Result<Vec<RecordingRow>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM recordings WHERE tenant_id = $1 ORDER BY start_time, id"
        )))
        .bind(tenant_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(row_from)
        .collect()
    }

    /// Adds a recording, or replaces the tenant's own one of that record
    /// ID (a format imported after another, a recording imported again).
    /// A record ID another tenant holds is a `Conflict`, and is left alone.
    pub async fn save_recording(&self, r: &RecordingRow) -> Result<i64> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO recordings (tenant_id, record_id, meeting_id, internal_meeting_id, name, \
             is_breakout, published, deleted, start_time, end_time, participants, metadata, \
             formats, bytes, server_id, imported_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT (record_id) DO UPDATE SET meeting_id = excluded.meeting_id, \
             internal_meeting_id = excluded.internal_meeting_id, name = excluded.name, \
             is_breakout = excluded.is_breakout, published = excluded.published, \
             deleted = excluded.deleted, start_time = excluded.start_time, \
             end_time = excluded.end_time, participants = excluded.participants, \
             metadata = excluded.metadata, formats = excluded.formats, bytes = excluded.bytes, \
             server_id = excluded.server_id, updated_at = excluded.updated_at \
             WHERE recordings.tenant_id = excluded.tenant_id \
             RETURNING id",
        )
        .bind(r.tenant_id)
        .bind(&r.record_id)
        .bind(&r.meeting_id)
        .bind(&r.internal_meeting_id)
        .bind(&r.name)
        .bind(flag(r.is_breakout))
        .bind(flag(r.published))
        .bind(flag(r.deleted))
        .bind(r.start_time)
        .bind(r.end_time)
        .bind(r.participants)
        .bind(to_json(&r.metadata))
        .bind(to_json(&r.formats))
        .bind(r.bytes)
        .bind(r.server_id)
        .bind(r.imported_at)
        .bind(r.updated_at)
        .fetch_optional(&self.pool)
        .await?;
        id.ok_or_else(|| StoreError::Conflict(format!("recording {:?}", r.record_id)))
    }

    pub async fn set_recording_published(
        &self,
        id: i64,
        published: bool,
        now_ms: i64,
    ) -> Result<()> {
        let done =
            sqlx::query("UPDATE recordings SET published = $1, updated_at = $2 WHERE id = $3")
                .bind(flag(published))
                .bind(now_ms)
                .bind(id)
                .execute(&self.pool)
                .await?;
        crate::found(done, || format!("recording {id}"))
    }

    pub async fn set_recording_metadata(
        &self,
        id: i64,
        metadata: &[(String, String)],
        now_ms: i64,
    ) -> Result<()> {
        let done =
            sqlx::query("UPDATE recordings SET metadata = $1, updated_at = $2 WHERE id = $3")
                .bind(to_json(&metadata))
                .bind(now_ms)
                .bind(id)
                .execute(&self.pool)
                .await?;
        crate::found(done, || format!("recording {id}"))
    }

    /// Keeps a deleted recording's row without its formats, so that it is
    /// listed as deleted and its server's copy never shows again.
    pub async fn mark_recording_deleted(&self, id: i64, now_ms: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE recordings SET deleted = 1, published = 0, formats = '[]', bytes = 0, \
             updated_at = $1 WHERE id = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        crate::found(done, || format!("recording {id}"))
    }
}
