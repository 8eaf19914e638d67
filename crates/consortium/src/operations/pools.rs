//! Pools: names that servers and tenants share, not records of their own.
//! A tenant pinned to a pool has its meetings on that pool's servers; the
//! others share the servers in no pool.

use std::collections::BTreeMap;

use super::read_operations;
use crate::{Actor, Consortium, Result};

/// One pool, or with no name the shared servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    pub name: Option<String>,
    pub servers: u64,
    pub tenants: u64,
}

/// Every pool that a server or a tenant names, the shared one first.
fn pools_of<'a>(
    servers: impl IntoIterator<Item = Option<&'a str>>,
    tenants: impl IntoIterator<Item = Option<&'a str>>,
) -> Vec<Pool> {
    let mut pools: BTreeMap<Option<&str>, (u64, u64)> = BTreeMap::new();
    for name in servers {
        pools.entry(name).or_default().0 += 1;
    }
    for name in tenants {
        pools.entry(name).or_default().1 += 1;
    }
    pools
        .into_iter()
        .map(|(name, (servers, tenants))| Pool {
            name: name.map(str::to_string),
            servers,
            tenants,
        })
        .collect()
}

impl Consortium {
    /// The pools with how many servers and tenants each has, for operators.
    pub async fn pools(&self, actor: &Actor) -> Result<Vec<Pool>> {
        read_operations(actor, "pools")?;
        let servers = self.store.servers().await?;
        let tenants = self.store.tenants().await?;
        Ok(pools_of(
            servers.iter().map(|s| s.pool.as_deref()),
            tenants.iter().map(|t| t.pool.as_deref()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(name: Option<&str>, servers: u64, tenants: u64) -> Pool {
        Pool {
            name: name.map(str::to_string),
            servers,
            tenants,
        }
    }

    #[test]
    fn pools_count_their_servers_and_tenants_with_the_shared_servers_first() {
        let pools = pools_of(
            [Some("eu"), None, Some("eu"), Some("b")],
            [None, None, Some("eu"), Some("empty")],
        );
        assert_eq!(
            pools,
            [
                pool(None, 1, 2),
                pool(Some("b"), 1, 0),
                pool(Some("empty"), 0, 1),
                pool(Some("eu"), 2, 1),
            ]
        );
    }
}
