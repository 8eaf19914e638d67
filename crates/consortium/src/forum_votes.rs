//! Votes cast in a proposal's forum poll. A vote counts as its
//! organisation's ballot only when the forum account is linked to a
//! registered person who is the delegate or a deputy of exactly one
//! organisation on the roll; it then goes through [`Consortium::vote`] like
//! any ballot (one ballot per organisation, the latest revision counting,
//! the delegate's prevailing). Every other vote is ignored, and said so in
//! the topic.

use forum::poll::PollVote;
use governance::proposal::{Ballot, Choice, Kind, Position, Rules};
use store::{Act, ForumVote};

use crate::announce::ForumPost;
use crate::{Consortium, ConsortiumError, Result, Voter};

/// The consent positions, in the poll's option order.
const POSITIONS: [(Position, &str); 4] = [
    (Position::Agree, "Agree"),
    (Position::Abstain, "Abstain"),
    (Position::Disagree, "Disagree"),
    (Position::Block, "Block"),
];

/// The poll a proposal's topic carries, as its options: for a consent or
/// single-choice proposal whose ballots are named and shown as they come
/// (hidden results or required minutes cannot be kept in a forum poll).
pub fn poll_options(kind: Kind, options: &[String], rules: &Rules) -> Option<Vec<String>> {
    if rules.hide_results_until_close || rules.require_minutes {
        return None;
    }
    match kind {
        Kind::Consent => Some(POSITIONS.iter().map(|(_, l)| l.to_string()).collect()),
        Kind::SingleChoice => Some(options.to_vec()),
        _ => None,
    }
}

/// The ballot a poll option stands for.
fn ballot(kind: Kind, option: usize) -> Option<Ballot> {
    let choice = match kind {
        Kind::Consent => Choice::Consent {
            position: POSITIONS.get(option)?.0,
            reason: None,
        },
        _ => Choice::Single(option),
    };
    Some(Ballot {
        choice,
        minutes_link: None,
    })
}

/// What one reading of a poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ForumImport {
    /// (forum username, organisation) of each vote counted.
    pub counted: Vec<(String, String)>,
    /// (forum username, why) of each vote ignored.
    pub ignored: Vec<(String, String)>,
}

impl Consortium {
    /// Links a person's forum account, as verified by the acting operator.
    pub async fn link_forum_account(&self, person: &str, username: &str, act: &Act) -> Result<()> {
        if !act.actor.starts_with("operator:") {
            return Err(ConsortiumError::Forbidden(
                "only an operator, having verified the account, links a forum account".into(),
            ));
        }
        Ok(self.store.link_forum_account(person, username, act).await?)
    }

    /// Counts the votes read from proposal `id`'s forum poll that are new
    /// or changed since the last reading, and reports the ignored ones.
    pub async fn import_forum_votes(
        &self,
        id: i64,
        votes: &[PollVote],
        act: &Act,
    ) -> Result<ForumImport> {
        let view = self.view(id).await?;
        let mut done = ForumImport::default();
        for vote in votes {
            let option = i64::try_from(vote.option).unwrap_or(i64::MAX);
            let seen = self.store.forum_vote(id, &vote.username).await?;
            if seen.is_some_and(|s| s.option == option) {
                continue;
            }
            let verdict = match self.forum_ballot(id, &view, vote, act).await? {
                Ok(org) => {
                    done.counted.push((vote.username.clone(), org.clone()));
                    format!("counted for {org}")
                }
                Err(why) => {
                    let report = format!(
                        "The forum vote of @{} was not counted: {why}.",
                        vote.username
                    );
                    let key = format!("forum-vote:{id}:{}:{option}", vote.username);
                    let reply = ForumPost::Reply {
                        proposal_id: id,
                        raw: report,
                    };
                    self.post(key, reply, act).await?;
                    done.ignored.push((vote.username.clone(), why.clone()));
                    format!("ignored: {why}")
                }
            };
            let record = ForumVote {
                username: vote.username.clone(),
                option,
                verdict,
                seen_at: act.at_ms,
            };
            self.store.record_forum_vote(id, &record).await?;
        }
        Ok(done)
    }

    /// Casts a forum vote as its person's ballot, returning the
    /// organisation it counts for, or why it does not count.
    async fn forum_ballot(
        &self,
        id: i64,
        view: &crate::ProposalView,
        vote: &PollVote,
        act: &Act,
    ) -> Result<std::result::Result<String, String>> {
        let Some(person) = self.store.forum_person(&vote.username).await? else {
            return Ok(Err(
                "the account is not linked to a registered person".into()
            ));
        };
        let orgs: Vec<String> = self
            .store
            .roles_of(person.id)
            .await?
            .into_iter()
            .filter(|r| r.role.votes() && view.roll.iter().any(|l| l.org == r.org))
            .map(|r| r.org)
            .collect();
        let org = match orgs.as_slice() {
            [org] => org.clone(),
            [] => {
                return Ok(Err(format!(
                    "{} is not the delegate or a deputy of an organisation on the roll",
                    person.name
                )));
            }
            _ => {
                return Ok(Err(format!(
                    "{} represents {} on the roll; vote on Plenary to say for which",
                    person.name,
                    orgs.join(" and ")
                )));
            }
        };
        let Some(ballot) = ballot(view.kind, vote.option) else {
            return Ok(Err("the poll has no such option".into()));
        };
        let as_person = Act::new(format!("person:{}", person.name), act.at_ms);
        match self
            .vote(id, &org, &Voter::Person(person), ballot, &as_person)
            .await
        {
            Ok(_) => Ok(Ok(org)),
            Err(
                e @ (ConsortiumError::Refused(_)
                | ConsortiumError::Forbidden(_)
                | ConsortiumError::Conflict(_)),
            ) => Ok(Err(format!("{e}; vote on Plenary instead"))),
            Err(e) => Err(e),
        }
    }
}
