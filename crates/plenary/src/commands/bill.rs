//! `plenary bill …`: the period's cost pool split among the organisations.

use std::collections::BTreeMap;

use anyhow::bail;
use metering::money::{Cents, Currency};
use metering::split::{Member, SplitRule, UsageMeasure, split};
use metering::usage::Dim;
use serde_json::json;
use store::{CostLine, Store};

use super::usage::period;
use super::{local_time, operator, parse_money, table};
use crate::cli::{BillCommand, Format, Measure, Rule, Statement};
use crate::config::Config;
use crate::period::Period;
use crate::usage::Metering;

pub async fn run(store: &Store, config: &Config, command: BillCommand) -> anyhow::Result<()> {
    match command {
        BillCommand::Preview(s) => {
            let period = period(config, s.period.as_deref())?.label;
            if store.statement(&period).await?.is_some() {
                eprintln!("{period} is closed; this preview recomputes it from the same data.");
            }
            let body = compute(store, config, &s).await?;
            print(&body, s.format)?;
        }
        BillCommand::Close(s) => {
            let body = compute(store, config, &s).await?;
            let period = body["period"].as_str().unwrap_or_default().to_string();
            let closed = store
                .close_statement(&period, &body.to_string(), &operator()?)
                .await?;
            print(&body, s.format)?;
            println!("Statement for {period} closed and frozen.");
            print_head(closed.audit_head.as_deref());
        }
        BillCommand::Show { period } => {
            let Some(closed) = store.statement(&period).await? else {
                bail!("{period} is not closed yet: see `plenary bill preview --period {period}`");
            };
            let body: serde_json::Value = serde_json::from_str(&closed.body)?;
            print(&body, Format::Table)?;
            println!(
                "Closed at {}.",
                local_time(closed.closed_at, &config.zone()?)
            );
            print_head(closed.audit_head.as_deref());
        }
        BillCommand::AddCost {
            period,
            label,
            amount,
            org,
        } => {
            let period = super::usage::period(config, period.as_deref())?.label;
            let cents = parse_money(&amount)?;
            let org_id = match &org {
                Some(name) => Some(store.organisation(name).await?.id),
                None => None,
            };
            store
                .add_cost_line(
                    &CostLine {
                        period: period.clone(),
                        label: label.clone(),
                        cents,
                        org_id,
                    },
                    &operator()?,
                )
                .await?;
            let amount = config.currency()?.format(Cents(cents));
            match org {
                Some(o) => println!("{o} is credited {amount} for {label:?} in {period}."),
                None => println!("{amount} for {label:?} added to the {period} pool."),
            }
        }
    }
    Ok(())
}

/// The statement as JSON: the pool, how it was split, and every share.
pub async fn compute(
    store: &Store,
    config: &Config,
    s: &Statement,
) -> anyhow::Result<serde_json::Value> {
    let Period {
        label: period,
        window,
    } = period(config, s.period.as_deref())?;
    let measure = match s.measure {
        Measure::ParticipantMinutes => UsageMeasure::ParticipantMinutes,
        Measure::Megabytes => UsageMeasure::EstimatedMegabytes,
    };
    let rule = match s.rule {
        Rule::Guifi => SplitRule::Guifi {
            base_fee: Cents(parse_money(&s.base_fee)?),
            measure,
        },
        Rule::Proportional => SplitRule::Proportional { measure },
        Rule::Tiers => SplitRule::TierPriceList,
    };
    let currency = config.currency()?;
    // A month is charged for the servers that existed in it: one added
    // later neither costs nor credits anything in an earlier month.
    let servers: Vec<store::Server> = store
        .servers()
        .await?
        .into_iter()
        .filter(|sv| sv.created_at < window.to_ms)
        .collect();
    let lines = store.cost_lines(&period).await?;
    let orgs = store.organisations().await?;
    let tenants = store.tenants().await?;
    let tiers: BTreeMap<i64, i64> = store
        .tiers()
        .await?
        .into_iter()
        .map(|t| (t.id, t.price_cents))
        .collect();
    // Use per organisation as it was metered: a tenant's hours count for
    // the organisation that owned it then.
    let usage = Metering::for_config(store.clone(), config)
        .usage(Dim::Org, window)
        .await?;

    let pool_items: Vec<(String, i64)> = servers
        .iter()
        .filter(|sv| sv.monthly_cost_cents > 0)
        .map(|sv| (format!("server {}", sv.url), sv.monthly_cost_cents))
        .chain(
            lines
                .iter()
                .filter(|l| l.org_id.is_none())
                .map(|l| (l.label.clone(), l.cents)),
        )
        .collect();
    let pool = Cents(pool_items.iter().map(|(_, c)| c).sum());
    // Participating organisations: those with at least one tenant.
    let members: Vec<Member> = orgs
        .iter()
        .filter(|o| tenants.iter().any(|t| t.org_id == Some(o.id)))
        .map(|o| {
            let own: Vec<&store::Tenant> =
                tenants.iter().filter(|t| t.org_id == Some(o.id)).collect();
            let used = usage.get(&o.name).cloned().unwrap_or_default();
            Member {
                org: o.name.clone(),
                participant_minutes: u64::try_from(used.participant_minutes()).unwrap_or(u64::MAX),
                estimated_megabytes: u64::try_from(used.bytes_out / 1_000_000).unwrap_or(u64::MAX),
                tier_price: Cents(
                    own.iter()
                        .filter_map(|t| t.tier_id.and_then(|id| tiers.get(&id)))
                        .sum(),
                ),
                contributions: Cents(
                    servers
                        .iter()
                        .filter(|sv| sv.owner_org_id == Some(o.id))
                        .map(|sv| sv.monthly_cost_cents)
                        .sum::<i64>()
                        + lines
                            .iter()
                            .filter(|l| l.org_id == Some(o.id))
                            .map(|l| l.cents)
                            .sum::<i64>(),
                ),
            }
        })
        .collect();
    let shares = split(pool, &members, rule, currency);
    Ok(json!({
        "period": period,
        "currency": currency.code(),
        "rule": format!("{:?}", s.rule).to_lowercase(),
        "base_fee_cents": if s.rule == Rule::Guifi { Some(parse_money(&s.base_fee)?) } else { None },
        "measure": format!("{:?}", s.measure).to_lowercase(),
        "pool_cents": pool.0,
        "pool": pool_items.iter().map(|(l, c)| json!({ "label": l, "cents": c })).collect::<Vec<_>>(),
        "shares": shares.iter().zip(&members).map(|(sh, m)| json!({
            "org": sh.org,
            "participant_minutes": m.participant_minutes,
            "estimated_megabytes": m.estimated_megabytes,
            "base_cents": sh.base.0,
            "usage_cents": sh.usage_part.0,
            "share_cents": sh.share.0,
            "contributions_cents": sh.contributions.0,
            "balance_cents": sh.balance.0,
            "explanation": sh.explanation,
        })).collect::<Vec<_>>(),
    }))
}

