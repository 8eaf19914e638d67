//! Request rates per key (a tenant, an API token), as token buckets: pure, with the time
//! passed in, and bounded in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::Clock;

/// How many requests a key may make: `burst` at once, refilled at
/// `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Requests per second a key may sustain; 0 switches the limit off.
    pub per_second: f64,
    pub burst: u32,
    /// Keys tracked at once; full buckets make room first, then the
    /// longest unused one.
    pub max_keys: usize,
}

impl Default for Rate {
    fn default() -> Self {
        Self {
            per_second: 0.0,
            burst: 100,
            max_keys: 10_000,
        }
    }
}

impl Rate {
    pub fn is_off(&self) -> bool {
        self.per_second.is_nan() || self.per_second <= 0.0
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

/// One token bucket per key.
#[derive(Debug)]
pub struct RateTable {
    rate: Rate,
    buckets: HashMap<String, Bucket>,
}

impl RateTable {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: HashMap::new(),
        }
    }

    fn refilled(&self, b: Bucket, now_ms: i64) -> f64 {
        let elapsed_s = (now_ms.saturating_sub(b.at_ms)).max(0) as f64 / 1000.0;
        (b.tokens + elapsed_s * self.rate.per_second).min(f64::from(self.rate.burst))
    }

    /// Takes one request from `key`'s budget; false when it is spent.
    pub fn allow(&mut self, key: &str, now_ms: i64) -> bool {
        self.take(key, now_ms).is_ok()
    }

    /// Takes one request from `key`'s budget, or says in how many
    /// milliseconds the next one will be there.
    pub fn take(&mut self, key: &str, now_ms: i64) -> Result<(), u64> {
        if self.rate.is_off() {
            return Ok(());
        }
        let full = f64::from(self.rate.burst);
        let tokens = match self.buckets.get(key) {
            Some(b) => self.refilled(*b, now_ms),
            None => {
                if self.buckets.len() >= self.rate.max_keys {
                    self.make_room(now_ms);
                }
                full
            }
        };
        let allowed = tokens >= 1.0;
        let left = if allowed { tokens - 1.0 } else { tokens };
        self.buckets.insert(
            key.to_string(),
            Bucket {
                tokens: left,
                at_ms: now_ms,
            },
        );
        if allowed {
            Ok(())
        } else {
            Err(((1.0 - tokens) / self.rate.per_second * 1000.0).ceil() as u64)
        }
    }

    /// A full bucket is the same as none; else the longest unused goes.
    fn make_room(&mut self, now_ms: i64) {
        let full = f64::from(self.rate.burst);
        let buckets = std::mem::take(&mut self.buckets);
        self.buckets = buckets
            .into_iter()
            .filter(|(_, b)| self.refilled(*b, now_ms) < full)
            .collect();
        if self.buckets.len() >= self.rate.max_keys
            && let Some(oldest) = self
                .buckets
                .iter()
                .min_by_key(|(_, b)| b.at_ms)
                .map(|(k, _)| k.clone())
        {
            self.buckets.remove(&oldest);
        }
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

/// One [`RateTable`] shared by every request, on a clock.
#[derive(Clone)]
pub struct RateLimiter {
    table: Arc<Mutex<RateTable>>,
    clock: Clock,
}

impl RateLimiter {
    pub fn new(rate: Rate, clock: Clock) -> Self {
        Self {
            table: Arc::new(Mutex::new(RateTable::new(rate))),
            clock,
        }
    }

    pub fn allow(&self, key: &str) -> bool {
        self.take(key).is_ok()
    }

    /// Like [`RateTable::take`], now.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        let now = (self.clock)();
        // The table holds counts only: one left mid-update is still usable.
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        table.take(key, now)
    }
}

impl Default for RateLimiter {
    /// No limit.
    fn default() -> Self {
        Self::new(Rate::default(), Arc::new(|| 0))
    }
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        f.debug_struct("RateLimiter")
            .field("rate", &table.rate)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RATE: Rate = Rate {
        per_second: 2.0,
        burst: 3,
        max_keys: 4,
    };

    #[test]
    fn a_key_gets_its_burst_then_is_refused_while_another_key_is_served() {
        let mut t = RateTable::new(RATE);
        for _ in 0..3 {
            assert!(t.allow("acme", 0));
        }
        assert!(!t.allow("acme", 0));
        assert!(t.allow("globex", 0), "another key has its own budget");
    }

    #[test]
    fn a_spent_budget_refills_at_the_rate() {
        let mut t = RateTable::new(RATE);
        for _ in 0..3 {
            t.allow("acme", 0);
        }
        assert!(!t.allow("acme", 100), "0.2 of a request refilled");
        assert!(t.allow("acme", 500), "one request refilled after 0.5 s");
        assert!(!t.allow("acme", 500));
    }

    #[test]
    fn a_refusal_says_when_the_next_request_is_there() {
        let mut t = RateTable::new(RATE);
        for _ in 0..3 {
            t.allow("acme", 0);
        }
        assert_eq!(
            t.take("acme", 0),
            Err(500),
            "one request takes 0.5 s at 2/s"
        );
        assert_eq!(t.take("acme", 300), Err(200));
        assert_eq!(t.take("acme", 500), Ok(()));
    }

    #[test]
    fn a_zero_rate_switches_the_limit_off() {
        let mut t = RateTable::new(Rate {
            per_second: 0.0,
            ..RATE
        });
        for _ in 0..100 {
            assert!(t.allow("acme", 0));
        }
        assert!(t.is_empty());
    }

    proptest! {
        #[test]
        fn the_table_never_holds_more_than_its_bound(
            calls in proptest::collection::vec((0u32..50, 0i64..2_000), 0..200)
        ) {
            let mut t = RateTable::new(RATE);
            let mut now = 0;
            for (key, step) in calls {
                now += step;
                t.allow(&key.to_string(), now);
                prop_assert!(t.len() <= RATE.max_keys);
            }
        }

        #[test]
        fn no_key_gets_more_than_its_burst_plus_what_time_refilled(
            steps in proptest::collection::vec(0i64..300, 1..100)
        ) {
            let mut t = RateTable::new(RATE);
            let (mut now, mut allowed) = (0i64, 0u32);
            for step in steps {
                now += step;
                allowed += u32::from(t.allow("acme", now));
            }
            let bound = f64::from(RATE.burst) + now as f64 / 1000.0 * RATE.per_second;
            prop_assert!(f64::from(allowed) <= bound + 1e-9);
        }
    }
}
