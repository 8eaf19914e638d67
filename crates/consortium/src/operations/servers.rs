//! BBB servers: what operators add and change, and the switches that take
//! them in and out of service. A server's secret goes in and never comes
//! back out: the views carry everything else.

use std::collections::HashMap;

use store::{Act, Health, NewServer, Server, ServerCost, ServerPatch, ServerState};

use super::{operate, read_operations};
use crate::{Actor, Consortium, ConsortiumError, Result};

/// Weight of a server added without one.
pub const DEFAULT_WEIGHT: i64 = 1;
/// Participants a server added without a capacity is taken to carry.
pub const DEFAULT_CAPACITY: i64 = 200;
/// The checksum algorithm of calls to a server added without one.
pub const DEFAULT_ALGORITHM: bbb::Algorithm = bbb::Algorithm::Sha256;

/// A server without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerView {
    pub id: i64,
    pub url: String,
    pub algorithm: bbb::Algorithm,
    pub weight: i64,
    pub pool: Option<String>,
    pub capacity: i64,
    pub state: ServerState,
    pub health: Health,
    pub load: i64,
    pub meetings: i64,
    pub participants: i64,
    pub polled_at: Option<i64>,
    pub created_at: i64,
    pub monthly_cost_cents: i64,
    /// The organisation hosting it, credited with its cost.
    pub owner: Option<String>,
}

impl ServerView {
    fn of(s: Server, orgs: &HashMap<i64, String>) -> Self {
        Self {
            owner: s.owner_org_id.and_then(|id| orgs.get(&id).cloned()),
            id: s.id,
            url: s.url,
            algorithm: s.algorithm,
            weight: s.weight,
            pool: s.pool,
            capacity: s.capacity,
            state: s.state,
            health: s.health,
            load: s.load,
            meetings: s.meetings,
            participants: s.participants,
            polled_at: s.polled_at,
            created_at: s.created_at,
            monthly_cost_cents: s.monthly_cost_cents,
        }
    }
}

/// A server to add: its URL and `bbb-conf --secret`; what is left out
/// takes the defaults above (no pool, no cost, no host).
#[derive(Clone, Default)]
pub struct NewServerSettings {
    pub url: String,
    pub secret: String,
    pub algorithm: Option<String>,
    pub pool: Option<String>,
    pub weight: Option<i64>,
    pub capacity: Option<i64>,
    pub monthly_cost_cents: Option<i64>,
    /// The hosting organisation's name.
    pub owner: Option<String>,
}

/// What to change of a server; `None` keeps it, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct ServerChange {
    pub url: Option<String>,
    pub secret: Option<String>,
    pub algorithm: Option<String>,
    /// An empty name, like `Some(None)`, takes it out of its pool.
    pub pool: Option<Option<String>>,
    pub weight: Option<i64>,
    pub capacity: Option<i64>,
    pub monthly_cost_cents: Option<i64>,
    pub owner: Option<Option<String>>,
}

/// Refuses what would make a server unusable; answers the algorithm.
fn check(
    url: &str,
    secret: &str,
    algorithm: &str,
    weight: i64,
    capacity: i64,
    monthly_cost_cents: i64,
) -> Result<bbb::Algorithm> {
    let alg: bbb::Algorithm = algorithm.parse().map_err(ConsortiumError::invalid)?;
    bbb::client::Backend::new(url, secret, alg).map_err(ConsortiumError::invalid)?;
    if secret.trim().is_empty() {
        return Err(ConsortiumError::Invalid(
            "the server's secret is empty: use the value `bbb-conf --secret` prints".into(),
        ));
    }
    if weight < 1 {
        return Err(ConsortiumError::Invalid(format!(
            "weight must be at least 1 (got {weight})"
        )));
    }
    if capacity < 1 {
        return Err(ConsortiumError::Invalid(format!(
            "capacity must be at least 1 participant (got {capacity})"
        )));
    }
    if monthly_cost_cents < 0 {
        return Err(ConsortiumError::Invalid(
            "a server's monthly cost is never negative".into(),
        ));
    }
    Ok(alg)
}

/// A pool's name as stored: trimmed, and none when empty.
pub(super) fn pool_name(pool: Option<&str>) -> Option<&str> {
    pool.map(str::trim).filter(|p| !p.is_empty())
}

impl Consortium {
    /// The servers, for operators.
    pub async fn servers(&self, actor: &Actor) -> Result<Vec<ServerView>> {
        read_operations(actor, "servers")?;
        let orgs = self.store.organisation_names().await?;
        Ok(self
            .store
            .servers()
            .await?
            .into_iter()
            .map(|s| ServerView::of(s, &orgs))
            .collect())
    }

    /// One server, for operators.
    pub async fn server(&self, actor: &Actor, id: i64) -> Result<ServerView> {
        read_operations(actor, "servers")?;
        self.server_view(self.store.server(id).await?).await
    }

