//! An exact non-negative fraction, for transferring STV surpluses without
//! rounding. Numerator and denominator are arbitrary-precision: each
//! surplus transfer multiplies denominators, so a count with several seats
//! soon outgrows any fixed-width integer.

use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Mul};
use std::str::FromStr;

/// `num / den` in lowest terms, `den` ≥ 1. Serialized as the string
/// `"num/den"` (or `"num"` for whole numbers) so that JSON readers limited
/// to 64-bit floats lose nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fraction {
    num: BigUint,
    den: BigUint,
}

/// The text is not a fraction `n` or `n/d` with `d` ≥ 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a fraction of the form n or n/d with d at least 1")]
pub struct BadFraction(pub String);

fn gcd(mut a: BigUint, mut b: BigUint) -> BigUint {
    while b != BigUint::ZERO {
        let rest = &a % &b;
        (a, b) = (b, rest);
    }
    a
}

/// The least common multiple of two non-zero numbers.
pub(crate) fn lcm(a: &BigUint, b: &BigUint) -> BigUint {
    a / gcd(a.clone(), b.clone()) * b
}

impl Fraction {
    pub const ZERO: Fraction = Fraction {
        num: BigUint::ZERO,
        den: BigUint::ONE,
    };

    /// `num / den` reduced; `None` when `den` is zero.
    pub fn new(num: impl Into<BigUint>, den: impl Into<BigUint>) -> Option<Self> {
        let (num, den) = (num.into(), den.into());
        if den == BigUint::ZERO {
            return None;
        }
        let g = gcd(num.clone(), den.clone());
        Some(Fraction {
            num: num / &g,
            den: den / &g,
        })
    }

    pub fn whole(n: u64) -> Self {
        Fraction {
            num: n.into(),
            den: BigUint::ONE,
        }
    }

    fn reduced(num: BigUint, den: BigUint) -> Self {
        // Every caller multiplies non-zero denominators.
        Fraction::new(num, den).unwrap_or(Fraction::ZERO)
    }

    /// `self - other`, or `None` if that would be negative.
    pub fn checked_sub(&self, other: &Self) -> Option<Self> {
        let (a, b) = (&self.num * &other.den, &other.num * &self.den);
        (a >= b).then(|| Fraction::reduced(a - b, &self.den * &other.den))
    }

    /// `self / other`, or `None` when `other` is zero.
    pub fn checked_div(&self, other: &Self) -> Option<Self> {
        Fraction::new(&self.num * &other.den, &self.den * &other.num)
    }

    /// The denominator, at least 1.
    pub fn denominator(&self) -> &BigUint {
        &self.den
    }

    /// `self × scale` as a whole number, or `None` if `scale` is not a
    /// multiple of the denominator or the product exceeds 64 bits.
    pub fn scaled(&self, scale: &BigUint) -> Option<u64> {
        let product = &self.num * scale;
        (&product % &self.den == BigUint::ZERO)
            .then(|| u64::try_from(product / &self.den).ok())
            .flatten()
    }

    /// The value with two decimals, rounded down, for explanations.
    pub fn decimal(&self) -> String {
        let hundredths = &self.num * 100u32 / &self.den;
        let (units, cents) = (&hundredths / 100u32, &hundredths % 100u32);
        if cents == BigUint::ZERO {
            units.to_string()
        } else {
            format!("{units}.{cents:0>2}")
        }
    }
}

impl Add for &Fraction {
    type Output = Fraction;
    fn add(self, other: &Fraction) -> Fraction {
        Fraction::reduced(
            &self.num * &other.den + &other.num * &self.den,
            &self.den * &other.den,
        )
    }
}

impl Mul for &Fraction {
    type Output = Fraction;
    fn mul(self, other: &Fraction) -> Fraction {
        Fraction::reduced(&self.num * &other.num, &self.den * &other.den)
    }
}

impl Ord for Fraction {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.num * &other.den).cmp(&(&other.num * &self.den))
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == BigUint::ONE {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// Plain decimal digits only: no sign, no separators, so every fraction
/// has one spelling.
fn digits(s: &str) -> Option<BigUint> {
    let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| s.parse().ok()).flatten()
}

impl FromStr for Fraction {
    type Err = BadFraction;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (num, den) = s.split_once('/').unwrap_or((s, "1"));
        digits(num)
            .zip(digits(den))
            .and_then(|(num, den)| Fraction::new(num, den))
            .ok_or_else(|| BadFraction(s.to_owned()))
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

    fn f(n: u64, d: u64) -> Fraction {
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
        assert_eq!(Fraction::new(1u32, 0u32), None);
        assert!("1/0".parse::<Fraction>().is_err());
        assert_eq!(Fraction::whole(1).checked_div(&Fraction::ZERO), None);
    }

    #[test]
    fn subtraction_below_zero_is_refused() {
        assert_eq!(f(1, 3).checked_sub(&f(1, 2)), None);
        assert_eq!(f(1, 2).checked_sub(&f(1, 3)), Some(f(1, 6)));
    }

    #[test]
    fn arithmetic_beyond_128_bits_stays_exact() {
        let big = Fraction::new(u128::MAX, 3u32).expect("non-zero");
        let square = &big * &big;
        assert_eq!(square.checked_div(&big), Some(big.clone()));
        assert!(square > big);
    }

    #[test]
    fn decimals_are_rounded_down() {
        assert_eq!(f(2, 3).decimal(), "0.66");
        assert_eq!(f(7, 2).decimal(), "3.50");
        assert_eq!(f(1, 20).decimal(), "0.05");
        assert_eq!(Fraction::whole(4).decimal(), "4");
    }

    #[test]
    fn fractions_read_back_from_their_text() {
        assert_eq!("12/18".parse::<Fraction>(), Ok(f(2, 3)));
        assert_eq!("5".parse::<Fraction>(), Ok(Fraction::whole(5)));
    }

    #[test]
    fn only_plain_digits_are_a_fraction() {
        for bad in ["", "+1", "-1", "1_000", "1/", "/2", "1/2/3", " 1"] {
            assert!(bad.parse::<Fraction>().is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn ordering_agrees_with_cross_multiplication(
            a in 0u64..1_000_000, b in 1u64..1_000_000,
            c in 0u64..1_000_000, d in 1u64..1_000_000,
        ) {
            prop_assert_eq!(f(a, b).cmp(&f(c, d)), (a * d).cmp(&(c * b)));
        }

        #[test]
        fn adding_then_subtracting_gives_back_the_start(
            a in 0u64..1_000_000, b in 1u64..1_000_000,
            c in 0u64..1_000_000, d in 1u64..1_000_000,
        ) {
            let sum = &f(a, b) + &f(c, d);
            prop_assert_eq!(sum.checked_sub(&f(c, d)), Some(f(a, b)));
        }

        #[test]
        fn text_round_trips(a in 0u64..u64::MAX, b in 1u64..u64::MAX) {
            prop_assert_eq!(f(a, b).to_string().parse::<Fraction>(), Ok(f(a, b)));
        }
    }
}