/// The published audit head of a closed period, which members keep to check
/// the log against later (`plenary audit verify --head`).
fn print_head(head: Option<&str>) {
    if let Some(head) = head {
        println!("Audit log head after closing: {head}");
    }
}

/// A statement's amounts in its own currency: the one it was computed (or
/// closed) in, whatever the setting says now. Statements frozen before
/// Plenary recorded a currency have bare amounts.
struct Amounts(Option<Currency>);

impl Amounts {
    fn of(body: &serde_json::Value) -> anyhow::Result<Self> {
        Ok(Self(
            body["currency"].as_str().map(Currency::parse).transpose()?,
        ))
    }

    fn code(&self) -> &'static str {
        self.0.map_or("", Currency::code)
    }

    /// `£120.00` in a table.
    fn written(&self, cents: i64) -> String {
        match self.0 {
            Some(c) => c.format(Cents(cents)),
            None => Cents(cents).to_string(),
        }
    }
}

fn print(body: &serde_json::Value, format: Format) -> anyhow::Result<()> {
    let shares = body["shares"].as_array().cloned().unwrap_or_default();
    let amounts = Amounts::of(body)?;
    match format {
        Format::Json => super::print_json(body),
        Format::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout());
            out.write_record([
                "org",
                "participant_minutes",
                "currency",
                "base",
                "usage",
                "share",
                "contributions",
                "balance",
            ])?;
            let bare = |cents: i64| Cents(cents).to_string();
            for s in &shares {
                let mut row = share_row(s, bare);
                row.insert(2, amounts.code().to_string());
                out.write_record(row)?;
            }
            out.flush()?;
        }
        Format::Table => {
            println!(
                "Statement {} ({} rule), pool {}:",
                body["period"].as_str().unwrap_or_default(),
                body["rule"].as_str().unwrap_or_default(),
                amounts.written(body["pool_cents"].as_i64().unwrap_or(0))
            );
            for item in body["pool"].as_array().into_iter().flatten() {
                println!(
                    "  {:<50} {:>12}",
                    item["label"].as_str().unwrap_or_default(),
                    amounts.written(item["cents"].as_i64().unwrap_or(0))
                );
            }
            let rows: Vec<Vec<String>> = shares
                .iter()
                .map(|s| share_row(s, |c| amounts.written(c)))
                .collect();
            print!(
                "{}",
                table(
                    &[
                        "ORG",
                        "PARTICIPANT-MIN",
                        "BASE",
                        "USE",
                        "SHARE",
                        "CONTRIBUTIONS",
                        "BALANCE"
                    ],
                    &rows
                )
            );
            for s in &shares {
                println!(
                    "  {}: {}",
                    s["org"].as_str().unwrap_or_default(),
                    s["explanation"].as_str().unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

/// One organisation's line of a statement: org, use, base, use part, share,
/// contributions, balance, with amounts written by `money`.
fn share_row(s: &serde_json::Value, money: impl Fn(i64) -> String) -> Vec<String> {
    let cents = |k: &str| money(s[k].as_i64().unwrap_or(0));
    vec![
        s["org"].as_str().unwrap_or_default().to_string(),
        s["participant_minutes"].to_string(),
        cents("base_cents"),
        cents("usage_cents"),
        cents("share_cents"),
        cents("contributions_cents"),
        cents("balance_cents"),
    ]
}
