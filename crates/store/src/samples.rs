//! Usage samples: one row per meeting per poll, the raw material of metering.

use std::sync::LazyLock;

use sqlx::{Any, Transaction};

use crate::{INSERT_BATCH, Result, Store, flag, placeholders};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageSample {
    pub at_ms: i64,
    /// The gateway's meeting record, when the meeting is one of ours.
    pub meeting_ref: Option<i64>,
    pub tenant_id: i64,
    pub server_id: i64,
    pub backend_id: String,
    /// `bbb-origin-server-name` metadata: which front end of the tenant.
    pub origin: Option<String>,
    pub participants: i64,
    pub moderators: i64,
    pub mic: i64,
    pub listen_only: i64,
    pub webcams: i64,
    pub breakout: bool,
}

/// What the fleet's live figures need of one meeting in a poll round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundMeeting {
    pub server_id: i64,
    pub participants: i64,
    pub moderators: i64,
    pub mic: i64,
    pub listen_only: i64,
    pub webcams: i64,
}

impl Store {
    /// Each meeting of the newest poll round in `[from_ms, to_ms)` (a round
    /// shares one timestamp), none without one: the counts alone, found by
    /// the index on time, whatever else the window holds.
    pub async fn last_round(&self, from_ms: i64, to_ms: i64) -> Result<Vec<RoundMeeting>> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT server_id, participants, moderators, mic, listen_only, webcams FROM usage_samples \
             WHERE at = (SELECT MAX(at) FROM usage_samples WHERE at >= $1 AND at < $2)",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RoundMeeting {
                    server_id: r.try_get("server_id")?,
                    participants: r.try_get("participants")?,
                    moderators: r.try_get("moderators")?,
                    mic: r.try_get("mic")?,
                    listen_only: r.try_get("listen_only")?,
                    webcams: r.try_get("webcams")?,
                })
            })
            .collect()
    }

    /// Stores one poll's samples atomically: a poll is recorded whole or not at all.
    pub async fn insert_samples(&self, samples: &[UsageSample]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_samples_in(&mut tx, samples).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A tenant's samples in `[from_ms, to_ms)`, oldest first.
    pub async fn samples_of_tenant(
        &self,
        tenant_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<UsageSample>> {
        self.samples_where("tenant_id = $3 AND", from_ms, to_ms, Some(tenant_id))
            .await
    }

    /// Every tenant's samples in `[from_ms, to_ms)`, oldest first.
    pub async fn samples_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<UsageSample>> {
        self.samples_where("", from_ms, to_ms, None).await
    }

    async fn samples_where(
        &self,
        condition: &str,
        from_ms: i64,
        to_ms: i64,
        tenant_id: Option<i64>,
    ) -> Result<Vec<UsageSample>> {
        use sqlx::Row;
        let sql = format!(
            "SELECT at, meeting_ref, tenant_id, server_id, backend_id, origin, participants, moderators, \
             mic, listen_only, webcams, breakout FROM usage_samples \
             WHERE {condition} at >= $1 AND at < $2 ORDER BY at, id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(from_ms)
            .bind(to_ms);
        if let Some(t) = tenant_id {
            query = query.bind(t);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(UsageSample {
                    at_ms: r.try_get("at")?,
                    meeting_ref: r.try_get("meeting_ref")?,
                    tenant_id: r.try_get("tenant_id")?,
                    server_id: r.try_get("server_id")?,
                    backend_id: r.try_get("backend_id")?,
                    origin: r.try_get("origin")?,
                    participants: r.try_get("participants")?,
                    moderators: r.try_get("moderators")?,
                    mic: r.try_get("mic")?,
                    listen_only: r.try_get("listen_only")?,
                    webcams: r.try_get("webcams")?,
                    breakout: r.try_get::<i64, _>("breakout")? != 0,
                })
            })
            .collect()
    }
}

const SAMPLE_COLUMNS: usize = 12;

fn insert_sql(rows: usize) -> String {
    format!(
        "INSERT INTO usage_samples (at, meeting_ref, tenant_id, server_id, backend_id, origin, \
         participants, moderators, mic, listen_only, webcams, breakout) VALUES {}",
        placeholders(rows, SAMPLE_COLUMNS)
    )
}

/// The statement of a full batch, built once: a round of 100,000 meetings
/// sends thousands of them.
static FULL_BATCH: LazyLock<String> = LazyLock::new(|| insert_sql(INSERT_BATCH));

/// Inserts samples in multi-row statements inside the caller's transaction.
pub(crate) async fn insert_samples_in(
    tx: &mut Transaction<'static, Any>,
    samples: &[UsageSample],
) -> Result<()> {
    for chunk in samples.chunks(INSERT_BATCH) {
        let sql = if chunk.len() == INSERT_BATCH {
            FULL_BATCH.clone()
        } else {
            insert_sql(chunk.len())
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in chunk {
            query = query
                .bind(s.at_ms)
                .bind(s.meeting_ref)
                .bind(s.tenant_id)
                .bind(s.server_id)
                .bind(&s.backend_id)
                .bind(s.origin.as_deref())
                .bind(s.participants)
                .bind(s.moderators)
                .bind(s.mic)
                .bind(s.listen_only)
                .bind(s.webcams)
                .bind(flag(s.breakout));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
