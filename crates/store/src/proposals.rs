//! Proposals, their eligible rolls and ballots. Options, rules, choices and
//! outcomes are stored as the JSON the governance crate gives; the rules of
//! when a proposal may open, take a ballot or close are its business, and
//! each transition here only records a decision already made.

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Act, AuditEntry, Change};
use crate::vocabulary::{OrgKind, ProposalState, Role};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProposal<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub kind: &'a str,
    /// JSON array of option labels (empty for a consent proposal).
    pub options: &'a str,
    /// `general`, `application` (admitting `subject_org`) …
    pub purpose: &'a str,
    pub subject_org: Option<&'a str>,
    /// JSON; may change while a draft, frozen at opening.
    pub rules: &'a str,
    /// JSON: the consortium rules a rules-change proposal puts in place.
    pub amends: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub kind: String,
    pub options: String,
    pub purpose: String,
    pub subject_org: Option<String>,
    pub author: String,
    pub state: ProposalState,
    pub rules: String,
    /// JSON: the consortium rules a rules-change proposal puts in place.
    pub amends: Option<String>,
    pub created_at: i64,
    pub opened_at: Option<i64>,
    pub text_changed_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub fingerprint: Option<String>,
    pub outcome: Option<String>,
    /// The audit log's head after the closing entry, published with the outcome.
    pub audit_head: Option<String>,
    pub reminded_at: Option<i64>,
    pub statement: Option<OutcomeStatement>,
}

/// What was decided and what happens next, written after close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeStatement {
    pub text: String,
    /// The actor who wrote it (`person:<name>` or `operator:<name>`).
    pub by: String,
    pub at_ms: i64,
}

/// What freezes at opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening<'a> {
    pub roll: &'a [RollEntry],
    pub closes_at: i64,
    pub fingerprint: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollEntry {
    pub org: String,
    pub kind: OrgKind,
    pub weight: i64,
    pub member_class: String,
    /// For an individual in a college: the college's whole weight, as the
    /// governance crate writes fractions (`"1"`, `"2/5"`).
    pub college: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBallot<'a> {
    pub org: &'a str,
    pub choice: &'a str,
    pub reason: &'a str,
    pub minutes_url: &'a str,
    /// `person:<name>` of the delegate or deputy who cast it.
    pub cast_by: &'a str,
    /// The role they cast it in.
    pub cast_as: Role,
    pub salt: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub org: String,
    pub revision: i64,
    pub choice: String,
    pub reason: String,
    pub minutes_url: String,
    pub cast_by: String,
    pub cast_as: Role,
    pub cast_at: i64,
    pub salt: String,
}

/// What the audit log holds of a ballot: a commitment the export lets
/// anyone check, that gives nothing away while results are hidden.
pub fn ballot_commitment(choice: &str, salt: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{choice}").as_bytes()))
}

/// What the audit log holds of an outcome statement.
pub fn statement_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

const PROPOSAL_SELECT: &str = "SELECT p.id, p.title, p.body, p.kind, p.options, p.purpose, o.name AS subject_org, \
    p.author, p.state, p.rules, p.created_at, p.opened_at, p.text_changed_at, p.closes_at, p.closed_at, \
    p.fingerprint, p.outcome, p.audit_head, p.reminded_at, p.amends, p.statement, p.statement_by, p.statement_at \
    FROM proposals p LEFT JOIN organisations o ON o.id = p.subject_org_id";

