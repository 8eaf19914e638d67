//! A month's statement: the co-op's cost pool split among the organisations
//! by a rule, previewed at any time and frozen when the month is closed.

use std::collections::BTreeMap;

use metering::money::{Cents, Currency};
use metering::period::Period;
use metering::split::{Member, SplitRule, UsageMeasure, split};
use metering::usage::Dim;
use serde::{Deserialize, Serialize};
use store::{Act, CostLine, Store};
use utoipa::ToSchema;

use crate::meter::Metering;
use crate::{BillingError, Settings};

/// How the pool is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = SplitRule)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// An equal base fee plus the rest in proportion to use (guifi.net).
    Guifi,
    /// Everything in proportion to use.
    Proportional,
    /// In proportion to the organisations' tier prices.
    Tiers,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guifi => "guifi",
            Self::Proportional => "proportional",
            Self::Tiers => "tiers",
        }
    }

    pub fn parse(s: &str) -> Result<Self, BillingError> {
        [Self::Guifi, Self::Proportional, Self::Tiers]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                BillingError::Invalid(format!("{s:?} is not a rule: guifi, proportional or tiers"))
            })
    }
}

/// The use a rule's proportional part follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = SplitMeasure)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    ParticipantMinutes,
    Megabytes,
}

impl Measure {
    /// As the command line and the API name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ParticipantMinutes => "participant-minutes",
            Self::Megabytes => "megabytes",
        }
    }

    pub fn parse(s: &str) -> Result<Self, BillingError> {
        [Self::ParticipantMinutes, Self::Megabytes]
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                BillingError::Invalid(format!(
                    "{s:?} is not a measure: participant-minutes or megabytes"
                ))
            })
    }
}

/// The guifi rule's base fee when none is named: 10.00.
pub const DEFAULT_BASE_FEE: Cents = Cents(1000);

/// What a statement is computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillQuery {
    pub period: Period,
    pub rule: Rule,
    /// The guifi rule's equal base fee per organisation (unused by the others).
    pub base_fee: Cents,
    pub measure: Measure,
}

/// One item of the cost pool: a server's monthly cost or a cost line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = PoolCost)]
#[serde(deny_unknown_fields)]
pub struct PoolItem {
    pub label: String,
    pub cents: i64,
}

/// One organisation's part of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Share)]
#[serde(deny_unknown_fields)]
pub struct ShareLine {
    pub org: String,
    pub participant_minutes: u64,
    pub estimated_megabytes: u64,
    pub base_cents: i64,
    pub usage_cents: i64,
    pub share_cents: i64,
    pub contributions_cents: i64,
    pub balance_cents: i64,
    pub explanation: String,
}

/// A month's statement, exactly as it is frozen when the month closes.
/// Every field must be present when one is read back (none defaults), but
/// `currency`, which statements frozen before Plenary recorded it lack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = PeriodStatement)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub period: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub rule: Rule,
    /// The guifi rule's base fee; none for the other rules.
    pub base_fee_cents: Option<i64>,
    pub measure: Measure,
    pub pool_cents: i64,
    pub pool: Vec<PoolItem>,
    pub shares: Vec<ShareLine>,
}

impl Statement {
    /// The form a closed statement is stored in: JSON with its keys in
    /// order, byte for byte what earlier versions of Plenary stored, so the
    /// audit log's digest of a statement does not depend on the version.
    pub fn to_json(&self) -> String {
        serde_json::to_value(self).map_or_else(|_| String::new(), |v| v.to_string())
    }

    pub fn from_json(period: &str, body: &str) -> Result<Self, BillingError> {
        serde_json::from_str(body).map_err(|e| BillingError::CorruptStatement {
            period: period.to_string(),
            reason: e.to_string(),
        })
    }

    /// The currency its amounts are in: the one it was computed (or closed)
    /// in, whatever the setting says now; none for bare amounts.
    pub fn currency(&self) -> Result<Option<Currency>, BillingError> {
        Ok(self.currency.as_deref().map(Currency::parse).transpose()?)
    }
}

/// A closed month's frozen statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ClosedStatement)]
pub struct Closed {
    pub statement: Statement,
    pub closed_at: i64,
    /// The audit log's head right after closing, which members keep to
    /// check the log against later; none for months closed before
    /// Plenary stored it.
    pub audit_head: Option<String>,
}

/// A statement computed now, and whether its month is already closed (the
/// preview then recomputes it from the same data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = StatementPreview)]
pub struct Preview {
    pub statement: Statement,
    pub closed: bool,
}

