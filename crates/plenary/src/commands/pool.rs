//! `plenary pool …`

use consortium::Consortium;
use serde_json::json;

use super::{actor, print_json, table};
use crate::cli::PoolCommand;

pub async fn run(c: &Consortium, command: PoolCommand) -> anyhow::Result<()> {
    let PoolCommand::List(out) = command;
    let pools = c.pools(&actor(c).await?).await?;
    if out.json {
        print_json(&json!(
            pools
                .iter()
                .map(|p| json!({"name": p.name, "servers": p.servers, "tenants": p.tenants}))
                .collect::<Vec<_>>()
        ));
    } else {
        let rows: Vec<Vec<String>> = pools
            .iter()
            .map(|p| {
                vec![
                    p.name.clone().unwrap_or_else(|| "(shared)".into()),
                    p.servers.to_string(),
                    p.tenants.to_string(),
                ]
            })
            .collect();
        print!("{}", table(&["POOL", "SERVERS", "TENANTS"], &rows));
    }
    Ok(())
}
