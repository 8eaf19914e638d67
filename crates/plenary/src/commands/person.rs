//! `plenary person …`

use consortium::{Consortium, NewPerson};
use serde_json::json;

use super::{operator, print_json, table};
use crate::cli::PersonCommand;

pub async fn run(c: &Consortium, command: PersonCommand) -> anyhow::Result<()> {
    let store = c.store();
    match command {
        PersonCommand::Add {
            name,
            email,
            display_name,
        } => {
            let new = NewPerson {
                display_name: display_name.unwrap_or_else(|| name.clone()),
                name: name.clone(),
                email,
                representing: None,
            };
            c.add_person(&new, &operator()?).await?;
            println!(
                "{name} added. Give them a role with `plenary org represent ORG {name}` and a token with `plenary token add --person {name}`."
            );
        }
        PersonCommand::Forum { name, username } => {
            c.link_forum_account(&name, &username, &operator()?).await?;
            println!(
                "{name}'s forum account is {username}; their forum poll votes count as their ballots."
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