/// The statement `query.period` would get if it closed now.
pub async fn preview(
    store: &Store,
    settings: &Settings,
    query: &BillQuery,
) -> Result<Preview, BillingError> {
    let closed = store.statement(&query.period.label).await?.is_some();
    Ok(Preview {
        statement: compute(store, settings, query).await?,
        closed,
    })
}

/// Computes and freezes the statement of `query.period`; a closed month
/// cannot be closed again.
pub async fn close(
    store: &Store,
    settings: &Settings,
    query: &BillQuery,
    act: &Act,
) -> Result<Closed, BillingError> {
    let statement = compute(store, settings, query).await?;
    let closed = store
        .close_statement(&statement.period, &statement.to_json(), act)
        .await?;
    Ok(Closed {
        statement,
        closed_at: closed.closed_at,
        audit_head: closed.audit_head,
    })
}

/// A closed month's frozen statement, read back exactly.
pub async fn show(store: &Store, period: &str) -> Result<Closed, BillingError> {
    let closed = store
        .statement(period)
        .await?
        .ok_or_else(|| BillingError::NotClosed {
            period: period.to_string(),
        })?;
    Ok(Closed {
        statement: Statement::from_json(period, &closed.body)?,
        closed_at: closed.closed_at,
        audit_head: closed.audit_head,
    })
}

/// A cost added to a month's pool, or with `org` an organisation's
/// contribution credited to it.
pub async fn add_cost(
    store: &Store,
    period: &str,
    label: &str,
    amount: Cents,
    org: Option<&str>,
    act: &Act,
) -> Result<(), BillingError> {
    let org_id = match org {
        Some(name) => Some(store.organisation(name).await?.id),
        None => None,
    };
    let line = CostLine {
        period: period.to_string(),
        label: label.to_string(),
        cents: amount.0,
        org_id,
    };
    Ok(store.add_cost_line(&line, act).await?)
}

/// The statement of `query`: the pool, how it was split, and every share.
pub async fn compute(
    store: &Store,
    settings: &Settings,
    query: &BillQuery,
) -> Result<Statement, BillingError> {
    let Period {
        label: period,
        window,
    } = &query.period;
    let measure = match query.measure {
        Measure::ParticipantMinutes => UsageMeasure::ParticipantMinutes,
        Measure::Megabytes => UsageMeasure::EstimatedMegabytes,
    };
    let rule = match query.rule {
        Rule::Guifi => SplitRule::Guifi {
            base_fee: query.base_fee,
            measure,
        },
        Rule::Proportional => SplitRule::Proportional { measure },
        Rule::Tiers => SplitRule::TierPriceList,
    };
    let currency = settings.currency;
    // A month is charged for the servers that existed in it: one added
    // later neither costs nor credits anything in an earlier month.
    let servers: Vec<store::Server> = store
        .servers()
        .await?
        .into_iter()
        .filter(|sv| sv.created_at < window.to_ms)
        .collect();
    let lines = store.cost_lines(period).await?;
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
    let usage = Metering::for_settings(store.clone(), settings)
        .usage(Dim::Org, *window)
        .await?;

    let pool: Vec<PoolItem> = servers
        .iter()
        .filter(|sv| sv.monthly_cost_cents > 0)
        .map(|sv| PoolItem {
            label: format!("server {}", sv.url),
            cents: sv.monthly_cost_cents,
        })
        .chain(
            lines
                .iter()
                .filter(|l| l.org_id.is_none())
                .map(|l| PoolItem {
                    label: l.label.clone(),
                    cents: l.cents,
                }),
        )
        .collect();
    let pool_cents = Cents(pool.iter().map(|i| i.cents).sum());
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
    let shares = split(pool_cents, &members, rule, currency);
    Ok(Statement {
        period: period.clone(),
        currency: Some(currency.code().to_string()),
        rule: query.rule,
        base_fee_cents: (query.rule == Rule::Guifi).then_some(query.base_fee.0),
        measure: query.measure,
        pool_cents: pool_cents.0,
        pool,
        shares: shares
            .into_iter()
            .zip(&members)
            .map(|(sh, m)| ShareLine {
                org: sh.org,
                participant_minutes: m.participant_minutes,
                estimated_megabytes: m.estimated_megabytes,
                base_cents: sh.base.0,
                usage_cents: sh.usage_part.0,
                share_cents: sh.share.0,
                contributions_cents: sh.contributions.0,
                balance_cents: sh.balance.0,
                explanation: sh.explanation,
            })
            .collect(),
    })
}
