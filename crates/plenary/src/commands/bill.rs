//! `plenary bill …`: the period's cost pool split among the organisations.

use billing::service::{ClosedPeriod, Cost, OrgStatement};
use billing::statements::{self, BillQuery, ShareLine, Statement};
use consortium::Consortium;
use metering::money::{Cents, Currency};
use metering::period::Month;

use super::usage::{billing, period};
use super::{actor, local_time, now_ms, parse_money, print_json, table};
use crate::cli::{BillCommand, Format, Measure, Rule, Statement as StatementArgs};
use crate::config::Config;

pub async fn run(c: &Consortium, config: &Config, command: BillCommand) -> anyhow::Result<()> {
    let billing = billing(c, config)?;
    let actor = actor(c).await?;
    let currency = billing.settings().currency;
    match command {
        BillCommand::Preview(s) => {
            let preview = billing.preview(&actor, &query(config, &s)?).await?;
            if preview.closed {
                eprintln!(
                    "{} is closed; this preview recomputes it from the same data.",
                    preview.statement.period
                );
            }
            print(&preview.statement, s.format)?;
        }
        BillCommand::Close(s) => {
            let closed = billing.close(&actor, &query(config, &s)?, now_ms()).await?;
            print(&closed.statement, s.format)?;
            println!(
                "Statement for {} closed and frozen.",
                closed.statement.period
            );
            print_head(closed.audit_head.as_deref());
        }
        BillCommand::Show {
            period,
            org: None,
            output,
        } => {
            let closed = billing.statement(&actor, period.parse()?).await?;
            if output.json {
                print_json(&serde_json::to_value(&closed)?);
                return Ok(());
            }
            print(&closed.statement, Format::Table)?;
            println!(
                "Closed at {}.",
                local_time(closed.closed_at, &config.zone()?)
            );
            print_head(closed.audit_head.as_deref());
        }
        BillCommand::Show {
            period,
            org: Some(org),
            output,
        } => {
            let part = billing.statement_of(&actor, &org, period.parse()?).await?;
            if output.json {
                print_json(&serde_json::to_value(&part)?);
                return Ok(());
            }
            print_parts(&[part], false, config)?;
        }
        BillCommand::List { org: None, output } => {
            let closed = billing.statements(&actor).await?;
            print_closed(&closed, output.json, config)?;
        }
        BillCommand::List {
            org: Some(org),
            output,
        } => {
            let parts = billing.statements_of(&actor, &org).await?;
            print_parts(&parts, output.json, config)?;
        }
        BillCommand::Costs { period: p, output } => {
            let month: Month = period(config, p.as_deref())?.label.parse()?;
            let costs = billing.costs(&actor, month).await?;
            if output.json {
                print_json(&serde_json::to_value(&costs)?);
                return Ok(());
            }
            print_costs(&costs, currency);
        }
        BillCommand::AddCost {
            period: p,
            label,
            amount,
            org,
        } => {
            let month: Month = period(config, p.as_deref())?.label.parse()?;
            let cents = Cents(parse_money(&amount)?);
            let cost = billing
                .add_cost(&actor, month, &label, cents, org.as_deref(), now_ms())
                .await?;
            let amount = currency.format(cents);
            match cost.org {
                Some(o) => println!("{o} is credited {amount} for {label:?} in {month}."),
                None => println!("{amount} for {label:?} added to the {month} pool."),
            }
        }
    }
    Ok(())
}

