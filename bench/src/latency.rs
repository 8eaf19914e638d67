//! Percentiles of measured times, as the render benchmarks print them and
//! write them into their sections of RESULTS.md.

use std::time::Duration;

/// Measured times, sorted.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut times: Vec<Duration>) -> Self {
        times.sort_unstable();
        Self(times)
    }

    /// The `p` quantile (0.5, 0.99, 1.0 for the worst), nearest rank, in ms.
    pub fn ms(&self, p: f64) -> f64 {
        let Some(last) = self.0.len().checked_sub(1) else {
            return 0.0;
        };
        let rank = ((self.0.len() as f64 * p).ceil() as usize).clamp(1, last + 1);
        self.0[rank - 1].as_secs_f64() * 1000.0
    }

    /// `p50 1.20 ms  p90 …  p99 …  max …`.
    pub fn line(&self) -> String {
        format!(
            "p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            self.ms(0.5),
            self.ms(0.9),
            self.ms(0.99),
            self.ms(1.0)
        )
    }

    /// `| p50 | p90 | p99 | max |` cells of a results table.
    pub fn cells(&self) -> String {
        format!(
            "{:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms",
            self.ms(0.5),
            self.ms(0.9),
            self.ms(0.99),
            self.ms(1.0)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_taken_by_nearest_rank() {
        let l = Latencies::new((1..=100).rev().map(Duration::from_millis).collect());
        assert_eq!(l.ms(0.5), 50.0);
        assert_eq!(l.ms(0.99), 99.0);
        assert_eq!(l.ms(1.0), 100.0);
        assert_eq!(Latencies::new(Vec::new()).ms(0.99), 0.0);
    }
}
