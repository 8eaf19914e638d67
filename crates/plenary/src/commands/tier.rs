//! `plenary tier …`

use consortium::{Consortium, TierChange};
use metering::money::Cents;
use serde_json::json;
use store::Tier;

use super::{actor, now_ms, parse_money, print_json, table};
use crate::cli::{TierCommand, TierFields};

pub async fn run(c: &Consortium, command: TierCommand) -> anyhow::Result<()> {
    match command {
        TierCommand::Add { name, fields } => {
            let tier = c
                .create_tier(&actor(c).await?, &name, change(fields)?, now_ms())
                .await?;
            println!("Tier {} created: {}.", tier.name, summary(&tier));
        }
        TierCommand::Set { name, fields } => {
            let tier = c
                .set_tier(&actor(c).await?, &name, change(fields)?, now_ms())
                .await?;
            println!(
                "Tier {} updated: {}. New meetings get these limits.",
                tier.name,
                summary(&tier)
            );
        }
        TierCommand::List(out) => {
            let tiers = c.tiers(&actor(c).await?).await?;
            if out.json {
                print_json(&json!(tiers.iter().map(tier_json).collect::<Vec<_>>()));
            } else {
                let limit = |n: i64| {
                    if n == 0 {
                        "-".to_string()
                    } else {
                        n.to_string()
                    }
                };
                let rows: Vec<Vec<String>> = tiers
                    .iter()
                    .map(|t| {
                        vec![
                            t.name.clone(),
                            format!("{} {}", Cents(t.price_cents), t.currency),
                            limit(t.participants_per_meeting),
                            limit(t.concurrent_meetings),
                            limit(t.meeting_minutes),
                            limit(t.rooms_per_month),
                            if t.recording { "yes" } else { "no" }.into(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(
                        &[
                            "TIER",
                            "PRICE/MONTH",
                            "PARTICIPANTS",
                            "MEETINGS",
                            "MINUTES",
                            "ROOMS/MONTH",
                            "RECORDING"
                        ],
                        &rows
                    )
                );
            }
        }
        TierCommand::Show { name, output } => {
            let tier = c.tier(&actor(c).await?, &name).await?;
            let value = tier_json(&tier);
            if output.json {
                print_json(&value);
            } else {
                for (k, v) in value.as_object().into_iter().flatten() {
                    println!(
                        "{k:>30}: {}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    );
                }
            }
        }
    }
    Ok(())
}

/// The flags as a change; the library checks the values.
fn change(f: TierFields) -> anyhow::Result<TierChange> {
    Ok(TierChange {
        price_cents: f.price.as_deref().map(parse_money).transpose()?,
        currency: f.currency,
        participants_per_meeting: f.participants,
        concurrent_meetings: f.meetings,
        concurrent_participants: f.concurrent_participants,
        meeting_minutes: f.minutes,
        webcams_per_meeting: f.webcams,
        webcams_per_user: f.webcams_per_user,
        recording: f.recording,
        rooms_per_month: f.rooms,
        disabled_features: f.disabled_features,
        allowance_participant_minutes: f.allowance_minutes,
        allowance_gb: f.allowance_gb,
    })
}

fn summary(t: &Tier) -> String {
    format!(
        "{} {}/month, {} participants per meeting, {} meetings at once",
        Cents(t.price_cents),
        t.currency,
        t.participants_per_meeting,
        t.concurrent_meetings
    )
}

fn tier_json(t: &Tier) -> serde_json::Value {
    json!({
        "name": t.name,
        "price_cents": t.price_cents,
        "currency": t.currency,
        "participants_per_meeting": t.participants_per_meeting,
        "concurrent_meetings": t.concurrent_meetings,
        "concurrent_participants": t.concurrent_participants,
        "meeting_minutes": t.meeting_minutes,
        "webcams_per_meeting": t.webcams_per_meeting,
        "webcams_per_user": t.webcams_per_user,
        "recording": t.recording,
        "rooms_per_month": t.rooms_per_month,
        "disabled_features": t.disabled_features.names(),
        "allowance_participant_minutes": t.allowance_participant_minutes,
        "allowance_gb": t.allowance_gb,
    })
}
