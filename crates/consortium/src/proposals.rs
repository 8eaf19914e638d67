//! Proposals from draft to outcome: drafting, opening (the roll and the
//! fingerprint freeze), ballots from delegates and deputies, closing (never
//! before the lead time), and the export anyone can recount.

use governance::amendment::{check_amendment, required_threshold};
use governance::blt::Election;
use governance::membership::{ConsortiumRules, Event};
use governance::proposal::{self, Ballot, Kind, Rules, Schedule, State};
use governance::record::{self, Export};
use governance::roll::{Caster, RegisterEntry, Voting, freeze_roll};
use governance::tally::{Outcome, Tally, tally};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use store::{Act, NewBallot, NewProposal, Opening, Person, ProposalState};
use utoipa::ToSchema;

use crate::convert::{self, Stored, json, records, roll, status, store_roll, to_json};
use crate::{Consortium, ConsortiumError, Result};

/// A proposal as written, before it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub text: String,
    pub kind: Kind,
    pub options: Vec<String>,
    pub rules: Rules,
    /// `general`, `application` (admitting `subject_org`) or `rules`
    /// (putting `amends` in place).
    pub purpose: String,
    pub subject_org: Option<String>,
    /// The consortium rules a rules-change proposal puts in place.
    pub amends: Option<ConsortiumRules>,
}

/// The purpose of a proposal that changes the consortium's rules.
pub const RULES_CHANGE: &str = "rules";

/// Who is casting a ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voter {
    /// A person with an account: votes only for an organisation that has
    /// them as delegate or deputy.
    Person(Person),
    /// An operator: never votes for an organisation.
    Operator(String),
}

/// A proposal as members see it: counts only when the rules allow.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub kind: Kind,
    pub options: Vec<String>,
    pub rules: Rules,
    pub purpose: String,
    pub subject_org: Option<String>,
    /// The rules a rules-change proposal puts in place if it passes.
    pub amends: Option<ConsortiumRules>,
    pub state: ProposalState,
    pub author: String,
    pub opened_at_ms: Option<i64>,
    /// The announced closing time, pushed back when the text changed.
    pub closes_at_ms: Option<i64>,
    pub closed_at_ms: Option<i64>,
    pub fingerprint: Option<String>,
    /// The eligible roll: organisation, weight, class.
    pub roll: Vec<RollLine>,
    /// Organisations that have voted (their choices stay hidden until the
    /// results may be shown).
    pub voted: Vec<String>,
    pub tally: Option<Tally>,
    /// The audit log's head right after closing, to hold the operator to.
    pub audit_head: Option<String>,
    /// Every ballot that replaced, or did not replace, another person's.
    pub replacements: Vec<Replacement>,
    pub statement: Option<Statement>,
}

/// A ballot cast for an organisation by someone other than the person
/// whose ballot counted until then.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Replacement {
    pub org: String,
    pub revision: i64,
    pub at_ms: i64,
    /// `person:<name>` who cast it, and in which role.
    pub by: String,
    pub by_role: Caster,
    /// Whose ballot counted until then.
    pub earlier_by: String,
    pub earlier_role: Caster,
    /// Whether the new ballot now counts (a deputy's never replaces the
    /// delegate's).
    pub counts: bool,
}

/// The outcome statement: what was decided and what happens next.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Statement {
    pub text: String,
    pub by: String,
    pub at_ms: i64,
    /// `sha256(text)`, as the `proposal.statement` audit entry holds it.
    pub sha256: String,
}

