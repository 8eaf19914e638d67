//! `plenary document …`: versioned documents members accept.

use anyhow::Context;
use consortium::Consortium;
use serde_json::json;

use super::{actor, now_ms, print_json, table, timestamp};
use crate::cli::DocumentCommand;

pub async fn run(c: &Consortium, command: DocumentCommand) -> anyhow::Result<()> {
    let store = c.store();
    match command {
        DocumentCommand::Publish { name, file } => {
            let body = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let doc = c
                .by(&actor(c).await?, now_ms())
                .publish_document(&name, &body)
                .await?;
            println!(
                "{} version {} published (sha256 {}).",
                doc.name, doc.version, doc.sha256
            );
        }
        DocumentCommand::List(out) => {
            let docs = store.documents().await?;
            if out.json {
                print_json(&json!(docs
                    .iter()
                    .map(|d| json!({"name": d.name, "version": d.version, "sha256": d.sha256, "published_at_ms": d.published_at}))
                    .collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = docs
                    .iter()
                    .map(|d| {
                        vec![
                            d.name.clone(),
                            d.version.to_string(),
                            timestamp(d.published_at),
                            d.sha256.clone(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["NAME", "VERSION", "PUBLISHED", "SHA256"], &rows)
                );
            }
        }
        DocumentCommand::Show { name } => {
            let doc = store
                .document(&name)
                .await?
                .with_context(|| format!("no document {name:?}"))?;
            println!(
                "{} version {} ({})\n",
                doc.name,
                doc.version,
                timestamp(doc.published_at)
            );
            println!("{}", doc.body);
        }
        DocumentCommand::Accept { name, org } => {
            let doc = c
                .by(&actor(c).await?, now_ms())
                .accept_document(&org, &name)
                .await?;
            println!("{org} accepted {} version {}.", doc.name, doc.version);
        }
    }
    Ok(())
}
