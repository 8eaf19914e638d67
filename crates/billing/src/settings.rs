//! The co-op's settings the rules read: its time zone, currency, polling
//! interval and fair-use thresholds.

use jiff::tz::TimeZone;
use metering::money::Currency;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The zone's name as configured, shown beside reports.
    pub time_zone: String,
    /// Where months begin and end for bills and quotas.
    pub zone: TimeZone,
    pub currency: Currency,
    /// How often servers are polled, for the gap rule of the samples.
    pub poll_interval_ms: i64,
    pub fair_use_burst_hours: u64,
    pub fair_use_p95_mbps: u64,
}
