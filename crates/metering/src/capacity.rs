//! How full the fleet runs, and how far the co-op oversubscribes it: the
//! seats sold (tier limits) next to the seats really used at the peak.

use std::collections::BTreeMap;

/// One pool's numbers over a period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolCapacity {
    pub servers: u64,
    /// Participants the pool's servers can carry, by the operators' figures.
    pub capacity: u64,
    /// Most participants at once, over one poll round.
    pub peak: u64,
    /// Concurrent participants the pool's tenants may have by their tiers.
    pub sold: u64,
    /// Tenants with no tier: their use is not bounded by a sale.
    pub unlimited_tenants: u64,
}

impl PoolCapacity {
    pub fn utilisation_percent(&self) -> u64 {
        percent(self.peak, self.capacity)
    }

    pub fn headroom(&self) -> i64 {
        self.capacity as i64 - self.peak as i64
    }

    /// Seats sold per seat used at the peak, as a percentage (250 = 2.5×).
    pub fn oversubscription_percent(&self) -> u64 {
        percent(self.sold, self.peak)
    }
}

fn percent(a: u64, b: u64) -> u64 {
    if b == 0 {
        0
    } else {
        (a as u128 * 100 / b as u128) as u64
    }
}

/// Peak participants per pool from `(pool, poll time, participants)`: the
/// samples of one poll round share a time, so each round is summed first.
pub fn peaks<'a>(samples: impl IntoIterator<Item = (&'a str, i64, u64)>) -> BTreeMap<String, u64> {
    let mut rounds: BTreeMap<(&str, i64), u64> = BTreeMap::new();
    for (pool, at, people) in samples {
        *rounds.entry((pool, at)).or_default() += people;
    }
    let mut peaks: BTreeMap<String, u64> = BTreeMap::new();
    for ((pool, _), people) in rounds {
        let p = peaks.entry(pool.to_string()).or_default();
        *p = (*p).max(people);
    }
    peaks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_the_busiest_poll_round_of_each_pool() {
        let p = peaks([("", 1, 10), ("", 1, 5), ("", 2, 12), ("eu", 1, 3)]);
        assert_eq!(p[""], 15);
        assert_eq!(p["eu"], 3);
    }

    #[test]
    fn utilisation_headroom_and_oversubscription() {
        let c = PoolCapacity {
            servers: 2,
            capacity: 400,
            peak: 100,
            sold: 250,
            unlimited_tenants: 0,
        };
        assert_eq!(
            (
                c.utilisation_percent(),
                c.headroom(),
                c.oversubscription_percent()
            ),
            (25, 300, 250)
        );
        assert_eq!(PoolCapacity::default().oversubscription_percent(), 0);
    }
}
