//! `plenary audit …`

use std::process::ExitCode;

use anyhow::bail;
use serde_json::json;
use store::{AuditEntry, Store};

use super::{print_json, table};
use crate::cli::AuditCommand;

pub async fn run(store: &Store, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { head } => {
            let verdict = match head.as_deref() {
                Some(h) if !store::is_audit_hash(h) => bail!(
                    "--head {h:?} is not an audit head: 64 lower-case hex digits, as `plenary audit head` prints"
                ),
                Some(h) => store.verify_audit_against(h).await?,
                None => store.verify_audit().await?,
            };
            if let Some(broken) = verdict.broken {
                eprintln!(
                    "The audit log is broken at entry {}: {}.\n{} entries before it are intact.",
                    broken.seq, broken.reason, verdict.entries
                );
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "The audit log is intact: {} entries, head {}.",
                verdict.entries, verdict.head
            );
            if let Some(h) = head {
                println!("It still holds the published head {h}.");
            }
        }
        AuditCommand::Head => {
            let (seq, hash) = store.audit_head().await?;
            println!("{seq} {hash}");
        }
        AuditCommand::List {
            subject,
            after,
            limit,
            output,
        } => {
            let entries = store
                .audit_entries(subject.as_deref(), after, limit)
                .await?;
            if output.json {
                print_json(&json!(entries.iter().map(entry_json).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.seq.to_string(),
                            super::timestamp(e.at_ms),
                            e.actor.clone(),
                            e.kind.clone(),
                            e.subject.clone(),
                            e.detail.clone(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["SEQ", "AT", "ACTOR", "KIND", "SUBJECT", "DETAIL"], &rows)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every field the hash covers, so anyone can recompute the chain.
fn entry_json(e: &AuditEntry) -> serde_json::Value {
    json!({
        "seq": e.seq, "at": e.at_ms, "actor": e.actor, "kind": e.kind, "subject": e.subject,
        "detail": e.detail, "prev_hash": e.prev_hash, "hash": e.hash,
    })
}
