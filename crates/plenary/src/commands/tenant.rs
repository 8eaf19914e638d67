//! `plenary tenant …`

use std::collections::HashMap;

use anyhow::{Context, bail};
use gateway::namespace::TenantName;
use serde_json::json;
use store::{NewTenant, Store, Tenant};

use super::{fingerprint, generate_secret, operator, or_dash, print_json, table};
use crate::cli::TenantCommand;

pub async fn run(store: &Store, command: TenantCommand) -> anyhow::Result<()> {
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
            let tenants = store.tenants().await?;
            let names = Names::load(store).await?;
            if out.json {
                print_json(&json!(
                    tenants
                        .iter()
                        .map(|t| tenant_json(t, &names))
                        .collect::<Vec<_>>()
                ));
            } else {
                let rows: Vec<Vec<String>> = tenants
                    .iter()
                    .map(|t| {
                        vec![
                            t.name.clone(),
                            if t.enabled { "enabled" } else { "disabled" }.into(),
                            t.host.clone().unwrap_or_default(),
                            t.pool.clone().unwrap_or_default(),
                            names.org(t.org_id),
                            names.tier(t.tier_id),
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
            let tenant = store.tenant(&name).await?;
            let secrets = store.tenant_secrets(tenant.id).await?;
            let meetings = store.live_meetings_of_tenant(tenant.id).await?;
            let names = Names::load(store).await?;
            let mut value = tenant_json(&tenant, &names);
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
                println!("  org:       {}", or_dash(names.org(tenant.org_id)));
                println!(
                    "  tier:      {}",
                    tenant
                        .tier_id
                        .map_or_else(|| "- (no limits)".into(), |_| names.tier(tenant.tier_id))
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
            let tenant = store.tenant(&name).await?;
            let generated = secret.is_none();
            let secret = secret.unwrap_or_else(generate_secret);
            check_secret(&secret)?;
            store
                .add_tenant_secret(&tenant, &secret, &operator()?)
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
            store
                .remove_tenant_secret(&tenant, target, &operator()?)
                .await?;
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

/// Names of organisations and tiers by id, for listings.
struct Names {
    orgs: HashMap<i64, String>,
    tiers: HashMap<i64, String>,
}

impl Names {
    async fn load(store: &Store) -> anyhow::Result<Self> {
        Ok(Self {
            orgs: store.organisation_names().await?,
            tiers: store
                .tiers()
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect(),
        })
    }

    fn org(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.orgs.get(&i))
            .cloned()
            .unwrap_or_default()
    }

    fn tier(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.tiers.get(&i))
            .cloned()
            .unwrap_or_default()
    }
}

fn tenant_json(t: &Tenant, names: &Names) -> serde_json::Value {
    json!({
        "name": t.name,
        "enabled": t.enabled,
        "host": t.host,
        "pool": t.pool,
        "org": t.org_id.map(|_| names.org(t.org_id)),
        "tier": t.tier_id.map(|_| names.tier(t.tier_id)),
        "created_at_ms": t.created_at,
    })
}
