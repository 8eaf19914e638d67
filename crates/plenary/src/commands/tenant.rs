//! `plenary tenant …`

use consortium::operations::{check_secret, generate_secret};
use consortium::{Consortium, TenantView};
use gateway::namespace::TenantName;
use serde_json::json;
use store::NewTenant;

use super::{actor, now_ms, operator, or_dash, print_json, table};
use crate::cli::TenantCommand;

pub async fn run(c: &Consortium, command: TenantCommand) -> anyhow::Result<()> {
    let store = c.store();
    match command {
        TenantCommand::Add {
            name,
            secret,
            host,
            pool,
            org,
            tier,
        } => {
            let name = TenantName::parse(&name).map_err(anyhow::Error::msg)?;
            // Checked first, so a typo never leaves a half-made tenant behind.
            if let Some(org) = &org {
                store.organisation(org).await?;
            }
            if let Some(tier) = &tier {
                store.tier(tier).await?;
            }
            let generated = secret.is_none();
            let secret = secret.unwrap_or_else(generate_secret);
            check_secret(&secret)?;
            let tenant = store
                .create_tenant(
                    NewTenant {
                        name: name.as_str(),
                        host: host.as_deref().map(str::to_ascii_lowercase).as_deref(),
                        pool: pool.as_deref(),
                        secret: &secret,
                    },
                    &operator()?,
                )
                .await?;
            if org.is_some() {
                store
                    .set_tenant_organisation(&tenant.name, org.as_deref(), &operator()?)
                    .await?;
            }
            if tier.is_some() {
                store
                    .set_tenant_tier(&tenant.name, tier.as_deref(), &operator()?)
                    .await?;
            }
            println!("Tenant {} created.", tenant.name);
            println!("  API endpoint path: /t/{}/bigbluebutton/api/", tenant.name);
            if generated {
                println!("  Secret (shown once, store it now): {secret}");
            }
        }
        TenantCommand::List(out) => {
            let tenants = c.tenants(&actor(c).await?).await?;
            if out.json {
                print_json(&json!(tenants.iter().map(tenant_json).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = tenants
                    .iter()
                    .map(|v| {
                        vec![
                            v.tenant.name.clone(),
                            if v.tenant.enabled {
                                "enabled"
                            } else {
                                "disabled"
                            }
                            .into(),
                            v.tenant.host.clone().unwrap_or_default(),
                            v.tenant.pool.clone().unwrap_or_default(),
                            v.organisation.clone().unwrap_or_default(),
                            v.tier.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["NAME", "STATE", "HOST", "POOL", "ORG", "TIER"], &rows)
                );
            }
        }
        TenantCommand::Show { name, output } => {
            let view = c.tenant(&actor(c).await?, &name).await?;
            let meetings = store.live_meetings_of_tenant(view.tenant.id).await?;
            let mut value = tenant_json(&view);
            value["secret_fingerprints"] = json!(view.secret_fingerprints);
            value["live_meetings"] = json!(meetings.len());
            if output.json {
                print_json(&value);
            } else {
                let tenant = &view.tenant;
                println!("Tenant {}", tenant.name);
                println!(
                    "  state:     {}",
                    if tenant.enabled {
                        "enabled"
                    } else {
                        "disabled"
                    }
                );
                println!(
                    "  org:       {}",
                    or_dash(view.organisation.clone().unwrap_or_default())
                );
                println!(
                    "  tier:      {}",
                    view.tier.as_deref().unwrap_or("- (no limits)")
                );
                println!("  host:      {}", tenant.host.as_deref().unwrap_or("-"));
                println!(
                    "  pool:      {}",
                    tenant.pool.as_deref().unwrap_or("- (shared servers)")
                );
                println!("  secrets:   {}", view.secret_fingerprints.join(", "));
                println!("  meetings:  {} live", meetings.len());
            }
        }
        TenantCommand::SetTier { name, tier } => {
            let tier = (tier != "none").then_some(tier);
            store
                .set_tenant_tier(&name, tier.as_deref(), &operator()?)
                .await?;
            match tier {
                Some(t) => println!(
                    "Tenant {name} is now on tier {t}; running meetings keep their limits, new ones get the new ones."
                ),
                None => println!("Tenant {name} has no tier now: no limits for new meetings."),
            }
        }
        TenantCommand::SetOrg { name, org } => {
            let org = (org != "none").then_some(org);
            store
                .set_tenant_organisation(&name, org.as_deref(), &operator()?)
                .await?;
            println!(
                "Tenant {name} now belongs to {}.",
                org.as_deref().unwrap_or("no organisation")
            );
        }
        TenantCommand::Disable { name } => {
            store.set_tenant_enabled(&name, false, &operator()?).await?;
            println!("Tenant {name} disabled: its calls now fail; running meetings continue.");
        }
        TenantCommand::Enable { name } => {
            store.set_tenant_enabled(&name, true, &operator()?).await?;
            println!("Tenant {name} enabled.");
        }
        TenantCommand::AddSecret { name, secret } => {
            let added = c
                .add_tenant_secret(&actor(c).await?, &name, secret, now_ms())
                .await?;
            println!(
                "Secret {} added to {name}; the other secrets keep working.",
                added.fingerprint
            );
            if added.generated {
                println!("  Secret (shown once, store it now): {}", added.secret);
            }
        }
        TenantCommand::RemoveSecret { name, secret } => {
            let removed = c
                .remove_tenant_secret(&actor(c).await?, &name, &secret, now_ms())
                .await?;
            println!("Secret {removed} removed from {name}.");
        }
    }
    Ok(())
}

fn tenant_json(v: &TenantView) -> serde_json::Value {
    let t = &v.tenant;
    json!({
        "name": t.name,
        "enabled": t.enabled,
        "host": t.host,
        "pool": t.pool,
        "org": v.organisation,
        "tier": v.tier,
        "created_at_ms": t.created_at,
    })
}
