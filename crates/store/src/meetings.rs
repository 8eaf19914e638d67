//! The gateway's record of each tenant meeting and the server holding it.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};

use crate::{LiveView, Result, Store, StoreError, found};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    pub id: i64,
    pub tenant_id: i64,
    /// The ID the tenant uses.
    pub meeting_id: String,
    /// The namespaced ID the backend knows.
    pub backend_id: String,
    pub server_id: i64,
    /// BBB's internal meeting ID, which is also the recording ID.
    pub internal_id: Option<String>,
    pub created_at: i64,
    pub ended_at: Option<i64>,
}

/// A meeting not yet ended, with what its server last reported of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveMeeting {
    pub record: MeetingRecord,
    /// In the main room at the last poll that saw it; 0 before the first.
    pub participants: i64,
    pub webcams: i64,
}

#[derive(Debug, Clone)]
pub struct NewMeeting<'a> {
    pub tenant_id: i64,
    pub meeting_id: &'a str,
    pub backend_id: &'a str,
    pub server_id: i64,
    pub now_ms: i64,
    /// Start of the period whose distinct meeting IDs count as rooms used.
    pub rooms_since_ms: i64,
    /// Which parts of the tenant's usage the claim is decided on; each is
    /// counted inside the claim's transaction, so none is counted in vain.
    pub counts: UsageCounts,
}

/// The parts of [`TenantUsage`] a claim counts; the others read as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageCounts {
    pub meetings: bool,
    pub participants: bool,
    pub rooms: bool,
}

impl UsageCounts {
    pub const ALL: Self = Self {
        meetings: true,
        participants: true,
        rooms: true,
    };
    pub const NONE: Self = Self {
        meetings: false,
        participants: false,
        rooms: false,
    };
}

/// The outcome of claiming a meeting ID for a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This call created the record: it must create the meeting on the server.
    New(MeetingRecord),
    /// A live record existed (or a concurrent create won): reuse its server.
    Existing(MeetingRecord),
}

/// What a tenant uses at the moment a new meeting is claimed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantUsage {
    /// Meetings not yet ended.
    pub live_meetings: u64,
    /// Participants of those meetings at the tenant's last poll; an ended
    /// meeting stops counting when it ends, not at the next poll.
    pub live_participants: u64,
    /// Distinct meeting IDs created since `rooms_since_ms`.
    pub rooms: u64,
    /// Whether the claimed meeting ID is one of them.
    pub room_already_used: bool,
}

const MEETING_COLUMNS: &str =
    "id, tenant_id, meeting_id, backend_id, server_id, internal_id, created_at, ended_at";

fn meeting_from(row: &AnyRow) -> Result<MeetingRecord> {
    Ok(MeetingRecord {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        meeting_id: row.try_get("meeting_id")?,
        backend_id: row.try_get("backend_id")?,
        server_id: row.try_get("server_id")?,
        internal_id: row.try_get("internal_id")?,
        created_at: row.try_get("created_at")?,
        ended_at: row.try_get("ended_at")?,
    })
}

