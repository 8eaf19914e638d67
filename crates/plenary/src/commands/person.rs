//! `plenary person …`

use consortium::{Consortium, NewPerson, PersonRoles, Steps};
use serde_json::json;

use std::io::BufRead;

use store::LoginOwner;
use web::portal::credentials::{hash_password, new_totp_secret};

use super::{actor, now_ms, print_json, table};
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
            c.by(&actor(c).await?, now_ms()).add_person(&new).await?;
            println!(
                "{name} added. Give them a role with `plenary org represent ORG {name}` and a token with `plenary token add --person {name}`."
            );
        }
        PersonCommand::Forum { name, username } => {
            c.by(&actor(c).await?, now_ms())
                .link_forum_account(&name, &username)
                .await?;
            println!(
                "{name}'s forum account is {username}; their forum poll votes count as their ballots."
            );
        }
        PersonCommand::SetPassword {
            name,
            email,
            operator: for_operator,
            totp,
        } => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let owner = if for_operator {
                LoginOwner::Operator(name.clone())
            } else {
                LoginOwner::Person(store.person(&name).await?)
            };
            let email = match (&owner, email) {
                (_, Some(e)) => e,
                (LoginOwner::Person(p), None) => p.email.clone(),
                (LoginOwner::Operator(_), None) => {
                    anyhow::bail!("an operator's login needs `--email`")
                }
            };
            let actor = actor(c).await?;
            let secret = set_login(
                &c.by(&actor, now_ms()),
                &email,
                &owner,
                password,
                for_operator || totp,
            )
            .await?;
            println!("{name} signs in to the portal as {email}.");
            if let Some(secret) = secret {
                println!("TOTP secret (shown once; add it to an authenticator app): {secret}");
            }
        }
        PersonCommand::List(out) => {
            let actor = actor(c).await?;
            let people = c.by(&actor, now_ms()).people().await?;
            let mut rows = Vec::new();
            let mut items = Vec::new();
            for PersonRoles { person: p, roles } in &people {
                let roles: Vec<String> = roles
                    .iter()
                    .map(|(org, role)| format!("{role} of {org}"))
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

/// Creates or updates a portal login; with `totp`, gives it a new TOTP
/// secret and returns it. The demo makes its logins the same way.
pub async fn set_login(
    by: &Steps<'_>,
    email: &str,
    owner: &LoginOwner,
    password: &str,
    totp: bool,
) -> anyhow::Result<Option<String>> {
    let hash = hash_password(password)?;
    let secret = totp.then(new_totp_secret);
    by.set_login(email, owner, &hash, secret.as_deref()).await?;
    Ok(secret)
}