fn proposal_from(r: &AnyRow) -> Result<Proposal> {
    let id: i64 = r.try_get("id")?;
    let row = || format!("proposal {id}");
    let statement = match (
        r.try_get::<Option<String>, _>("statement")?,
        r.try_get::<Option<String>, _>("statement_by")?,
        r.try_get::<Option<i64>, _>("statement_at")?,
    ) {
        (Some(text), Some(by), Some(at_ms)) => Some(OutcomeStatement { text, by, at_ms }),
        (None, None, None) => None,
        _ => {
            return Err(StoreError::Corrupt(format!(
                "{}: an outcome statement without its author or time",
                row()
            )));
        }
    };
    Ok(Proposal {
        id,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        kind: r.try_get("kind")?,
        options: r.try_get("options")?,
        purpose: r.try_get("purpose")?,
        subject_org: r.try_get("subject_org")?,
        author: r.try_get("author")?,
        state: ProposalState::read(&r.try_get::<String, _>("state")?, row())?,
        rules: r.try_get("rules")?,
        amends: r.try_get("amends")?,
        created_at: r.try_get("created_at")?,
        opened_at: r.try_get("opened_at")?,
        text_changed_at: r.try_get("text_changed_at")?,
        closes_at: r.try_get("closes_at")?,
        closed_at: r.try_get("closed_at")?,
        fingerprint: r.try_get("fingerprint")?,
        outcome: r.try_get("outcome")?,
        audit_head: r.try_get("audit_head")?,
        reminded_at: r.try_get("reminded_at")?,
        statement,
    })
}

fn subject(id: i64) -> String {
    format!("proposal:{id}")
}

/// Checks, inside an audited transaction (which serialises writers), that
/// a proposal is in one of the states a transition starts from.
async fn expect_state(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    from: &[&str],
) -> Result<()> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM proposals WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match state {
        Some(s) if from.contains(&s.as_str()) => Ok(()),
        Some(s) => Err(StoreError::Conflict(format!("proposal {id} is {s}"))),
        None => Err(StoreError::NotFound(format!("proposal {id}"))),
    }
}

