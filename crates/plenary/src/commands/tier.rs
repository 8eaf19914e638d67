//! `plenary tier …`

use anyhow::bail;
use consortium::Consortium;
use metering::money::Cents;
use serde_json::json;
use store::Tier;

use super::{actor, operator, parse_money, print_json, table};
use crate::cli::{TierCommand, TierFields};

pub async fn run(c: &Consortium, command: TierCommand) -> anyhow::Result<()> {
    let store = c.store();
    match command {
        TierCommand::Add { name, fields } => {
            if store.tier(&name).await.is_ok() {
                bail!("tier {name:?} already exists: use `plenary tier set`");
            }
            let blank = Tier {
                id: 0,
                name: name.clone(),
                price_cents: 0,
                currency: "EUR".into(),
                participants_per_meeting: 0,
                concurrent_meetings: 0,
                concurrent_participants: 0,
                meeting_minutes: 0,
                webcams_per_meeting: 0,
                webcams_per_user: 0,
                recording: true,
                rooms_per_month: 0,
                disabled_features: String::new(),
                allowance_participant_minutes: 0,
                allowance_gb: 0,
            };
            let tier = store
                .save_tier(&apply(blank, fields)?, &operator()?)
                .await?;
            println!("Tier {} created: {}.", tier.name, summary(&tier));
        }
        TierCommand::Set { name, fields } => {
            let current = store.tier(&name).await?;
            let tier = store
                .save_tier(&apply(current, fields)?, &operator()?)
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
            let tier = store.tier(&name).await?;
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

fn apply(mut t: Tier, f: TierFields) -> anyhow::Result<Tier> {
    if let Some(p) = f.price {
        t.price_cents = parse_money(&p)?;
    }
    if let Some(c) = f.currency {
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            bail!("{c:?} is not an ISO currency code such as EUR");
        }
        t.currency = c.to_ascii_uppercase();
    }
    let limits = [
        (
            f.participants,
            &mut t.participants_per_meeting,
            "participants",
        ),
        (f.meetings, &mut t.concurrent_meetings, "meetings"),
        (
            f.concurrent_participants,
            &mut t.concurrent_participants,
            "concurrent-participants",
        ),
        (f.minutes, &mut t.meeting_minutes, "minutes"),
        (f.webcams, &mut t.webcams_per_meeting, "webcams"),
        (
            f.webcams_per_user,
            &mut t.webcams_per_user,
            "webcams-per-user",
        ),
        (f.rooms, &mut t.rooms_per_month, "rooms"),
        (
            f.allowance_minutes,
            &mut t.allowance_participant_minutes,
            "allowance-minutes",
        ),
        (f.allowance_gb, &mut t.allowance_gb, "allowance-gb"),
    ];
    for (value, field, flag) in limits {
        if let Some(v) = value {
            if v < 0 {
                bail!("--{flag} cannot be negative (0 means unlimited)");
            }
            *field = v;
        }
    }
    if let Some(r) = f.recording {
        t.recording = r;
    }
    if let Some(d) = f.disabled_features {
        t.disabled_features = d;
    }
    Ok(t)
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
        "disabled_features": t.disabled_features,
        "allowance_participant_minutes": t.allowance_participant_minutes,
        "allowance_gb": t.allowance_gb,
    })
}
