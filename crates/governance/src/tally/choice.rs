//! Single and multiple choice: weight per option; the leader is chosen if it
//! stands alone and meets the threshold of the weight that chose options.

use super::{Counts, KindResult, Outcome, Shortfall, Weighted, join_and, label, leaders, votes};
use crate::proposal::Choice;
use crate::share::{Ratio, Threshold};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChoiceCounts {
    /// Weight per option, in option order.
    pub per_option: Vec<u64>,
    pub abstain: u64,
    /// The weight of ballots that chose at least one option.
    pub decisive: u64,
    /// The options with the most weight (several when level).
    pub leading: Vec<usize>,
    /// A leader's weight / `decisive`.
    pub leading_share: Ratio,
}

pub(crate) fn count(ballots: &[Weighted], options: &[String], threshold: Threshold) -> KindResult {
    let mut per_option = vec![0u64; options.len()];
    let (mut abstain, mut decisive) = (0, 0);
    for ballot in ballots {
        let chosen: &[usize] = match ballot.choice {
            Choice::Single(index) => std::slice::from_ref(index),
            Choice::Multiple(indices) => indices,
            _ => &[],
        };
        if chosen.is_empty() {
            abstain += ballot.weight;
            continue;
        }
        decisive += ballot.weight;
        for &index in chosen {
            if let Some(slot) = per_option.get_mut(index) {
                *slot += ballot.weight;
            }
        }
    }
    let leading = if decisive == 0 {
        Vec::new()
    } else {
        leaders(&per_option)
    };
    let top = leading.first().map_or(0, |&i| per_option[i]);
    let leading_share = Ratio::new(top, decisive);
    let outcome = match leading.as_slice() {
        [] => Outcome::NoPreference,
        [one] if leading_share.meets(threshold) => Outcome::Chosen {
            options: vec![*one],
        },
        [_] => Outcome::NotPassed {
            shortfall: Shortfall::BelowThreshold,
        },
        several => Outcome::Tie {
            options: several.to_vec(),
        },
    };
    let listed: Vec<String> = per_option
        .iter()
        .enumerate()
        .map(|(i, &w)| format!("{} {}", label(options, i), votes(w)))
        .collect();
    let mut text = format!(
        "Votes per option: {}; {} abstained.",
        listed.join(", "),
        votes(abstain)
    );
    let names: Vec<String> = leading.iter().map(|&i| label(options, i)).collect();
    text += &match &outcome {
        Outcome::NoPreference => " No ballot chose an option.".to_owned(),
        Outcome::Tie { .. } => format!(
            " {} are tied with {} each; the count does not break ties.",
            join_and(&names),
            votes(top)
        ),
        _ => format!(
            " {} leads with {leading_share} of the {} that chose an option, against a threshold of {threshold}; it {}.",
            join_and(&names),
            votes(decisive),
            if matches!(outcome, Outcome::Chosen { .. }) {
                "is chosen"
            } else {
                "falls short, so nothing is chosen"
            }
        ),
    };
    KindResult {
        counts: Counts::Choice(ChoiceCounts {
            per_option,
            abstain,
            decisive,
            leading,
            leading_share,
        }),
        outcome,
        explanation: text,
    }
}
