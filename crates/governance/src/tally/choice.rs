//! Single and multiple choice: weight per option; the leader is chosen if it
//! stands alone and meets the threshold of the weight that chose options.

use super::{Counts, KindResult, Outcome, Shortfall, Weighted, join_and, label, leaders, votes};
use crate::proposal::Choice;
use crate::share::{Ratio, Threshold};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
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
    let names = join_and(
        &leading
            .iter()
            .map(|&i| label(options, i))
            .collect::<Vec<_>>(),
    );
    match leading.len() {
        0 => {}
        1 => {
            text += &format!(
                " {names} leads with {leading_share} of the {} that chose an option, against a threshold of {threshold}.",
                votes(decisive)
            )
        }
        _ => text += &format!(" {names} are tied with {} each.", votes(top)),
    }
    let verdict = match &outcome {
        Outcome::Chosen { .. } => format!("{names} is chosen."),
        Outcome::Tie { .. } => "Nothing is chosen: the count does not break ties.".to_owned(),
        Outcome::NoPreference => "Nothing is chosen: no ballot chose an option.".to_owned(),
        _ => "Nothing is chosen: the leader falls short of the threshold.".to_owned(),
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
        how: text,
        verdict,
    }
}
