//! Tamper evidence: the fingerprint that commits to a proposal at opening,
//! and the result export from which anyone can recount.
//!
//! **Canonical form.** The fingerprint is the SHA-256, in lowercase hex, of
//! the compact JSON (no whitespace, UTF-8) that `serde_json` writes for
//! this object, keys in exactly this order:
//!
//! ```text
//! {"format":"plenary-proposal/1","title":…,"text":…,"kind":…,"options":[…],
//!  "rules":{"min_lead_time":…,"quorum":…,"threshold":…,"block_stops":…,
//!           "hide_results_until_close":…,"require_minutes":…},
//!  "amends":{…the consortium rules, only for a rules change…},
//!  "roll":[{"org":…,"kind":…,"class":…,"weight":…},…],
//!  "opens_at":…,"closes_at":…}
//! ```
//!
//! Durations and instants are integer milliseconds, shares integer basis
//! points, the roll is sorted by organisation name, and enums are written
//! as their serde attributes say (e.g. `"consent"`,
//! `{"ranked":{"seats":2}}`, `{"more_than":5000}`). Struct fields are
//! written in declaration order, so the order above is fixed by the code;
//! the `format` tag changes if it ever has to.

use crate::membership::{ConsortiumRules, Weight};
use crate::proposal::{Ballot, Kind, Proposal, Rules, Schedule};
use crate::roll::{BallotRecord, Caster, Roll, latest_ballots};
use crate::tally::{Tally, TallyError, tally};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt;
use utoipa::ToSchema;

const PROPOSAL_FORMAT: &str = "plenary-proposal/1";
const EXPORT_FORMAT: &str = "plenary-result/1";

/// The SHA-256 of a proposal's canonical form, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The canonical form; field order is part of the format.
#[derive(Serialize)]
struct Frozen<'a> {
    format: &'static str,
    title: &'a str,
    text: &'a str,
    kind: Kind,
    options: &'a [String],
    rules: &'a Rules,
    /// Absent for proposals that change no rules, so their fingerprints
    /// are what they were before rules changes existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    amends: Option<&'a ConsortiumRules>,
    roll: &'a Roll,
    opens_at: i64,
    closes_at: i64,
}

/// The bytes the fingerprint hashes (see the module documentation).
pub fn canonical_form(proposal: &Proposal, roll: &Roll, schedule: Schedule) -> Vec<u8> {
    let frozen = Frozen {
        format: PROPOSAL_FORMAT,
        title: &proposal.title,
        text: &proposal.text,
        kind: proposal.kind,
        options: &proposal.options,
        rules: &proposal.rules,
        amends: proposal.amends.as_ref(),
        roll,
        opens_at: schedule.opens_at,
        closes_at: schedule.closes_at,
    };
    // Only strings, integers, booleans and string-keyed objects: JSON
    // serialization of these cannot fail.
    serde_json::to_vec(&frozen).expect("the canonical form has no map with non-string keys")
}

/// The proposal's fingerprint at opening. Any change to the text, options,
/// rules, roll or dates gives a different one.
pub fn fingerprint(proposal: &Proposal, roll: &Roll, schedule: Schedule) -> Fingerprint {
    Fingerprint(hex::encode(Sha256::digest(canonical_form(
        proposal, roll, schedule,
    ))))
}

/// An organisation's counted ballot, with the weight it counted for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CountedBallot {
    pub org: String,
    pub weight: Weight,
    pub ballot: Ballot,
    pub cast_at: i64,
    pub revision: u32,
    #[serde(default)]
    pub cast_as: Caster,
}

/// Everything needed to check a result: the proposal with its rules, the
/// schedule and roll it opened with, its fingerprint, every counted ballot
/// and the tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Export {
    pub format: String,
    pub proposal: Proposal,
    pub schedule: Schedule,
    pub roll: Roll,
    pub fingerprint: Fingerprint,
    pub ballots: Vec<CountedBallot>,
    pub tally: Tally,
}

/// Counts the ballots and packages the result for publication.
pub fn export(
    proposal: &Proposal,
    schedule: Schedule,
    roll: &Roll,
    records: &[BallotRecord],
) -> Result<Export, TallyError> {
    let tally = tally(proposal, roll, records)?;
    let ballots = latest_ballots(roll, records)?
        .into_iter()
        .map(|c| CountedBallot {
            org: c.entry.org.clone(),
            weight: c.entry.weight,
            ballot: c.record.ballot.clone(),
            cast_at: c.record.cast_at,
            revision: c.record.revision,
            cast_as: c.record.cast_as,
        })
        .collect();
    Ok(Export {
        format: EXPORT_FORMAT.to_owned(),
        proposal: proposal.clone(),
        schedule,
        roll: roll.clone(),
        fingerprint: fingerprint(proposal, roll, schedule),
        ballots,
        tally,
    })
}

/// An export that cannot be recounted as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecomputeError {
    #[error("unknown export format {0:?}")]
    Format(String),
    #[error("{org:?} has more than one counted ballot in the export")]
    DuplicateBallot { org: String },
    #[error("the ballot of {org:?} claims weight {claimed}, the roll gives {on_roll}")]
    WeightMismatch {
        org: String,
        claimed: u32,
        on_roll: u32,
    },
    #[error(transparent)]
    Tally(#[from] TallyError),
}

/// Recounts an export from its proposal, roll and ballots alone, ignoring
/// the tally it carries.
pub fn recompute(export: &Export) -> Result<Tally, RecomputeError> {
    if export.format != EXPORT_FORMAT {
        return Err(RecomputeError::Format(export.format.clone()));
    }
    let mut seen = BTreeSet::new();
    for counted in &export.ballots {
        if !seen.insert(counted.org.as_str()) {
            return Err(RecomputeError::DuplicateBallot {
                org: counted.org.clone(),
            });
        }
        if let Some(entry) = export.roll.get(&counted.org)
            && entry.weight != counted.weight
        {
            return Err(RecomputeError::WeightMismatch {
                org: counted.org.clone(),
                claimed: counted.weight.get(),
                on_roll: entry.weight.get(),
            });
        }
    }
    let records: Vec<BallotRecord> = export
        .ballots
        .iter()
        .map(|c| BallotRecord {
            org: c.org.clone(),
            ballot: c.ballot.clone(),
            cast_at: c.cast_at,
            revision: c.revision,
            cast_as: c.cast_as,
        })
        .collect();
    Ok(tally(&export.proposal, &export.roll, &records)?)
}

/// Why an export does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Recompute(#[from] RecomputeError),
    #[error(
        "the fingerprint does not match the proposal: it should be {expected}, the export says {found}"
    )]
    Fingerprint {
        expected: Fingerprint,
        found: Fingerprint,
    },
    #[error("recounting the ballots gives a different tally from the one published")]
    TallyDiffers,
}

/// Checks an export: the fingerprint matches what it describes and the
/// ballots recount to the published tally.
pub fn verify(export: &Export) -> Result<(), VerifyError> {
    let expected = fingerprint(&export.proposal, &export.roll, export.schedule);
    if expected != export.fingerprint {
        return Err(VerifyError::Fingerprint {
            expected,
            found: export.fingerprint.clone(),
        });
    }
    if recompute(export)? != export.tally {
        return Err(VerifyError::TallyDiffers);
    }
    Ok(())
}
