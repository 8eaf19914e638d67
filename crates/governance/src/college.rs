//! Individual members: people who are members in their own right, in the
//! class the rules name. The rules say how they vote: each with a weight,
//! as an organisation does, or together as one college whose weight is
//! shared equally, and exactly, among those of them who voted.

use crate::fraction::{Fraction, lcm};
use crate::membership::Weight;
use crate::roll::{Counted, Roll};
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use utoipa::ToSchema;

/// Where individuals sit and how they vote.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct IndividualRules {
    /// The member class individuals belong to, one of the rules' classes.
    pub class: String,
    #[serde(flatten)]
    pub voting: IndividualVoting,
}

/// How individual members vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "voting", rename_all = "snake_case")]
pub enum IndividualVoting {
    /// Each individual votes with this weight.
    Each { weight: Weight },
    /// The individuals vote as one college of `votes` votes, or of `votes`
    /// per `per` individual members on the roll.
    College {
        #[schema(value_type = u32, minimum = 1)]
        votes: NonZeroU32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<u32>, minimum = 1)]
        per: Option<NonZeroU32>,
    },
}

impl IndividualVoting {
    /// The college's weight on a roll with `members` individuals; `None`
    /// when individuals vote each on their own.
    pub fn college_weight(self, members: usize) -> Option<Fraction> {
        match self {
            IndividualVoting::Each { .. } => None,
            IndividualVoting::College { votes, per: None } => {
                Some(Fraction::whole(votes.get().into()))
            }
            IndividualVoting::College {
                votes,
                per: Some(per),
            } => Fraction::new(u64::from(votes.get()) * members as u64, per.get()),
        }
    }

    /// The register weight of one individual: the rule's own, or a nominal
    /// 1 that the college's share replaces in every count.
    pub fn register_weight(self) -> Weight {
        match self {
            IndividualVoting::Each { weight } => weight,
            IndividualVoting::College { .. } => Weight::ONE,
        }
    }
}

/// A spelling of [`IndividualRules`] that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a rule for individual members: give CLASS=each:WEIGHT, CLASS=college:VOTES \
     or CLASS=college:VOTES/INDIVIDUALS (e.g. individual=college:1/10, one vote per 10 individuals)"
)]
pub struct BadIndividualRules(pub String);

/// `class=each:weight`, `class=college:votes` or `class=college:votes/per`,
/// as the command line takes and shows it.
impl FromStr for IndividualRules {
    type Err = BadIndividualRules;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadIndividualRules(s.to_owned());
        let (class, rule) = s.trim().split_once('=').ok_or_else(bad)?;
        let (how, amount) = rule.split_once(':').ok_or_else(bad)?;
        let number = |t: &str| t.parse::<NonZeroU32>().ok();
        let voting = match (how, amount.split_once('/')) {
            ("each", None) => IndividualVoting::Each {
                weight: Weight::new(number(amount).ok_or_else(bad)?.get()).map_err(|_| bad())?,
            },
            ("college", None) => IndividualVoting::College {
                votes: number(amount).ok_or_else(bad)?,
                per: None,
            },
            ("college", Some((votes, per))) => IndividualVoting::College {
                votes: number(votes).ok_or_else(bad)?,
                per: Some(number(per).ok_or_else(bad)?),
            },
            _ => return Err(bad()),
        };
        if class.is_empty() {
            return Err(bad());
        }
        Ok(IndividualRules {
            class: class.to_owned(),
            voting,
        })
    }
}

impl fmt::Display for IndividualRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.voting {
            IndividualVoting::Each { weight } => write!(f, "{}=each:{}", self.class, weight.get()),
            IndividualVoting::College { votes, per: None } => {
                write!(f, "{}=college:{votes}", self.class)
            }
            IndividualVoting::College {
                votes,
                per: Some(per),
            } => write!(f, "{}=college:{votes}/{per}", self.class),
        }
    }
}

/// Each voter's share of a college of `weight` that `voters` took part
/// in: equal, exact, and summing to `weight`. Empty when nobody voted.
pub fn shares(weight: &Fraction, voters: usize) -> Vec<Fraction> {
    weight
        .checked_div(&Fraction::whole(voters as u64))
        .map_or_else(Vec::new, |share| vec![share; voters])
}

