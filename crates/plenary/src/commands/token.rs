//! `plenary token …`: bearer tokens, shown once and stored only as hashes,
//! made and revoked by the same rules as over the API.

use std::io::BufRead;

use consortium::{Consortium, NewToken, Scope};

use super::{actor, now_ms};
use crate::cli::TokenCommand;

pub async fn run(c: &Consortium, command: TokenCommand) -> anyhow::Result<()> {
    let actor = actor(c).await?;
    match command {
        TokenCommand::Add {
            person,
            operator,
            label,
            read_only,
            organisation,
        } => {
            let new = NewToken {
                person: person.clone(),
                operator,
                label,
                scope: Scope {
                    read_only,
                    organisation,
                },
            };
            let issued = c.issue_token(&actor, &new, now_ms()).await?;
            let whose = person.unwrap_or_else(|| format!("operator {}", issued.info.label));
            eprintln!(
                "A token for {whose} (ID {}); it is shown this once and cannot be recovered:",
                issued.info.id
            );
            println!("{}", issued.token);
        }
        TokenCommand::Revoke => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let token = line.trim();
            let id = store::token_id(token);
            c.revoke_token(&actor, &id, now_ms()).await?;
            println!("Token revoked.");
        }
    }
    Ok(())
}
