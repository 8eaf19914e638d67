//! Load reserved on servers by creates, shared by every instance on
//! PostgreSQL: choosing a server and reserving load on it happen under one
//! advisory transaction lock per pool, so two instances placing at once see
//! each other's reservations instead of both taking the lightest server.
//! A poll of a server settles (deletes) the reservations it has counted.

use crate::{Backend, Result, Store};

/// A server's load as every instance sees it: what its last poll counted
/// plus what creates reserved since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedLoad {
    pub server_id: i64,
    pub load: i64,
}

/// A reservation taken by [`Store::reserve_shared`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    pub id: i64,
    pub server_id: i64,
}

/// Distinguishes placement locks from the roles' session locks, which use
/// the single-key form of advisory locks (another key space).
const PLACEMENT_LOCK_CLASS: i32 = 0x504c_4143; // "PLAC"

impl Store {
    /// Under the lock of `pool` (`None`: the servers in no pool), reads
    /// every server's shared load, lets `choose` pick one (or none), and
    /// reserves `cost` on it at `at_ms`, all in one transaction.
    pub async fn reserve_shared(
        &self,
        pool: Option<&str>,
        cost: i64,
        at_ms: i64,
        choose: impl FnOnce(&[SharedLoad]) -> Option<i64> + Send,
    ) -> Result<Option<Reservation>> {
        let mut tx = self.pool.begin().await?;
        let lock = pool.map_or_else(|| "shared".to_string(), |p| format!("pool:{p}"));
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind(PLACEMENT_LOCK_CLASS)
            .bind(lock)
            .execute(&mut *tx)
            .await?;
        let loads: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT s.id, CAST(s.load + COALESCE(r.reserved, 0) AS BIGINT) FROM servers s \
             LEFT JOIN (SELECT server_id, SUM(cost) AS reserved FROM server_reservations GROUP BY server_id) r \
             ON r.server_id = s.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let loads: Vec<SharedLoad> = loads
            .into_iter()
            .map(|(server_id, load)| SharedLoad { server_id, load })
            .collect();
        let Some(server_id) = choose(&loads) else {
            return Ok(None);
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO server_reservations (server_id, cost, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(server_id)
        .bind(cost)
        .bind(at_ms)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Reservation { id, server_id }))
    }

    /// Gives back a reservation whose create did not happen.
    pub async fn cancel_reservation(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM server_reservations WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Deletes a server's reservations taken before `before_ms`, which its
/// poll has counted; a no-op on SQLite, where reservations stay in memory.
pub(crate) async fn settle_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    server_id: i64,
    before_ms: i64,
) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("DELETE FROM server_reservations WHERE server_id = $1 AND at < $2")
            .bind(server_id)
            .bind(before_ms)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
