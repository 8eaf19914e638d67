//! Defences against clients that guess credentials.
//!
//! [`client_address`] says who a request comes from, looking through the
//! proxies an operator trusts. [`FailureTable`] counts failed
//! authentication per address in a fixed window and says when an address
//! is to be refused without checking: pure, with the time passed in, and
//! bounded in memory. [`Throttle`] shares one table between the faces that
//! authenticate (the BBB API's checksums, the JSON API's tokens).
//! [`rate`] holds request rates per tenant.

pub mod rate;

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// Who a request comes from, as the HTTP server found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client behind `peer`: when `peer` is a trusted proxy, the
/// rightmost address of `X-Forwarded-For` that is not itself trusted (the
/// ones further left were written by the client and prove nothing).
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    if !trusted.contains(&peer) {
        return client;
    }
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        let Ok(addr) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = addr;
        if !trusted.contains(&addr) {
            break;
        }
    }
    client
}

/// How many failures an address may make, and for how long it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures within one window after which the address is refused until
    /// the window ends; 0 switches the throttle off.
    pub failures: u32,
    pub window_ms: i64,
    /// Addresses tracked at once; the oldest window makes room for a new one.
    pub max_addresses: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            failures: 20,
            window_ms: 60_000,
            max_addresses: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    since_ms: i64,
    failures: u32,
}

/// Failed authentication per address, one fixed window each.
#[derive(Debug)]
pub struct FailureTable {
    limits: Limits,
    windows: HashMap<IpAddr, Window>,
}

/// An IPv6 client can pick any address of its /64, so the /64 is what is
/// counted; an IPv4 address mapped into IPv6 counts as itself.
fn key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1))),
        },
    }
}

impl FailureTable {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            windows: HashMap::new(),
        }
    }

    fn current(&self, addr: IpAddr, now_ms: i64) -> Option<&Window> {
        self.windows
            .get(&key(addr))
            .filter(|w| now_ms < w.since_ms.saturating_add(self.limits.window_ms))
    }

    /// Whether `addr` has used up its failures in its current window.
    pub fn is_blocked(&self, addr: IpAddr, now_ms: i64) -> bool {
        self.limits.failures > 0
            && self
                .current(addr, now_ms)
                .is_some_and(|w| w.failures >= self.limits.failures)
    }

    pub fn record_failure(&mut self, addr: IpAddr, now_ms: i64) {
        if self.limits.failures == 0 {
            return;
        }
        let (since_ms, failures) = self
            .current(addr, now_ms)
            .map_or((now_ms, 0), |w| (w.since_ms, w.failures));
        let k = key(addr);
        if !self.windows.contains_key(&k) && self.windows.len() >= self.limits.max_addresses {
            self.make_room(now_ms);
        }
        self.windows.insert(
            k,
            Window {
                since_ms,
                failures: failures.saturating_add(1),
            },
        );
    }

    /// Drops ended windows, or else the oldest one.
    fn make_room(&mut self, now_ms: i64) {
        let window_ms = self.limits.window_ms;
        self.windows
            .retain(|_, w| now_ms < w.since_ms.saturating_add(window_ms));
        if self.windows.len() >= self.limits.max_addresses
            && let Some(oldest) = self
                .windows
                .iter()
                .min_by_key(|(_, w)| w.since_ms)
                .map(|(k, _)| *k)
        {
            self.windows.remove(&oldest);
        }
    }

    pub fn len(&self) -> usize {
        self.windows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }
}

/// The current time in UTC Unix milliseconds; tests inject their own.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// One [`FailureTable`] shared by every request, on a clock.
#[derive(Clone)]
pub struct Throttle {
    table: Arc<Mutex<FailureTable>>,
    clock: Clock,
}

impl Throttle {
    pub fn new(limits: Limits, clock: Clock) -> Self {
        Self {
            table: Arc::new(Mutex::new(FailureTable::new(limits))),
            clock,
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, FailureTable> {
        // The table holds counts only: one left mid-update is still usable.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_blocked(&self, addr: IpAddr) -> bool {
        self.table().is_blocked(addr, (self.clock)())
    }

    pub fn record_failure(&self, addr: IpAddr) {
        let now = (self.clock)();
        self.table().record_failure(addr, now);
    }
}

impl Default for Throttle {
    /// The default limits on the system clock.
    fn default() -> Self {
        Self::new(
            Limits::default(),
            Arc::new(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            }),
        )
    }
}

impl fmt::Debug for Throttle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Throttle")
            .field("limits", &self.table().limits)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: Limits = Limits {
        failures: 3,
        window_ms: 1_000,
        max_addresses: 4,
    };

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_is_refused_after_its_failures_until_the_window_ends() {
        let mut t = FailureTable::new(LIMITS);
        for now in [0, 10, 20] {
            assert!(!t.is_blocked(ip("192.0.2.1"), now));
            t.record_failure(ip("192.0.2.1"), now);
        }
        assert!(t.is_blocked(ip("192.0.2.1"), 999));
        assert!(
            !t.is_blocked(ip("192.0.2.2"), 999),
            "another address is served"
        );
        assert!(!t.is_blocked(ip("192.0.2.1"), 1_000), "a new window");
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_slash_64() {
        let mut t = FailureTable::new(LIMITS);
        for (i, a) in ["2001:db8::1", "2001:db8::2", "2001:db8::ffff:1"]
            .iter()
            .enumerate()
        {
            t.record_failure(ip(a), i as i64);
        }
        assert!(t.is_blocked(ip("2001:db8::99"), 5));
        assert!(!t.is_blocked(ip("2001:db8:0:1::1"), 5));
    }

    #[test]
    fn a_zero_limit_switches_the_throttle_off() {
        let mut t = FailureTable::new(Limits {
            failures: 0,
            ..LIMITS
        });
        for now in 0..10 {
            t.record_failure(ip("192.0.2.1"), now);
        }
        assert!(!t.is_blocked(ip("192.0.2.1"), 10));
        assert!(t.is_empty());
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy = ip("127.0.0.1");
        let xff = Some("203.0.113.9, 198.51.100.7");
        assert_eq!(
            client_address(ip("192.0.2.5"), xff, &[proxy]),
            ip("192.0.2.5")
        );
        assert_eq!(client_address(proxy, xff, &[proxy]), ip("198.51.100.7"));
        assert_eq!(
            client_address(proxy, xff, &[proxy, ip("198.51.100.7")]),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(proxy, None, &[proxy]), proxy);
        assert_eq!(client_address(proxy, Some("junk"), &[proxy]), proxy);
    }

    proptest! {
        #[test]
        fn the_table_never_holds_more_than_its_bound(
            failures in proptest::collection::vec((any::<u32>(), 0i64..5_000), 0..200)
        ) {
            let mut t = FailureTable::new(LIMITS);
            let mut now = 0;
            for (addr, step) in failures {
                now += step;
                t.record_failure(IpAddr::V4(addr.into()), now);
                prop_assert!(t.len() <= LIMITS.max_addresses);
            }
        }
    }
}
