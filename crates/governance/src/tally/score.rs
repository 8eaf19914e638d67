//! Score: weighted total and mean per option; the highest total leads.
//! Every scoring ballot scores every option, so totals and means rank the
//! options the same way and the decision uses the exact totals.

use super::{Counts, KindResult, Outcome, Weighted, join_and, label, leaders, votes};
use crate::proposal::Choice;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct OptionScore {
    /// Σ weight × score (`i128`, so no count of ballots can overflow it).
    pub weighted_total: i128,
    /// `weighted_total / scoring weight` in hundredths, rounded down; `None`
    /// when nobody scored.
    pub mean_hundredths: Option<i128>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct ScoreCounts {
    pub per_option: Vec<OptionScore>,
    pub abstain: u64,
    /// The weight of ballots that gave scores.
    pub scoring: u64,
    pub leading: Vec<usize>,
}

pub(crate) fn count(ballots: &[Weighted], options: &[String]) -> KindResult {
    let mut totals = vec![0i128; options.len()];
    let (mut abstain, mut scoring) = (0u64, 0u64);
    for ballot in ballots {
        let Choice::Scores(scores) = ballot.choice else {
            abstain += ballot.weight;
            continue;
        };
        scoring += ballot.weight;
        for (total, &score) in totals.iter_mut().zip(scores) {
            *total += i128::from(ballot.weight) * i128::from(score);
        }
    }
    let leading = if scoring == 0 {
        Vec::new()
    } else {
        leaders(&totals)
    };
    let per_option: Vec<OptionScore> = totals
        .iter()
        .map(|&weighted_total| OptionScore {
            weighted_total,
            mean_hundredths: mean_hundredths(weighted_total, scoring),
        })
        .collect();
    let outcome = match leading.as_slice() {
        [] => Outcome::NoPreference,
        [one] => Outcome::Chosen {
            options: vec![*one],
        },
        several => Outcome::Tie {
            options: several.to_vec(),
        },
    };
    let listed: Vec<String> = per_option
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mean = s
                .mean_hundredths
                .map_or_else(|| "none".to_owned(), format_hundredths);
            format!(
                "{} total {}, mean {mean}",
                label(options, i),
                s.weighted_total
            )
        })
        .collect();
    let names = join_and(
        &leading
            .iter()
            .map(|&i| label(options, i))
            .collect::<Vec<_>>(),
    );
    let leader = match leading.len() {
        0 => String::new(),
        1 => format!(" {names} has the highest total."),
        _ => format!(" {names} share the highest total."),
    };
    let verdict = match &outcome {
        Outcome::Chosen { .. } => format!("{names} is chosen."),
        Outcome::Tie { .. } => "Nothing is chosen: the count does not break ties.".to_owned(),
        _ => "Nothing is chosen: no ballot gave scores.".to_owned(),
    };
    KindResult {
        counts: Counts::Score(ScoreCounts {
            per_option,
            abstain,
            scoring,
            leading,
        }),
        outcome,
        how: format!(
            "Scores weighted by vote ({} scored, {} abstained): {}.{leader}",
            votes(scoring),
            votes(abstain),
            listed.join("; ")
        ),
        verdict,
    }
}

fn mean_hundredths(total: i128, weight: u64) -> Option<i128> {
    (weight != 0).then(|| (total * 100).div_euclid(i128::from(weight)))
}

fn format_hundredths(h: i128) -> String {
    let sign = if h < 0 { "-" } else { "" };
    let abs = h.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}
