//! `plenary usage …`

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use metering::bandwidth::BandwidthModel;
use metering::integrate::{Counts, GapRule, Integrals};
use metering::usage::{Row, Totals, by_tenant};
use serde_json::json;
use store::Store;

use super::{print_json, table};
use crate::cli::{Format, UsageCommand};
use crate::config::Config;

/// A calendar month in UTC, as `[start, end)` in milliseconds.
pub fn month(period: Option<&str>) -> anyhow::Result<(String, i64, i64)> {
    let utc = jiff::tz::TimeZone::UTC;
    let first = match period {
        Some(p) => format!("{p}-01")
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|_| p.len() == 7)
            .with_context(|| format!("{p:?} is not a month such as 2026-11"))?,
        None => jiff::Timestamp::now()
            .to_zoned_datetime(utc.clone())
            .date()
            .first_of_month(),
    };
    let next = first.checked_add(jiff::Span::new().months(1))?;
    let ms = |d: jiff::civil::Date| -> anyhow::Result<i64> {
        Ok(d.to_zoned_datetime(utc.clone())?
            .timestamp()
            .as_millisecond())
    };
    Ok((first.strftime("%Y-%m").to_string(), ms(first)?, ms(next)?))
}

/// Metered use per tenant name in `[from, to)`, for the tenants `keep` accepts.
pub async fn metered(
    store: &Store,
    config: &Config,
    from: i64,
    to: i64,
    keep: impl Fn(i64) -> bool,
) -> anyhow::Result<BTreeMap<String, Totals>> {
    let names: HashMap<i64, String> = store
        .tenants()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let rows: Vec<Row> = store
        .samples_between(from, to)
        .await?
        .into_iter()
        .filter(|s| keep(s.tenant_id) && names.contains_key(&s.tenant_id))
        .map(|s| Row {
            tenant: names[&s.tenant_id].clone(),
            meeting: format!("{}@{}", s.backend_id, s.server_id),
            at_ms: s.at_ms,
            moderators: s.moderators.max(0) as u64,
            counts: Counts {
                participants: s.participants.max(0) as u64,
                mic: s.mic.max(0) as u64,
                listen_only: s.listen_only.max(0) as u64,
                webcams: s.webcams.max(0) as u64,
            },
        })
        .collect();
    let configured = (config.poll_interval_secs * 1000.0) as i64;
    let rule =
        GapRule::for_interval(metering::usage::observed_interval(&rows).unwrap_or(configured));
    Ok(by_tenant(&rows, rule, &BandwidthModel::default()))
}

pub async fn run(store: &Store, config: &Config, command: UsageCommand) -> anyhow::Result<()> {
    let UsageCommand::Report {
        period,
        tenant,
        org,
        format,
    } = command;
    let (label, from, to) = month(period.as_deref())?;
    let tenants = store.tenants().await?;
    let orgs: HashMap<i64, String> = store
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    if let Some(t) = &tenant
        && !tenants.iter().any(|x| &x.name == t)
    {
        bail!("no tenant {t:?}");
    }
    if let Some(o) = &org
        && !orgs.values().any(|x| x == o)
    {
        bail!("no organisation {o:?}");
    }
    let names: HashMap<i64, (&str, Option<&str>)> = tenants
        .iter()
        .map(|t| {
            (
                t.id,
                (
                    t.name.as_str(),
                    t.org_id.and_then(|o| orgs.get(&o)).map(String::as_str),
                ),
            )
        })
        .collect();
    let wanted = |id: &i64| {
        names.get(id).is_some_and(|(name, o)| {
            tenant.as_deref().is_none_or(|t| t == *name)
                && org.as_deref().is_none_or(|w| Some(w) == *o)
        })
    };
    let totals = metered(store, config, from, to, |id| wanted(&id)).await?;
    let org_of = |t: &str| {
        tenants
            .iter()
            .find(|x| x.name == t)
            .and_then(|x| x.org_id)
            .and_then(|o| orgs.get(&o))
            .cloned()
            .unwrap_or_default()
    };
    let tiers: HashMap<i64, i64> = store
        .tiers()
        .await?
        .into_iter()
        .map(|t| (t.id, t.allowance_participant_minutes))
        .collect();
    // Fair use against the tier's monthly participant-minute allowance.
    let fair = |t: &str, u: &Totals| {
        let allowance = tenants
            .iter()
            .find(|x| x.name == t)
            .and_then(|x| x.tier_id)
            .and_then(|id| tiers.get(&id))
            .copied()
            .unwrap_or(0);
        metering::fair_use::status(u.participant_minutes() as u64, allowance.max(0) as u64, 80)
            .map_or_else(|| "-".to_string(), |s| s.to_string())
    };
    let line = |t: &str, u: &Totals| -> Vec<String> {
        vec![
            t.to_string(),
            org_of(t),
            u.meetings.to_string(),
            Integrals::minutes(u.integrals.meeting_ms).to_string(),
            u.participant_minutes().to_string(),
            Integrals::minutes(u.integrals.mic_ms).to_string(),
            Integrals::minutes(u.integrals.listen_only_ms).to_string(),
            Integrals::minutes(u.integrals.webcam_ms).to_string(),
            u.peak_participants.to_string(),
            format!("{:.3}", u.megabytes_in / 1000.0),
            format!("{:.3}", u.megabytes_out / 1000.0),
            fair(t, u),
        ]
    };
    const HEADER: [&str; 12] = [
        "tenant",
        "org",
        "meetings",
        "meeting_minutes",
        "participant_minutes",
        "mic_minutes",
        "listen_only_minutes",
        "webcam_minutes",
        "peak_participants",
        "gb_in",
        "gb_out",
        "fair_use",
    ];
    let lines: Vec<Vec<String>> = totals.iter().map(|(t, u)| line(t, u)).collect();
    match format {
        Format::Table => {
            println!("Usage in {label} (UTC), estimated bandwidth from BBB's model:");
            let header: Vec<String> = HEADER
                .iter()
                .map(|h| h.to_uppercase().replace('_', "-"))
                .collect();
            print!(
                "{}",
                table(
                    &header.iter().map(String::as_str).collect::<Vec<_>>(),
                    &lines
                )
            );
        }
        Format::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout());
            out.write_record(HEADER)?;
            for l in &lines {
                out.write_record(l)?;
            }
            out.flush()?;
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = lines
                .iter()
                .map(|l| {
                    serde_json::Value::Object(
                        HEADER
                            .iter()
                            .zip(l)
                            .map(|(h, v)| (h.to_string(), json!(v)))
                            .collect(),
                    )
                })
                .collect();
            print_json(&json!({ "period": label, "tenants": items }));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::month;

    #[test]
    fn a_period_is_a_utc_calendar_month() {
        let (label, from, to) = month(Some("2026-02")).unwrap();
        assert_eq!(label, "2026-02");
        assert_eq!((to - from) / 86_400_000, 28);
        assert!(month(Some("2026-13")).is_err());
        assert!(month(Some("2026-1")).is_err());
        assert!(month(Some("nope")).is_err());
    }
}
