//! Consent: weight per position; passes when no block stops it and agree
//! meets the threshold of agree + disagree + block.

use super::{Counts, KindResult, Outcome, Shortfall, Weighted, join_and, votes};
use crate::proposal::{Choice, Position, Rules};
use crate::share::Ratio;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct ConsentCounts {
    pub agree: u64,
    pub abstain: u64,
    pub disagree: u64,
    pub block: u64,
    /// agree / (agree + disagree + block).
    pub agree_share: Ratio,
    /// The organisations that blocked, in roll order.
    pub blocked_by: Vec<String>,
}

pub(crate) fn count(ballots: &[Weighted], rules: &Rules) -> KindResult {
    let mut c = ConsentCounts {
        agree: 0,
        abstain: 0,
        disagree: 0,
        block: 0,
        agree_share: Ratio::new(0, 0),
        blocked_by: Vec::new(),
    };
    for ballot in ballots {
        // Ballots were validated against the kind, so only consent
        // positions arrive here.
        let Choice::Consent { position, .. } = ballot.choice else {
            continue;
        };
        let slot = match position {
            Position::Agree => &mut c.agree,
            Position::Abstain => &mut c.abstain,
            Position::Disagree => &mut c.disagree,
            Position::Block => {
                c.blocked_by.push(ballot.org.to_owned());
                &mut c.block
            }
        };
        *slot += ballot.weight;
    }
    c.agree_share = Ratio::new(c.agree, c.agree + c.disagree + c.block);
    let blocked = rules.block_stops && c.block > 0;
    let outcome = if blocked {
        Outcome::NotPassed {
            shortfall: Shortfall::Blocked,
        }
    } else if c.agree_share.meets(rules.threshold) {
        Outcome::Passed
    } else {
        Outcome::NotPassed {
            shortfall: Shortfall::BelowThreshold,
        }
    };
    let mut text = format!(
        "Agree {}, abstain {}, disagree {}, block {}. Agree has {} of the votes that took a side \
         (agree, disagree and block; abstentions count toward the quorum only), against a threshold of {}.",
        votes(c.agree),
        votes(c.abstain),
        votes(c.disagree),
        votes(c.block),
        c.agree_share,
        rules.threshold,
    );
    if !c.blocked_by.is_empty() {
        let stops = if rules.block_stops {
            "one block stops the proposal"
        } else {
            "blocks count as disagreement under these rules"
        };
        text += &format!(" Blocked by {} ({stops}).", join_and(&c.blocked_by));
    }
    let verdict = match outcome {
        Outcome::Passed => "The proposal passed.",
        Outcome::NotPassed {
            shortfall: Shortfall::Blocked,
        } => "The proposal did not pass: it was blocked.",
        _ => "The proposal did not pass: agreement fell short of the threshold.",
    };
    KindResult {
        counts: Counts::Consent(c),
        outcome,
        how: text,
        verdict: verdict.to_owned(),
    }
}
