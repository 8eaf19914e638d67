//! `plenary tenant …`

use consortium::{Consortium, NewTenantSettings, TenantChange, TenantView};
use serde_json::json;

use super::{actor, clearable, now_ms, or_dash, print_json, table};
use crate::cli::TenantCommand;

pub async fn run(c: &Consortium, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Add {
            name,
            secret,
            host,
            pool,
            org,
            tier,
        } => {
            let created = c
                .create_tenant(
                    &actor(c).await?,
                    NewTenantSettings {
                        name,
                        secret,
                        organisation: org,
                        tier,
                        pool,
                        host,
                    },
                    now_ms(),
                )
                .await?;
            let name = &created.tenant.tenant.name;
            println!("Tenant {name} created.");
            println!("  API endpoint path: {}", created.tenant.endpoint_path());
            if created.secret.generated {
                println!(
                    "  Secret (shown once, store it now): {}",
                    created.secret.secret
                );
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
            let actor = actor(c).await?;
            let view = c.tenant(&actor, &name).await?;
            let meetings = c.live_meetings(&actor, Some(&name)).await?;
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
            let tier = clearable(Some(tier));
            let view = set(
                c,
                &name,
                TenantChange {
                    tier,
                    ..TenantChange::default()
                },
            )
            .await?;
            match view.tier {
                Some(t) => println!(
                    "Tenant {name} is now on tier {t}; running meetings keep their limits, new ones get the new ones."
                ),
                None => println!("Tenant {name} has no tier now: no limits for new meetings."),
            }
        }
        TenantCommand::SetOrg { name, org } => {
            let view = set(
                c,
                &name,
                TenantChange {
                    organisation: clearable(Some(org)),
                    ..TenantChange::default()
                },
            )
            .await?;
            println!(
                "Tenant {name} now belongs to {}.",
                view.organisation.as_deref().unwrap_or("no organisation")
            );
        }
        TenantCommand::Set {
            name,
            org,
            tier,
            pool,
            host,
        } => {
            let view = set(
                c,
                &name,
                TenantChange {
                    organisation: clearable(org),
                    tier: clearable(tier),
                    pool: clearable(pool),
                    host: clearable(host),
                },
            )
            .await?;
            println!(
                "Tenant {name} updated: organisation {}, tier {}, pool {}, host {}.",
                view.organisation.as_deref().unwrap_or("-"),
                view.tier.as_deref().unwrap_or("-"),
                view.tenant.pool.as_deref().unwrap_or("-"),
                view.tenant.host.as_deref().unwrap_or("-"),
            );
        }
        TenantCommand::Disable { name } => {
            c.set_tenant_enabled(&actor(c).await?, &name, false, now_ms())
                .await?;
            println!("Tenant {name} disabled: its calls now fail; running meetings continue.");
        }
        TenantCommand::Enable { name } => {
            c.set_tenant_enabled(&actor(c).await?, &name, true, now_ms())
                .await?;
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

async fn set(c: &Consortium, name: &str, change: TenantChange) -> anyhow::Result<TenantView> {
    Ok(c.set_tenant(&actor(c).await?, name, change, now_ms())
        .await?)
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