/// The weights of a count in whole units of `1/scale` of a vote, so that
/// every kind's count stays in integers while college shares stay exact.
/// With no college on the roll, `scale` is 1 and the units are votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Weighing {
    pub scale: u64,
    pub eligible: u64,
    /// One per counted ballot, in the order given.
    pub ballots: Vec<u64>,
}

/// The college weights need a finer unit than 64-bit counts allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the college's shares need a finer unit than the count can hold")]
pub struct TooFine;

pub(crate) fn weigh(roll: &Roll, counted: &[Counted]) -> Result<Weighing, TooFine> {
    let colleges: BTreeMap<&str, &Fraction> = roll
        .entries()
        .iter()
        .filter_map(|e| e.college.as_ref().map(|w| (e.class.as_str(), w)))
        .collect();
    let mut voters: BTreeMap<&str, usize> = BTreeMap::new();
    for c in counted.iter().filter(|c| c.entry.college.is_some()) {
        *voters.entry(c.entry.class.as_str()).or_default() += 1;
    }
    let exact: Vec<Fraction> = counted
        .iter()
        .map(|c| match &c.entry.college {
            Some(weight) => shares(weight, voters[c.entry.class.as_str()])
                .pop()
                .unwrap_or(Fraction::ZERO),
            None => Fraction::whole(c.entry.weight.units()),
        })
        .collect();
    let eligible = roll
        .entries()
        .iter()
        .filter(|e| e.college.is_none())
        .map(|e| Fraction::whole(e.weight.units()))
        .chain(colleges.values().map(|&w| w.clone()))
        .fold(Fraction::ZERO, |sum, w| &sum + &w);
    let scale = exact
        .iter()
        .chain([&eligible])
        .fold(BigUint::from(1u32), |l, w| lcm(&l, w.denominator()));
    let whole = |w: &Fraction| w.scaled(&scale).ok_or(TooFine);
    Ok(Weighing {
        scale: u64::try_from(&scale).map_err(|_| TooFine)?,
        eligible: whole(&eligible)?,
        ballots: exact.iter().map(whole).collect::<Result<_, _>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn college(votes: u32, per: Option<u32>) -> IndividualVoting {
        IndividualVoting::College {
            votes: NonZeroU32::new(votes).expect("non-zero"),
            per: per.and_then(NonZeroU32::new),
        }
    }

    #[test]
    fn a_college_of_one_vote_weighs_one_whatever_its_size() {
        assert_eq!(
            college(1, None).college_weight(37),
            Some(Fraction::whole(1))
        );
    }

    #[test]
    fn one_vote_per_ten_individuals_is_an_exact_fraction() {
        assert_eq!(
            college(1, Some(10)).college_weight(25),
            Fraction::new(5u32, 2u32)
        );
    }

    #[test]
    fn individuals_voting_each_form_no_college() {
        let each = IndividualVoting::Each {
            weight: Weight::ONE,
        };
        assert_eq!(each.college_weight(5), None);
    }

    #[test]
    fn three_voters_share_one_vote_in_thirds() {
        let third = Fraction::new(1u32, 3u32).expect("non-zero");
        assert_eq!(shares(&Fraction::whole(1), 3), vec![third; 3]);
    }

    #[test]
    fn the_rule_reads_back_from_its_text() {
        for text in [
            "individual=each:1",
            "individual=college:1",
            "individual=college:1/10",
        ] {
            let rule: IndividualRules = text.parse().expect("a rule");
            assert_eq!(rule.to_string(), text);
        }
        for bad in [
            "individual",
            "=college:1",
            "x=college:0",
            "x=both:1",
            "x=college:1/0",
        ] {
            assert!(bad.parse::<IndividualRules>().is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn college_weights_sum_to_the_colleges_weight(
            votes in 1u32..50, per in proptest::option::of(1u32..20),
            members in 200usize..400, voters in 1usize..=200,
        ) {
            let weight = college(votes, per).college_weight(members).expect("a college");
            let given = shares(&weight, voters);
            prop_assert_eq!(given.len(), voters);
            let sum = given.iter().fold(Fraction::ZERO, |sum, s| &sum + s);
            prop_assert_eq!(sum, weight);
        }
    }
}
