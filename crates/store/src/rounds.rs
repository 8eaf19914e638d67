//! What one server's poll writes: the meetings it no longer runs, the
//! internal IDs it taught, its usage samples and its health, in one
//! transaction, so a round cut short leaves each server recorded whole or
//! not at all.

use crate::samples::insert_samples_in;
use crate::{Result, ServerPoll, Store, UsageSample};

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
        let mut tx = self.pool.begin().await?;
        for id in round.ended {
            sqlx::query("UPDATE meetings SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
                .bind(round.poll.at_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
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
        tx.commit().await?;
        for id in round.ended {
            self.live.ended(*id);
        }
        for (id, internal_id) in round.internal_ids {
            self.live.learned_internal_id(*id, internal_id);
        }
        Ok(())
    }
}