impl Store {
    /// Records the meeting unless a live record for the same tenant and ID
    /// exists, if `admit` accepts what the tenant uses. Reading the usage and
    /// writing the record are one transaction that first writes the tenant's
    /// row, so concurrent creates of a limited tenant queue there (PostgreSQL's row lock, SQLite's write
    /// lock) on every instance sharing the database, and none of them
    /// decides on a usage another is about to change.
    pub async fn claim_meeting<R>(
        &self,
        new: NewMeeting<'_>,
        admit: impl FnOnce(&TenantUsage) -> Result<(), R>,
    ) -> Result<Result<Claim, R>> {
        if new.counts == UsageCounts::NONE {
            if let Err(refusal) = admit(&TenantUsage::default()) {
                return Ok(Err(refusal));
            }
            return self.claim_unlimited(&new).await.map(Ok);
        }
        let mut tx = self.pool.begin().await?;
        let locked = sqlx::query("UPDATE tenants SET enabled = enabled WHERE id = $1")
            .bind(new.tenant_id)
            .execute(&mut *tx)
            .await?;
        found(locked, || format!("tenant {}", new.tenant_id))?;
        if let Some(record) = live_in(&mut *tx, new.tenant_id, new.meeting_id).await? {
            return Ok(Ok(Claim::Existing(record)));
        }
        let usage = tenant_usage(&mut tx, &new).await?;
        if let Err(refusal) = admit(&usage) {
            return Ok(Err(refusal));
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO meetings (tenant_id, meeting_id, backend_id, server_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {MEETING_COLUMNS}"
        )))
        .bind(new.tenant_id)
        .bind(new.meeting_id)
        .bind(new.backend_id)
        .bind(new.server_id)
        .bind(new.now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("live meeting {:?}", new.meeting_id)))?;
        tx.commit().await?;
        let record = meeting_from(&row)?;
        self.live.created(&record);
        Ok(Ok(Claim::New(record)))
    }

    /// Nothing to count, nothing to decide: the live-meeting index alone
    /// keeps the claim unique, so creates need not queue on the tenant.
    async fn claim_unlimited(&self, new: &NewMeeting<'_>) -> Result<Claim> {
        let inserted = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO meetings (tenant_id, meeting_id, backend_id, server_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING {MEETING_COLUMNS}"
        )))
        .bind(new.tenant_id)
        .bind(new.meeting_id)
        .bind(new.backend_id)
        .bind(new.server_id)
        .bind(new.now_ms)
        .fetch_optional(&self.pool)
        .await?;
        match inserted {
            Some(row) => {
                let record = meeting_from(&row)?;
                self.live.created(&record);
                Ok(Claim::New(record))
            }
            None => self
                .live_meeting(new.tenant_id, new.meeting_id)
                .await?
                .map(Claim::Existing)
                // The rival record ended between the insert and this read.
                .ok_or_else(|| StoreError::Conflict("meeting record changed concurrently".into())),
        }
    }

    /// A tenant's live meeting: from the view of live meetings when a
    /// serving process keeps one and holds it, else from the database.
    pub async fn live_meeting(
        &self,
        tenant_id: i64,
        meeting_id: &str,
    ) -> Result<Option<MeetingRecord>> {
        if let Some(record) = self.live.get(tenant_id, meeting_id) {
            return Ok(Some(record));
        }
        let read = self.live.stamp();
        let found = live_in(&self.pool, tenant_id, meeting_id).await?;
        if let Some(record) = &found {
            self.live.fill(record, read);
        }
        Ok(found)
    }

    /// Keeps every live meeting in memory from now on (a serving process
    /// calls this once), so the hot calls read no database; see
    /// [`LiveView`].
    pub async fn keep_live_meetings(&self) -> Result<()> {
        let records = self.meetings_where("ended_at IS NULL", None).await?;
        self.live.load(&records);
        Ok(())
    }

    /// Reads every live meeting again, dropping from the view what others
    /// ended: for an instance that does not poll, until a notification
    /// channel tells it at once.
    pub async fn resync_live_meetings(&self) -> Result<()> {
        let read = self.live.stamp();
        let records = self.meetings_where("ended_at IS NULL", None).await?;
        self.live.sync(None, &records, read);
        Ok(())
    }

    /// The view of live meetings, for whatever tells it of changes made
    /// elsewhere.
    pub fn live_view(&self) -> &LiveView {
        &self.live
    }

    pub async fn live_meetings_of_tenant(&self, tenant_id: i64) -> Result<Vec<MeetingRecord>> {
        self.meetings_where(
            "tenant_id = $1 AND ended_at IS NULL ORDER BY id",
            Some(tenant_id),
        )
        .await
    }

    /// A server's live meetings, from the database; the view of live
    /// meetings is made to agree with what they say.
    pub async fn live_meetings_on_server(&self, server_id: i64) -> Result<Vec<MeetingRecord>> {
        let mut by_server = self.live_meetings_on_servers(&[server_id]).await?;
        Ok(by_server.remove(&server_id).unwrap_or_default())
    }

    /// Several servers' live meetings in one read, by server (every server
    /// asked for has an entry), from the database: meetings placed by other
    /// instances are there too. The view of live meetings is made to agree.
    pub async fn live_meetings_on_servers(
        &self,
        server_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<MeetingRecord>>> {
        let mut by_server: HashMap<i64, Vec<MeetingRecord>> =
            server_ids.iter().map(|id| (*id, Vec::new())).collect();
        if server_ids.is_empty() {
            return Ok(by_server);
        }
        let read = self.live.stamp();
        let list = (1..=server_ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings \
             WHERE server_id IN ({list}) AND ended_at IS NULL ORDER BY id"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in server_ids {
            query = query.bind(id);
        }
        let records = query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(meeting_from)
            .collect::<Result<Vec<_>>>()?;
        self.live.sync(Some(server_ids), &records, read);
        for r in records {
            by_server.entry(r.server_id).or_default().push(r);
        }
        Ok(by_server)
    }

    /// Every meeting not yet ended, oldest first, with its main room's
    /// participants and webcams at the latest poll that saw it.
    pub async fn live_meetings(&self) -> Result<Vec<LiveMeeting>> {
        // The latest sample is looked up by the tenant's samples since
        // the meeting began, which the (tenant, time) index finds.
        let latest = |column: &str| {
            format!(
                "CAST((SELECT s.{column} FROM usage_samples s WHERE s.tenant_id = m.tenant_id \
                 AND s.at >= m.created_at AND s.meeting_ref = m.id AND s.breakout = 0 \
                 ORDER BY s.at DESC, s.id DESC LIMIT 1) AS BIGINT) AS {column}"
            )
        };
        let columns = MEETING_COLUMNS
            .split(", ")
            .map(|c| format!("m.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, {}, {} FROM meetings m WHERE m.ended_at IS NULL ORDER BY m.id",
            latest("participants"),
            latest("webcams")
        );
        sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(LiveMeeting {
                    record: meeting_from(row)?,
                    participants: row.try_get::<Option<i64>, _>("participants")?.unwrap_or(0),
                    webcams: row.try_get::<Option<i64>, _>("webcams")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// Servers that ever held a meeting of the tenant: where its recordings are.
    pub async fn servers_of_tenant(&self, tenant_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT server_id FROM meetings WHERE tenant_id = $1 ORDER BY server_id",
        )
        .bind(tenant_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn meetings_where(&self, condition: &str, id: Option<i64>) -> Result<Vec<MeetingRecord>> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE {condition}");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        if let Some(id) = id {
            q = q.bind(id);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(meeting_from)
            .collect()
    }

    /// The newest record of `backend_id` on a server: which tenant's
    /// meeting a recording made there belongs to.
    pub async fn meeting_held_on(
        &self,
        server_id: i64,
        backend_id: &str,
    ) -> Result<Option<MeetingRecord>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE server_id = $1 AND backend_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT 1"
        )))
        .bind(server_id)
        .bind(backend_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(meeting_from)
        .transpose()
    }

    /// When Plenary last ended (or released) a record of `backend_id` on
    /// a server, for a meeting the server reports without a live record.
    pub async fn last_ended_on_server(
        &self,
        server_id: i64,
        backend_id: &str,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(MAX(ended_at) AS BIGINT) FROM meetings \
             WHERE server_id = $1 AND backend_id = $2 AND ended_at IS NOT NULL",
        )
        .bind(server_id)
        .bind(backend_id)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn set_meeting_internal_id(&self, id: i64, internal_id: &str) -> Result<()> {
        sqlx::query("UPDATE meetings SET internal_id = $1 WHERE id = $2")
            .bind(internal_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.live.learned_internal_id(id, internal_id);
        Ok(())
    }

    /// Marks a meeting ended; a no-op if it already was.
    pub async fn end_meeting(&self, id: i64, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE meetings SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(now_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.live.ended(id);
        Ok(())
    }

    /// Forgets the create that failed on the backend, so a retry starts afresh.
    pub async fn discard_meeting(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM meetings WHERE id = $1 AND internal_id IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.live.ended(id);
        Ok(())
    }

    /// Moves a claimed meeting that no server holds yet to another server,
    /// when the first failed its create.
    pub async fn move_meeting(&self, id: i64, server_id: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE meetings SET server_id = $1 WHERE id = $2 AND internal_id IS NULL AND ended_at IS NULL",
        )
        .bind(server_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        found(done, || format!("unconfirmed meeting record {id}"))?;
        self.live.moved(id, server_id);
        Ok(())
    }

    /// Ends every live meeting on a server declared dead (Scalelite's panic),
    /// so the next create of the same ID lands elsewhere. Returns how many.
    pub async fn release_server_meetings(&self, server_id: i64, now_ms: i64) -> Result<u64> {
        let released = sqlx::query(
            "UPDATE meetings SET ended_at = $1 WHERE server_id = $2 AND ended_at IS NULL",
        )
        .bind(now_ms)
        .bind(server_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        self.live.released(server_id);
        Ok(released)
    }
}

/// A tenant's usage, read inside the claim's transaction.
async fn tenant_usage(
    tx: &mut Transaction<'static, Any>,
    new: &NewMeeting<'_>,
) -> Result<TenantUsage> {
    let count = |n: i64| n.max(0) as u64;
    let mut usage = TenantUsage::default();
    if new.counts.meetings {
        let live: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM meetings WHERE tenant_id = $1 AND ended_at IS NULL",
        )
        .bind(new.tenant_id)
        .fetch_one(&mut **tx)
        .await?;
        usage.live_meetings = count(live);
    }
    if new.counts.participants {
        // Samples of one poll round share its time: the tenant's latest
        // round, restricted to the meetings still live.
        let live: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(s.participants), 0) AS BIGINT) FROM usage_samples s \
             JOIN meetings m ON m.id = s.meeting_ref \
             WHERE s.tenant_id = $1 AND m.ended_at IS NULL \
             AND s.at = (SELECT MAX(at) FROM usage_samples WHERE tenant_id = $2)",
        )
        .bind(new.tenant_id)
        .bind(new.tenant_id)
        .fetch_one(&mut **tx)
        .await?;
        usage.live_participants = count(live);
    }
    if new.counts.rooms {
        let rooms = sqlx::query(
            "SELECT CAST(COUNT(DISTINCT meeting_id) AS BIGINT) AS rooms, \
             CAST(COALESCE(SUM(CASE WHEN meeting_id = $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS this_room \
             FROM meetings WHERE tenant_id = $2 AND created_at >= $3",
        )
        .bind(new.meeting_id)
        .bind(new.tenant_id)
        .bind(new.rooms_since_ms)
        .fetch_one(&mut **tx)
        .await?;
        usage.rooms = count(rooms.try_get("rooms")?);
        usage.room_already_used = rooms.try_get::<i64, _>("this_room")? > 0;
    }
    Ok(usage)
}

async fn live_in<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    tenant_id: i64,
    meeting_id: &str,
) -> Result<Option<MeetingRecord>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {MEETING_COLUMNS} FROM meetings WHERE tenant_id = $1 AND meeting_id = $2 AND ended_at IS NULL"
    )))
    .bind(tenant_id)
    .bind(meeting_id)
    .fetch_optional(executor)
    .await?
    .as_ref()
    .map(meeting_from)
    .transpose()
}
