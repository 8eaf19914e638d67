//! Shares without floats: basis points for rules, exact ratios for counts.
//! Every comparison is done by cross-multiplying integers, so a 2/3 share
//! meets a 6667 bp threshold or not with no rounding in between.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// A share in hundredths of a percent, 0..=10000 (10000 = 100 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct BasisPoints(u16);

/// More than 100 % was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a share is at most 10000 basis points (100 %), got {0}")]
pub struct ShareTooLarge(pub u16);

impl BasisPoints {
    pub const ZERO: BasisPoints = BasisPoints(0);
    pub const HALF: BasisPoints = BasisPoints(5_000);
    pub const ALL: BasisPoints = BasisPoints(10_000);

    pub fn new(bp: u16) -> Result<Self, ShareTooLarge> {
        if bp > 10_000 {
            Err(ShareTooLarge(bp))
        } else {
            Ok(BasisPoints(bp))
        }
    }

    pub const fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for BasisPoints {
    type Error = ShareTooLarge;
    fn try_from(bp: u16) -> Result<Self, Self::Error> {
        BasisPoints::new(bp)
    }
}

impl From<BasisPoints> for u16 {
    fn from(bp: BasisPoints) -> u16 {
        bp.0
    }
}

impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_percent(f, u64::from(self.0))
    }
}

/// How a pass threshold compares: co-operative rules speak of "more than
/// half" (an ordinary resolution) and "at least three quarters" (a special
/// one), and the two differ exactly at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    AtLeast(BasisPoints),
    MoreThan(BasisPoints),
}

impl Threshold {
    /// A simple majority: more than half.
    pub const MAJORITY: Threshold = Threshold::MoreThan(BasisPoints::HALF);

    /// A special resolution: at least three quarters.
    pub const fn special() -> Threshold {
        Threshold::AtLeast(BasisPoints(7_500))
    }

    /// At least nine tenths, for what protects the rules themselves.
    pub const fn near_unanimous() -> Threshold {
        Threshold::AtLeast(BasisPoints(9_000))
    }

    /// Whether every share that meets `self` also meets `other`.
    pub fn at_least_as_strict_as(self, other: Threshold) -> bool {
        // "More than x" sits just above "at least x" and below anything
        // higher, so (basis points, strictness) orders thresholds.
        let key = |t: Threshold| match t {
            Threshold::AtLeast(bp) => (bp, 0),
            Threshold::MoreThan(bp) => (bp, 1),
        };
        key(self) >= key(other)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::AtLeast(bp) => write!(f, "at least {bp}"),
            Threshold::MoreThan(bp) => write!(f, "more than {bp}"),
        }
    }
}

/// An exact share `part / whole` of two weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Ratio {
    pub part: u64,
    pub whole: u64,
}

impl Ratio {
    pub const fn new(part: u64, whole: u64) -> Self {
        Ratio { part, whole }
    }

    /// Whether the share meets `threshold`. A share of nothing (`whole` = 0)
    /// meets no threshold: if nobody took a side, nothing passed.
    pub fn meets(self, threshold: Threshold) -> bool {
        if self.whole == 0 {
            return false;
        }
        let lhs = u128::from(self.part) * 10_000;
        let rhs = |bp: BasisPoints| u128::from(bp.get()) * u128::from(self.whole);
        match threshold {
            Threshold::AtLeast(bp) => lhs >= rhs(bp),
            Threshold::MoreThan(bp) => lhs > rhs(bp),
        }
    }

    /// Whether the share is at least `bp`; used for quorum, which with an
    /// empty electorate is only met by a zero quorum.
    pub fn at_least(self, bp: BasisPoints) -> bool {
        bp == BasisPoints::ZERO || self.meets(Threshold::AtLeast(bp))
    }

    /// The share in basis points rounded down, or `None` for a share of
    /// nothing.
    pub fn basis_points(self) -> Option<u64> {
        (self.whole != 0)
            .then(|| u128::from(self.part) * 10_000 / u128::from(self.whole))
            .map(|bp| u64::try_from(bp).unwrap_or(u64::MAX))
    }
}

impl fmt::Display for Ratio {
    /// "66.66 %" (rounded down, so a share shown as meeting a threshold
    /// does), or "no share" when the whole is zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.basis_points() {
            Some(bp) => write_percent(f, bp),
            None => write!(f, "no share"),
        }
    }
}

fn write_percent(f: &mut fmt::Formatter<'_>, bp: u64) -> fmt::Result {
    match bp % 100 {
        0 => write!(f, "{} %", bp / 100),
        cents => write!(f, "{}.{cents:02} %", bp / 100),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(n: u16) -> BasisPoints {
        BasisPoints::new(n).expect("valid basis points")
    }

    #[test]
    fn more_than_100_percent_is_refused() {
        assert_eq!(BasisPoints::new(10_001), Err(ShareTooLarge(10_001)));
    }

    #[test]
    fn exactly_half_is_not_more_than_half() {
        assert!(!Ratio::new(1, 2).meets(Threshold::MAJORITY));
        assert!(Ratio::new(1, 2).meets(Threshold::AtLeast(BasisPoints::HALF)));
    }

    #[test]
    fn two_thirds_compares_exactly() {
        assert!(Ratio::new(2, 3).meets(Threshold::AtLeast(bp(6_666))));
        assert!(!Ratio::new(2, 3).meets(Threshold::AtLeast(bp(6_667))));
    }

    #[test]
    fn a_share_of_nothing_meets_no_threshold() {
        assert!(!Ratio::new(0, 0).meets(Threshold::AtLeast(BasisPoints::ZERO)));
        assert_eq!(Ratio::new(0, 0).basis_points(), None);
    }

    #[test]
    fn a_zero_quorum_is_always_met() {
        assert!(Ratio::new(0, 0).at_least(BasisPoints::ZERO));
        assert!(!Ratio::new(0, 0).at_least(bp(1)));
    }

    #[test]
    fn more_than_a_share_is_stricter_than_at_least_it_and_laxer_than_above_it() {
        let at_least = |n| Threshold::AtLeast(bp(n));
        let more_than = |n| Threshold::MoreThan(bp(n));
        assert!(more_than(5_000).at_least_as_strict_as(at_least(5_000)));
        assert!(!at_least(5_000).at_least_as_strict_as(more_than(5_000)));
        assert!(at_least(5_001).at_least_as_strict_as(more_than(5_000)));
        assert!(Threshold::special().at_least_as_strict_as(Threshold::special()));
    }

    #[test]
    fn shares_display_rounded_down() {
        assert_eq!(Ratio::new(2, 3).to_string(), "66.66 %");
        assert_eq!(Ratio::new(1, 2).to_string(), "50 %");
        assert_eq!(bp(7_550).to_string(), "75.50 %");
    }
}
