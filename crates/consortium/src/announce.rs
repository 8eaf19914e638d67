//! What members are told, and where: each announcement is rendered now and
//! queued in the outbox (by mail to an organisation's representatives, and
//! as a post on the forum topic of the proposal), under a key that makes
//! queueing it twice a no-op. Sending is [`crate::delivery`]'s job; nothing
//! here waits for a mail server or a forum.

use forum::poll;
use governance::membership::Status;
use governance::roll::Caster;
use governance::tally::{Outcome, Tally};
use governance::time::format_utc;
use notify::{
    Addressee, ApplicationReceived, BallotReplaced, MembershipChanged, Notification, OutcomeStated,
    ProposalChanged, ProposalOpened, Reminder, RulesSummary,
};
use serde::{Deserialize, Serialize};
use store::Act;

use crate::access_links::OneTimeLink;
use crate::convert::{self, status_name, to_json};
use crate::forum_votes::poll_options;
use crate::proposals::{ProposalView, Replacement, Statement};
use crate::{Consortium, ConsortiumError, Result};

/// A rendered mail, as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Mail {
    pub to: Vec<String>,
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// A one-time link written into the body when the mail is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<OneTimeLink>,
}

impl Mail {
    pub(crate) fn new(to: Vec<String>, n: &impl Notification) -> Self {
        Self {
            to,
            kind: n.kind().into(),
            subject: n.subject(),
            body: n.body(),
            link: None,
        }
    }

    pub(crate) fn with_link(self, link: OneTimeLink) -> Self {
        Self {
            link: Some(link),
            ..self
        }
    }
}

/// Someone an organisation's mail goes to; `person` is `None` for the
/// organisation's contact address.
struct Recipient {
    email: String,
    person: Option<i64>,
}

/// A forum action, as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum ForumPost {
    /// Opens the proposal's topic (once: Discourse keeps one per external ID).
    Topic {
        proposal_id: i64,
        title: String,
        raw: String,
    },
    /// Replies on the proposal's topic.
    Reply { proposal_id: i64, raw: String },
}

const EXTERNAL_ID_PREFIX: &str = "plenary-proposal-";

/// The external ID a proposal's topic carries on the forum.
pub fn external_id(proposal_id: i64) -> String {
    format!("{EXTERNAL_ID_PREFIX}{proposal_id}")
}

/// The proposal a forum topic's external ID names, if it is one of ours.
pub fn proposal_of_topic(external_id: &str) -> Option<i64> {
    external_id.strip_prefix(EXTERNAL_ID_PREFIX)?.parse().ok()
}

impl Consortium {
    fn addressee(&self, org: &str) -> Addressee {
        Addressee {
            organisation: org.to_string(),
            consortium: self.settings.name.clone(),
        }
    }

    /// Where an organisation's mail goes: its delegate and deputies, or its
    /// contact address when it has no representatives yet.
    async fn recipients(&self, org: &str) -> Result<Vec<Recipient>> {
        let o = self.store.organisation(org).await?;
        let mut to: Vec<Recipient> = self
            .store
            .representatives(o.id)
            .await?
            .into_iter()
            .filter(|r| r.role.votes() && !r.person.email.is_empty())
            .map(|r| Recipient {
                email: r.person.email,
                person: Some(r.person.id),
            })
            .collect();
        if to.is_empty() && !o.contact.is_empty() {
            to.push(Recipient {
                email: o.contact,
                person: None,
            });
        }
        Ok(to)
    }

    /// Whom to tell, or `None` when mail is off or nobody can be told.
    async fn mail_recipients(&self, org: &str, kind: &str) -> Result<Option<Vec<Recipient>>> {
        if !self.settings.mail {
            return Ok(None);
        }
        let to = self.recipients(org).await?;
        if to.is_empty() {
            tracing::warn!(org, kind, "no address to tell this organisation");
            return Ok(None);
        }
        Ok(Some(to))
    }

