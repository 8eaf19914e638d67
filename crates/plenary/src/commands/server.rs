//! `plenary server …`

use anyhow::bail;
use serde_json::json;
use store::{Health, NewServer, Server, ServerPatch, ServerState, Store};

use super::{now_ms, operator, print_json, table};
use crate::cli::ServerCommand;

pub async fn run(store: &Store, command: ServerCommand) -> anyhow::Result<()> {
    match command {
        ServerCommand::Add {
            url,
            secret,
            weight,
            pool,
            capacity,
            algorithm,
        } => {
            let algorithm = check(&url, &secret, &algorithm, weight, capacity)?;
            let server = store
                .add_server(
                    NewServer {
                        url: &url,
                        secret: &secret,
                        algorithm: &algorithm,
                        weight,
                        pool: pool.as_deref().filter(|p| !p.is_empty()),
                        capacity,
                        health: Health::Unstable,
                    },
                    &operator()?,
                )
                .await?;
            println!(
                "Server {} added ({}); it takes meetings once the poller has seen it answer.",
                server.id, server.url
            );
        }
        ServerCommand::List(out) => {
            let servers = store.servers().await?;
            if out.json {
                print_json(&json!(servers.iter().map(server_json).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = servers
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.to_string(),
                            s.url.clone(),
                            s.state.to_string(),
                            s.health.to_string(),
                            s.load.to_string(),
                            s.meetings.to_string(),
                            s.participants.to_string(),
                            s.pool.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(
                        &[
                            "ID", "URL", "STATE", "HEALTH", "LOAD", "MEETINGS", "PEOPLE", "POOL"
                        ],
                        &rows
                    )
                );
            }
        }
        ServerCommand::Show { id, output } => {
            let s = store.server(id).await?;
            if output.json {
                print_json(&server_json(&s));
            } else {
                for (k, v) in server_json(&s).as_object().into_iter().flatten() {
                    println!(
                        "{k:>14}: {}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    );
                }
            }
        }
        ServerCommand::Enable { id } => set_state(store, id, ServerState::Enabled).await?,
        ServerCommand::Cordon { id } => set_state(store, id, ServerState::Cordoned).await?,
        ServerCommand::Disable { id } => set_state(store, id, ServerState::Disabled).await?,
        ServerCommand::Panic { id, keep_state } => {
            store.server(id).await?;
            let released = store.release_server_meetings(id, now_ms()).await?;
            if !keep_state {
                store
                    .set_server_state(id, ServerState::Disabled, &operator()?)
                    .await?;
            }
            println!(
                "Server {id}: {released} meeting(s) released; their next create lands on another server."
            );
        }
        ServerCommand::Set {
            id,
            secret,
            weight,
            pool,
            capacity,
            algorithm,
            cost,
            owner,
        } => {
            let current = store.server(id).await?;
            // Resolved before anything is written, so a bad owner changes nothing.
            let cents = match &cost {
                Some(c) => Some(super::parse_money(c)?),
                None => None,
            };
            let owner_id = match owner.as_deref() {
                Some("none") => Some(None),
                Some(name) => Some(Some(store.organisation(name).await?.id)),
                None => None,
            };
            let algorithm = check(
                &current.url,
                secret.as_deref().unwrap_or(&current.secret),
                algorithm.as_deref().unwrap_or(&current.algorithm),
                weight.unwrap_or(current.weight),
                capacity.unwrap_or(current.capacity),
            )?;
            let s = store
                .update_server(
                    id,
                    ServerPatch {
                        secret: secret.as_deref(),
                        algorithm: Some(&algorithm),
                        weight,
                        pool: pool.as_deref().map(|p| Some(p).filter(|p| !p.is_empty())),
                        capacity,
                    },
                    &operator()?,
                )
                .await?;
            if cents.is_some() || owner_id.is_some() {
                store
                    .set_server_cost(
                        id,
                        cents.unwrap_or(s.monthly_cost_cents),
                        owner_id.unwrap_or(s.owner_org_id),
                        &operator()?,
                    )
                    .await?;
            }
            println!(
                "Server {} updated: weight {}, capacity {}, pool {}.",
                s.id,
                s.weight,
                s.capacity,
                s.pool.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(())
}

/// Refuses what would make a server unusable; returns the algorithm's canonical name.
fn check(
    url: &str,
    secret: &str,
    algorithm: &str,
    weight: i64,
    capacity: i64,
) -> anyhow::Result<String> {
    let alg: bbb::Algorithm = algorithm.parse()?;
    bbb::client::Backend::new(url, secret, alg)?;
    if secret.trim().is_empty() {
        bail!("the server's secret is empty: use the value `bbb-conf --secret` prints");
    }
    if weight < 1 {
        bail!("weight must be at least 1 (got {weight})");
    }
    if capacity < 1 {
        bail!("capacity must be at least 1 participant (got {capacity})");
    }
    Ok(alg.name().to_string())
}

async fn set_state(store: &Store, id: i64, state: ServerState) -> anyhow::Result<()> {
    store.set_server_state(id, state, &operator()?).await?;
    let what = match state {
        ServerState::Enabled => "takes new meetings",
        ServerState::Cordoned => "keeps its meetings and takes no new ones",
        ServerState::Disabled => "is out of service",
    };
    println!("Server {id} {what}.");
    Ok(())
}

fn server_json(s: &Server) -> serde_json::Value {
    json!({
        "id": s.id,
        "url": s.url,
        "state": s.state.as_str(),
        "health": s.health.as_str(),
        "load": s.load,
        "meetings": s.meetings,
        "participants": s.participants,
        "weight": s.weight,
        "capacity": s.capacity,
        "pool": s.pool,
        "algorithm": s.algorithm,
        "polled_at_ms": s.polled_at,
        "monthly_cost_cents": s.monthly_cost_cents,
    })
}
