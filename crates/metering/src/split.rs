//! Splitting a period's cost pool among organisations.
//!
//! The guifi.net rule: with `n` participating organisations, a pool `C` and a
//! base fee `F`, each pays `F` plus a share of `C − n·F` in proportion to its
//! metered use. Every share is in whole cents, and the shares sum exactly to
//! `C` (largest remainder). Contributions (servers an organisation hosts,
//! declared work) are credited: `balance = share − contributions`.
//!
//! Worked example (also a test below): a pool of 1 000.00 EUR, a base fee of
//! 100.00, and three organisations that used 6 000, 3 000 and 1 000
//! participant-minutes. The remainder 1 000 − 3·100 = 700.00 splits 6:3:1 into
//! 420.00, 210.00 and 70.00, so the shares are 520.00, 310.00 and 170.00. The
//! first organisation hosts a server costing 300.00 a month: its balance is
//! 220.00; the others owe their shares.

use crate::money::{Cents, Currency, largest_remainder};

/// What "use" means for the proportional part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageMeasure {
    ParticipantMinutes,
    EstimatedMegabytes,
    /// `pm_weight` per participant-minute plus `mb_weight` per megabyte.
    Weighted {
        pm_weight: u64,
        mb_weight: u64,
    },
}

impl UsageMeasure {
    fn of(self, m: &Member) -> u128 {
        match self {
            Self::ParticipantMinutes => m.participant_minutes as u128,
            Self::EstimatedMegabytes => m.estimated_megabytes as u128,
            Self::Weighted {
                pm_weight,
                mb_weight,
            } => {
                m.participant_minutes as u128 * pm_weight as u128
                    + m.estimated_megabytes as u128 * mb_weight as u128
            }
        }
    }

