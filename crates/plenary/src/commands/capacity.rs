//! `plenary capacity`: utilisation, headroom and oversubscription per pool.

use consortium::Consortium;

use super::{actor, print_json, table};
use crate::config::Config;

pub async fn run(
    c: &Consortium,
    config: &Config,
    period: Option<String>,
    json_output: bool,
) -> anyhow::Result<()> {
    let period = super::usage::period(config, period.as_deref())?;
    let report = super::usage::billing(c, config)?
        .capacity(&actor(c).await?, &period)
        .await?;
    if json_output {
        print_json(&serde_json::to_value(&report)?);
        return Ok(());
    }
    println!(
        "Capacity in {} ({}): peak participants against the servers' capacity and the seats sold.",
        report.period, config.time_zone
    );
    let rows: Vec<Vec<String>> = report
        .pools
        .iter()
        .map(|c| {
            vec![
                c.pool.clone(),
                c.servers.to_string(),
                c.capacity.to_string(),
                c.peak.to_string(),
                format!("{}%", c.utilisation_percent),
                c.headroom.to_string(),
                c.sold.to_string(),
                format!("{:.2}×", c.oversubscription_percent as f64 / 100.0),
                c.unlimited_tenants.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "POOL",
                "SERVERS",
                "CAPACITY",
                "PEAK",
                "UTILISATION",
                "HEADROOM",
                "SOLD",
                "SOLD/PEAK",
                "UNLIMITED TENANTS"
            ],
            &rows
        )
    );
    Ok(())
}
