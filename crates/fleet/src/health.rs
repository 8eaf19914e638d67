//! Health with hysteresis: one failed poll makes a server unstable (no new
//! meetings, its meetings kept); `down_after` consecutive failures declare it
//! down (its meetings are released); `up_after` consecutive successes bring it
//! back up.

pub use store::Health;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Scalelite's `SERVER_UNHEALTHY_THRESHOLD`.
    pub down_after: u32,
    /// Scalelite's `SERVER_HEALTHY_THRESHOLD`.
    pub up_after: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            down_after: 2,
            up_after: 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracker {
    pub health: Health,
    failures: u32,
    successes: u32,
}

impl Tracker {
    pub fn new(health: Health) -> Self {
        Self {
            health,
            failures: 0,
            successes: 0,
        }
    }

    /// Feeds one poll outcome; returns the new health if it changed.
    pub fn observe(&mut self, ok: bool, t: Thresholds) -> Option<Health> {
        let before = self.health;
        if ok {
            self.failures = 0;
            self.successes += 1;
            if self.health != Health::Up && self.successes >= t.up_after.max(1) {
                self.health = Health::Up;
            }
        } else {
            self.successes = 0;
            self.failures += 1;
            // A down server stays down until it has recovered.
            if self.failures >= t.down_after.max(1) || self.health == Health::Down {
                self.health = Health::Down;
            } else {
                self.health = Health::Unstable;
            }
        }
        (self.health != before).then_some(self.health)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = Thresholds {
        down_after: 3,
        up_after: 2,
    };

    #[test]
    fn one_failure_makes_a_server_unstable_and_n_make_it_down() {
        let mut t = Tracker::new(Health::Up);
        assert_eq!(t.observe(false, T), Some(Health::Unstable));
        assert_eq!(t.observe(false, T), None);
        assert_eq!(t.observe(false, T), Some(Health::Down));
        assert_eq!(t.observe(false, T), None);
    }

    #[test]
    fn a_success_between_failures_resets_the_count() {
        let mut t = Tracker::new(Health::Up);
        t.observe(false, T);
        t.observe(false, T);
        t.observe(true, T);
        assert_eq!(t.health, Health::Unstable);
        t.observe(false, T);
        assert_eq!(t.health, Health::Unstable);
    }

    #[test]
    fn m_successes_bring_a_down_server_back_up() {
        let mut t = Tracker::new(Health::Down);
        assert_eq!(t.observe(true, T), None);
        assert_eq!(t.observe(true, T), Some(Health::Up));
    }

    #[test]
    fn a_down_server_that_fails_again_stays_down() {
        let mut t = Tracker::new(Health::Down);
        t.observe(true, T);
        assert_eq!(t.observe(false, T), None);
        assert_eq!(t.health, Health::Down);
    }
}