impl Store {
    pub async fn create_proposal(&self, new: &NewProposal<'_>, act: &Act) -> Result<Proposal> {
        let mut tx = self.begin_audited().await?;
        let subject_org_id: Option<i64> = match new.subject_org {
            Some(name) => Some(
                sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("organisation {name:?}")))?,
            ),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proposals (title, body, kind, options, purpose, subject_org_id, author, state, rules, created_at, amends) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10) RETURNING id",
        )
        .bind(new.title)
        .bind(new.body)
        .bind(new.kind)
        .bind(new.options)
        .bind(new.purpose)
        .bind(subject_org_id)
        .bind(&act.actor)
        .bind(new.rules)
        .bind(act.at_ms)
        .bind(new.amends)
        .fetch_one(&mut *tx)
        .await?;
        let change = Change {
            kind: "proposal.create",
            subject: subject(id),
            detail: json!({"title": new.title, "kind": new.kind, "options": new.options,
                "purpose": new.purpose, "subject_org": new.subject_org, "rules": new.rules, "amends": new.amends,
                "body_sha256": hex::encode(Sha256::digest(new.body.as_bytes()))}),
        };
        Self::commit_audited(tx, act, change).await?;
        self.proposal(id).await
    }

    pub async fn proposal(&self, id: i64) -> Result<Proposal> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PROPOSAL_SELECT} WHERE p.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(proposal_from)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }

    /// Every proposal, newest first.
    pub async fn proposals(&self) -> Result<Vec<Proposal>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PROPOSAL_SELECT} ORDER BY p.id DESC"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(proposal_from)
        .collect()
    }

    /// Opens a draft: its rules, roll and fingerprint are frozen here.
    pub async fn open_proposal(&self, id: i64, opening: &Opening<'_>, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        expect_state(&mut tx, id, &["draft"]).await?;
        sqlx::query(
            "UPDATE proposals SET state = 'open', opened_at = $1, text_changed_at = $1, \
             closes_at = $2, fingerprint = $3 WHERE id = $4",
        )
        .bind(act.at_ms)
        .bind(opening.closes_at)
        .bind(opening.fingerprint)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for entry in opening.roll {
            sqlx::query(
                "INSERT INTO proposal_roll (proposal_id, org_id, kind, weight, member_class, college) \
                 SELECT $1, id, $2, $3, $4, $5 FROM organisations WHERE name = $6",
            )
            .bind(id)
            .bind(entry.kind.as_str())
            .bind(entry.weight)
            .bind(&entry.member_class)
            .bind(entry.college.as_deref())
            .bind(&entry.org)
            .execute(&mut *tx)
            .await?;
        }
        let roll: Vec<_> = opening
            .roll
            .iter()
            .map(|e| match &e.college {
                None => json!({"org": e.org, "kind": e.kind, "weight": e.weight, "class": e.member_class}),
                Some(college) => json!({"org": e.org, "kind": e.kind, "weight": e.weight, "class": e.member_class, "college": college}),
            })
            .collect();
        let change = Change {
            kind: "proposal.open",
            subject: subject(id),
            detail: json!({"fingerprint": opening.fingerprint, "closes_at": opening.closes_at, "roll": roll}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// Changes the text of a draft or open proposal; for an open one the
    /// new fingerprint and closing time (the lead time restarts) come along.
    pub async fn edit_proposal(
        &self,
        id: i64,
        title: &str,
        body: &str,
        reopened: Option<(&str, i64)>,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let (from, fingerprint, closes_at, changed_at) = match reopened {
            Some((fingerprint, closes_at)) => {
                ("open", Some(fingerprint), Some(closes_at), Some(act.at_ms))
            }
            None => ("draft", None, None, None),
        };
        expect_state(&mut tx, id, &[from]).await?;
        sqlx::query(
            "UPDATE proposals SET title = $1, body = $2, fingerprint = COALESCE($3, fingerprint), \
             text_changed_at = COALESCE($4, text_changed_at), closes_at = COALESCE($5, closes_at) WHERE id = $6",
        )
        .bind(title)
        .bind(body)
        .bind(fingerprint)
        .bind(changed_at)
        .bind(closes_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "proposal.edit",
            subject: subject(id),
            detail: json!({"title": title, "body_sha256": hex::encode(Sha256::digest(body.as_bytes())),
                "fingerprint": fingerprint, "closes_at": closes_at}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// The eligible roll frozen at opening, by organisation name.
    pub async fn roll(&self, id: i64) -> Result<Vec<RollEntry>> {
        sqlx::query(
            "SELECT o.name, r.kind, r.weight, r.member_class, r.college FROM proposal_roll r JOIN organisations o ON o.id = r.org_id \
             WHERE r.proposal_id = $1 ORDER BY o.name",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let org: String = r.try_get("name")?;
            let kind = OrgKind::read(
                &r.try_get::<String, _>("kind")?,
                format_args!("the roll of proposal {id}, {org}"),
            )?;
            Ok(RollEntry {
                org,
                kind,
                weight: r.try_get("weight")?,
                member_class: r.try_get("member_class")?,
                college: r.try_get("college")?,
            })
        })
        .collect()
    }

    /// Stores an organisation's ballot as its next revision; the audit log
    /// gets a commitment to it. Only an open proposal takes ballots.
    pub async fn cast_ballot(&self, id: i64, ballot: &NewBallot<'_>, act: &Act) -> Result<i64> {
        let mut tx = self.begin_audited().await?;
        expect_state(&mut tx, id, &["open"]).await?;
        let org_id: i64 = sqlx::query_scalar(
            "SELECT r.org_id FROM proposal_roll r JOIN organisations o ON o.id = r.org_id \
             WHERE r.proposal_id = $1 AND o.name = $2",
        )
        .bind(id)
        .bind(ballot.org)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(format!("{:?} on the roll of proposal {id}", ballot.org))
        })?;
        let revision: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(revision), 0) + 1 AS BIGINT) FROM ballots WHERE proposal_id = $1 AND org_id = $2",
        )
        .bind(id)
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ballots (proposal_id, org_id, revision, choice, reason, minutes_url, cast_by, cast_at, salt, cast_as) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(org_id)
        .bind(revision)
        .bind(ballot.choice)
        .bind(ballot.reason)
        .bind(ballot.minutes_url)
        .bind(ballot.cast_by)
        .bind(act.at_ms)
        .bind(ballot.salt)
        .bind(ballot.cast_as.as_str())
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "ballot.cast",
            subject: subject(id),
            detail: json!({"org": ballot.org, "revision": revision, "cast_by": ballot.cast_by, "cast_as": ballot.cast_as,
                "commitment": ballot_commitment(ballot.choice, ballot.salt)}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(revision)
    }

    /// Every ballot of a proposal, every revision, by organisation then revision.
    pub async fn ballots(&self, id: i64) -> Result<Vec<Ballot>> {
        sqlx::query(
            "SELECT o.name, b.revision, b.choice, b.reason, b.minutes_url, b.cast_by, b.cast_as, b.cast_at, b.salt \
             FROM ballots b JOIN organisations o ON o.id = b.org_id WHERE b.proposal_id = $1 \
             ORDER BY o.name, b.revision",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let org: String = r.try_get("name")?;
            let revision: i64 = r.try_get("revision")?;
            let cast_as = Role::read(
                &r.try_get::<String, _>("cast_as")?,
                format_args!("revision {revision} of {org}'s ballot on proposal {id}"),
            )?;
            Ok(Ballot {
                org,
                revision,
                cast_as,
                choice: r.try_get("choice")?,
                reason: r.try_get("reason")?,
                minutes_url: r.try_get("minutes_url")?,
                cast_by: r.try_get("cast_by")?,
                cast_at: r.try_get("cast_at")?,
                salt: r.try_get("salt")?,
            })
        })
        .collect()
    }

    /// Closes an open proposal with its outcome. The closing entry's hash is
    /// stored as the proposal's published audit head and returned.
    pub async fn close_proposal(&self, id: i64, outcome: &str, act: &Act) -> Result<AuditEntry> {
        let mut tx = self.begin_audited().await?;
        expect_state(&mut tx, id, &["open"]).await?;
        sqlx::query(
            "UPDATE proposals SET state = 'closed', outcome = $1, closed_at = $2 WHERE id = $3",
        )
        .bind(outcome)
        .bind(act.at_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "proposal.close",
            subject: subject(id),
            detail: json!({"outcome_sha256": hex::encode(Sha256::digest(outcome.as_bytes()))}),
        };
        let entry = Self::append_audited(&mut tx, act, change).await?;
        sqlx::query("UPDATE proposals SET audit_head = $1 WHERE id = $2")
            .bind(&entry.hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Withdraws a draft or open proposal; it can no longer take ballots.
    pub async fn withdraw_proposal(&self, id: i64, reason: &str, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        expect_state(&mut tx, id, &["draft", "open"]).await?;
        sqlx::query("UPDATE proposals SET state = 'withdrawn', closed_at = $1 WHERE id = $2")
            .bind(act.at_ms)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            kind: "proposal.withdraw",
            subject: subject(id),
            detail: json!({"reason": reason}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// Records the outcome statement of a closed proposal, once; the audit
    /// log holds its hash, so the published record can be held to it.
    pub async fn set_statement(&self, id: i64, text: &str, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        expect_state(&mut tx, id, &["closed"]).await?;
        let done = sqlx::query(
            "UPDATE proposals SET statement = $1, statement_by = $2, statement_at = $3 \
             WHERE id = $4 AND statement IS NULL",
        )
        .bind(text)
        .bind(&act.actor)
        .bind(act.at_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "proposal {id} already has its outcome statement"
            )));
        }
        let change = Change {
            kind: "proposal.statement",
            subject: subject(id),
            detail: json!({"statement_sha256": statement_hash(text)}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// Marks the closing reminder as sent (once per proposal).
    pub async fn mark_reminded(&self, id: i64, act: &Act) -> Result<bool> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query(
            "UPDATE proposals SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(act.at_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let change = Change {
            kind: "proposal.remind",
            subject: subject(id),
            detail: json!({}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(true)
    }
}
