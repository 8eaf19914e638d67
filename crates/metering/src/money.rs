//! Money in integer minor units, split exactly.

use std::fmt;

/// An amount in cents (minor units); never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(
            f,
            "{sign}{}.{:02}",
            self.0.unsigned_abs() / 100,
            self.0.unsigned_abs() % 100
        )
    }
}

impl std::ops::Add for Cents {
    type Output = Cents;
    fn add(self, o: Cents) -> Cents {
        Cents(self.0 + o.0)
    }
}

impl std::ops::Sub for Cents {
    type Output = Cents;
    fn sub(self, o: Cents) -> Cents {
        Cents(self.0 - o.0)
    }
}

impl std::iter::Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(|c| c.0).sum())
    }
}

/// Splits `total` (≥ 0) in proportion to `weights`, in whole cents that sum
/// exactly to `total` (the largest-remainder method). Leftover cents go to the
/// largest remainders, ties to the earlier index, so the result depends only
/// on the inputs. All-zero weights split equally.
pub fn largest_remainder(total: Cents, weights: &[u128]) -> Vec<Cents> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total_u = total.0.max(0) as u128;
    let sum: u128 = weights.iter().sum();
    let (weights, sum): (Vec<u128>, u128) = if sum == 0 {
        (vec![1; weights.len()], weights.len() as u128)
    } else {
        (weights.to_vec(), sum)
    };
    let mut shares: Vec<u128> = weights.iter().map(|w| total_u * w / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(total_u * weights[i] % sum), i));
    let handed_out: u128 = shares.iter().sum();
    for &i in order.iter().take((total_u - handed_out) as usize) {
        shares[i] += 1;
    }
    shares.into_iter().map(|s| Cents(s as i64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_total_is_split_in_whole_cents_by_weight() {
        assert_eq!(
            largest_remainder(Cents(100), &[1, 1, 1]),
            [Cents(34), Cents(33), Cents(33)]
        );
        assert_eq!(
            largest_remainder(Cents(1000), &[3, 1]),
            [Cents(750), Cents(250)]
        );
        assert_eq!(largest_remainder(Cents(10), &[0, 0]), [Cents(5), Cents(5)]);
        assert_eq!(Cents(-1250).to_string(), "-12.50");
    }

    proptest! {
        #[test]
        fn shares_always_sum_exactly_to_the_total(
            total in 0i64..10_000_000_000,
            weights in proptest::collection::vec(0u128..1_000_000_000_000, 1..60),
        ) {
            let shares = largest_remainder(Cents(total), &weights);
            prop_assert_eq!(shares.iter().copied().sum::<Cents>(), Cents(total));
            prop_assert!(shares.iter().all(|s| s.0 >= 0));
        }

        #[test]
        fn no_share_is_more_than_a_cent_from_its_exact_value(
            total in 0i64..1_000_000_000,
            weights in proptest::collection::vec(1u128..1_000_000, 1..40),
        ) {
            let shares = largest_remainder(Cents(total), &weights);
            let sum: u128 = weights.iter().sum();
            for (s, w) in shares.iter().zip(&weights) {
                let exact = total as f64 * *w as f64 / sum as f64;
                prop_assert!((s.0 as f64 - exact).abs() < 1.0 + 1e-6);
            }
        }
    }
}