    async fn mail(&self, key: String, org: &str, n: &impl Notification, act: &Act) -> Result<()> {
        let Some(to) = self.mail_recipients(org, n.kind()).await? else {
            return Ok(());
        };
        let mail = Mail::new(to.into_iter().map(|r| r.email).collect(), n);
        self.store
            .enqueue("mail", &key, &to_json(&mail), act.at_ms)
            .await?;
        Ok(())
    }

    /// Mails a notification about proposal `id` whose body links to the
    /// proposal's page: one message to each representative, in which a
    /// representative with a login finds a link that signs them in on the
    /// way to the ballot.
    async fn mail_with_ballot_link(
        &self,
        key: String,
        org: &str,
        id: i64,
        n: &impl Notification,
        act: &Act,
    ) -> Result<()> {
        let Some(to) = self.mail_recipients(org, n.kind()).await? else {
            return Ok(());
        };
        let page = self.proposal_link(id);
        let next_path = format!("/portal/proposals/{id}#ballot");
        for r in to {
            let mut mail = Mail::new(vec![r.email.clone()], n);
            if let Some(person) = r.person
                && let Some(login) = self.store.login_of_person(person).await?
            {
                mail = mail.with_link(self.ballot_link(login.id, &page, &next_path));
            }
            self.store
                .enqueue(
                    "mail",
                    &format!("{key}:{}", r.email),
                    &to_json(&mail),
                    act.at_ms,
                )
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn post(&self, key: String, post: ForumPost, act: &Act) -> Result<()> {
        if self.settings.forum {
            self.store
                .enqueue("forum", &key, &to_json(&post), act.at_ms)
                .await?;
        }
        Ok(())
    }

    pub(crate) fn proposal_link(&self, id: i64) -> String {
        self.link(&format!("/portal/proposals/{id}"))
    }

    pub(crate) async fn announce_opened(&self, id: i64, act: &Act) -> Result<()> {
        let view = self.view(id).await?;
        let closes_at = format_utc(closes_at_ms(&view)?);
        let rules = RulesSummary {
            lead_time_days: u32::try_from(view.rules.min_lead_time.ms() / 86_400_000)
                .unwrap_or(u32::MAX),
            quorum: format!("{} of the eligible vote weight", view.rules.quorum),
            threshold: view.rules.threshold.to_string(),
        };
        let fingerprint = view.fingerprint.clone().unwrap_or_default();
        for line in &view.roll {
            let opened = ProposalOpened {
                to: self.addressee(&line.org),
                proposal_id: id.to_string(),
                title: view.title.clone(),
                kind: view.purpose.replace('_', " "),
                closes_at: closes_at.clone(),
                link: self.proposal_link(id),
                meeting_room: self.rooms.as_ref().map(|r| r.link(id, &line.org)),
                rules: rules.clone(),
                fingerprint: fingerprint.clone(),
            };
            let key = format!("opened:{id}:{}", line.org);
            self.mail_with_ballot_link(key, &line.org, id, &opened, act)
                .await?;
        }
        let mut raw = format!(
            "{}\n\n---\nVoting is open until {closes_at} on Plenary: {}\nFingerprint of the text: `{fingerprint}`",
            view.text,
            self.proposal_link(id)
        );
        if let Some(options) = poll_options(view.kind, &view.options, &view.rules) {
            let close = jiff::Timestamp::from_millisecond(closes_at_ms(&view)?)
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            raw += &format!(
                "\n\nDelegates and deputies may vote here too: a vote counts as their organisation's ballot once an operator has linked their forum account. Other votes are not counted.\n\n{}",
                poll::markdown(&options, &close)
            );
        }
        let topic = ForumPost::Topic {
            proposal_id: id,
            title: view.title,
            raw,
        };
        self.post(format!("topic:{id}"), topic, act).await
    }

    pub(crate) async fn announce_application(
        &self,
        id: i64,
        applicant: &str,
        act: &Act,
    ) -> Result<()> {
        for line in self.view(id).await?.roll {
            let n = ApplicationReceived {
                to: self.addressee(&line.org),
                applicant: applicant.to_string(),
                proposal_link: self.proposal_link(id),
            };
            let key = format!("application:{id}:{}", line.org);
            self.mail_with_ballot_link(key, &line.org, id, &n, act)
                .await?;
        }
        Ok(())
    }

    /// Tells every organisation on the roll that the text changed and the
    /// lead time started again.
    pub(crate) async fn announce_edit(&self, id: i64, act: &Act) -> Result<()> {
        let view = self.view(id).await?;
        let changed_at = format_utc(act.at_ms);
        let closes_at = format_utc(closes_at_ms(&view)?);
        for line in &view.roll {
            let n = ProposalChanged {
                to: self.addressee(&line.org),
                title: view.title.clone(),
                changed_at: changed_at.clone(),
                closes_at: closes_at.clone(),
                link: self.proposal_link(id),
                fingerprint: view.fingerprint.clone().unwrap_or_default(),
            };
            let key = format!("edit:{id}:{}:{}", act.at_ms, line.org);
            self.mail_with_ballot_link(key, &line.org, id, &n, act)
                .await?;
        }
        let raw = format!(
            "The text of \"{}\" changed at {changed_at}. The lead time starts again: voting now closes at {closes_at} at the earliest.",
            view.title
        );
        let reply = ForumPost::Reply {
            proposal_id: id,
            raw,
        };
        self.post(format!("edit:{id}:{}", act.at_ms), reply, act)
            .await
    }

    /// Reminds every organisation on the roll that has not voted.
    pub(crate) async fn announce_reminder(&self, id: i64, act: &Act) -> Result<()> {
        let view = self.view(id).await?;
        let closes_at = format_utc(closes_at_ms(&view)?);
        for line in view.roll.iter().filter(|l| !view.voted.contains(&l.org)) {
            let n = Reminder {
                to: self.addressee(&line.org),
                title: view.title.clone(),
                closes_at: closes_at.clone(),
                link: self.proposal_link(id),
            };
            let key = format!("reminder:{id}:{}", line.org);
            self.mail_with_ballot_link(key, &line.org, id, &n, act)
                .await?;
        }
        let raw = format!(
            "Reminder: voting closes at {closes_at}. {} of {} member organisations have voted.",
            view.voted.len(),
            view.roll.len()
        );
        let reply = ForumPost::Reply {
            proposal_id: id,
            raw,
        };
        self.post(format!("reminder:{id}"), reply, act).await
    }

    pub(crate) async fn announce_outcome(
        &self,
        id: i64,
        tally: &Tally,
        audit_head: &str,
        act: &Act,
    ) -> Result<()> {
        let view = self.view(id).await?;
        let result = statement(tally, &view.options);
        let turnout = format!(
            "{} of {} organisations, {} of {} vote weight",
            tally.turnout.orgs_voted,
            tally.turnout.orgs_eligible,
            tally.turnout.weight_voted,
            tally.turnout.weight_eligible
        );
        let export_link = self.link(&format!("/api/v1/proposals/{id}/export"));
        for line in &view.roll {
            let n = notify::Outcome {
                to: self.addressee(&line.org),
                title: view.title.clone(),
                result: result.clone(),
                turnout: turnout.clone(),
                audit_head: audit_head.to_string(),
                export_link: export_link.clone(),
            };
            self.mail(format!("outcome:{id}:{}", line.org), &line.org, &n, act)
                .await?;
        }
        let raw = format!(
            "**Result: {result}**\n\n{}\n\nTurnout: {turnout}.\nThe ballots and the tally: {export_link}\nAudit log head after closing: `{audit_head}`",
            tally.explanation
        );
        let reply = ForumPost::Reply {
            proposal_id: id,
            raw,
        };
        self.post(format!("outcome:{id}"), reply, act).await
    }

    /// Tells the organisation's representatives that a ballot was cast for
    /// it by someone other than the person whose ballot counted, and
    /// whether the new one counts; the topic says so too.
    pub(crate) async fn announce_replacement(
        &self,
        id: i64,
        r: &Replacement,
        act: &Act,
    ) -> Result<()> {
        let title = self.store.proposal(id).await?.title;
        let who = |by: &str, role: Caster| format!("{} ({})", person_name(by), role.as_str());
        let n = BallotReplaced {
            to: self.addressee(&r.org),
            title,
            link: self.proposal_link(id),
            by: who(&r.by, r.by_role),
            earlier_by: who(&r.earlier_by, r.earlier_role),
            counts: r.counts,
        };
        let key = format!("replaced:{id}:{}:{}", r.org, r.revision);
        self.mail_with_ballot_link(key.clone(), &r.org, id, &n, act)
            .await?;
        let raw = if r.counts {
            format!(
                "{}'s ballot was replaced: {} voted after {}.",
                r.org, n.by, n.earlier_by
            )
        } else {
            format!(
                "{} voted for {}, but the ballot of {} still counts: the delegate's prevails.",
                n.by, r.org, n.earlier_by
            )
        };
        let reply = ForumPost::Reply {
            proposal_id: id,
            raw,
        };
        self.post(key, reply, act).await
    }

    /// Mails the outcome statement to every organisation on the roll and
    /// posts it on the proposal's topic.
    pub(crate) async fn announce_statement(
        &self,
        id: i64,
        statement: &Statement,
        act: &Act,
    ) -> Result<()> {
        let view = self.view(id).await?;
        let record_link = self.link(&format!("/api/v1/proposals/{id}/record"));
        let by = person_name(&statement.by).to_string();
        for line in &view.roll {
            let n = OutcomeStated {
                to: self.addressee(&line.org),
                title: view.title.clone(),
                statement: statement.text.clone(),
                by: by.clone(),
                record_link: record_link.clone(),
            };
            self.mail(format!("statement:{id}:{}", line.org), &line.org, &n, act)
                .await?;
        }
        let raw = format!(
            "**Outcome**, as {by} states it:\n\n{}\n\nPart of the published record: {record_link}",
            statement.text
        );
        let reply = ForumPost::Reply {
            proposal_id: id,
            raw,
        };
        self.post(format!("statement:{id}"), reply, act).await
    }

    /// Tells the organisation itself that its membership changed.
    pub(crate) async fn announce_membership(
        &self,
        org: &str,
        status: Status,
        act: &Act,
    ) -> Result<()> {
        let effective = match status {
            Status::Leaving { leaves_at, .. } => leaves_at,
            other => other.entered_at(),
        };
        let n = MembershipChanged {
            to: self.addressee(org),
            organisation: org.to_string(),
            status: status_name(status).into(),
            effective: format_utc(effective),
        };
        let key = format!("membership:{org}:{}:{effective}", status_name(status));
        self.mail(key, org, &n, act).await
    }
}

/// A person's handle from the actor that names them (`person:<name>`).
fn person_name(actor: &str) -> &str {
    actor.split_once(':').map_or(actor, |(_, name)| name)
}

/// The result in one line, as the outcome statement opens.
pub fn statement(tally: &Tally, options: &[String]) -> String {
    let named = |ids: &[usize]| {
        ids.iter()
            .map(|&i| {
                options
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("option {i}"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &tally.outcome {
        Outcome::QuorumNotMet => "no decision: the quorum was not met".into(),
        Outcome::Passed => "passed".into(),
        Outcome::NotPassed { shortfall } => {
            format!("not passed ({})", convert::shortfall(*shortfall))
        }
        Outcome::Chosen { options: ids } => format!("chosen: {}", named(ids)),
        Outcome::Tie { options: ids } => format!("tie between {}", named(ids)),
        Outcome::NoPreference => "no preference: every ballot abstained".into(),
    }
}

/// When an open proposal closes: what every announcement of it tells, so
/// one stored without it is corrupt, not a vote closing in 1970.
fn closes_at_ms(view: &ProposalView) -> Result<i64> {
    view.closes_at_ms.ok_or_else(|| {
        ConsortiumError::corrupt(
            &format!("proposal {}", view.id),
            "it is announced as open without its closing time",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{external_id, proposal_of_topic};

    #[test]
    fn a_topic_external_id_reads_back_as_its_proposal() {
        assert_eq!(proposal_of_topic(&external_id(42)), Some(42));
        assert_eq!(proposal_of_topic("plenary-proposal-x"), None);
        assert_eq!(proposal_of_topic("someone-else-42"), None);
    }
}