impl From<store::OutcomeStatement> for Statement {
    fn from(s: store::OutcomeStatement) -> Self {
        Statement {
            sha256: store::statement_hash(&s.text),
            text: s.text,
            by: s.by,
            at_ms: s.at_ms,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct RollLine {
    pub org: String,
    pub weight: i64,
    pub class: String,
}

/// One ballot as cast, with the salt of its commitment in the audit log:
/// published once the proposal closes, so anyone can check that the log
/// committed to exactly this ballot when it was cast.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Receipt {
    pub org: String,
    pub revision: i64,
    pub cast_by: String,
    pub cast_at_ms: i64,
    /// The ballot's JSON exactly as committed.
    pub ballot: String,
    pub salt: String,
    /// `sha256("<salt>:<ballot>")`, as the `ballot.cast` audit entry holds it.
    pub commitment: String,
}

/// What is published of a closed proposal: the recountable result, every
/// ballot with its salt, and the audit head after closing.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Record {
    pub result: Export,
    pub receipts: Vec<Receipt>,
    pub audit_head: Option<String>,
    /// Written after close; absent from records published before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<Statement>,
}

/// Which ballots were cast by someone other than the person whose ballot
/// counted for the organisation until then (`ballots` by organisation,
/// then revision, as the store lists them).
pub fn replacements(ballots: &[store::Ballot]) -> Vec<Replacement> {
    let mut out = Vec::new();
    let mut counting: Option<(&str, &str, Caster)> = None;
    for b in ballots {
        let Some(role) = convert::caster(b.cast_as) else {
            continue;
        };
        match counting {
            Some((org, by, held)) if org == b.org => {
                let counts = role >= held;
                if by != b.cast_by {
                    out.push(Replacement {
                        org: b.org.clone(),
                        revision: b.revision,
                        at_ms: b.cast_at,
                        by: b.cast_by.clone(),
                        by_role: role,
                        earlier_by: by.to_string(),
                        earlier_role: held,
                        counts,
                    });
                }
                if counts {
                    counting = Some((&b.org, &b.cast_by, role));
                }
            }
            _ => counting = Some((&b.org, &b.cast_by, role)),
        }
    }
    out
}

/// Who writes a proposal's outcome statement: its author, or an operator.
fn may_state_outcome(row: &store::Proposal, actor: &str) -> bool {
    row.author == actor || actor.starts_with("operator:")
}

/// The organisation an application proposal is about.
fn applicant(row: &store::Proposal) -> Option<&str> {
    (row.purpose == "application")
        .then_some(row.subject_org.as_deref())
        .flatten()
}

/// A random salt for a ballot's commitment in the audit log.
fn salt() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Consortium {
    pub async fn draft(&self, draft: &Draft, act: &Act) -> Result<i64> {
        let proposal = governance::proposal::Proposal {
            title: draft.title.clone(),
            text: draft.text.clone(),
            kind: draft.kind,
            options: draft.options.clone(),
            rules: draft.rules,
            amends: draft.amends.clone(),
        };
        proposal.validate().map_err(ConsortiumError::invalid)?;
        let current = self.rules().await?;
        current
            .check_proposal_rules(&draft.rules)
            .map_err(ConsortiumError::invalid)?;
        match (&draft.amends, draft.purpose == RULES_CHANGE) {
            (Some(amends), true) => {
                check_amendment(&current, amends, &draft.rules)
                    .map_err(ConsortiumError::refused)?;
                self.check_classes_kept(amends).await?;
            }
            (None, false) => {}
            _ => {
                return Err(ConsortiumError::Invalid(format!(
                    "a proposal changes the rules exactly when its purpose is {RULES_CHANGE:?} and it carries the new rules"
                )));
            }
        }
        let amends = draft.amends.as_ref().map(to_json);
        let new = NewProposal {
            title: &draft.title,
            body: &draft.text,
            kind: &to_json(&draft.kind),
            options: &to_json(&draft.options),
            purpose: &draft.purpose,
            subject_org: draft.subject_org.as_deref(),
            rules: &to_json(&draft.rules),
            amends: amends.as_deref(),
        };
        Ok(self.store.create_proposal(&new, act).await?.id)
    }

    /// Drafts a consent proposal putting `amends` in place of the current
    /// rules, with the threshold such a change needs (or the consortium's
    /// default, if that is stricter).
    pub async fn draft_rules_change(
        &self,
        title: &str,
        text: &str,
        amends: &ConsortiumRules,
        act: &Act,
    ) -> Result<i64> {
        let current = self.rules().await?;
        let required = required_threshold(&current, amends).map_err(ConsortiumError::refused)?;
        let mut rules = current.proposal_rules();
        if !rules.threshold.at_least_as_strict_as(required) {
            rules.threshold = required;
        }
        let draft = Draft {
            title: title.to_string(),
            text: text.to_string(),
            kind: Kind::Consent,
            options: Vec::new(),
            rules,
            purpose: RULES_CHANGE.into(),
            subject_org: None,
            amends: Some(amends.clone()),
        };
        self.draft(&draft, act).await
    }

    async fn stored(&self, id: i64) -> Result<(store::Proposal, Stored)> {
        let row = self.store.proposal(id).await?;
        let stored = convert::proposal(&row)?;
        Ok((row, stored))
    }

    /// Opens a draft now, closing at `closes_at` (default: as soon as the
    /// lead time allows). The roll is every member at this moment.
    pub async fn open(&self, id: i64, closes_at: Option<i64>, act: &Act) -> Result<()> {
        let (_, Stored { proposal, state }) = self.stored(id).await?;
        let rules = proposal.rules;
        let now = act.at_ms;
        let closes_at = closes_at.unwrap_or_else(|| rules.min_lead_time.after(now));
        let schedule =
            Schedule::new(now, now, closes_at, &rules).map_err(ConsortiumError::refused)?;
        proposal::open(state, schedule).map_err(ConsortiumError::refused)?;
        let consortium = self.rules().await?;
        let register = self
            .store
            .organisations()
            .await?
            .iter()
            .filter_map(|org| match status(org) {
                Ok(Some(status)) => Some(Ok(RegisterEntry {
                    org: org.name.clone(),
                    kind: convert::org_kind(org.kind),
                    class: org.member_class.clone().unwrap_or_default(),
                    status,
                    weight: match convert::weight(org) {
                        Ok(w) => w,
                        Err(e) => return Some(Err(e)),
                    },
                })),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<Vec<_>>>()?;
        let roll = freeze_roll(&register, now, &consortium).map_err(ConsortiumError::refused)?;
        let fingerprint = record::fingerprint(&proposal, &roll, schedule);
        let entries = store_roll(&roll);
        let opening = Opening {
            roll: &entries,
            closes_at,
            fingerprint: fingerprint.as_str(),
        };
        self.store.open_proposal(id, &opening, act).await?;
        self.announce_opened(id, act).await
    }

    /// Changes the text. On an open proposal the lead time starts again
    /// from now, and the fingerprint changes with the text.
    pub async fn edit(&self, id: i64, title: &str, text: &str, act: &Act) -> Result<()> {
        let (
            row,
            Stored {
                mut proposal,
                state,
            },
        ) = self.stored(id).await?;
        proposal.title = title.to_string();
        proposal.text = text.to_string();
        proposal.validate().map_err(ConsortiumError::invalid)?;
        match state {
            State::Draft => Ok(self.store.edit_proposal(id, title, text, None, act).await?),
            State::Open { schedule } => {
                let deadline = proposal::deadline(schedule, Some(act.at_ms), &proposal.rules);
                let roll = roll(id, &self.store.roll(id).await?)?;
                let reopened = Schedule {
                    opens_at: schedule.opens_at,
                    closes_at: deadline,
                };
                let fingerprint = record::fingerprint(&proposal, &roll, reopened);
                self.store
                    .edit_proposal(id, title, text, Some((fingerprint.as_str(), deadline)), act)
                    .await?;
                self.announce_edit(id, act).await
            }
            _ => Err(ConsortiumError::Conflict(format!(
                "proposal {id} is {} and can no longer change",
                row.state
            ))),
        }
    }

    /// Casts (or replaces) an organisation's ballot; returns its revision.
    pub async fn vote(
        &self,
        id: i64,
        org: &str,
        voter: &Voter,
        ballot: Ballot,
        act: &Act,
    ) -> Result<i64> {
        let person = match voter {
            Voter::Operator(_) => {
                return Err(ConsortiumError::Forbidden(format!(
                    "operators cannot vote for an organisation: {org}'s delegate or deputy votes"
                )));
            }
            Voter::Person(p) => p,
        };
        let Some(cast_as) = self
            .store
            .roles_of(person.id)
            .await?
            .iter()
            .find(|r| r.org == org)
            .and_then(|r| convert::caster(r.role))
        else {
            return Err(ConsortiumError::Forbidden(format!(
                "{} is not the delegate or a deputy of {org}",
                person.name
            )));
        };
        let (row, Stored { proposal, state }) = self.stored(id).await?;
        let roll = roll(id, &self.store.roll(id).await?)?;
        let previous = records(id, &self.store.ballots(id).await?)?;
        let voting = Voting {
            proposal: &proposal,
            state,
            roll: &roll,
            last_text_change_at: row.text_changed_at,
        };
        let record = voting
            .cast(&previous, org, cast_as, ballot, act.at_ms)
            .map_err(ConsortiumError::refused)?;
        let reason = match &record.ballot.choice {
            proposal::Choice::Consent { reason, .. } => reason.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let new = NewBallot {
            org,
            choice: &to_json(&record.ballot),
            reason: &reason,
            minutes_url: record.ballot.minutes_link.as_deref().unwrap_or(""),
            cast_by: &format!("person:{}", person.name),
            cast_as: match cast_as {
                Caster::Delegate => store::Role::Delegate,
                Caster::Deputy => store::Role::Deputy,
            },
            salt: &salt(),
        };
        let revision = self.store.cast_ballot(id, &new, act).await?;
        let ballots = self.store.ballots(id).await?;
        if let Some(replaced) = replacements(&ballots)
            .into_iter()
            .find(|r| r.org == org && r.revision == revision)
        {
            self.announce_replacement(id, &replaced, act).await?;
        }
        Ok(revision)
    }

    /// Closes an open proposal once its lead time is over, counts it, and
    /// carries out what an application decided.
    pub async fn close(&self, id: i64, act: &Act) -> Result<Tally> {
        let (row, Stored { proposal, state }) = self.stored(id).await?;
        proposal::close(state, act.at_ms, row.text_changed_at, &proposal.rules)
            .map_err(ConsortiumError::refused)?;
        let roll = roll(id, &self.store.roll(id).await?)?;
        let records = records(id, &self.store.ballots(id).await?)?;
        let tally = tally(&proposal, &roll, &records)
            .map_err(|e| ConsortiumError::corrupt(&format!("the ballots of proposal {id}"), e))?;
        let entry = self.store.close_proposal(id, &to_json(&tally), act).await?;
        if let (Some(amends), Outcome::Passed) = (&proposal.amends, &tally.outcome) {
            self.apply_rules_change(id, amends, &proposal.rules, act)
                .await;
        }
        if let Some(org) = applicant(&row) {
            let (event, note) = match tally.outcome {
                Outcome::Passed => (Event::Accept, format!("admitted by proposal {id}")),
                Outcome::NotPassed { .. } => {
                    (Event::Reject, format!("not admitted by proposal {id}"))
                }
                _ => (
                    Event::Withdraw,
                    format!("application lapsed: proposal {id} decided nothing"),
                ),
            };
            self.transition(org, event, &note, act).await?;
        }
        self.announce_outcome(id, &tally, &entry.hash, act).await?;
        Ok(tally)
    }

    /// Puts a passed rules change in place, recorded in the audit log as
    /// decided by proposal `id`. The decision stands whatever happens
    /// here; rules that can no longer apply (the rules changed meanwhile,
    /// a class is still held) are left as they are, and said so.
    async fn apply_rules_change(
        &self,
        id: i64,
        amends: &ConsortiumRules,
        rules: &Rules,
        act: &Act,
    ) {
        let applied = match self.rules().await {
            Ok(current) => match check_amendment(&current, amends, rules) {
                Ok(()) => self.put_rules(amends, Some(id), act).await,
                Err(e) => Err(ConsortiumError::refused(e)),
            },
            Err(e) => Err(e),
        };
        if let Err(e) = applied {
            tracing::error!(proposal = id, error = %e, "a passed rules change could not apply");
        }
    }

    /// Records the outcome statement of a closed proposal (once), by its
    /// author or an operator, and tells the members by mail and on the forum.
    pub async fn state_outcome(&self, id: i64, text: &str, act: &Act) -> Result<Statement> {
        let row = self.store.proposal(id).await?;
        if !may_state_outcome(&row, &act.actor) {
            return Err(ConsortiumError::Forbidden(format!(
                "only the author of proposal {id} or an operator writes its outcome statement"
            )));
        }
        if text.trim().is_empty() {
            return Err(ConsortiumError::Invalid(
                "an outcome statement says what was decided and what happens next".into(),
            ));
        }
        self.store.set_statement(id, text, act).await?;
        let statement: Statement = self
            .store
            .proposal(id)
            .await?
            .statement
            .map(Statement::from)
            .ok_or_else(|| ConsortiumError::NotFound(format!("the statement of proposal {id}")))?;
        self.announce_statement(id, &statement, act).await?;
        Ok(statement)
    }

    /// The ballot file of a closed ranked proposal (BLT), for any STV tool.
    pub async fn ballot_file(&self, id: i64) -> Result<String> {
        let export = self.export(id).await?;
        Ok(Election::from_export(&export)
            .map_err(ConsortiumError::refused)?
            .to_blt())
    }

    /// Withdraws a draft or open proposal; withdrawing an application
    /// withdraws the organisation's application too.
    pub async fn withdraw(&self, id: i64, reason: &str, act: &Act) -> Result<()> {
        let (row, Stored { state, .. }) = self.stored(id).await?;
        proposal::withdraw(state, act.at_ms).map_err(ConsortiumError::refused)?;
        self.store.withdraw_proposal(id, reason, act).await?;
        if let Some(org) = applicant(&row) {
            let note = format!("application withdrawn with proposal {id}: {reason}");
            self.transition(org, Event::Withdraw, &note, act).await?;
        }
        Ok(())
    }

    /// The proposal as anyone may see it now.
    pub async fn view(&self, id: i64) -> Result<ProposalView> {
        let (row, Stored { proposal, state }) = self.stored(id).await?;
        let stored_roll = self.store.roll(id).await?;
        let ballots = self.store.ballots(id).await?;
        let mut voted: Vec<String> = ballots.iter().map(|b| b.org.clone()).collect();
        voted.dedup();
        let tally = match (
            &row.outcome,
            proposal::results_visible(state, &proposal.rules),
        ) {
            (Some(outcome), _) => Some(json(&format!("the outcome of proposal {id}"), outcome)?),
            (None, true) if !stored_roll.is_empty() => Some(
                tally(&proposal, &roll(id, &stored_roll)?, &records(id, &ballots)?).map_err(
                    |e| ConsortiumError::corrupt(&format!("the ballots of proposal {id}"), e),
                )?,
            ),
            _ => None,
        };
        let replacements = replacements(&ballots);
        let closes_at_ms =
            match state {
                State::Open { schedule } | State::Closed { schedule, .. } => Some(
                    proposal::deadline(schedule, row.text_changed_at, &proposal.rules),
                ),
                _ => None,
            };
        Ok(ProposalView {
            id,
            title: proposal.title,
            text: proposal.text,
            kind: proposal.kind,
            options: proposal.options,
            rules: proposal.rules,
            purpose: row.purpose,
            subject_org: row.subject_org,
            amends: proposal.amends,
            state: row.state,
            author: row.author,
            opened_at_ms: row.opened_at,
            closes_at_ms,
            closed_at_ms: row.closed_at,
            fingerprint: row.fingerprint,
            roll: stored_roll
                .into_iter()
                .map(|e| RollLine {
                    org: e.org,
                    weight: e.weight,
                    class: e.member_class,
                })
                .collect(),
            voted,
            tally,
            audit_head: row.audit_head,
            replacements,
            statement: row.statement.map(Statement::from),
        })
    }

    /// Every proposal, newest first.
    pub async fn list(&self) -> Result<Vec<store::Proposal>> {
        Ok(self.store.proposals().await?)
    }

    /// Every ballot of a closed proposal, every revision, with its salt.
    pub async fn receipts(&self, id: i64) -> Result<Vec<Receipt>> {
        let row = self.store.proposal(id).await?;
        if row.state != ProposalState::Closed {
            return Err(ConsortiumError::Conflict(format!(
                "proposal {id} is {}: its ballots are published once it closes",
                row.state
            )));
        }
        Ok(self
            .store
            .ballots(id)
            .await?
            .into_iter()
            .map(|b| Receipt {
                commitment: store::ballot_commitment(&b.choice, &b.salt),
                org: b.org,
                revision: b.revision,
                cast_by: b.cast_by,
                cast_at_ms: b.cast_at,
                ballot: b.choice,
                salt: b.salt,
            })
            .collect())
    }

    /// The closed proposal's published record.
    pub async fn record(&self, id: i64) -> Result<Record> {
        let row = self.store.proposal(id).await?;
        Ok(Record {
            result: self.export(id).await?,
            receipts: self.receipts(id).await?,
            audit_head: row.audit_head,
            statement: row.statement.map(Statement::from),
        })
    }

    /// Checks a record as any member can: the fingerprint and the recount,
    /// then each ballot against its commitment in this audit log. Returns
    /// how many ballots were matched.
    pub async fn recount(&self, record: &Record) -> Result<usize> {
        record::verify(&record.result).map_err(ConsortiumError::refused)?;
        let entries = self.store.audit_entries(None, 0, i64::MAX).await?;
        let committed: Vec<serde_json::Value> = entries
            .iter()
            .filter(|e| e.kind == "ballot.cast")
            .filter_map(|e| serde_json::from_str(&e.detail).ok())
            .collect();
        let unmatched: Vec<String> = record
            .receipts
            .iter()
            .filter(|r| {
                let commitment = store::ballot_commitment(&r.ballot, &r.salt);
                !committed.iter().any(|d| {
                    d["org"] == r.org.as_str()
                        && d["revision"] == r.revision
                        && d["commitment"] == commitment.as_str()
                })
            })
            .map(|r| format!("revision {} of {}'s ballot", r.revision, r.org))
            .collect();
        if !unmatched.is_empty() {
            return Err(ConsortiumError::Refused(format!(
                "{} of {} ballots do not match the audit log: {}",
                unmatched.len(),
                record.receipts.len(),
                unmatched.join(", ")
            )));
        }
        if let Some(statement) = &record.statement {
            let sha256 = store::statement_hash(&statement.text);
            let logged = entries
                .iter()
                .filter(|e| e.kind == "proposal.statement")
                .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
                .any(|d| d["statement_sha256"] == sha256.as_str());
            if sha256 != statement.sha256 || !logged {
                return Err(ConsortiumError::Refused(
                    "the outcome statement does not match the audit log".into(),
                ));
            }
        }
        Ok(record.receipts.len())
    }

    /// The closed proposal's record: its text, rules, roll, every counted
    /// ballot with its weight, and the tally, which anyone can recount with
    /// [`governance::record::recompute`].
    pub async fn export(&self, id: i64) -> Result<Export> {
        let (row, Stored { proposal, state }) = self.stored(id).await?;
        let State::Closed { schedule, .. } = state else {
            return Err(ConsortiumError::Conflict(format!(
                "proposal {id} is {}: its record is exported once it closes",
                row.state
            )));
        };
        let roll = roll(id, &self.store.roll(id).await?)?;
        let records = records(id, &self.store.ballots(id).await?)?;
        let schedule = Schedule {
            opens_at: schedule.opens_at,
            closes_at: proposal::deadline(schedule, row.text_changed_at, &proposal.rules),
        };
        record::export(&proposal, schedule, &roll, &records)
            .map_err(|e| ConsortiumError::corrupt(&format!("the ballots of proposal {id}"), e))
    }
}
