//! `plenary document …`: versioned documents members accept.

use anyhow::Context;
use serde_json::json;
use store::Store;

use super::{operator, print_json, table, timestamp};
use crate::cli::DocumentCommand;

pub async fn run(store: &Store, command: DocumentCommand) -> anyhow::Result<()> {
    match command {
        DocumentCommand::Publish { name, file } => {
            let body = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let doc = store.publish_document(&name, &body, &operator()?).await?;
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
            let doc = store
                .document(&name)
                .await?
                .with_context(|| format!("no document {name:?}"))?;
            store.accept_document(&org, &doc, &operator()?).await?;
            println!("{org} accepted {} version {}.", doc.name, doc.version);
        }
    }
    Ok(())
}
