//! `plenary usage …`

use billing::Billing;
use billing::fair_use::{FairUseQuery, NEAR_PERCENT};
use billing::period::{self, Period};
use billing::usage::UsageQuery;
use consortium::Consortium;
use serde_json::{Value, json};

use super::{actor, now_ms, print_rows};
use crate::cli::{Every, Format, UsageCommand};
use crate::config::Config;

/// The period named on the command line, in the configured time zone.
pub fn period(config: &Config, period: Option<&str>) -> anyhow::Result<Period> {
    Ok(period::month(period, &config.zone()?, now_ms())?)
}

/// The co-op's billing, as the command line reaches it.
pub fn billing(c: &Consortium, config: &Config) -> anyhow::Result<Billing> {
    Ok(Billing::new(c.store().clone(), config.billing()?))
}

pub async fn run(c: &Consortium, config: &Config, command: UsageCommand) -> anyhow::Result<()> {
    let billing = billing(c, config)?;
    let actor = actor(c).await?;
    match command {
        UsageCommand::Report {
            period: p,
            tenant,
            org,
            by,
            every,
            format,
        } => {
            let query = UsageQuery {
                period: period(config, p.as_deref())?,
                by: by.dim(),
                every: every.into(),
                tenant,
                org,
                now_ms: now_ms(),
            };
            let report = billing.usage(&actor, &query).await?;
            print_rows(
                format,
                &format!(
                    "Usage in {} ({}) by {}, estimated bandwidth from BBB's model:",
                    report.period, report.time_zone, report.by
                ),
                json!({ "period": report.period, "time_zone": report.time_zone, "by": report.by }),
                &report.columns,
                &report.rows,
            )
        }
        UsageCommand::FairUse {
            period: p,
            all,
            org,
            format,
        } => {
            let query = FairUseQuery {
                period: period(config, p.as_deref())?,
                all,
                org,
                now_ms: now_ms(),
            };
            let report = billing.fair_use(&actor, &query).await?;
            if report.rows.is_empty() && matches!(format, Format::Table) {
                println!("Every tenant is within fair use in {}.", report.period);
                return Ok(());
            }
            let lines: Vec<Vec<Value>> = report
                .rows
                .iter()
                .map(|l| {
                    vec![
                        json!(l.org),
                        json!(l.tenant),
                        json!(l.tier),
                        json!(l.status),
                        json!(l.rule),
                        json!(l.level),
                        json!(l.used),
                        json!(l.limit),
                        json!(l.percent),
                    ]
                })
                .collect();
            print_rows(
                format,
                &format!(
                    "Fair use in {} ({}), rule by rule (near from {NEAR_PERCENT}% of a limit):",
                    report.period, report.time_zone,
                ),
                json!({ "period": report.period, "time_zone": report.time_zone }),
                &[
                    "org", "tenant", "tier", "status", "rule", "level", "used", "limit", "percent",
                ],
                &lines,
            )
        }
    }
}

impl From<Every> for billing::usage::Every {
    fn from(every: Every) -> Self {
        match every {
            Every::Month => Self::Month,
            Every::Day => Self::Day,
            Every::Hour => Self::Hour,
        }
    }
}
