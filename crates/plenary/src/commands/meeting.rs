//! `plenary meeting …`

use consortium::Consortium;
use serde_json::json;

use super::{actor, print_json, table, timestamp};
use crate::cli::MeetingCommand;

pub async fn run(c: &Consortium, command: MeetingCommand) -> anyhow::Result<()> {
    let MeetingCommand::List { tenant, output } = command;
    let meetings = c.live_meetings(&actor(c).await?, tenant.as_deref()).await?;
    if output.json {
        print_json(&json!(
            meetings
                .iter()
                .map(|m| json!({
                    "tenant": m.tenant,
                    "meeting_id": m.meeting_id,
                    "server_id": m.server_id,
                    "participants": m.participants,
                    "webcams": m.webcams,
                    "started_at_ms": m.started_at,
                }))
                .collect::<Vec<_>>()
        ));
    } else {
        let rows: Vec<Vec<String>> = meetings
            .iter()
            .map(|m| {
                vec![
                    m.tenant.clone(),
                    m.meeting_id.clone(),
                    m.server_id.to_string(),
                    m.participants.to_string(),
                    m.webcams.to_string(),
                    timestamp(m.started_at),
                ]
            })
            .collect();
        print!(
            "{}",
            table(
                &[
                    "TENANT", "MEETING", "SERVER", "PEOPLE", "WEBCAMS", "STARTED"
                ],
                &rows
            )
        );
    }
    Ok(())
}
