//! `plenary proposal …`: the consortium's decisions.

use anyhow::{Context, bail};
use consortium::access::Who;
use consortium::{Consortium, Draft, Voter};
use governance::proposal::{Ballot, Choice, Kind, Position};
use governance::time::DurationMs;
use serde_json::json;

use super::rules::parse_threshold;
use super::{actor, now_ms, parse_percent, print_json, table, timestamp};
use crate::cli::{ProposalCommand, ProposalKind};

pub async fn run(c: &Consortium, command: ProposalCommand) -> anyhow::Result<()> {
    match command {
        ProposalCommand::New {
            title,
            text,
            file,
            kind,
            options,
            max_choices,
            seats,
            min,
            max,
            quorum,
            threshold,
            lead_days,
            hide_results,
            no_block,
        } => {
            let consortium = c.rules().await?;
            let mut rules = consortium.proposal_rules();
            if let Some(q) = quorum {
                rules.quorum = parse_percent(&q)?;
            }
            if let Some(t) = threshold {
                rules.threshold = parse_threshold(&t)?;
            }
            if let Some(d) = lead_days {
                rules.min_lead_time = DurationMs::days(d);
            }
            rules.hide_results_until_close = hide_results;
            rules.block_stops = !no_block;
            let kind = match kind {
                ProposalKind::Consent => Kind::Consent,
                ProposalKind::Single => Kind::SingleChoice,
                ProposalKind::Multiple => Kind::MultipleChoice { max_choices },
                ProposalKind::Ranked => Kind::Ranked { seats },
                ProposalKind::Score => Kind::Score { min, max },
            };
            let draft = Draft {
                title,
                text: text_of(text, file)?.unwrap_or_default(),
                kind,
                options,
                rules,
                purpose: "general".into(),
                subject_org: None,
                amends: None,
            };
            let id = c.by(&actor(c).await?, now_ms()).draft(&draft).await?;
            println!("Proposal {id} drafted; open it with `plenary proposal open {id}`.");
        }
        ProposalCommand::Open { id, closes } => {
            let closes_at = closes.as_deref().map(parse_time).transpose()?;
            c.by(&actor(c).await?, now_ms()).open(id, closes_at).await?;
            let view = c.view(id).await?;
            println!(
                "Proposal {id} is open until {}; {} organisations may vote. Fingerprint {}.",
                view.closes_at_ms.map_or_else(String::new, timestamp),
                view.roll.len(),
                view.fingerprint.unwrap_or_default()
            );
        }
        ProposalCommand::Edit {
            id,
            title,
            text,
            file,
        } => {
            let text = text_of(text, file)?;
            c.by(&actor(c).await?, now_ms())
                .edit(id, title.as_deref(), text.as_deref())
                .await?;
            let view = c.view(id).await?;
            match view.closes_at_ms {
                Some(at) => println!(
                    "Proposal {id} changed; it closes at {} at the earliest.",
                    timestamp(at)
                ),
                None => println!("Proposal {id} changed."),
            }
        }
        ProposalCommand::List(out) => {
            let list = c.list().await?;
            if out.json {
                print_json(&json!(list
                    .iter()
                    .map(|p| json!({"id": p.id, "title": p.title, "state": p.state, "purpose": p.purpose, "closes_at_ms": p.closes_at}))
                    .collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.to_string(),
                            p.state.to_string(),
                            p.closes_at.map_or_else(|| "-".into(), timestamp),
                            p.title.clone(),
                        ]
                    })
                    .collect();
                print!("{}", table(&["ID", "STATE", "CLOSES", "TITLE"], &rows));
            }
        }
        ProposalCommand::Show { id, output } => {
            let view = c.view(id).await?;
            if output.json {
                print_json(&serde_json::to_value(&view)?);
            } else {
                show(&view);
            }
        }
        ProposalCommand::Vote {
            id,
            org,
            choice,
            reason,
            minutes,
        } => {
            let actor = voter(c).await?;
            let voter = match actor.who() {
                Who::Person { person, .. } => Voter::Person(person.clone()),
                Who::Operator(name) => Voter::Operator(name.to_string()),
            };
            let view = c.view(id).await?;
            let ballot = Ballot {
                choice: parse_choice(view.kind, &choice, reason)?,
                minutes_link: minutes,
            };
            let revision = c
                .vote(
                    id,
                    &org,
                    &voter,
                    ballot,
                    &store::Act::new(actor.name(), now_ms()),
                )
                .await?;
            let again = if revision > 1 {
                " (replacing its earlier ballot)"
            } else {
                ""
            };
            println!(
                "{org}'s ballot on proposal {id} is recorded{again}; it may change it until the proposal closes."
            );
        }
        ProposalCommand::Close { id } => {
            let tally = c.by(&actor(c).await?, now_ms()).close(id).await?;
            let view = c.view(id).await?;
            println!(
                "Proposal {id} closed: {}.\n{}\nAudit log head: {}",
                consortium::statement(&tally, &view.options),
                tally.explanation,
                view.audit_head.unwrap_or_default()
            );
        }
        ProposalCommand::Withdraw { id, reason } => {
            c.by(&actor(c).await?, now_ms())
                .withdraw(id, &reason)
                .await?;
            println!("Proposal {id} withdrawn.");
        }
        ProposalCommand::Export { id } => {
            print_json(&serde_json::to_value(c.record(id).await?)?);
        }
        ProposalCommand::Recount { file } => recount(c, &file).await?,
        ProposalCommand::Outcome { id, text, file } => {
            let text = text_of(text, file)?.unwrap_or_default();
            c.by(&actor(c).await?, now_ms())
                .state_outcome(id, &text)
                .await?;
            println!(
                "The outcome of proposal {id} is stated; the members are told and it is part of the record."
            );
        }
        ProposalCommand::Blt { id } => print!("{}", c.ballot_file(id).await?),
    }
    Ok(())
}

