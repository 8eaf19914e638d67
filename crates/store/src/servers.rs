//! BBB servers: what operators configure, and what the poller last saw.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use bbb::Algorithm;
use serde_json::json;

use crate::audit::{Act, Change, fingerprint};
use crate::{Result, Store, StoreError, found};

/// What operators decide: new meetings go to `Enabled` servers only;
/// `Cordoned` servers keep their running meetings; `Disabled` ones get no calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerState {
    Enabled,
    Cordoned,
    Disabled,
}

/// What the poller observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    Up,
    Unstable,
    Down,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident => $s:literal),* }) => {
        impl $t {
            pub const ALL: &'static [Self] = &[$(Self::$v),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
text_enum!(ServerState { Enabled => "enabled", Cordoned => "cordoned", Disabled => "disabled" });
text_enum!(Health { Up => "up", Unstable => "unstable", Down => "down" });

#[derive(Clone, PartialEq, Eq)]
pub struct Server {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub algorithm: Algorithm,
    pub weight: i64,
    pub pool: Option<String>,
    /// Participants the operator says the server can carry.
    pub capacity: i64,
    pub state: ServerState,
    pub health: Health,
    pub load: i64,
    pub meetings: i64,
    pub participants: i64,
    pub polled_at: Option<i64>,
    pub created_at: i64,
    pub monthly_cost_cents: i64,
    /// The organisation that hosts the server, credited with its cost.
    pub owner_org_id: Option<i64>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("secret", &"***")
            .field("state", &self.state)
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct NewServer<'a> {
    pub url: &'a str,
    pub secret: &'a str,
    pub algorithm: Algorithm,
    pub weight: i64,
    pub pool: Option<&'a str>,
    pub capacity: i64,
    /// New servers start unstable until the poller has seen them answer.
    pub health: Health,
}

/// What a server costs a month, and the organisation hosting it, which
/// is credited with that cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerCost {
    pub monthly_cost_cents: i64,
    pub owner_org_id: Option<i64>,
}

/// Fields an operator may change on an existing server; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct ServerPatch<'a> {
    pub url: Option<&'a str>,
    pub secret: Option<&'a str>,
    pub algorithm: Option<Algorithm>,
    pub weight: Option<i64>,
    /// `Some(None)` clears the pool.
    pub pool: Option<Option<&'a str>>,
    pub capacity: Option<i64>,
    pub monthly_cost_cents: Option<i64>,
    /// `Some(None)`: no organisation hosts it.
    pub owner_org_id: Option<Option<i64>>,
}

/// One poll's outcome for one server.
#[derive(Debug, Clone, Copy)]
pub struct ServerPoll {
    pub health: Health,
    pub load: i64,
    pub meetings: i64,
    pub participants: i64,
    pub at_ms: i64,
}

const SERVER_COLUMNS: &str = "id, url, secret, algorithm, weight, pool, capacity, state, health, load, meetings, participants, polled_at, created_at, monthly_cost_cents, owner_org_id";

