//! `plenary person …`

use serde_json::json;
use store::Store;

use super::org::check_name;
use super::{operator, print_json, table};
use crate::cli::PersonCommand;

pub async fn run(store: &Store, command: PersonCommand) -> anyhow::Result<()> {
    match command {
        PersonCommand::Add {
            name,
            email,
            display_name,
        } => {
            check_name(&name, "person")?;
            if !email.contains('@') {
                anyhow::bail!("{email:?} is not an email address");
            }
            let display = display_name.unwrap_or_else(|| name.clone());
            store
                .add_person(&name, &display, &email, &operator())
                .await?;
            println!(
                "{name} added. Give them a role with `plenary org represent ORG {name}` and a token with `plenary token add --person {name}`."
            );
        }
        PersonCommand::List(out) => {
            let people = store.people().await?;
            let mut rows = Vec::new();
            let mut items = Vec::new();
            for p in &people {
                let roles: Vec<String> = store
                    .roles_of(p.id)
                    .await?
                    .into_iter()
                    .map(|r| format!("{} of {}", r.role, r.org))
                    .collect();
                items.push(json!({"name": p.name, "display_name": p.display_name, "email": p.email, "roles": roles}));
                rows.push(vec![
                    p.name.clone(),
                    p.display_name.clone(),
                    p.email.clone(),
                    roles.join(", "),
                ]);
            }
            if out.json {
                print_json(&json!(items));
            } else {
                print!(
                    "{}",
                    table(&["NAME", "DISPLAY NAME", "EMAIL", "ROLES"], &rows)
                );
            }
        }
    }
    Ok(())
}
