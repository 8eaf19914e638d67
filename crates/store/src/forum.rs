//! Forum accounts linked to people, and the votes read from proposals'
//! forum polls with what was made of them.

use serde_json::json;
use sqlx::Row;

use crate::audit::{Act, Change};
use crate::people::person_from;
use crate::{Person, Result, Store, StoreError};

/// A vote read from a forum poll, as last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumVote {
    pub username: String,
    pub option: i64,
    /// What it became: counted for an organisation, or why it was ignored.
    pub verdict: String,
    pub seen_at: i64,
}

impl Store {
    /// Links a person's forum account (its username, case-insensitively),
    /// as verified by the acting operator; a new link replaces the old.
    pub async fn link_forum_account(&self, person: &str, username: &str, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let person_id: i64 = sqlx::query_scalar("SELECT id FROM people WHERE name = $1")
            .bind(person)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person:?}")))?;
        let username = username.to_lowercase();
        sqlx::query(
            "INSERT INTO forum_accounts (person_id, username, verified_by, verified_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (person_id) DO UPDATE SET username = excluded.username, \
             verified_by = excluded.verified_by, verified_at = excluded.verified_at",
        )
        .bind(person_id)
        .bind(&username)
        .bind(&act.actor)
        .bind(act.at_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("forum account {username:?}")))?;
        let change = Change {
            kind: "person.forum",
            subject: format!("person:{person}"),
            detail: json!({"username": username}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// The person whose verified forum account this is.
    pub async fn forum_person(&self, username: &str) -> Result<Option<Person>> {
        sqlx::query(
            "SELECT p.id, p.name, p.display_name, p.email FROM forum_accounts f \
             JOIN people p ON p.id = f.person_id WHERE f.username = $1",
        )
        .bind(username.to_lowercase())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(person_from)
        .transpose()
    }

    /// The vote last read from `username` in proposal `id`'s poll.
    pub async fn forum_vote(&self, id: i64, username: &str) -> Result<Option<ForumVote>> {
        sqlx::query(
            "SELECT username, option_index, verdict, seen_at FROM forum_votes \
             WHERE proposal_id = $1 AND username = $2",
        )
        .bind(id)
        .bind(username)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| {
            Ok(ForumVote {
                username: r.try_get("username")?,
                option: r.try_get("option_index")?,
                verdict: r.try_get("verdict")?,
                seen_at: r.try_get("seen_at")?,
            })
        })
        .transpose()
    }

    /// Remembers a vote read from the poll and what it became.
    pub async fn record_forum_vote(&self, id: i64, vote: &ForumVote) -> Result<()> {
        sqlx::query(
            "INSERT INTO forum_votes (proposal_id, username, option_index, verdict, seen_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (proposal_id, username) DO UPDATE SET \
             option_index = excluded.option_index, verdict = excluded.verdict, seen_at = excluded.seen_at",
        )
        .bind(id)
        .bind(&vote.username)
        .bind(vote.option)
        .bind(&vote.verdict)
        .bind(vote.seen_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