fn print_costs(costs: &[Cost], currency: Currency) {
    let rows: Vec<Vec<String>> = costs
        .iter()
        .map(|c| {
            vec![
                c.label.clone(),
                currency.format(Cents(c.cents)),
                c.org.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    print!("{}", table(&["LABEL", "AMOUNT", "CREDITED TO"], &rows));
}

fn print_closed(closed: &[ClosedPeriod], json: bool, config: &Config) -> anyhow::Result<()> {
    if json {
        print_json(&serde_json::to_value(closed)?);
        return Ok(());
    }
    let zone = config.zone()?;
    let rows: Vec<Vec<String>> = closed
        .iter()
        .map(|c| {
            let amounts = Amounts(c.currency.as_deref().map(Currency::parse).transpose()?);
            Ok(vec![
                c.period.clone(),
                c.rule.as_str().to_string(),
                amounts.written(c.pool_cents),
                c.organisations.to_string(),
                local_time(c.closed_at, &zone),
            ])
        })
        .collect::<anyhow::Result<_>>()?;
    print!(
        "{}",
        table(&["PERIOD", "RULE", "POOL", "ORGS", "CLOSED AT"], &rows)
    );
    Ok(())
}

/// Organisations' parts of closed periods: their own line of each.
fn print_parts(parts: &[OrgStatement], json: bool, config: &Config) -> anyhow::Result<()> {
    if json {
        print_json(&serde_json::to_value(parts)?);
        return Ok(());
    }
    let zone = config.zone()?;
    for part in parts {
        let amounts = Amounts(part.currency.as_deref().map(Currency::parse).transpose()?);
        println!(
            "{} ({} rule, pool {}), closed at {}:",
            part.period,
            part.rule.as_str(),
            amounts.written(part.pool_cents),
            local_time(part.closed_at, &zone)
        );
        print!(
            "{}",
            table(
                &SHARE_HEADER,
                &[share_row(&part.share, |c| amounts.written(c))]
            )
        );
        println!("  {}", part.share.explanation);
    }
    Ok(())
}

const SHARE_HEADER: [&str; 7] = [
    "ORG",
    "PARTICIPANT-MIN",
    "BASE",
    "USE",
    "SHARE",
    "CONTRIBUTIONS",
    "BALANCE",
];

/// The statement the command line asks for; the base fee is read only by
/// the rule that has one.
pub fn query(config: &Config, s: &StatementArgs) -> anyhow::Result<BillQuery> {
    Ok(BillQuery {
        period: period(config, s.period.as_deref())?,
        rule: match s.rule {
            Rule::Guifi => statements::Rule::Guifi,
            Rule::Proportional => statements::Rule::Proportional,
            Rule::Tiers => statements::Rule::Tiers,
        },
        base_fee: match s.rule {
            Rule::Guifi => Cents(parse_money(&s.base_fee)?),
            _ => Cents(0),
        },
        measure: match s.measure {
            Measure::ParticipantMinutes => statements::Measure::ParticipantMinutes,
            Measure::Megabytes => statements::Measure::Megabytes,
        },
    })
}

/// The published audit head of a closed period, which members keep to check
/// the log against later (`plenary audit verify --head`).
fn print_head(head: Option<&str>) {
    if let Some(head) = head {
        println!("Audit log head after closing: {head}");
    }
}

/// A statement's amounts in its own currency; statements frozen before
/// Plenary recorded a currency have bare amounts.
struct Amounts(Option<Currency>);

impl Amounts {
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

fn print(statement: &Statement, format: Format) -> anyhow::Result<()> {
    let amounts = Amounts(statement.currency()?);
    let shares = &statement.shares;
    match format {
        Format::Json => super::print_json(&serde_json::to_value(statement)?),
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
            for s in shares {
                let mut row = share_row(s, bare);
                row.insert(2, amounts.code().to_string());
                out.write_record(row)?;
            }
            out.flush()?;
        }
        Format::Table => {
            println!(
                "Statement {} ({} rule), pool {}:",
                statement.period,
                statement.rule.as_str(),
                amounts.written(statement.pool_cents)
            );
            for item in &statement.pool {
                println!("  {:<50} {:>12}", item.label, amounts.written(item.cents));
            }
            let rows: Vec<Vec<String>> = shares
                .iter()
                .map(|s| share_row(s, |c| amounts.written(c)))
                .collect();
            print!("{}", table(&SHARE_HEADER, &rows));
            for s in shares {
                println!("  {}: {}", s.org, s.explanation);
            }
        }
    }
    Ok(())
}

/// One organisation's line of a statement: org, use, base, use part, share,
/// contributions, balance, with amounts written by `money`.
fn share_row(s: &ShareLine, money: impl Fn(i64) -> String) -> Vec<String> {
    vec![
        s.org.clone(),
        s.participant_minutes.to_string(),
        money(s.base_cents),
        money(s.usage_cents),
        money(s.share_cents),
        money(s.contributions_cents),
        money(s.balance_cents),
    ]
}
