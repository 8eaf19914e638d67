//! `plenary bill …`: the period's cost pool split among the organisations.

use billing::statements::{self, BillQuery, ShareLine, Statement};
use metering::money::{Cents, Currency};
use store::Store;

use super::usage::period;
use super::{local_time, operator, parse_money, table};
use crate::cli::{BillCommand, Format, Measure, Rule, Statement as StatementArgs};
use crate::config::Config;

pub async fn run(store: &Store, config: &Config, command: BillCommand) -> anyhow::Result<()> {
    let settings = config.billing()?;
    match command {
        BillCommand::Preview(s) => {
            let preview = statements::preview(store, &settings, &query(config, &s)?).await?;
            if preview.closed {
                eprintln!(
                    "{} is closed; this preview recomputes it from the same data.",
                    preview.statement.period
                );
            }
            print(&preview.statement, s.format)?;
        }
        BillCommand::Close(s) => {
            let closed =
                statements::close(store, &settings, &query(config, &s)?, &operator()?).await?;
            print(&closed.statement, s.format)?;
            println!(
                "Statement for {} closed and frozen.",
                closed.statement.period
            );
            print_head(closed.audit_head.as_deref());
        }
        BillCommand::Show { period } => {
            let closed = statements::show(store, &period).await?;
            print(&closed.statement, Format::Table)?;
            println!(
                "Closed at {}.",
                local_time(closed.closed_at, &config.zone()?)
            );
            print_head(closed.audit_head.as_deref());
        }
        BillCommand::AddCost {
            period: p,
            label,
            amount,
            org,
        } => {
            let period = period(config, p.as_deref())?.label;
            let cents = Cents(parse_money(&amount)?);
            statements::add_cost(store, &period, &label, cents, org.as_deref(), &operator()?)
                .await?;
            let amount = settings.currency.format(cents);
            match org {
                Some(o) => println!("{o} is credited {amount} for {label:?} in {period}."),
                None => println!("{amount} for {label:?} added to the {period} pool."),
            }
        }
    }
    Ok(())
}

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
