//! `plenary org …`

use anyhow::bail;
use serde_json::json;
use store::Store;

use super::{operator, print_json, table};
use crate::cli::OrgCommand;

pub async fn run(store: &Store, command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::Add { name, legal_name } => {
            check_name(&name)?;
            let legal = legal_name.unwrap_or_else(|| name.clone());
            let org = store.add_organisation(&name, &legal, &operator()).await?;
            println!("Organisation {} ({}) registered.", org.name, org.legal_name);
        }
        OrgCommand::List(out) => {
            let orgs = store.organisations().await?;
            let tenants = store.tenants().await?;
            let count = |id| tenants.iter().filter(|t| t.org_id == Some(id)).count();
            if out.json {
                print_json(&json!(orgs
                    .iter()
                    .map(|o| json!({ "name": o.name, "legal_name": o.legal_name, "tenants": count(o.id) }))
                    .collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = orgs
                    .iter()
                    .map(|o| {
                        vec![
                            o.name.clone(),
                            o.legal_name.clone(),
                            count(o.id).to_string(),
                        ]
                    })
                    .collect();
                print!("{}", table(&["NAME", "LEGAL NAME", "TENANTS"], &rows));
            }
        }
        OrgCommand::Show { name, output } => {
            let org = store.organisation(&name).await?;
            let tenants: Vec<String> = store
                .tenants()
                .await?
                .into_iter()
                .filter(|t| t.org_id == Some(org.id))
                .map(|t| t.name)
                .collect();
            if output.json {
                print_json(
                    &json!({ "name": org.name, "legal_name": org.legal_name, "tenants": tenants, "created_at_ms": org.created_at }),
                );
            } else {
                println!("Organisation {}", org.name);
                println!("  legal name: {}", org.legal_name);
                println!(
                    "  tenants:    {}",
                    if tenants.is_empty() {
                        "-".into()
                    } else {
                        tenants.join(", ")
                    }
                );
            }
        }
        OrgCommand::Set { name, legal_name } => {
            store
                .set_organisation_legal_name(&name, &legal_name, &operator())
                .await?;
            println!("Organisation {name} is now {legal_name:?}.");
        }
    }
    Ok(())
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        bail!(
            "{name:?} is not a valid organisation name: use lower-case letters, digits and hyphens (the full name goes in --legal-name)"
        );
    }
    Ok(())
}