    fn describe(self) -> String {
        match self {
            Self::ParticipantMinutes => "participant-minutes".into(),
            Self::EstimatedMegabytes => "estimated megabytes".into(),
            Self::Weighted {
                pm_weight,
                mb_weight,
            } => {
                format!("{pm_weight}×participant-minutes + {mb_weight}×megabytes")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitRule {
    Guifi {
        base_fee: Cents,
        measure: UsageMeasure,
    },
    Proportional {
        measure: UsageMeasure,
    },
    /// In proportion to each organisation's tier price.
    TierPriceList,
}

/// One participating organisation in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub org: String,
    pub participant_minutes: u64,
    pub estimated_megabytes: u64,
    /// Sum of the monthly prices of its tenants' tiers.
    pub tier_price: Cents,
    /// Servers it hosts (their cost) and other declared contributions.
    pub contributions: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub org: String,
    pub base: Cents,
    pub usage_part: Cents,
    pub share: Cents,
    pub contributions: Cents,
    pub balance: Cents,
    /// How this share was computed, in words and numbers.
    pub explanation: String,
}

/// Splits `pool` (≥ 0) among `members` under `rule`; the shares sum exactly
/// to the pool, and identical inputs give identical results. The
/// explanations write amounts in `currency`.
pub fn split(pool: Cents, members: &[Member], rule: SplitRule, currency: Currency) -> Vec<Share> {
    let money = |c: Cents| currency.format(c);
    let n = members.len() as i64;
    if n == 0 {
        return Vec::new();
    }
    let (bases, rest, weights, how): (Vec<Cents>, Cents, Vec<u128>, String) = match rule {
        SplitRule::Guifi { base_fee, measure } => {
            let weights = members.iter().map(|m| measure.of(m)).collect();
            if base_fee.0.max(0) * n <= pool.0 {
                let rest = Cents(pool.0 - base_fee.0.max(0) * n);
                let how = format!(
                    "base fee {} plus the remaining {} in proportion to {}",
                    money(base_fee),
                    money(rest),
                    measure.describe()
                );
                (
                    vec![Cents(base_fee.0.max(0)); members.len()],
                    rest,
                    weights,
                    how,
                )
            } else {
                // The base fees alone exceed the pool: the pool is shared equally.
                let equal = largest_remainder(pool, &vec![1; members.len()]);
                let how = format!(
                    "the base fee {} times {n} exceeds the pool {}, so the pool is shared equally",
                    money(base_fee),
                    money(pool)
                );
                (equal, Cents(0), vec![0; members.len()], how)
            }
        }
        SplitRule::Proportional { measure } => (
            vec![Cents(0); members.len()],
            pool,
            members.iter().map(|m| measure.of(m)).collect(),
            format!("in proportion to {}", measure.describe()),
        ),
        SplitRule::TierPriceList => (
            vec![Cents(0); members.len()],
            pool,
            members
                .iter()
                .map(|m| m.tier_price.0.max(0) as u128)
                .collect(),
            "in proportion to the tier prices".into(),
        ),
    };
    let total_weight: u128 = weights.iter().sum();
    let parts = largest_remainder(rest, &weights);
    members
        .iter()
        .zip(bases)
        .zip(parts)
        .zip(&weights)
        .map(|(((m, base), usage_part), w)| {
            let share = base + usage_part;
            Share {
                org: m.org.clone(),
                base,
                usage_part,
                share,
                contributions: m.contributions,
                balance: share - m.contributions,
                explanation: format!(
                    "{} = {} + {} ({how}; weight {w} of {total_weight}); balance {} after contributions of {}",
                    money(share),
                    money(base),
                    money(usage_part),
                    money(share - m.contributions),
                    money(m.contributions)
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn member(org: &str, pm: u64, contributions: i64) -> Member {
        Member {
            org: org.into(),
            participant_minutes: pm,
            estimated_megabytes: 0,
            tier_price: Cents(1000),
            contributions: Cents(contributions),
        }
    }

    #[test]
    fn the_documented_worked_example() {
        let members = [
            member("a", 6000, 30_000),
            member("b", 3000, 0),
            member("c", 1000, 0),
        ];
        let rule = SplitRule::Guifi {
            base_fee: Cents(10_000),
            measure: UsageMeasure::ParticipantMinutes,
        };
        let shares = split(Cents(100_000), &members, rule, Currency::EUR);
        let got: Vec<(i64, i64)> = shares.iter().map(|s| (s.share.0, s.balance.0)).collect();
        assert_eq!(got, [(52_000, 22_000), (31_000, 31_000), (17_000, 17_000)]);
        assert!(shares[0].explanation.contains("base fee €100.00"));
    }

    #[test]
    fn an_organisation_that_used_nothing_pays_the_base_fee() {
        let members = [member("a", 100, 0), member("idle", 0, 0)];
        let rule = SplitRule::Guifi {
            base_fee: Cents(500),
            measure: UsageMeasure::ParticipantMinutes,
        };
        assert_eq!(
            split(Cents(10_000), &members, rule, Currency::EUR)[1].share,
            Cents(500)
        );
    }

    #[test]
    fn base_fees_larger_than_the_pool_share_it_equally() {
        let members = [member("a", 100, 0), member("b", 0, 0), member("c", 5, 0)];
        let rule = SplitRule::Guifi {
            base_fee: Cents(500),
            measure: UsageMeasure::ParticipantMinutes,
        };
        let s = split(Cents(1000), &members, rule, Currency::EUR);
        assert_eq!(
            s.iter().map(|x| x.share.0).collect::<Vec<_>>(),
            [334, 333, 333]
        );
    }

    #[test]
    fn tier_prices_weigh_the_tier_price_list_rule() {
        let mut members = [member("a", 0, 0), member("b", 0, 0)];
        members[1].tier_price = Cents(3000);
        let s = split(
            Cents(4000),
            &members,
            SplitRule::TierPriceList,
            Currency::EUR,
        );
        assert_eq!((s[0].share, s[1].share), (Cents(1000), Cents(3000)));
    }

    fn members_strategy() -> impl Strategy<Value = Vec<Member>> {
        proptest::collection::vec(
            (0u64..1_000_000, 0u64..100_000, 0i64..100_000, 0i64..50_000),
            1..30,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (pm, mb, price, contrib))| Member {
                    org: format!("o{i}"),
                    participant_minutes: pm,
                    estimated_megabytes: mb,
                    tier_price: Cents(price),
                    contributions: Cents(contrib),
                })
                .collect()
        })
    }

    fn rules() -> impl Strategy<Value = SplitRule> {
        let measure = prop_oneof![
            Just(UsageMeasure::ParticipantMinutes),
            Just(UsageMeasure::EstimatedMegabytes),
            (0u64..10, 0u64..10).prop_map(|(a, b)| UsageMeasure::Weighted {
                pm_weight: a,
                mb_weight: b
            }),
        ];
        prop_oneof![
            (0i64..100_000, measure.clone()).prop_map(|(f, m)| SplitRule::Guifi {
                base_fee: Cents(f),
                measure: m
            }),
            measure.prop_map(|m| SplitRule::Proportional { measure: m }),
            Just(SplitRule::TierPriceList),
        ]
    }

    proptest! {
        #[test]
        fn shares_sum_exactly_to_the_pool(pool in 0i64..100_000_000, members in members_strategy(), rule in rules()) {
            let shares = split(Cents(pool), &members, rule, Currency::EUR);
            prop_assert_eq!(shares.iter().map(|s| s.share).sum::<Cents>(), Cents(pool));
            for (s, m) in shares.iter().zip(&members) {
                prop_assert_eq!(s.balance, s.share - m.contributions);
            }
        }

        #[test]
        fn no_share_is_negative_and_the_base_fee_is_paid_when_it_fits(
            pool in 0i64..100_000_000, members in members_strategy(), fee in 0i64..100_000,
        ) {
            let rule = SplitRule::Guifi { base_fee: Cents(fee), measure: UsageMeasure::ParticipantMinutes };
            let shares = split(Cents(pool), &members, rule, Currency::EUR);
            let fits = fee * members.len() as i64 <= pool;
            for s in &shares {
                prop_assert!(s.share.0 >= 0);
                if fits {
                    prop_assert!(s.share.0 >= fee);
                }
            }
        }

        #[test]
        fn identical_inputs_give_identical_statements(pool in 0i64..10_000_000, members in members_strategy(), rule in rules()) {
            prop_assert_eq!(split(Cents(pool), &members, rule, Currency::EUR), split(Cents(pool), &members, rule, Currency::EUR));
        }
    }
}