/// A stored word of row `servers` `id` that is none of `words`' names:
/// the row is corrupt, and the error names it.
fn word<T: Copy>(
    row: &AnyRow,
    id: i64,
    column: &str,
    words: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T> {
    let stored: String = row.try_get(column)?;
    words
        .iter()
        .copied()
        .find(|w| name(*w) == stored)
        .ok_or_else(|| StoreError::Corrupt(format!("server {id}: {column} {stored:?}")))
}

fn server_from(row: &AnyRow) -> Result<Server> {
    let id = row.try_get("id")?;
    Ok(Server {
        id,
        url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        algorithm: word(row, id, "algorithm", &Algorithm::ALL, Algorithm::name)?,
        weight: row.try_get("weight")?,
        pool: row.try_get("pool")?,
        capacity: row.try_get("capacity")?,
        state: word(row, id, "state", ServerState::ALL, ServerState::as_str)?,
        health: word(row, id, "health", Health::ALL, Health::as_str)?,
        load: row.try_get("load")?,
        meetings: row.try_get("meetings")?,
        participants: row.try_get("participants")?,
        polled_at: row.try_get("polled_at")?,
        created_at: row.try_get("created_at")?,
        monthly_cost_cents: row.try_get("monthly_cost_cents")?,
        owner_org_id: row.try_get("owner_org_id")?,
    })
}

impl Store {
    pub async fn add_server(&self, new: NewServer<'_>, act: &Act) -> Result<Server> {
        self.add_server_at_cost(new, ServerCost::default(), act)
            .await
    }

    /// Adds a server with its cost and host in one audited change.
    pub async fn add_server_at_cost(
        &self,
        new: NewServer<'_>,
        cost: ServerCost,
        act: &Act,
    ) -> Result<Server> {
        let mut tx = self.begin_audited().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO servers (url, secret, algorithm, weight, pool, capacity, state, health, created_at, \
             monthly_cost_cents, owner_org_id) \
             VALUES ($1, $2, $3, $4, $5, $6, 'enabled', $7, $8, $9, $10) RETURNING {SERVER_COLUMNS}"
        )))
        .bind(new.url)
        .bind(new.secret)
        .bind(new.algorithm.name())
        .bind(new.weight)
        .bind(new.pool)
        .bind(new.capacity)
        .bind(new.health.as_str())
        .bind(act.at_ms)
        .bind(cost.monthly_cost_cents)
        .bind(cost.owner_org_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("server {}", new.url)))?;
        let server = server_from(&row)?;
        let change = Change {
            kind: "server.add",
            subject: server_subject(server.id),
            detail: json!({"url": new.url, "secret": fingerprint(new.secret), "algorithm": new.algorithm.name(),
                "weight": new.weight, "pool": new.pool, "capacity": new.capacity,
                "monthly_cost_cents": cost.monthly_cost_cents, "owner_org_id": cost.owner_org_id}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(server)
    }

    pub async fn servers(&self) -> Result<Vec<Server>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {SERVER_COLUMNS} FROM servers ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(server_from)
        .collect()
    }

    pub async fn server(&self, id: i64) -> Result<Server> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SERVER_COLUMNS} FROM servers WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("server {id}")))?;
        server_from(&row)
    }

    pub async fn set_server_state(&self, id: i64, state: ServerState, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query("UPDATE servers SET state = $1 WHERE id = $2")
            .bind(state.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        found(done, || format!("server {id}"))?;
        let change = Change {
            kind: "server.state",
            subject: server_subject(id),
            detail: json!({"state": state.as_str()}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// Changes what the patch names in one audited change.
    pub async fn update_server(
        &self,
        id: i64,
        patch: ServerPatch<'_>,
        act: &Act,
    ) -> Result<Server> {
        let mut tx = self.begin_audited().await?;
        let current = self.server(id).await?;
        let url = patch.url.unwrap_or(&current.url);
        sqlx::query(
            "UPDATE servers SET url = $1, secret = $2, algorithm = $3, weight = $4, pool = $5, capacity = $6, \
             monthly_cost_cents = $7, owner_org_id = $8 WHERE id = $9",
        )
        .bind(url)
        .bind(patch.secret.unwrap_or(&current.secret))
        .bind(patch.algorithm.unwrap_or(current.algorithm).name())
        .bind(patch.weight.unwrap_or(current.weight))
        .bind(patch.pool.unwrap_or(current.pool.as_deref()))
        .bind(patch.capacity.unwrap_or(current.capacity))
        .bind(patch.monthly_cost_cents.unwrap_or(current.monthly_cost_cents))
        .bind(patch.owner_org_id.unwrap_or(current.owner_org_id))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("server {url}")))?;
        let change = Change {
            kind: "server.update",
            subject: server_subject(id),
            detail: json!({"url": patch.url, "secret": patch.secret.map(fingerprint),
                "algorithm": patch.algorithm.map(Algorithm::name), "weight": patch.weight, "pool": patch.pool,
                "capacity": patch.capacity, "monthly_cost_cents": patch.monthly_cost_cents,
                "owner_org_id": patch.owner_org_id}),
        };
        Self::commit_audited(tx, act, change).await?;
        self.server(id).await
    }

    pub async fn record_server_poll(&self, id: i64, poll: ServerPoll) -> Result<()> {
        update_poll(&self.pool, id, &poll).await
    }
}

pub(crate) async fn update_poll<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: i64,
    poll: &ServerPoll,
) -> Result<()> {
    sqlx::query(
        "UPDATE servers SET health = $1, load = $2, meetings = $3, participants = $4, polled_at = $5 WHERE id = $6",
    )
    .bind(poll.health.as_str())
    .bind(poll.load)
    .bind(poll.meetings)
    .bind(poll.participants)
    .bind(poll.at_ms)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(())
}

/// How the audit log names a server.
pub(crate) fn server_subject(id: i64) -> String {
    format!("server:{id}")
}
