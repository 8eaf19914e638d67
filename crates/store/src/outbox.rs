//! Messages to the outside world (mail, the forum), kept until sent. A
//! worker takes the due ones, and either marks them sent or puts them back
//! with a later time; nothing a decision needs waits on them.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    /// `mail` or `forum`.
    pub channel: String,
    pub key: String,
    /// JSON, as the sender needs it.
    pub payload: String,
    pub attempts: i64,
    pub last_error: String,
}

fn message_from(r: &AnyRow) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        channel: r.try_get("channel")?,
        key: r.try_get("key")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
    })
}

impl Store {
    /// Queues a message once: a second call with the same key is a no-op
    /// (so retrying the step that queues it never sends twice). True when queued.
    pub async fn enqueue(
        &self,
        channel: &str,
        key: &str,
        payload: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO outbox (channel, key, payload, created_at, attempts, next_at, last_error) \
             VALUES ($1, $2, $3, $4, 0, $4, '') ON CONFLICT (key) DO NOTHING",
        )
        .bind(channel)
        .bind(key)
        .bind(payload)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Unsent messages due by `now_ms`, oldest first.
    pub async fn due_messages(&self, now_ms: i64, limit: i64) -> Result<Vec<OutboxMessage>> {
        sqlx::query(
            "SELECT id, channel, key, payload, attempts, last_error FROM outbox \
             WHERE done_at IS NULL AND next_at <= $1 ORDER BY next_at, id LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(message_from)
        .collect()
    }

    pub async fn message_sent(&self, id: i64, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET done_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2")
            .bind(now_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt; `retry_at` of `None` gives up for good.
    pub async fn message_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_at = COALESCE($2, next_at), \
             done_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END WHERE id = $4",
        )
        .bind(error)
        .bind(retry_at)
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Messages that failed for good or are still retrying, for operators.
    pub async fn failing_messages(&self) -> Result<Vec<OutboxMessage>> {
        sqlx::query(
            "SELECT id, channel, key, payload, attempts, last_error FROM outbox \
             WHERE last_error <> '' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(message_from)
        .collect()
    }

    /// The forum topic that mirrors a proposal, as `(topic id, url)`.
    pub async fn forum_topic(&self, proposal_id: i64) -> Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT topic_id, url FROM forum_topics WHERE proposal_id = $1")
            .bind(proposal_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("topic_id")?, r.try_get("url")?)))
            .transpose()
    }

    pub async fn set_forum_topic(&self, proposal_id: i64, topic_id: i64, url: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO forum_topics (proposal_id, topic_id, url) VALUES ($1, $2, $3) \
             ON CONFLICT (proposal_id) DO UPDATE SET topic_id = excluded.topic_id, url = excluded.url",
        )
        .bind(proposal_id)
        .bind(topic_id)
        .bind(url)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
