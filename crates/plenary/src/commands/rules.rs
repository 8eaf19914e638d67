//! `plenary rules …`: the consortium's standing rules.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use consortium::Consortium;
use governance::membership::{ConsortiumRules, FederationWeight};
use governance::share::Threshold;
use governance::time::DurationMs;

use super::{actor, now_ms, parse_percent, print_json};
use crate::cli::{RuleChanges, RulesCommand};

/// `>50` (more than), `>=75` (at least); a bare number is "more than".
pub fn parse_threshold(s: &str) -> anyhow::Result<Threshold> {
    let s = s.trim();
    Ok(match s.strip_prefix(">=") {
        Some(rest) => Threshold::AtLeast(parse_percent(rest)?),
        None => Threshold::MoreThan(parse_percent(s.trim_start_matches('>'))?),
    })
}

pub async fn run(c: &Consortium, command: RulesCommand) -> anyhow::Result<()> {
    let mut rules = c.rules().await?;
    match command {
        RulesCommand::Show(out) => {
            if out.json {
                print_json(&serde_json::to_value(&rules)?);
            } else {
                print(&rules);
            }
        }
        RulesCommand::Set(changes) => {
            change(&mut rules, changes)?;
            c.by(&actor(c).await?, now_ms()).set_rules(&rules).await?;
            println!("The consortium's rules are now:");
            print(&rules);
        }
        RulesCommand::Propose {
            title,
            text,
            changes,
        } => {
            change(&mut rules, changes)?;
            let id = c
                .by(&actor(c).await?, now_ms())
                .draft_rules_change(&title, &text, &rules)
                .await?;
            let view = c.view(id).await?;
            println!(
                "Proposal {id} drafted: if it passes (threshold {}), the rules become:",
                view.rules.threshold
            );
            print(&rules);
            println!("Open it with `plenary proposal open {id}`.");
        }
    }
    Ok(())
}

/// Applies the changes given on the command line to `rules`.
fn change(rules: &mut ConsortiumRules, changes: RuleChanges) -> anyhow::Result<()> {
    let RuleChanges {
        lead_days,
        quorum,
        threshold,
        notice_days,
        federation_weight,
        reminder_hours,
        require_minutes,
        classes,
        legal_forms,
        floor_lead_days,
        individuals,
    } = changes;
    if let Some(d) = lead_days {
        rules.min_lead_time = DurationMs::days(d);
    }
    if let Some(q) = quorum {
        rules.default_quorum = parse_percent(&q)?;
    }
    if let Some(t) = threshold {
        rules.default_threshold = parse_threshold(&t)?;
    }
    if let Some(d) = notice_days {
        rules.notice_period = DurationMs::days(d);
    }
    if let Some(w) = federation_weight {
        rules.federation_weight =
            FederationWeight::try_from(w).context("a federation's vote weight is 1 or 2")?;
    }
    if let Some(h) = reminder_hours {
        rules.reminder_lead = DurationMs::hours(h);
    }
    if let Some(r) = require_minutes {
        rules.require_minutes_link = r;
    }
    if let Some(list) = classes {
        rules.member_classes = list
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if rules.member_classes.is_empty() {
            bail!("--classes needs at least one class");
        }
    }
    if let Some(list) = legal_forms {
        rules.admitted_legal_forms = if list.trim() == "all" {
            BTreeSet::new()
        } else {
            list.split(',').map(str::parse).collect::<Result<_, _>>()?
        };
    }
    if let Some(d) = floor_lead_days {
        rules.floor.min_lead_time = DurationMs::days(d);
    }
    if let Some(text) = individuals {
        rules.individuals = match text.trim() {
            "none" => None,
            rule => Some(rule.parse()?),
        };
    }
    Ok(())
}

fn print(r: &ConsortiumRules) {
    let classes: Vec<&str> = r.member_classes.iter().map(String::as_str).collect();
    println!("  minimum lead time:  {}", r.min_lead_time);
    println!(
        "  quorum:             {} of the eligible vote weight",
        r.default_quorum
    );
    println!("  pass threshold:     {}", r.default_threshold);
    println!("  notice period:      {}", r.notice_period);
    println!("  federation weight:  {}", u32::from(r.federation_weight));
    println!("  reminder:           {} before closing", r.reminder_lead);
    println!(
        "  minutes required:   {}",
        if r.require_minutes_link { "yes" } else { "no" }
    );
    println!("  member classes:     {}", classes.join(", "));
    println!(
        "  statutory floor:    lead time at least {}",
        r.floor.min_lead_time
    );
    println!(
        "  rules changes:      pass with {} ({} to change the floor or these thresholds)",
        r.amendment_threshold, r.floor_threshold
    );
    println!(
        "  individuals:        {}",
        r.individuals
            .as_ref()
            .map_or_else(|| "not admitted".to_string(), ToString::to_string)
    );
    let forms: Vec<&str> = r.admitted_legal_forms.iter().map(|f| f.as_str()).collect();
    println!(
        "  legal forms:        {}",
        if forms.is_empty() {
            "all may apply".to_string()
        } else {
            forms.join(", ")
        }
    );
}
