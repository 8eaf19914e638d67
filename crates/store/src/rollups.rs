//! Hourly rollups of metered use, and the pruning of the raw samples they
//! replace.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{INSERT_BATCH, Result, Store, placeholders};

/// One hour of use along one dimension for one key. Integrals are in
/// count·milliseconds, traffic in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rollup {
    pub hour_ms: i64,
    pub dim: String,
    pub key: String,
    pub meetings: i64,
    pub meeting_ms: i64,
    pub participant_ms: i64,
    pub mic_ms: i64,
    pub listen_only_ms: i64,
    pub webcam_ms: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub peak_participants: i64,
    pub peak_meetings: i64,
}

const MEASURES: [&str; 10] = [
    "meetings",
    "meeting_ms",
    "participant_ms",
    "mic_ms",
    "listen_only_ms",
    "webcam_ms",
    "bytes_in",
    "bytes_out",
    "peak_participants",
    "peak_meetings",
];

/// Columns of one inserted row: hour, dim, key and the measures.
const COLUMNS: usize = 3 + MEASURES.len();

const SELECT_ROLLUPS: &str = "SELECT hour, dim, key, meetings, meeting_ms, participant_ms, mic_ms, \
     listen_only_ms, webcam_ms, bytes_in, bytes_out, peak_participants, peak_meetings FROM usage_rollups";

/// Keys bound in one query, well under both backends' limits on parameters.
const KEYS_PER_QUERY: usize = 200;

fn rollup_from(r: &AnyRow) -> Result<Rollup> {
    Ok(Rollup {
        hour_ms: r.try_get("hour")?,
        dim: r.try_get("dim")?,
        key: r.try_get("key")?,
        meetings: r.try_get("meetings")?,
        meeting_ms: r.try_get("meeting_ms")?,
        participant_ms: r.try_get("participant_ms")?,
        mic_ms: r.try_get("mic_ms")?,
        listen_only_ms: r.try_get("listen_only_ms")?,
        webcam_ms: r.try_get("webcam_ms")?,
        bytes_in: r.try_get("bytes_in")?,
        bytes_out: r.try_get("bytes_out")?,
        peak_participants: r.try_get("peak_participants")?,
        peak_meetings: r.try_get("peak_meetings")?,
    })
}

impl Store {
    /// Hours before this time are rolled up (0: none yet).
    pub async fn rolled_to(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT rolled_to FROM rollup_state WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The time of the first sample at or after `from_ms`, to skip idle hours.
    pub async fn next_sample_at(&self, from_ms: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT CAST(MIN(at) AS BIGINT) FROM usage_samples WHERE at >= $1")
                .bind(from_ms)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Replaces the rollups of `[from_ms, rolled_to)` with `rows` and moves
    /// the mark, in one transaction: rolling an hour up twice gives the
    /// same rows, never double counts.
    pub async fn save_rollups(&self, from_ms: i64, rolled_to: i64, rows: &[Rollup]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM usage_rollups WHERE hour >= $1 AND hour < $2")
            .bind(from_ms)
            .bind(rolled_to)
            .execute(&mut *tx)
            .await?;
        // Many rows per statement: one per row would dominate a month's rollup.
        for chunk in rows.chunks(INSERT_BATCH) {
            let sql = format!(
                "INSERT INTO usage_rollups (hour, dim, key, {}) VALUES {}",
                MEASURES.join(", "),
                placeholders(chunk.len(), COLUMNS)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                query = query
                    .bind(r.hour_ms)
                    .bind(&r.dim)
                    .bind(&r.key)
                    .bind(r.meetings)
                    .bind(r.meeting_ms)
                    .bind(r.participant_ms)
                    .bind(r.mic_ms)
                    .bind(r.listen_only_ms)
                    .bind(r.webcam_ms)
                    .bind(r.bytes_in)
                    .bind(r.bytes_out)
                    .bind(r.peak_participants)
                    .bind(r.peak_meetings);
            }
            query.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE rollup_state SET rolled_to = $1 WHERE id = 1 AND rolled_to < $1")
            .bind(rolled_to)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One dimension's hourly rows in `[from_ms, to_ms)`, by hour then key.
    pub async fn rollups(&self, dim: &str, from_ms: i64, to_ms: i64) -> Result<Vec<Rollup>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_ROLLUPS} WHERE dim = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, key"
        )))
        .bind(dim)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rollup_from)
        .collect()
    }

    /// The hourly rows of some keys of one dimension (an organisation's
    /// tenants) in `[from_ms, to_ms)`, by hour then key: what one page
    /// needs, without reading every other key's hours.
    pub async fn rollups_of(
        &self,
        dim: &str,
        keys: &[String],
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Rollup>> {
        let mut rows = Vec::new();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let list: Vec<String> = (4..4 + chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "{SELECT_ROLLUPS} WHERE dim = $1 AND hour >= $2 AND hour < $3 AND key IN ({}) ORDER BY hour, key",
                list.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(dim)
                .bind(from_ms)
                .bind(to_ms);
            for key in chunk {
                query = query.bind(key);
            }
            for r in query.fetch_all(&self.pool).await?.iter() {
                rows.push(rollup_from(r)?);
            }
        }
        if keys.len() > KEYS_PER_QUERY {
            rows.sort_by(|a, b| (a.hour_ms, &a.key).cmp(&(b.hour_ms, &b.key)));
        }
        Ok(rows)
    }

    /// One dimension's use in `[from_ms, to_ms)` summed per key by the
    /// database (peaks take the largest hour), so a month costs one row per
    /// key whatever its length. `hour_ms` of the answer is `from_ms`.
    pub async fn rollup_totals(&self, dim: &str, from_ms: i64, to_ms: i64) -> Result<Vec<Rollup>> {
        let sums: Vec<String> = MEASURES
            .iter()
            .map(|m| {
                let f = if m.starts_with("peak_") { "MAX" } else { "SUM" };
                format!("CAST({f}({m}) AS BIGINT) AS {m}")
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST($2 AS BIGINT) AS hour, dim, key, {} \
             FROM usage_rollups WHERE dim = $1 AND hour >= $2 AND hour < $3 GROUP BY dim, key ORDER BY key",
            sums.join(", ")
        )))
        .bind(dim)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rollup_from)
        .collect()
    }

    /// Deletes raw samples before `before_ms`, never any not yet rolled up.
    pub async fn prune_samples(&self, before_ms: i64) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM usage_samples WHERE at < $1 AND at < (SELECT rolled_to FROM rollup_state WHERE id = 1)",
        )
        .bind(before_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
