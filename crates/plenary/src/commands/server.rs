//! `plenary server …`

use consortium::{Consortium, NewServerSettings, ServerChange, ServerView};
use serde_json::json;
use store::ServerState;

use super::{actor, clearable, now_ms, parse_money, print_json, table};
use crate::cli::{ServerCommand, ServerSettings};

pub async fn run(c: &Consortium, command: ServerCommand) -> anyhow::Result<()> {
    let actor = actor(c).await?;
    match command {
        ServerCommand::Add {
            url,
            secret,
            settings,
        } => {
            let server = c
                .add_server(
                    &actor,
                    NewServerSettings {
                        url,
                        secret,
                        algorithm: settings.algorithm,
                        pool: settings.pool,
                        weight: settings.weight,
                        capacity: settings.capacity,
                        monthly_cost_cents: cents(settings.cost.as_deref())?,
                        owner: clearable(settings.owner).flatten(),
                    },
                    now_ms(),
                )
                .await?;
            println!(
                "Server {} added ({}); it takes meetings once the poller has seen it answer.",
                server.id, server.url
            );
        }
        ServerCommand::List(out) => {
            let servers = c.servers(&actor).await?;
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
            let s = c.server(&actor, id).await?;
            if output.json {
                print_json(&server_json(&s));
            } else {
                for (k, v) in server_json(&s).as_object().into_iter().flatten() {
                    println!(
                        "{k:>18}: {}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    );
                }
            }
        }
        ServerCommand::Enable { id } => set_state(c, &actor, id, ServerState::Enabled).await?,
        ServerCommand::Cordon { id } => set_state(c, &actor, id, ServerState::Cordoned).await?,
        ServerCommand::Disable { id } => set_state(c, &actor, id, ServerState::Disabled).await?,
        ServerCommand::Panic { id, keep_state } => {
            let released = c.panic_server(&actor, id, keep_state, now_ms()).await?;
            println!(
                "Server {id}: {released} meeting(s) released; their next create lands on another server."
            );
        }
        ServerCommand::Set {
            id,
            url,
            secret,
            settings,
        } => {
            let s = c
                .set_server(&actor, id, change(url, secret, settings)?, now_ms())
                .await?;
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

fn cents(cost: Option<&str>) -> anyhow::Result<Option<i64>> {
    cost.map(parse_money).transpose()
}

fn change(
    url: Option<String>,
    secret: Option<String>,
    settings: ServerSettings,
) -> anyhow::Result<ServerChange> {
    Ok(ServerChange {
        url,
        secret,
        algorithm: settings.algorithm,
        pool: clearable(settings.pool),
        weight: settings.weight,
        capacity: settings.capacity,
        monthly_cost_cents: cents(settings.cost.as_deref())?,
        owner: clearable(settings.owner),
    })
}

async fn set_state(
    c: &Consortium,
    actor: &consortium::Actor,
    id: i64,
    state: ServerState,
) -> anyhow::Result<()> {
    c.set_server_state(actor, id, state, now_ms()).await?;
    let what = match state {
        ServerState::Enabled => "takes new meetings",
        ServerState::Cordoned => "keeps its meetings and takes no new ones",
        ServerState::Disabled => "is out of service",
    };
    println!("Server {id} {what}.");
    Ok(())
}

/// Everything but the secret, which is never shown after it is added.
fn server_json(s: &ServerView) -> serde_json::Value {
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
        "algorithm": s.algorithm.name(),
        "polled_at_ms": s.polled_at,
        "monthly_cost_cents": s.monthly_cost_cents,
        "owner": s.owner,
    })
}