/// Checks an exported record as any member can.
async fn recount(c: &Consortium, file: &std::path::Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let record: consortium::Record = serde_json::from_str(&text)
        .context("the file is not a record written by `plenary proposal export`")?;
    let matched = c.recount(&record).await?;
    println!(
        "The fingerprint matches, the ballots recount to the published tally, and all {matched} ballots match their commitments in the audit log."
    );
    Ok(())
}

fn text_of(
    text: Option<String>,
    file: Option<std::path::PathBuf>,
) -> anyhow::Result<Option<String>> {
    match file {
        Some(f) => Ok(Some(
            std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?,
        )),
        None => Ok(text),
    }
}

fn parse_time(s: &str) -> anyhow::Result<i64> {
    let t: jiff::Timestamp = s
        .parse()
        .with_context(|| format!("{s:?} is not a time such as 2026-12-09T18:00Z"))?;
    Ok(t.as_millisecond())
}

/// The person whose token is in `PLENARY_TOKEN`: only they vote, and only
/// for an organisation they represent.
async fn voter(c: &Consortium) -> anyhow::Result<consortium::Actor> {
    std::env::var("PLENARY_TOKEN")
        .context("set PLENARY_TOKEN to your token (an operator makes one with `plenary token add --person NAME`)")?;
    actor(c).await
}

/// A choice as typed: positions by name, options by number (1 = first).
pub fn parse_choice(kind: Kind, s: &str, reason: Option<String>) -> anyhow::Result<Choice> {
    let s = s.trim();
    let option = |n: &str| -> anyhow::Result<usize> {
        let n: usize = n
            .trim()
            .parse()
            .with_context(|| format!("{n:?} is not an option number"))?;
        n.checked_sub(1).context("options are numbered from 1")
    };
    let list = |sep: char| s.split(sep).map(option).collect::<anyhow::Result<Vec<_>>>();
    if s == "abstain" && kind != Kind::Consent {
        return Ok(Choice::Abstain);
    }
    Ok(match kind {
        Kind::Consent => Choice::Consent {
            position: match s {
                "agree" => Position::Agree,
                "abstain" => Position::Abstain,
                "disagree" => Position::Disagree,
                "block" => Position::Block,
                other => bail!("{other:?}: a consent ballot is agree, abstain, disagree or block"),
            },
            reason,
        },
        Kind::SingleChoice => Choice::Single(option(s)?),
        Kind::MultipleChoice { .. } => Choice::Multiple(list(',')?),
        Kind::Ranked { .. } => Choice::Ranking(list('>')?),
        Kind::Score { .. } => Choice::Scores(
            s.split(',')
                .map(|v| {
                    v.trim()
                        .parse::<i32>()
                        .with_context(|| format!("{v:?} is not a score"))
                })
                .collect::<anyhow::Result<_>>()?,
        ),
    })
}

fn show(v: &consortium::ProposalView) {
    println!("Proposal {}: {}", v.id, v.title);
    println!("  state:        {}", v.state);
    println!("  purpose:      {}", v.purpose);
    for (i, o) in v.options.iter().enumerate() {
        println!("  option {}:     {o}", i + 1);
    }
    println!(
        "  rules:        lead time {}, quorum {}, threshold {}{}{}",
        v.rules.min_lead_time,
        v.rules.quorum,
        v.rules.threshold,
        if v.rules.block_stops {
            ", a block stops it"
        } else {
            ""
        },
        if v.rules.hide_results_until_close {
            ", results hidden until close"
        } else {
            ""
        }
    );
    if let Some(at) = v.opened_at_ms {
        println!("  opened:       {}", timestamp(at));
    }
    if let Some(at) = v.closes_at_ms {
        println!("  closes:       {}", timestamp(at));
    }
    if let Some(f) = &v.fingerprint {
        println!("  fingerprint:  {f}");
    }
    for line in &v.roll {
        let voted = if v.voted.contains(&line.org) {
            "voted"
        } else {
            "not yet voted"
        };
        println!(
            "  roll:         {} (weight {}, {}): {voted}",
            line.org, line.weight, line.class
        );
    }
    for r in &v.replacements {
        let effect = if r.counts {
            "replaced"
        } else {
            "did not replace (the delegate's prevails)"
        };
        println!(
            "  replacement:  {} {} ({}) at {}: {effect} the ballot of {} ({})",
            r.org,
            r.by,
            r.by_role.as_str(),
            timestamp(r.at_ms),
            r.earlier_by,
            r.earlier_role.as_str()
        );
    }
    if v.amends.is_some() {
        println!(
            "  changes the rules: see `plenary proposal show {} --json`",
            v.id
        );
    }
    match (&v.tally, v.state.as_str()) {
        (Some(t), "open") => println!(
            "  so far:       {} of {} organisations voted, carrying {} of {} votes",
            t.turnout.orgs_voted,
            t.turnout.orgs_eligible,
            t.turnout.weight_voted,
            t.turnout.weight_eligible
        ),
        (Some(t), _) => {
            println!("  result:       {}", consortium::statement(t, &v.options));
            println!("  {}", t.explanation);
        }
        (None, _) => {}
    }
    if let Some(h) = &v.audit_head {
        println!("  audit head:   {h}");
    }
    if let Some(st) = &v.statement {
        println!(
            "  outcome:      {} (stated by {} at {})",
            st.text,
            st.by,
            timestamp(st.at_ms)
        );
    }
    println!("\n{}", v.text);
}
