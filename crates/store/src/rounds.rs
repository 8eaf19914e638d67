//! What one server's poll writes: the meetings it no longer runs, the
//! internal IDs it taught, its usage samples and its health, in one
//! transaction (with other servers' polls, or alone), so a round cut short
//! leaves each server recorded whole or not at all.

use crate::samples::insert_samples_in;
use crate::{Result, ServerPoll, Store, UsageSample};

/// Records ended by one statement: well under either backend's limit on
/// bound parameters.
const ENDED_BATCH: usize = 500;

/// One server's answer to one poll, as the poller decided it.
#[derive(Debug, Clone)]
pub struct ServerRound<'a> {
    pub server_id: i64,
    /// Records the server no longer runs: ended at `poll.at_ms`.
    pub ended: &'a [i64],
    /// (record, BBB's internal meeting ID) learned from the answer.
    pub internal_ids: &'a [(i64, String)],
    pub samples: &'a [UsageSample],
    pub poll: ServerPoll,
    /// Reservations taken before this are counted in the poll's load, and
    /// settled.
    pub settled_before_ms: i64,
}

impl Store {
    pub async fn record_server_round(&self, round: ServerRound<'_>) -> Result<()> {
        self.record_server_rounds(std::slice::from_ref(&round))
            .await
    }

    /// Several servers' polls in one transaction: all are recorded or none
    /// is, so a caller that sees it fail can record each alone.
    pub async fn record_server_rounds(&self, rounds: &[ServerRound<'_>]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for round in rounds {
            for ids in round.ended.chunks(ENDED_BATCH) {
                let list = (2..ids.len() + 2)
                    .map(|n| format!("${n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "UPDATE meetings SET ended_at = $1 WHERE ended_at IS NULL AND id IN ({list})"
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round.poll.at_ms);
                for id in ids {
                    query = query.bind(id);
                }
                query.execute(&mut *tx).await?;
            }
            for (id, internal_id) in round.internal_ids {
                sqlx::query("UPDATE meetings SET internal_id = $1 WHERE id = $2")
                    .bind(internal_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_samples_in(&mut tx, round.samples).await?;
            crate::servers::update_poll(&mut *tx, round.server_id, &round.poll).await?;
            crate::reservations::settle_in(
                &mut tx,
                self.backend,
                round.server_id,
                round.settled_before_ms,
            )
            .await?;
        }
        tx.commit().await?;
        for round in rounds {
            for id in round.ended {
                self.live.ended(*id);
            }
            for (id, internal_id) in round.internal_ids {
                self.live.learned_internal_id(*id, internal_id);
            }
        }
        Ok(())
    }
}
