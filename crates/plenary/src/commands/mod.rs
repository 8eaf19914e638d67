//! One module per command family.

pub mod audit;
pub mod backup;
pub mod bill;
pub mod capacity;
pub mod document;
pub mod frontend;
pub mod meeting;
pub mod org;
pub mod person;
pub mod pool;
pub mod proposal;
pub mod rules;
pub mod server;
pub mod tenant;
pub mod tier;
pub mod token;
pub mod usage;

use std::fmt::Write as _;

use anyhow::Context;
use metering::money::hundredths;
pub use store::fingerprint;

use crate::cli::Format;

pub use consortium::operations::generate_secret;

/// Left-aligned columns, the way operators read a list in a terminal.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (cell, w) in cells.iter().zip(&widths) {
            let _ = write!(out, "{cell:<w$}  ");
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out += &line(row.iter().map(String::as_str).collect());
    }
    out
}

/// Now, from the system clock. Test builds read `PLENARY_NOW` (e.g.
/// `2026-12-08T00:00Z`) first, so command-line stories can move time past
/// a lead time; release builds never do, so no operator can date an
/// audited act.
pub fn now_ms() -> i64 {
    if cfg!(debug_assertions)
        && let Some(at) = std::env::var("PLENARY_NOW")
            .ok()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    {
        return at.as_millisecond();
    }
    (fleet::system_clock())()
}

/// The operator running this command on the local machine: the login
/// name, or `local` where there is none (a container); `PLENARY_ACTOR`
/// overrides it, e.g. in scripts run by a service account, and must then
/// name someone.
fn local_operator() -> anyhow::Result<consortium::OperatorName> {
    let name = std::env::var("PLENARY_ACTOR").or_else(|_| {
        std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .map(|n| {
                if n.trim().is_empty() {
                    "local".into()
                } else {
                    n
                }
            })
            .or_else(|_| Ok::<_, anyhow::Error>("local".into()))
    })?;
    consortium::OperatorName::new(&name)
        .context("PLENARY_ACTOR must name who acts, for the audit log")
}

/// Who runs this command: the person (or operator) of `PLENARY_TOKEN`
/// when it is set, otherwise the operator on the local machine.
pub async fn actor(c: &consortium::Consortium) -> anyhow::Result<consortium::Actor> {
    match std::env::var("PLENARY_TOKEN") {
        Ok(token) => c
            .actor_of_token(token.trim())
            .await?
            .context("PLENARY_TOKEN is not a valid token (unknown or revoked)"),
        Err(_) => Ok(consortium::Actor::operator(local_operator()?)),
    }
}

/// An optional setting that `none` (or an empty value) clears.
pub fn clearable(value: Option<String>) -> Option<Option<String>> {
    value.map(|v| Some(v).filter(|v| !v.trim().is_empty() && v != "none"))
}

/// A listing's cell for an empty value.
pub fn or_dash(s: String) -> String {
    if s.is_empty() { "-".to_string() } else { s }
}

/// A stored time as operators read it: UTC, to the second.
pub fn timestamp(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_else(|_| at_ms.to_string())
}

/// A stored time in the configured zone, to the minute, with the zone's
/// name: `2026-11-30 17:02 Europe/Paris`.
pub fn local_time(at_ms: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(at_ms)
        .map(|t| {
            t.to_zoned_datetime(zone.clone())
                .strftime("%Y-%m-%d %H:%M %Q")
                .to_string()
        })
        .unwrap_or_else(|_| at_ms.to_string())
}

/// Rows of a report, in the format asked for: a titled table, CSV with the
/// header's names, or JSON (`meta` with a `rows` array of objects).
pub fn print_rows(
    format: Format,
    title: &str,
    meta: serde_json::Value,
    header: &[&str],
    rows: &[Vec<serde_json::Value>],
) -> anyhow::Result<()> {
    let text = billing::table::cell;
    match format {
        Format::Table => {
            println!("{title}");
            let header: Vec<String> = header
                .iter()
                .map(|h| h.to_uppercase().replace('_', "-"))
                .collect();
            let rows: Vec<Vec<String>> =
                rows.iter().map(|r| r.iter().map(text).collect()).collect();
            print!(
                "{}",
                table(
                    &header.iter().map(String::as_str).collect::<Vec<_>>(),
                    &rows
                )
            );
        }
        Format::Csv => print!("{}", billing::table::csv(header, rows)?),
        Format::Json => {
            let mut body = meta;
            body["rows"] = rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        header
                            .iter()
                            .zip(r)
                            .map(|(h, v)| (h.to_string(), v.clone()))
                            .collect(),
                    )
                })
                .collect();
            print_json(&body);
        }
    }
    Ok(())
}

pub fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// `10`, `10.5` or `10.50` as cents, exactly (no floating point).
pub fn parse_money(s: &str) -> anyhow::Result<i64> {
    hundredths(s).with_context(|| format!("{s:?} is not a price such as 10 or 10.50"))
}

/// `50` or `66.67` (percent) as basis points, exactly.
pub fn parse_percent(s: &str) -> anyhow::Result<governance::share::BasisPoints> {
    let bp = hundredths(s.trim().trim_end_matches('%'))
        .with_context(|| format!("{s:?} is not a percentage such as 50 or 66.67"))?;
    u16::try_from(bp)
        .ok()
        .and_then(|bp| governance::share::BasisPoints::new(bp).ok())
        .with_context(|| format!("{s:?} is more than 100 %"))
}

#[cfg(test)]
mod tests {
    use super::parse_money;

    #[test]
    fn prices_are_read_as_exact_cents() {
        assert_eq!(parse_money("10").unwrap(), 1000);
        assert_eq!(parse_money("10.5").unwrap(), 1050);
        assert_eq!(parse_money("0.07").unwrap(), 7);
        for bad in ["", "-1", "1.234", "1,50", "ten", "1e3", "."] {
            assert!(parse_money(bad).is_err(), "{bad}");
        }
    }
}
