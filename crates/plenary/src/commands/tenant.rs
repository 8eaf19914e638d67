//! `plenary tenant …`

use anyhow::{Context, bail};
use gateway::namespace::TenantName;
use serde_json::json;
use store::{NewTenant, Store, Tenant};

use super::{fingerprint, generate_secret, now_ms, print_json, table};
use crate::cli::TenantCommand;

pub async fn run(store: &Store, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Add {
            name,
            secret,
            host,
            pool,
        } => {
            let name = TenantName::parse(&name).map_err(anyhow::Error::msg)?;
            let generated = secret.is_none();
            let secret = secret.unwrap_or_else(generate_secret);
            check_secret(&secret)?;
            let tenant = store
                .create_tenant(NewTenant {
                    name: name.as_str(),
                    host: host.as_deref().map(str::to_ascii_lowercase).as_deref(),
                    pool: pool.as_deref(),
                    secret: &secret,
                    now_ms: now_ms(),
                })
                .await?;
            println!("Tenant {} created.", tenant.name);
            println!("  API endpoint path: /t/{}/bigbluebutton/api/", tenant.name);
            if generated {
                println!("  Secret (shown once, store it now): {secret}");
            }
        }
        TenantCommand::List(out) => {
            let tenants = store.tenants().await?;
            if out.json {
                print_json(&json!(tenants.iter().map(tenant_json).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = tenants
                    .iter()
                    .map(|t| {
                        vec![
                            t.name.clone(),
                            if t.enabled { "enabled" } else { "disabled" }.into(),
                            t.host.clone().unwrap_or_default(),
                            t.pool.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                print!("{}", table(&["NAME", "STATE", "HOST", "POOL"], &rows));
            }
        }
        TenantCommand::Show { name, output } => {
            let tenant = store.tenant(&name).await?;
            let secrets = store.tenant_secrets(tenant.id).await?;
            let meetings = store.live_meetings_of_tenant(tenant.id).await?;
            let mut value = tenant_json(&tenant);
            value["secret_fingerprints"] =
                json!(secrets.iter().map(|s| fingerprint(s)).collect::<Vec<_>>());
            value["live_meetings"] = json!(meetings.len());
            if output.json {
                print_json(&value);
            } else {
                println!("Tenant {}", tenant.name);
                println!(
                    "  state:     {}",
                    if tenant.enabled {
                        "enabled"
                    } else {
                        "disabled"
                    }
                );
                println!("  host:      {}", tenant.host.as_deref().unwrap_or("-"));
                println!(
                    "  pool:      {}",
                    tenant.pool.as_deref().unwrap_or("- (shared servers)")
                );
                println!(
                    "  secrets:   {}",
                    secrets
                        .iter()
                        .map(|s| fingerprint(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                println!("  meetings:  {} live", meetings.len());
            }
        }
        TenantCommand::Disable { name } => {
            store.set_tenant_enabled(&name, false).await?;
            println!("Tenant {name} disabled: its calls now fail; running meetings continue.");
        }
        TenantCommand::Enable { name } => {
            store.set_tenant_enabled(&name, true).await?;
            println!("Tenant {name} enabled.");
        }
        TenantCommand::AddSecret { name, secret } => {
            let tenant = store.tenant(&name).await?;
            let generated = secret.is_none();
            let secret = secret.unwrap_or_else(generate_secret);
            check_secret(&secret)?;
            store
                .add_tenant_secret(tenant.id, &secret, now_ms())
                .await?;
            println!(
                "Secret {} added to {name}; the other secrets keep working.",
                fingerprint(&secret)
            );
            if generated {
                println!("  Secret (shown once, store it now): {secret}");
            }
        }
        TenantCommand::RemoveSecret { name, secret } => {
            let tenant = store.tenant(&name).await?;
            let secrets = store.tenant_secrets(tenant.id).await?;
            let target = secrets
                .iter()
                .find(|s| **s == secret || fingerprint(s) == secret)
                .with_context(|| format!("tenant {name} has no secret {secret:?}"))?;
            store.remove_tenant_secret(tenant.id, target).await?;
            println!("Secret {} removed from {name}.", fingerprint(target));
        }
    }
    Ok(())
}

fn check_secret(secret: &str) -> anyhow::Result<()> {
    if secret.len() < 8 || secret.chars().any(char::is_whitespace) {
        bail!("a secret must be at least 8 characters, without spaces");
    }
    Ok(())
}

fn tenant_json(t: &Tenant) -> serde_json::Value {
    json!({
        "name": t.name,
        "enabled": t.enabled,
        "host": t.host,
        "pool": t.pool,
        "created_at_ms": t.created_at,
    })
}
