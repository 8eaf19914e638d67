//! `plenary token …`: bearer tokens, shown once and stored only as hashes.

use std::io::BufRead;

use store::Store;

use super::operator;
use crate::cli::TokenCommand;

pub async fn run(store: &Store, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Add {
            person,
            operator: _,
            label,
        } => {
            let issued = store
                .issue_token(person.as_deref(), &label, &operator())
                .await?;
            let whose = person.map_or_else(|| "an operator".to_string(), |p| p.to_string());
            eprintln!(
                "A token for {whose} (ID {}); it is shown this once and cannot be recovered:",
                issued.info.id
            );
            println!("{}", issued.token);
        }
        TokenCommand::Revoke => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            store.revoke_token(line.trim(), &operator()).await?;
            println!("Token revoked.");
        }
    }
    Ok(())
}