    /// Adds a server; it takes meetings once the poller has seen it answer.
    pub async fn add_server(
        &self,
        actor: &Actor,
        new: NewServerSettings,
        at_ms: i64,
    ) -> Result<ServerView> {
        operate(actor)?;
        let algorithm = new.algorithm.as_deref().unwrap_or(DEFAULT_ALGORITHM.name());
        let weight = new.weight.unwrap_or(DEFAULT_WEIGHT);
        let capacity = new.capacity.unwrap_or(DEFAULT_CAPACITY);
        let monthly_cost_cents = new.monthly_cost_cents.unwrap_or(0);
        let url = new.url.trim();
        let algorithm = check(
            url,
            &new.secret,
            algorithm,
            weight,
            capacity,
            monthly_cost_cents,
        )?;
        let owner_org_id = self.organisation_id(new.owner.as_deref()).await?;
        let server = self
            .store
            .add_server_at_cost(
                NewServer {
                    url,
                    secret: &new.secret,
                    algorithm,
                    weight,
                    pool: pool_name(new.pool.as_deref()),
                    capacity,
                    health: Health::Unstable,
                },
                ServerCost {
                    monthly_cost_cents,
                    owner_org_id,
                },
                &Act::new(actor.name(), at_ms),
            )
            .await?;
        self.server_view(server).await
    }

    /// Changes a server's settings in one audited change; running meetings
    /// stay where they are.
    pub async fn set_server(
        &self,
        actor: &Actor,
        id: i64,
        change: ServerChange,
        at_ms: i64,
    ) -> Result<ServerView> {
        operate(actor)?;
        let current = self.store.server(id).await?;
        let url = change.url.as_deref().map(str::trim);
        let algorithm = check(
            url.unwrap_or(&current.url),
            change.secret.as_deref().unwrap_or(&current.secret),
            change
                .algorithm
                .as_deref()
                .unwrap_or(current.algorithm.name()),
            change.weight.unwrap_or(current.weight),
            change.capacity.unwrap_or(current.capacity),
            change
                .monthly_cost_cents
                .unwrap_or(current.monthly_cost_cents),
        )?;
        // Resolved before anything is written, so a bad owner changes nothing.
        let owner_org_id = match &change.owner {
            Some(owner) => Some(self.organisation_id(owner.as_deref()).await?),
            None => None,
        };
        let server = self
            .store
            .update_server(
                id,
                ServerPatch {
                    url,
                    secret: change.secret.as_deref(),
                    algorithm: change.algorithm.is_some().then_some(algorithm),
                    weight: change.weight,
                    pool: change.pool.as_ref().map(|p| pool_name(p.as_deref())),
                    capacity: change.capacity,
                    monthly_cost_cents: change.monthly_cost_cents,
                    owner_org_id,
                },
                &Act::new(actor.name(), at_ms),
            )
            .await?;
        self.server_view(server).await
    }

    /// Enables, cordons or disables a server.
    pub async fn set_server_state(
        &self,
        actor: &Actor,
        id: i64,
        state: ServerState,
        at_ms: i64,
    ) -> Result<()> {
        operate(actor)?;
        Ok(self
            .store
            .set_server_state(id, state, &Act::new(actor.name(), at_ms))
            .await?)
    }

    /// Releases every meeting of a server that is failing, so their next
    /// create lands elsewhere, and disables it unless `keep_state`;
    /// answers how many meetings were released.
    pub async fn panic_server(
        &self,
        actor: &Actor,
        id: i64,
        keep_state: bool,
        at_ms: i64,
    ) -> Result<u64> {
        operate(actor)?;
        self.store.server(id).await?;
        let released = self.store.release_server_meetings(id, at_ms).await?;
        if !keep_state {
            self.store
                .set_server_state(id, ServerState::Disabled, &Act::new(actor.name(), at_ms))
                .await?;
        }
        Ok(released)
    }

    async fn server_view(&self, server: Server) -> Result<ServerView> {
        Ok(ServerView::of(
            server,
            &self.store.organisation_names().await?,
        ))
    }

    /// The id of the organisation named, when one is.
    pub(super) async fn organisation_id(&self, name: Option<&str>) -> Result<Option<i64>> {
        Ok(match name {
            Some(name) => Some(self.store.organisation(name).await?.id),
            None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_needs_an_address_a_secret_a_weight_and_a_capacity() {
        let url = "https://bbb.example/bigbluebutton/";
        assert_eq!(
            check(url, "s3cret", "SHA256", 1, 1, 0).unwrap(),
            bbb::Algorithm::Sha256
        );
        for (url, secret, alg, weight, capacity, cost) in [
            ("ftp://bbb.example", "s3cret", "sha256", 1, 1, 0),
            (url, " ", "sha256", 1, 1, 0),
            (url, "s3cret", "md5", 1, 1, 0),
            (url, "s3cret", "sha256", 0, 1, 0),
            (url, "s3cret", "sha256", 1, 0, 0),
            (url, "s3cret", "sha256", 1, 1, -1),
        ] {
            assert!(
                matches!(
                    check(url, secret, alg, weight, capacity, cost),
                    Err(ConsortiumError::Invalid(_))
                ),
                "{url} {secret:?} {alg} {weight} {capacity} {cost}"
            );
        }
    }

    #[test]
    fn an_empty_pool_name_is_no_pool() {
        assert_eq!(pool_name(Some(" eu ")), Some("eu"));
        assert_eq!(pool_name(Some("  ")), None);
        assert_eq!(pool_name(None), None);
    }
}
