//! Sends what the outbox holds: mail through SMTP, posts to the forum.
//! A transient failure (a server down, a 4xx, a rate limit) is retried with
//! growing back-off; a permanent one (a 5xx, a refused post) is given up
//! and left for operators to see. A decision never waits on either.

use std::time::Duration;

use forum::poll::POLL_NAME;
use forum::{Discourse, ForumError, backoff};
use notify::{Mailer, Notification, SendError};
use store::{Act, OutboxMessage, ProposalState, Store};

use crate::announce::{ForumPost, Mail, external_id};
use crate::convert::json;
use crate::forum_votes::{ForumImport, poll_options};
use crate::{Consortium, Result};

/// After this many attempts a message is given up even if still transient
/// (with back-off doubling to an hour, about a day of trying).
const MAX_ATTEMPTS: i64 = 30;

/// What one pass sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: u64,
    pub retrying: u64,
    pub given_up: u64,
}

#[derive(Clone)]
pub struct Delivery {
    store: Store,
    mailer: Option<Mailer>,
    forum: Option<Discourse>,
}

/// A stored mail, handed to the mailer as it was rendered.
struct Rendered<'a>(&'a Mail);

impl Notification for Rendered<'_> {
    fn kind(&self) -> &'static str {
        "governance"
    }

    fn subject(&self) -> String {
        self.0.subject.clone()
    }

    fn body(&self) -> String {
        self.0.body.clone()
    }
}

enum Failure {
    Transient(String, Option<Duration>),
    Permanent(String),
}

impl From<SendError> for Failure {
    fn from(e: SendError) -> Self {
        if e.is_transient() {
            Self::Transient(e.to_string(), None)
        } else {
            Self::Permanent(e.to_string())
        }
    }
}

impl From<ForumError> for Failure {
    fn from(e: ForumError) -> Self {
        if e.is_transient() {
            Self::Transient(e.to_string(), e.retry_after())
        } else {
            Self::Permanent(e.to_string())
        }
    }
}

impl Delivery {
    pub fn new(store: Store, mailer: Option<Mailer>, forum: Option<Discourse>) -> Self {
        Self {
            store,
            mailer,
            forum,
        }
    }

    /// Sends every message due by `now_ms` (a bounded batch per pass).
    pub async fn deliver_due(&self, now_ms: i64) -> Result<Delivered> {
        let mut done = Delivered::default();
        for message in self.store.due_messages(now_ms, 100).await? {
            match self.send(&message, now_ms).await {
                Ok(()) => {
                    self.store.message_sent(message.id, now_ms).await?;
                    done.sent += 1;
                }
                Err(Failure::Transient(error, asked)) if message.attempts + 1 < MAX_ATTEMPTS => {
                    let wait = backoff(u32::try_from(message.attempts).unwrap_or(u32::MAX), asked);
                    let retry_at =
                        now_ms.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
                    tracing::info!(key = message.key, %error, "will retry");
                    self.store
                        .message_failed(message.id, &error, Some(retry_at), now_ms)
                        .await?;
                    done.retrying += 1;
                }
                Err(Failure::Transient(error, _) | Failure::Permanent(error)) => {
                    tracing::warn!(key = message.key, %error, "given up");
                    self.store
                        .message_failed(message.id, &error, None, now_ms)
                        .await?;
                    done.given_up += 1;
                }
            }
        }
        Ok(done)
    }

    /// Reads the forum poll of every open proposal whose topic has one and
    /// imports its new votes. A forum that does not answer leaves the
    /// votes for the next pass.
    pub async fn read_polls(&self, c: &Consortium, act: &Act) -> Result<ForumImport> {
        let mut done = ForumImport::default();
        let Some(forum) = &self.forum else {
            return Ok(done);
        };
        for p in self.store.proposals().await? {
            if p.state != ProposalState::Open {
                continue;
            }
            let view = c.view(p.id).await?;
            if poll_options(view.kind, &view.options, &view.rules).is_none() {
                continue;
            }
            let Some(topic_id) = self
                .store
                .forum_topic(p.id)
                .await?
                .and_then(|(id, _)| u64::try_from(id).ok())
            else {
                continue;
            };
            match forum.poll_votes(topic_id, POLL_NAME).await {
                Ok(votes) => {
                    let imported = c.import_forum_votes(p.id, &votes, act).await?;
                    done.counted.extend(imported.counted);
                    done.ignored.extend(imported.ignored);
                }
                Err(e) => tracing::warn!(proposal = p.id, error = %e, "cannot read the forum poll"),
            }
        }
        Ok(done)
    }

    async fn send(&self, message: &OutboxMessage, now_ms: i64) -> Result<(), Failure> {
        let unreadable = |e| Failure::Permanent(format!("unreadable outbox message: {e}"));
        match message.channel.as_str() {
            "mail" => {
                let mut mail: Mail = json("mail", &message.payload).map_err(unreadable)?;
                let Some(mailer) = &self.mailer else {
                    return Err(Failure::Permanent("no SMTP server is configured".into()));
                };
                if let Some(link) = &mail.link {
                    mail.body = link
                        .write_into(&self.store, &mail.body, now_ms)
                        .await
                        .map_err(|e| Failure::Transient(e.to_string(), None))?;
                }
                Ok(mailer.send(&mail.to, &Rendered(&mail)).await?)
            }
            "forum" => {
                let post: ForumPost = json("forum post", &message.payload).map_err(unreadable)?;
                let Some(forum) = &self.forum else {
                    return Err(Failure::Permanent("no forum is configured".into()));
                };
                self.post(forum, post).await
            }
            other => Err(Failure::Permanent(format!("unknown channel {other:?}"))),
        }
    }

    async fn post(&self, forum: &Discourse, post: ForumPost) -> Result<(), Failure> {
        let stored = |e: crate::ConsortiumError| Failure::Transient(e.to_string(), None);
        match post {
            ForumPost::Topic {
                proposal_id,
                title,
                raw,
            } => {
                let topic = forum
                    .ensure_topic(&external_id(proposal_id), &title, &raw)
                    .await?;
                self.store
                    .set_forum_topic(
                        proposal_id,
                        i64::try_from(topic.topic_id).unwrap_or(i64::MAX),
                        topic.url.as_str(),
                    )
                    .await
                    .map_err(|e| stored(e.into()))?;
                Ok(())
            }
            ForumPost::Reply { proposal_id, raw } => {
                let known = self
                    .store
                    .forum_topic(proposal_id)
                    .await
                    .map_err(|e| stored(e.into()))?
                    .and_then(|(id, _)| u64::try_from(id).ok());
                let topic_id = match known {
                    Some(id) => id,
                    None => forum
                        .find_topic(&external_id(proposal_id))
                        .await?
                        .map(|t| t.topic_id)
                        .ok_or_else(|| {
                            Failure::Transient("the proposal's topic is not open yet".into(), None)
                        })?,
                };
                forum.reply(topic_id, &raw).await?;
                Ok(())
            }
        }
    }
}
