//! Usage reports: metered use per tenant, organisation, origin, server or
//! pool, for a month as a whole or per local day or hour.

use std::collections::{BTreeMap, HashMap};

use metering::integrate::Integrals;
use metering::period::{self, Period};
use metering::usage::{Dim, Totals};
use serde::Serialize;
use serde_json::{Value, json};
use store::Store;
use utoipa::ToSchema;

use crate::fair_use::{FairUse, org_summary, tenant_summary, verdicts};
use crate::meter::Metering;
use crate::{BillingError, Settings};

/// How finely a report cuts its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    Month,
    Day,
    Hour,
}

impl Every {
    pub const ALL: [Self; 3] = [Self::Month, Self::Day, Self::Hour];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Day => "day",
            Self::Hour => "hour",
        }
    }

    pub fn parse(s: &str) -> Result<Self, BillingError> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| BillingError::Invalid(format!("{s:?} is not a cut: month, day or hour")))
    }
}

/// The dimension named `s`: tenant, org, server, pool or origin.
pub fn dimension(s: &str) -> Result<Dim, BillingError> {
    Dim::parse(s).ok_or_else(|| {
        BillingError::Invalid(format!(
            "{s:?} is not a dimension: tenant, org, server, pool or origin"
        ))
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageQuery {
    pub period: Period,
    pub by: Dim,
    pub every: Every,
    /// Only this tenant's use (tenant and origin reports).
    pub tenant: Option<String>,
    /// Only this organisation's use (tenant, origin and org reports).
    pub org: Option<String>,
    pub now_ms: i64,
}

/// What a column's cells hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Text,
    /// A whole number: a count, whole minutes or a peak.
    Count,
    /// Gigabytes, to the megabyte.
    Gigabytes,
}

/// The measures of one line, with what they hold.
pub const MEASURES: [(&str, Cell); 10] = [
    ("meetings", Cell::Count),
    ("meeting_minutes", Cell::Count),
    ("participant_minutes", Cell::Count),
    ("mic_minutes", Cell::Count),
    ("listen_only_minutes", Cell::Count),
    ("webcam_minutes", Cell::Count),
    ("peak_participants", Cell::Count),
    ("peak_meetings", Cell::Count),
    ("gb_in", Cell::Gigabytes),
    ("gb_out", Cell::Gigabytes),
];

/// Every column a report may have, with what its cells hold: the local
/// day or hour, the key of each dimension (and a tenant's organisation),
/// the measures and the month's fair-use status. A report has some of
/// them, named in its `columns`.
pub fn columns() -> Vec<(&'static str, Cell)> {
    let mut all = vec![("period", Cell::Text)];
    all.extend(Dim::ALL.map(|d| (d.as_str(), Cell::Text)));
    all.extend(MEASURES);
    all.push(("fair_use", Cell::Text));
    all
}

/// A report as a table: its columns by name, and one row of cells per
/// line, the form both CSV and the JSON rows are written from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageReport {
    pub period: String,
    pub time_zone: String,
    pub by: &'static str,
    pub every: Every,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
}

/// The use of `query.period`, line by line: per key of `query.by` (and per
/// local day or hour), with a month's fair-use status per tenant or
/// organisation.
pub async fn report(
    store: &Store,
    settings: &Settings,
    query: &UsageQuery,
) -> Result<UsageReport, BillingError> {
    let dim = query.by;
    let every = query.every;
    let filter = Filter::new(store, dim, query.tenant.clone(), query.org.clone()).await?;
    let metering = Metering::for_settings(store.clone(), settings);
    // The lines keep only `query.org`'s keys, so only its tenants' verdicts
    // are needed.
    let org = query.org.as_deref();
    let fair = verdicts(&metering, store, settings, &query.period, org, query.now_ms).await?;
    let mut columns = vec![dim.as_str()];
    if every != Every::Month {
        columns.insert(0, "period");
    }
    if dim == Dim::Tenant {
        columns.push("org");
    }
    columns.extend(MEASURES.map(|(name, _)| name));
    if every == Every::Month && matches!(dim, Dim::Tenant | Dim::Org) {
        columns.push("fair_use");
    }
    let rows = lines(&metering, settings, query, &filter, &fair).await?;
    Ok(UsageReport {
        period: query.period.label.clone(),
        time_zone: settings.time_zone.clone(),
        by: dim.as_str(),
        every,
        columns,
        rows,
    })
}

impl UsageReport {
    /// The report as CSV, one line per row under its columns' names.
    pub fn to_csv(&self) -> Result<String, BillingError> {
        crate::table::csv(&self.columns, &self.rows)
    }
}

/// A line's measures as reports write them: whole minutes, gigabytes with
/// three decimals.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Measures {
    pub meetings: u64,
    pub meeting_minutes: u64,
    pub participant_minutes: u64,
    pub mic_minutes: u64,
    pub listen_only_minutes: u64,
    pub webcam_minutes: u64,
    pub peak_participants: u64,
    pub peak_meetings: u64,
    pub gb_in: f64,
    pub gb_out: f64,
}

