//! `plenary audit …`

use std::process::ExitCode;

use consortium::Consortium;
use serde_json::json;
use store::AuditEntry;

use super::{actor, print_json, table};
use crate::cli::AuditCommand;

pub async fn run(c: &Consortium, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let actor = actor(c).await?;
    match command {
        AuditCommand::Verify { head } => {
            let verdict = c.verify_audit(&actor, head.as_deref()).await?;
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
            let (seq, hash) = c.audit_head(&actor).await?;
            println!("{seq} {hash}");
        }
        AuditCommand::List {
            subject,
            after,
            limit,
            output,
        } => {
            let entries = c
                .audit_entries(&actor, subject.as_deref(), after, limit)
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
