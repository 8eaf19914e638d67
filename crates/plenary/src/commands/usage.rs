//! `plenary usage …`

use std::collections::{BTreeMap, HashMap};

use anyhow::bail;
use metering::fair_use::{self, Level};
use metering::integrate::Integrals;
use metering::usage::{Dim, Totals};
use serde_json::{Value, json};
use store::Store;

use super::{now_ms, print_rows};
use crate::cli::{Every, UsageCommand};
use crate::config::Config;
use crate::period::{self, Period};
use crate::usage::{FairUse, Metering, fair_use};

/// The period named on the command line, in the configured time zone.
pub fn period(config: &Config, period: Option<&str>) -> anyhow::Result<Period> {
    period::month(period, &config.zone()?, now_ms())
}

pub async fn run(store: &Store, config: &Config, command: UsageCommand) -> anyhow::Result<()> {
    match command {
        UsageCommand::Report {
            period: p,
            tenant,
            org,
            by,
            every,
            format,
        } => {
            let period = period(config, p.as_deref())?;
            let filter = Filter::new(store, by.dim(), tenant, org).await?;
            let metering = Metering::for_config(store.clone(), config);
            let fair = fair_use(&metering, store, config, &period, now_ms()).await?;
            let lines = report(&metering, &period, config, by.dim(), every, &filter, &fair).await?;
            let mut header = vec![by.dim().as_str()];
            if every != Every::Month {
                header.insert(0, "period");
            }
            if by.dim() == Dim::Tenant {
                header.push("org");
            }
            header.extend(MEASURES);
            if every == Every::Month && matches!(by.dim(), Dim::Tenant | Dim::Org) {
                header.push("fair_use");
            }
            print_rows(
                format,
                &format!(
                    "Usage in {} ({}) by {}, estimated bandwidth from BBB's model:",
                    period.label,
                    config.time_zone,
                    by.dim().as_str()
                ),
                json!({ "period": period.label, "time_zone": config.time_zone, "by": by.dim().as_str() }),
                &header,
                &lines,
            )
        }
        UsageCommand::FairUse {
            period: p,
            all,
            format,
        } => {
            let period = period(config, p.as_deref())?;
            let metering = Metering::for_config(store.clone(), config);
            let mut fair = fair_use(&metering, store, config, &period, now_ms()).await?;
            fair.sort_by(|a, b| {
                (b.level(), &a.org, &a.tenant).cmp(&(a.level(), &b.org, &b.tenant))
            });
            let lines: Vec<Vec<Value>> = fair
                .iter()
                .flat_map(|f| {
                    f.verdicts
                        .iter()
                        .filter(move |v| all || v.level != Level::Ok)
                        .map(move |v| {
                            let (used, limit) = v.amounts();
                            vec![
                                json!(f.org.clone().unwrap_or_default()),
                                json!(f.tenant),
                                json!(f.tier.clone().unwrap_or_default()),
                                json!(f.level().as_str()),
                                json!(v.rule.as_str()),
                                json!(v.level.as_str()),
                                json!(used),
                                json!(limit),
                                json!(v.percent),
                            ]
                        })
                })
                .collect();
            if lines.is_empty() && matches!(format, crate::cli::Format::Table) {
                println!("Every tenant is within fair use in {}.", period.label);
                return Ok(());
            }
            print_rows(
                format,
                &format!(
                    "Fair use in {} ({}), rule by rule (near from {}% of a limit):",
                    period.label,
                    config.time_zone,
                    crate::usage::NEAR_PERCENT
                ),
                json!({ "period": period.label, "time_zone": config.time_zone }),
                &[
                    "org", "tenant", "tier", "status", "rule", "level", "used", "limit", "percent",
                ],
                &lines,
            )
        }
    }
}

const MEASURES: [&str; 10] = [
    "meetings",
    "meeting_minutes",
    "participant_minutes",
    "mic_minutes",
    "listen_only_minutes",
    "webcam_minutes",
    "peak_participants",
    "peak_meetings",
    "gb_in",
    "gb_out",
];

fn measures(u: &Totals) -> Vec<Value> {
    let minutes = |v: u128| json!(Integrals::minutes(v) as u64);
    let gb = |bytes: u128| json!((bytes / 1_000_000) as f64 / 1000.0);
    vec![
        json!(u.meetings),
        minutes(u.integrals.meeting_ms),
        minutes(u.integrals.participant_ms),
        minutes(u.integrals.mic_ms),
        minutes(u.integrals.listen_only_ms),
        minutes(u.integrals.webcam_ms),
        json!(u.peak_participants),
        json!(u.peak_meetings),
        gb(u.bytes_in),
        gb(u.bytes_out),
    ]
}

/// Which keys a report keeps: `--tenant` and `--org` apply to the
/// dimensions that belong to tenants.
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
    ) -> anyhow::Result<Self> {
        let orgs: HashMap<i64, String> = store
            .organisations()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let org_of: HashMap<String, Option<String>> = store
            .tenants()
            .await?
            .into_iter()
            .map(|t| (t.name, t.org_id.and_then(|o| orgs.get(&o).cloned())))
            .collect();
        if let Some(t) = &tenant
            && !org_of.contains_key(t)
        {
            bail!("no tenant {t:?}");
        }
        if let Some(o) = &org
            && !orgs.values().any(|x| x == o)
        {
            bail!("no organisation {o:?}");
        }
        let filtered = tenant.is_some() || org.is_some();
        match dim {
            Dim::Server | Dim::Pool if filtered => bail!(
                "use --by {} covers every tenant: --tenant and --org apply to --by tenant, org or origin",
                dim.as_str()
            ),
            Dim::Org if tenant.is_some() => {
                bail!("--tenant applies to --by tenant or origin; use --org with --by org")
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

async fn report(
    metering: &Metering,
    period: &Period,
    config: &Config,
    dim: Dim,
    every: Every,
    filter: &Filter,
    fair: &[FairUse],
) -> anyhow::Result<Vec<Vec<Value>>> {
    let zone = config.zone()?;
    // (period label, key) → totals; the label is empty for the whole month.
    let mut lines: BTreeMap<(String, String), Totals> = BTreeMap::new();
    match every {
        Every::Month => {
            for (key, t) in metering.usage(dim, period.window).await? {
                lines.insert((String::new(), key), t);
            }
        }
        Every::Day | Every::Hour => {
            for (hour, key, t) in metering.hourly(dim, period.window).await? {
                let label = match every {
                    Every::Day => period::day_of(hour, &zone),
                    _ => period::hour_label(hour, &zone),
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
            line.extend(measures(&t));
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

fn tenant_summary(fair: &[FairUse], tenant: &str) -> String {
    let own = fair.iter().filter(|f| f.tenant == tenant);
    fair_use::summary(own.flat_map(|f| f.verdicts.iter().map(|v| ("", v))))
}

/// An organisation's status is its worst tenant's, with every tenant's reasons.
pub fn org_summary(fair: &[FairUse], org: &str) -> String {
    let own = fair.iter().filter(|f| f.org.as_deref() == Some(org));
    fair_use::summary(own.flat_map(|f| f.verdicts.iter().map(|v| (f.tenant.as_str(), v))))
}
