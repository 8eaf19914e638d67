//! Each tenant's fair-use verdicts over a month, from its metered use and
//! its tier's allowances.

use std::collections::HashMap;

use metering::fair_use::{self, HourUse, Level, Limits, Verdict};
use metering::period::Period;
use metering::usage::{Dim, HOUR_MS, Totals};
use serde::Serialize;
use store::Store;
use utoipa::ToSchema;

use crate::meter::Metering;
use crate::{BillingError, Settings};

/// A rule is near from this share of its limit.
pub const NEAR_PERCENT: u64 = 80;

/// One tenant's fair-use verdicts over a period.
#[derive(Debug, Clone)]
pub struct FairUse {
    pub tenant: String,
    pub org: Option<String>,
    pub tier: Option<String>,
    pub verdicts: Vec<Verdict>,
}

impl FairUse {
    pub fn level(&self) -> Level {
        fair_use::worst(&self.verdicts)
    }
}

/// Which verdicts a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairUseQuery {
    pub period: Period,
    /// Also the rules a tenant is within.
    pub all: bool,
    /// Only this organisation's tenants.
    pub org: Option<String>,
    pub now_ms: i64,
}

/// One rule's verdict for one tenant, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FairUseLine {
    pub org: String,
    pub tenant: String,
    pub tier: String,
    /// The tenant's worst level over every rule.
    pub status: &'static str,
    pub rule: &'static str,
    pub level: &'static str,
    pub used: String,
    pub limit: String,
    pub percent: u64,
    /// The verdict in words: `participant-minutes 12000 of 10000 (120%)`.
    pub reason: String,
}

/// The tenants' fair-use verdicts over a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FairUseReport {
    pub period: String,
    pub time_zone: String,
    pub near_percent: u64,
    /// Worst first, then by organisation and tenant.
    pub rows: Vec<FairUseLine>,
}

/// The fair-use listing of `query.period`: tenants over or near a rule
/// first, and with `all` the rules they are within too.
pub async fn list(
    store: &Store,
    settings: &Settings,
    query: &FairUseQuery,
) -> Result<FairUseReport, BillingError> {
    let metering = Metering::for_settings(store.clone(), settings);
    let org = query.org.as_deref();
    let mut fair = verdicts(&metering, store, settings, &query.period, org, query.now_ms).await?;
    fair.sort_by(|a, b| (b.level(), &a.org, &a.tenant).cmp(&(a.level(), &b.org, &b.tenant)));
    let rows = fair
        .iter()
        .flat_map(|f| {
            f.verdicts
                .iter()
                .filter(|v| query.all || v.level != Level::Ok)
                .map(move |v| {
                    let (used, limit) = v.amounts();
                    FairUseLine {
                        org: f.org.clone().unwrap_or_default(),
                        tenant: f.tenant.clone(),
                        tier: f.tier.clone().unwrap_or_default(),
                        status: f.level().as_str(),
                        rule: v.rule.as_str(),
                        level: v.level.as_str(),
                        used,
                        limit,
                        percent: v.percent,
                        reason: v.to_string(),
                    }
                })
        })
        .collect();
    Ok(FairUseReport {
        period: query.period.label.clone(),
        time_zone: settings.time_zone.clone(),
        near_percent: NEAR_PERCENT,
        rows,
    })
}

/// The fair-use verdicts for `period`, as of `now_ms`, of every tenant or
/// with `org` of that organisation's tenants only, from their hours (the
/// tenants' tiers as they are now). A month's use is its hours merged, so
/// the hours are all that is read, and only the tenants asked about.
pub async fn verdicts(
    metering: &Metering,
    store: &Store,
    settings: &Settings,
    period: &Period,
    org: Option<&str>,
    now_ms: i64,
) -> Result<Vec<FairUse>, BillingError> {
    let orgs: HashMap<i64, String> = store.organisation_names().await?;
    let tenants: Vec<store::Tenant> = store
        .tenants()
        .await?
        .into_iter()
        .filter(|t| {
            org.is_none_or(|o| t.org_id.and_then(|id| orgs.get(&id)).map(String::as_str) == Some(o))
        })
        .collect();
    let hourly = match org {
        None => metering.hourly(Dim::Tenant, period.window).await?,
        Some(_) => {
            let names: Vec<String> = tenants.iter().map(|t| t.name.clone()).collect();
            metering
                .hourly_of(Dim::Tenant, &names, period.window)
                .await?
        }
    };
    let mut month: HashMap<String, Totals> = HashMap::new();
    let mut hours: HashMap<String, Vec<HourUse>> = HashMap::new();
    for (_, key, t) in hourly {
        month.entry(key.clone()).or_default().merge(&t);
        hours.entry(key).or_default().push(HourUse::of(&t));
    }
    let window = period.window;
    let elapsed =
        (now_ms.clamp(window.from_ms, window.to_ms) - window.from_ms + HOUR_MS - 1) / HOUR_MS;
    let tiers: HashMap<i64, store::Tier> = store
        .tiers()
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let limit = |v: i64| v.max(0) as u64;
    Ok(tenants
        .into_iter()
        .map(|t| {
            let tier = t.tier_id.and_then(|id| tiers.get(&id));
            // The bandwidth threshold is the co-op's, for every tenant.
            let limits = Limits {
                participant_minutes: tier.map_or(0, |x| limit(x.allowance_participant_minutes)),
                gigabytes: tier.map_or(0, |x| limit(x.allowance_gb)),
                concurrent_participants: tier.map_or(0, |x| limit(x.concurrent_participants)),
                burst_hours: settings.fair_use_burst_hours,
                p95_mbps: settings.fair_use_p95_mbps,
            };
            let verdicts = fair_use::evaluate(
                &month.get(&t.name).cloned().unwrap_or_default(),
                hours.get(&t.name).map_or(&[], Vec::as_slice),
                elapsed.max(0) as u64,
                &limits,
                NEAR_PERCENT,
            );
            FairUse {
                org: t.org_id.and_then(|o| orgs.get(&o).cloned()),
                tier: tier.map(|x| x.name.clone()),
                tenant: t.name,
                verdicts,
            }
        })
        .collect())
}

/// A tenant's status in a report line: its level with its reasons.
pub fn tenant_summary(fair: &[FairUse], tenant: &str) -> String {
    let own = fair.iter().filter(|f| f.tenant == tenant);
    fair_use::summary(own.flat_map(|f| f.verdicts.iter().map(|v| ("", v))))
}

/// An organisation's status is its worst tenant's, with every tenant's reasons.
pub fn org_summary(fair: &[FairUse], org: &str) -> String {
    let own = fair.iter().filter(|f| f.org.as_deref() == Some(org));
    fair_use::summary(own.flat_map(|f| f.verdicts.iter().map(|v| (f.tenant.as_str(), v))))
}
