//! An exact non-negative fraction over `u128`, enough for transferring STV
//! surpluses without rounding. Arithmetic is checked: a count whose
//! denominators outgrow 128 bits reports an error instead of a wrong answer.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// `num / den` in lowest terms, `den` ≥ 1. Serialized as the string
/// `"num/den"` (or `"num"` for whole numbers) so JSON readers that only
/// know 64-bit floats lose nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fraction {
    num: u128,
    den: u128,
}

/// The text is not a fraction `n` or `n/d` with `d` ≥ 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a fraction of the form n or n/d with d at least 1")]
pub struct BadFraction(pub String);

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Fraction {
    pub const ZERO: Fraction = Fraction { num: 0, den: 1 };

    /// `num / den` reduced; `None` when `den` is zero.
    pub fn new(num: u128, den: u128) -> Option<Self> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        Some(Fraction {
            num: num / g,
            den: den / g,
        })
    }

    pub const fn whole(n: u64) -> Self {
        Fraction {
            num: n as u128,
            den: 1,
        }
    }

    pub const fn numerator(self) -> u128 {
        self.num
    }

    pub const fn denominator(self) -> u128 {
        self.den
    }

    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        let g = gcd(self.den, other.den);
        let lcm = (self.den / g).checked_mul(other.den)?;
        let a = self.num.checked_mul(lcm / self.den)?;
        let b = other.num.checked_mul(lcm / other.den)?;
        Fraction::new(a.checked_add(b)?, lcm)
    }

    /// `self - other`, or `None` if that would be negative (or overflow).
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        let g = gcd(self.den, other.den);
        let lcm = (self.den / g).checked_mul(other.den)?;
        let a = self.num.checked_mul(lcm / self.den)?;
        let b = other.num.checked_mul(lcm / other.den)?;
        Fraction::new(a.checked_sub(b)?, lcm)
    }

    pub fn checked_mul(self, other: Self) -> Option<Self> {
        // Cross-reduce first so the products stay as small as possible.
        let g1 = gcd(self.num, other.den).max(1);
        let g2 = gcd(other.num, self.den).max(1);
        let num = (self.num / g1).checked_mul(other.num / g2)?;
        let den = (self.den / g2).checked_mul(other.den / g1)?;
        Fraction::new(num, den)
    }

    /// `self / other`, or `None` when `other` is zero (or on overflow).
    pub fn checked_div(self, other: Self) -> Option<Self> {
        let reciprocal = Fraction::new(other.den, other.num)?;
        self.checked_mul(reciprocal)
    }

    /// The value with two decimals, rounded down, for explanations.
    pub fn decimal(self) -> String {
        let (mut rest, mut den) = (self.num % self.den, self.den);
        // Only for display: drop low bits of huge denominators so `* 100`
        // cannot overflow (the digits may then be off by one hundredth).
        while den > u128::MAX / 100 {
            (rest, den) = (rest >> 1, den >> 1);
        }
        let hundredths = (self.num / self.den)
            .saturating_mul(100)
            .saturating_add(rest * 100 / den);
        match hundredths % 100 {
            0 => format!("{}", hundredths / 100),
            rest => format!("{}.{rest:02}", hundredths / 100),
        }
    }
}

impl Ord for Fraction {
    /// Compares by continued-fraction expansion, which never multiplies and
    /// so cannot overflow whatever the denominators.
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut a, mut b, mut c, mut d) = (self.num, self.den, other.num, other.den);
        let mut flipped = false;
        loop {
            let (qa, qc) = (a / b, c / d);
            let (ra, rc) = (a % b, c % d);
            let order = qa.cmp(&qc).then_with(|| match (ra == 0, rc == 0) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => Ordering::Equal,
            });
            if order != Ordering::Equal || ra == 0 || rc == 0 {
                return if flipped { order.reverse() } else { order };
            }
            // a/b = qa + ra/b; comparing ra/b with rc/d is comparing d/rc
            // with b/ra, the other way round.
            (a, b, c, d) = (b, ra, d, rc);
            flipped = !flipped;
        }
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl FromStr for Fraction {
    type Err = BadFraction;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadFraction(s.to_owned());
        let (num, den) = s.split_once('/').unwrap_or((s, "1"));
        let num = num.parse().map_err(|_| bad())?;
        let den = den.parse().map_err(|_| bad())?;
        Fraction::new(num, den).ok_or_else(bad)
    }
}

impl TryFrom<String> for Fraction {
    type Error = BadFraction;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Fraction> for String {
    fn from(f: Fraction) -> String {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(n: u128, d: u128) -> Fraction {
        Fraction::new(n, d).expect("non-zero denominator")
    }

    #[test]
    fn fractions_are_kept_in_lowest_terms() {
        assert_eq!(f(6, 8), f(3, 4));
        assert_eq!(f(6, 8).to_string(), "3/4");
        assert_eq!(f(0, 5), Fraction::ZERO);
    }

    #[test]
    fn a_zero_denominator_is_not_a_fraction() {
        assert_eq!(Fraction::new(1, 0), None);
        assert!("1/0".parse::<Fraction>().is_err());
        assert_eq!(Fraction::whole(1).checked_div(Fraction::ZERO), None);
    }

    #[test]
    fn subtraction_below_zero_is_refused() {
        assert_eq!(f(1, 3).checked_sub(f(1, 2)), None);
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let huge = f(u128::MAX, 1);
        assert_eq!(huge.checked_add(Fraction::whole(1)), None);
        assert_eq!(huge.checked_mul(Fraction::whole(2)), None);
    }

    #[test]
    fn comparison_of_huge_fractions_does_not_overflow() {
        let a = f(u128::MAX - 1, u128::MAX);
        let b = f(u128::MAX - 2, u128::MAX - 1);
        assert!(a > b);
    }

    #[test]
    fn decimals_are_rounded_down() {
        assert_eq!(f(2, 3).decimal(), "0.66");
        assert_eq!(f(7, 2).decimal(), "3.50");
        assert_eq!(Fraction::whole(4).decimal(), "4");
    }

    #[test]
    fn fractions_round_trip_through_text() {
        assert_eq!("12/18".parse::<Fraction>(), Ok(f(2, 3)));
        assert_eq!("5".parse::<Fraction>(), Ok(Fraction::whole(5)));
    }

    proptest! {
        #[test]
        fn ordering_agrees_with_cross_multiplication(
            a in 0u128..1_000_000, b in 1u128..1_000_000,
            c in 0u128..1_000_000, d in 1u128..1_000_000,
        ) {
            prop_assert_eq!(f(a, b).cmp(&f(c, d)), (a * d).cmp(&(c * b)));
        }

        #[test]
        fn adding_then_subtracting_gives_back_the_start(
            a in 0u128..1_000_000, b in 1u128..1_000_000,
            c in 0u128..1_000_000, d in 1u128..1_000_000,
        ) {
            let sum = f(a, b).checked_add(f(c, d)).expect("small values");
            prop_assert_eq!(sum.checked_sub(f(c, d)), Some(f(a, b)));
        }
    }
}
