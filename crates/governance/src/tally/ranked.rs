//! Ranked counts: instant-runoff for one seat, the single transferable vote
//! for several.
//!
//! Each round counts every ballot for its highest-ranked option still in
//! the count; a ballot with none left is *exhausted*.
//!
//! **Instant-runoff** stops when an option has more than half of the weight
//! not exhausted, or is the only one left; otherwise the lowest is
//! eliminated.
//!
//! **STV** uses the Droop quota `⌊valid weight / (seats + 1)⌋ + 1`, where
//! the valid weight is that of all non-abstaining ballots. Every option at
//! or above the quota in a round is elected, and all the ballots it holds
//! pass on to their next preference at the transfer value `surplus / its
//! count` (weighted inclusive Gregory), in exact fractions. When nobody
//! reaches the quota and no more options remain than seats, those left are
//! elected; otherwise the lowest is eliminated.
//!
//! **Elimination ties** (several options level at the bottom) are broken by
//! the earlier rounds, most recent first: the option with less weight there
//! goes. If they were level in every round, the option listed later goes.
//! The round records that it broke a tie.

use super::{Counts, KindResult, Outcome, Weighted, join_and, label, votes};
use crate::fraction::Fraction;
use crate::proposal::Choice;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One round of a ranked count.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Round<A> {
    /// Each option's count; `None` once it has been elected or eliminated.
    pub counts: Vec<Option<A>>,
    /// Weight on ballots with no option left in the count.
    pub exhausted: A,
    pub elected: Vec<usize>,
    pub eliminated: Option<usize>,
    /// The elimination needed the tie-breaking rule.
    pub tie_broken: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Runoff {
    pub rounds: Vec<Round<u64>>,
    pub abstain: u64,
    pub winner: Option<usize>,
    /// Some round broke an elimination tie.
    pub ties_broken: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ElectedBy {
    Quota,
    /// Elected because no more options remained than seats.
    LastRemaining,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Election {
    pub option: usize,
    /// 1-based.
    pub round: usize,
    /// The option's count in that round.
    pub count: Fraction,
    pub by: ElectedBy,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Stv {
    pub seats: usize,
    pub quota: u64,
    pub rounds: Vec<Round<Fraction>>,
    pub abstain: u64,
    /// In order of election.
    pub elected: Vec<Election>,
    pub ties_broken: bool,
}

/// A quantity of votes a round can hold: whole weights for instant-runoff,
/// fractions once STV transfers surpluses.
trait Amount: Clone + Ord {
    const ZERO: Self;
    fn plus(&self, other: &Self) -> Self;
    fn show(&self) -> String;
}

impl Amount for u64 {
    const ZERO: u64 = 0;
    fn plus(&self, other: &u64) -> u64 {
        // Roll weights are 1 or 2, so sums stay far below the limit.
        self.saturating_add(*other)
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Amount for Fraction {
    const ZERO: Fraction = Fraction::ZERO;
    fn plus(&self, other: &Fraction) -> Fraction {
        self + other
    }
    fn show(&self) -> String {
        self.decimal()
    }
}

/// The rankings with their weights, and the weight that abstained.
fn rankings<'a>(ballots: &[Weighted<'a>]) -> (Vec<(&'a [usize], u64)>, u64) {
    let mut abstain = 0;
    let mut ranked = Vec::new();
    for ballot in ballots {
        match ballot.choice {
            Choice::Ranking(ranking) => ranked.push((ranking.as_slice(), ballot.weight)),
            _ => abstain += ballot.weight,
        }
    }
    (ranked, abstain)
}

/// The ballot's highest-ranked option still in the count.
fn top(ranking: &[usize], continuing: &[bool]) -> Option<usize> {
    ranking
        .iter()
        .copied()
        .find(|&i| continuing.get(i).copied().unwrap_or(false))
}

/// Counts, per continuing option, the ballots for which it is the top, and
/// the exhausted amount.
fn count_round<'a, A: Amount + 'a>(
    ballots: impl Iterator<Item = (&'a [usize], &'a A)>,
    continuing: &[bool],
) -> (Vec<Option<A>>, A) {
    let mut counts: Vec<Option<A>> = continuing.iter().map(|&c| c.then_some(A::ZERO)).collect();
    let mut exhausted = A::ZERO;
    for (ranking, value) in ballots {
        let slot = match top(ranking, continuing).and_then(|i| counts.get_mut(i)) {
            Some(Some(count)) => count,
            _ => &mut exhausted,
        };
        *slot = slot.plus(value);
    }
    (counts, exhausted)
}

/// The option to eliminate (see the module documentation) and whether that
/// took the tie-breaking rule.
/// Takes the lowest option out of the count in this round; false when no
/// option is left to take out.
fn eliminate_lowest<A: Amount>(
    earlier: &[Round<A>],
    round: &mut Round<A>,
    continuing: &mut [bool],
) -> bool {
    let Some((out, tie)) = to_eliminate(earlier, &round.counts) else {
        return false;
    };
    continuing[out] = false;
    round.eliminated = Some(out);
    round.tie_broken = tie;
    true
}

fn to_eliminate<A: Amount>(earlier: &[Round<A>], counts: &[Option<A>]) -> Option<(usize, bool)> {
    let lowest = counts.iter().flatten().min()?;
    let mut tied: Vec<usize> = (0..counts.len())
        .filter(|&i| counts[i].as_ref() == Some(lowest))
        .collect();
    let tie = tied.len() > 1;
    for round in earlier.iter().rev() {
        let count_in = |i: usize| round.counts.get(i).and_then(Option::as_ref);
        if let Some(min) = tied.iter().filter_map(|&i| count_in(i)).min() {
            tied.retain(|&i| count_in(i) == Some(min));
        }
    }
    tied.last().map(|&out| (out, tie))
}

/// Continuing options with their counts.
fn standing<A: Amount>(counts: &[Option<A>]) -> Vec<(usize, A)> {
    counts
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.clone().map(|c| (i, c)))
        .collect()
}

fn describe_round<A: Amount>(number: usize, round: &Round<A>, options: &[String]) -> String {
    let counts: Vec<String> = standing(&round.counts)
        .into_iter()
        .map(|(i, c)| format!("{} {}", label(options, i), c.show()))
        .collect();
    let mut text = format!(
        "Round {number}: {} (exhausted {})",
        counts.join(", "),
        round.exhausted.show()
    );
    if let Some(out) = round.eliminated {
        text += &format!("; {} eliminated", label(options, out));
        if round.tie_broken {
            text +=
                " (a tie for last place, broken by the earlier rounds, then by the later option)";
        }
    }
    if !round.elected.is_empty() {
        let names: Vec<String> = round.elected.iter().map(|&i| label(options, i)).collect();
        text += &format!("; {} elected", join_and(&names));
    }
    text + "."
}

fn describe_rounds<A: Amount>(rounds: &[Round<A>], options: &[String]) -> String {
    rounds
        .iter()
        .enumerate()
        .map(|(i, round)| describe_round(i + 1, round, options))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn instant_runoff(ballots: &[Weighted], options: &[String]) -> KindResult {
    let (ranked, abstain) = rankings(ballots);
    let total: u64 = ranked.iter().map(|&(_, w)| w).sum();
    let mut continuing = vec![true; options.len()];
    let mut rounds: Vec<Round<u64>> = Vec::new();
    let mut winner = None;
    while total > 0 && winner.is_none() {
        let (counts, exhausted) = count_round(ranked.iter().map(|(r, w)| (*r, w)), &continuing);
        let active = total - exhausted;
        let standing = standing(&counts);
        let decided = match standing.as_slice() {
            [(only, _)] => Some(*only),
            _ => standing
                .iter()
                .find(|&&(_, c)| c > active - c)
                .map(|&(i, _)| i),
        };
        let mut round = Round {
            counts,
            exhausted,
            elected: Vec::new(),
            eliminated: None,
            tie_broken: false,
        };
        match decided {
            Some(w) => {
                round.elected.push(w);
                winner = Some(w);
            }
            None => {
                // Two or more options stand, so there is always a lowest.
                if !eliminate_lowest(&rounds, &mut round, &mut continuing) {
                    break;
                }
            }
        }
        rounds.push(round);
    }
    let ties_broken = rounds.iter().any(|r| r.tie_broken);
    let verdict = match (winner, rounds.last()) {
        (Some(w), Some(last)) => format!(
            "{} wins in round {} with a majority of the {} still in the count.",
            label(options, w),
            rounds.len(),
            votes(total - last.exhausted)
        ),
        _ => "Nothing is chosen: no ballot ranked an option.".to_owned(),
    };
    let how = format!(
        "Instant-runoff over {} of rankings ({} abstained). {}",
        votes(total),
        votes(abstain),
        describe_rounds(&rounds, options)
    );
    KindResult {
        counts: Counts::InstantRunoff(Runoff {
            rounds,
            abstain,
            winner,
            ties_broken,
        }),
        outcome: winner.map_or(Outcome::NoPreference, |w| Outcome::Chosen {
            options: vec![w],
        }),
        how,
        verdict,
    }
}

pub(crate) fn stv(ballots: &[Weighted], options: &[String], seats: usize) -> KindResult {
    let (ranked, abstain) = rankings(ballots);
    let total: u64 = ranked.iter().map(|&(_, w)| w).sum();
    let quota = total / (seats as u64).saturating_add(1) + 1;
    let quota_f = Fraction::whole(quota);
    let mut values: Vec<Fraction> = ranked.iter().map(|&(_, w)| Fraction::whole(w)).collect();
    let mut continuing = vec![true; options.len()];
    let mut rounds: Vec<Round<Fraction>> = Vec::new();
    let mut elected: Vec<Election> = Vec::new();
    while total > 0 && elected.len() < seats {
        let seats_left = seats - elected.len();
        let number = rounds.len() + 1;
        let ballots = ranked.iter().zip(&values).map(|(&(r, _), v)| (r, v));
        let (counts, exhausted) = count_round(ballots, &continuing);
        let mut standing = standing(&counts);
        if standing.is_empty() {
            // Only if seats ≥ options, which a valid proposal rules out;
            // stop rather than loop.
            break;
        }
        // Highest first, then the earlier option: the order of election.
        standing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let reached: Vec<(usize, Fraction)> = standing
            .iter()
            .filter(|(_, c)| *c >= quota_f)
            .take(seats_left)
            .cloned()
            .collect();
        let mut round = Round {
            counts,
            exhausted,
            elected: Vec::new(),
            eliminated: None,
            tie_broken: false,
        };
        if !reached.is_empty() {
            for (option, count) in &reached {
                // count ≥ quota ≥ 1, so both are defined.
                let surplus = count.checked_sub(&quota_f).unwrap_or(Fraction::ZERO);
                let transfer = surplus.checked_div(count).unwrap_or(Fraction::ZERO);
                for (&(ranking, _), value) in ranked.iter().zip(values.iter_mut()) {
                    if top(ranking, &continuing) == Some(*option) {
                        *value = &*value * &transfer;
                    }
                }
            }
            for (option, count) in reached {
                continuing[option] = false;
                round.elected.push(option);
                elected.push(Election {
                    option,
                    round: number,
                    count,
                    by: ElectedBy::Quota,
                });
            }
        } else if standing.len() <= seats_left {
            for (option, count) in standing {
                continuing[option] = false;
                round.elected.push(option);
                elected.push(Election {
                    option,
                    round: number,
                    count,
                    by: ElectedBy::LastRemaining,
                });
            }
        } else if !eliminate_lowest(&rounds, &mut round, &mut continuing) {
            // More options stand than seats are left, so there is a lowest.
            break;
        }
        rounds.push(round);
    }
    let ties_broken = rounds.iter().any(|r| r.tie_broken);
    let verdict = if elected.is_empty() {
        "Nothing is chosen: no ballot ranked an option.".to_owned()
    } else {
        let list: Vec<String> = elected
            .iter()
            .map(|e| {
                let how = match e.by {
                    ElectedBy::Quota => "reached the quota",
                    ElectedBy::LastRemaining => "last remaining",
                };
                format!("{} (round {}, {how})", label(options, e.option), e.round)
            })
            .collect();
        format!("Elected, in order: {}.", join_and(&list))
    };
    let how = format!(
        "Single transferable vote for {seats} seats over {} of rankings ({} abstained); the Droop quota is {}, \
         and surpluses pass on at their transfer value. {}",
        votes(total),
        votes(abstain),
        votes(quota),
        describe_rounds(&rounds, options)
    );
    let outcome = if elected.is_empty() {
        Outcome::NoPreference
    } else {
        Outcome::Chosen {
            options: elected.iter().map(|e| e.option).collect(),
        }
    };
    KindResult {
        counts: Counts::Stv(Stv {
            seats,
            quota,
            rounds,
            abstain,
            elected,
            ties_broken,
        }),
        outcome,
        how,
        verdict,
    }
}