impl Measures {
    pub fn of(u: &Totals) -> Self {
        let minutes = |v: u128| u64::try_from(Integrals::minutes(v)).unwrap_or(u64::MAX);
        let gb = |bytes: u128| (bytes / 1_000_000) as f64 / 1000.0;
        Self {
            meetings: u.meetings,
            meeting_minutes: minutes(u.integrals.meeting_ms),
            participant_minutes: minutes(u.integrals.participant_ms),
            mic_minutes: minutes(u.integrals.mic_ms),
            listen_only_minutes: minutes(u.integrals.listen_only_ms),
            webcam_minutes: minutes(u.integrals.webcam_ms),
            peak_participants: u.peak_participants,
            peak_meetings: u.peak_meetings,
            gb_in: gb(u.bytes_in),
            gb_out: gb(u.bytes_out),
        }
    }

    /// The cells of [`MEASURES`], in order.
    fn cells(&self) -> Vec<Value> {
        vec![
            json!(self.meetings),
            json!(self.meeting_minutes),
            json!(self.participant_minutes),
            json!(self.mic_minutes),
            json!(self.listen_only_minutes),
            json!(self.webcam_minutes),
            json!(self.peak_participants),
            json!(self.peak_meetings),
            json!(self.gb_in),
            json!(self.gb_out),
        ]
    }
}

/// Which keys a report keeps: `tenant` and `org` apply to the dimensions
/// that belong to tenants.
struct Filter {
    tenant: Option<String>,
    org: Option<String>,
    /// Tenant name → organisation name.
    org_of: HashMap<String, Option<String>>,
}

impl Filter {
    async fn new(
        store: &Store,
        dim: Dim,
        tenant: Option<String>,
        org: Option<String>,
    ) -> Result<Self, BillingError> {
        let orgs: HashMap<i64, String> = store.organisation_names().await?;
        let org_of: HashMap<String, Option<String>> = store
            .tenants()
            .await?
            .into_iter()
            .map(|t| (t.name, t.org_id.and_then(|o| orgs.get(&o).cloned())))
            .collect();
        if let Some(t) = &tenant
            && !org_of.contains_key(t)
        {
            return Err(BillingError::NoTenant(t.clone()));
        }
        if let Some(o) = &org
            && !orgs.values().any(|x| x == o)
        {
            return Err(BillingError::NoOrganisation(o.clone()));
        }
        let filtered = tenant.is_some() || org.is_some();
        match dim {
            Dim::Server | Dim::Pool if filtered => {
                return Err(BillingError::Filter(format!(
                    "use --by {} covers every tenant: --tenant and --org apply to --by tenant, org or origin",
                    dim.as_str()
                )));
            }
            Dim::Org if tenant.is_some() => {
                return Err(BillingError::Filter(
                    "--tenant applies to --by tenant or origin; use --org with --by org".into(),
                ));
            }
            _ => {}
        }
        Ok(Self {
            tenant,
            org,
            org_of,
        })
    }

    fn keeps(&self, dim: Dim, key: &str) -> bool {
        let tenant_ok = |t: &str| {
            self.tenant.as_deref().is_none_or(|w| w == t)
                && self
                    .org
                    .as_deref()
                    .is_none_or(|w| self.org_of.get(t).and_then(Option::as_deref) == Some(w))
        };
        match dim {
            Dim::Tenant => tenant_ok(key),
            // Origins are keyed `tenant/origin`.
            Dim::Origin => tenant_ok(key.split_once('/').map_or(key, |(t, _)| t)),
            Dim::Org => self.org.as_deref().is_none_or(|w| w == key),
            Dim::Server | Dim::Pool => true,
        }
    }
}

async fn lines(
    metering: &Metering,
    settings: &Settings,
    query: &UsageQuery,
    filter: &Filter,
    fair: &[FairUse],
) -> Result<Vec<Vec<Value>>, BillingError> {
    let (dim, every, window) = (query.by, query.every, query.period.window);
    let zone = &settings.zone;
    // (period label, key) → totals; the label is empty for the whole month.
    let mut lines: BTreeMap<(String, String), Totals> = BTreeMap::new();
    match every {
        Every::Month => {
            for (key, t) in metering.usage(dim, window).await? {
                lines.insert((String::new(), key), t);
            }
        }
        Every::Day | Every::Hour => {
            for (hour, key, t) in metering.hourly(dim, window).await? {
                let label = match every {
                    Every::Day => period::day_of(hour, zone),
                    _ => period::hour_label(hour, zone),
                };
                lines.entry((label, key)).or_default().merge(&t);
            }
        }
    }
    Ok(lines
        .into_iter()
        .filter(|((_, key), _)| filter.keeps(dim, key))
        .map(|((label, key), t)| {
            let mut line = Vec::new();
            if every != Every::Month {
                line.push(json!(label));
            }
            if dim == Dim::Tenant {
                let org = filter.org_of.get(&key).cloned().flatten();
                line.push(json!(key));
                line.push(json!(org.unwrap_or_default()));
            } else {
                line.push(json!(key));
            }
            line.extend(Measures::of(&t).cells());
            if every == Every::Month {
                match dim {
                    Dim::Tenant => line.push(json!(tenant_summary(fair, &key))),
                    Dim::Org => line.push(json!(org_summary(fair, &key))),
                    _ => {}
                }
            }
            line
        })
        .collect())
}
