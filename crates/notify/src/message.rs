//! The notifications, each rendered as a subject and a plain-text body.
//!
//! The texts are plain `format!` in this one module rather than template
//! files: six short plain-text messages share one letter frame and one
//! aligned-fields helper, which Rust functions express directly, with no
//! template engine to build and no escaping rules to think about.

use std::fmt::Write;

/// Who a notification is for: the organisation, in the consortium on whose
/// behalf it is sent. Every body greets the organisation and closes with the
/// reason it receives the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub organisation: String,
    pub consortium: String,
}

/// A message that can be mailed: a subject line and a plain-text body.
pub trait Notification {
    /// A short stable name for logs, e.g. `proposal_opened`.
    fn kind(&self) -> &'static str;
    fn subject(&self) -> String;
    fn body(&self) -> String;
}

/// The rules a proposal was opened under, as the governance rules state them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesSummary {
    pub lead_time_days: u32,
    /// e.g. "half of the member organisations".
    pub quorum: String,
    /// e.g. "two thirds of the votes cast".
    pub threshold: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalOpened {
    pub to: Addressee,
    pub proposal_id: String,
    pub title: String,
    /// e.g. "admission of a member", "tier price change".
    pub kind: String,
    /// A readable UTC date and time, e.g. "2026-12-01 18:00 UTC".
    pub closes_at: String,
    pub link: String,
    /// The organisation's own meeting room on the co-op's BBB, to discuss it.
    pub meeting_room: Option<String>,
    pub rules: RulesSummary,
    /// The fingerprint of the proposal text as opened.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub to: Addressee,
    pub title: String,
    pub closes_at: String,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub to: Addressee,
    pub title: String,
    /// The tally's statement, e.g. "Accepted: 8 for, 2 against, 1 abstention".
    pub result: String,
    /// e.g. "11 of 12 organisations (92 %)".
    pub turnout: String,
    /// Hash of the audit log entry the export ends at.
    pub audit_head: String,
    pub export_link: String,
}

/// The text of an open proposal changed: members re-read it, and the lead
/// time started again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalChanged {
    pub to: Addressee,
    pub title: String,
    /// When the text changed, readable UTC.
    pub changed_at: String,
    /// The earliest it may now close, readable UTC.
    pub closes_at: String,
    pub link: String,
    /// The fingerprint of the new text.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationReceived {
    pub to: Addressee,
    pub applicant: String,
    pub proposal_link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipChanged {
    pub to: Addressee,
    /// The organisation whose membership changed; may be the addressee.
    pub organisation: String,
    /// The new status as the register names it, e.g. "member (producer)".
    pub status: String,
    /// A readable date, e.g. "2027-01-01".
    pub effective: String,
}

impl Notification for ProposalOpened {
    fn kind(&self) -> &'static str {
        "proposal_opened"
    }

    fn subject(&self) -> String {
        subject(
            &self.to,
            &format!("Vote open until {}: {}", self.closes_at, self.title),
        )
    }

    fn body(&self) -> String {
        let lead_time = match self.rules.lead_time_days {
            1 => "1 day".to_owned(),
            days => format!("{days} days"),
        };
        let mut text = format!(
            "A proposal is open for the vote of the members of {}.\n\n{}\nRules, fixed when the proposal opened:\n{}\nRead the proposal and cast your organisation's ballot:\n{}\n",
            self.to.consortium,
            fields(&[
                ("Proposal", &self.proposal_id),
                ("Title", &self.title),
                ("Kind", &self.kind),
                ("Voting closes", &self.closes_at),
            ]),
            fields(&[
                ("Lead time", &lead_time),
                ("Quorum", &self.rules.quorum),
                ("Threshold", &self.rules.threshold),
            ]),
            self.link,
        );
        if let Some(room) = &self.meeting_room {
            let _ = write!(
                text,
                "\nTo discuss it, your organisation's meeting room is at:\n{room}\n"
            );
        }
        let _ = write!(
            text,
            "\nFingerprint of the proposal text: {}\nThe proposal page shows the same fingerprint for the text you vote on.\n",
            self.fingerprint
        );
        letter(
            &self.to,
            &text,
            &format!(
                "{} is a voting member of {}",
                self.to.organisation, self.to.consortium
            ),
        )
    }
}

impl Notification for Reminder {
    fn kind(&self) -> &'static str {
        "reminder"
    }

    fn subject(&self) -> String {
        subject(
            &self.to,
            &format!(
                "Reminder: your organisation has not voted on \"{}\"",
                self.title
            ),
        )
    }

    fn body(&self) -> String {
        letter(
            &self.to,
            &format!(
                "Your organisation has not voted yet on the proposal \"{}\".\nVoting closes at {}.\n\nCast your organisation's ballot:\n{}\n",
                self.title, self.closes_at, self.link
            ),
            &format!(
                "{} may vote on this proposal and has not voted yet",
                self.to.organisation
            ),
        )
    }
}

impl Notification for Outcome {
    fn kind(&self) -> &'static str {
        "outcome"
    }

    fn subject(&self) -> String {
        subject(&self.to, &format!("Result: {}", self.title))
    }

    fn body(&self) -> String {
        letter(
            &self.to,
            &format!(
                "Voting on the proposal \"{}\" has closed.\n\n{}\nThe ballots and the tally can be downloaded and checked:\n{}\n\nThe export ends at this entry of the audit log:\n{}\n",
                self.title,
                fields(&[("Result", &self.result), ("Turnout", &self.turnout)]),
                self.export_link,
                self.audit_head,
            ),
            &format!(
                "{} was entitled to vote on this proposal",
                self.to.organisation
            ),
        )
    }
}

impl Notification for ProposalChanged {
    fn kind(&self) -> &'static str {
        "proposal_changed"
    }

    fn subject(&self) -> String {
        subject(
            &self.to,
            &format!("Changed, please re-read: {}", self.title),
        )
    }

    fn body(&self) -> String {
        letter(
            &self.to,
            &format!(
                "The text of the proposal \"{}\" changed at {}. Ballots already cast stay as they are and may be changed.\n\n{}\nRead the new text:\n{}\n",
                self.title,
                self.changed_at,
                fields(&[
                    (
                        "Voting closes",
                        &format!(
                            "{} at the earliest (the lead time started again)",
                            self.closes_at
                        )
                    ),
                    ("New fingerprint", &self.fingerprint),
                ]),
                self.link,
            ),
            &format!("{} is on the roll of this proposal", self.to.organisation),
        )
    }
}

impl Notification for ApplicationReceived {
    fn kind(&self) -> &'static str {
        "application_received"
    }

    fn subject(&self) -> String {
        subject(
            &self.to,
            &format!("Membership application from {}", self.applicant),
        )
    }

    fn body(&self) -> String {
        letter(
            &self.to,
            &format!(
                "{} has applied to join {}.\nThe members decide on it by a vote; the proposal is here:\n{}\n",
                self.applicant, self.to.consortium, self.proposal_link
            ),
            &format!(
                "{} is a member of {}, whose members decide on applications",
                self.to.organisation, self.to.consortium
            ),
        )
    }
}

impl Notification for MembershipChanged {
    fn kind(&self) -> &'static str {
        "membership_changed"
    }

    fn subject(&self) -> String {
        subject(
            &self.to,
            &format!("Membership of {}: {}", self.organisation, self.status),
        )
    }

    fn body(&self) -> String {
        let reason = if self.organisation == self.to.organisation {
            format!(
                "this is about {}'s own membership of {}",
                self.organisation, self.to.consortium
            )
        } else {
            format!(
                "{} is a member of {}, and members are told of every change to the membership",
                self.to.organisation, self.to.consortium
            )
        };
        letter(
            &self.to,
            &format!(
                "The membership of {} in {} has changed.\n\n{}",
                self.organisation,
                self.to.consortium,
                fields(&[("New status", &self.status), ("Effective", &self.effective)]),
            ),
            &reason,
        )
    }
}

/// What a one-time link from [`AccessLink`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessPurpose {
    SignIn,
    PasswordReset,
}

/// A one-time link to the portal that a person asked for on the sign-in
/// page: to sign in without the password, or to choose a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLink {
    /// `organisation` holds the person's name, whom the letter greets.
    pub to: Addressee,
    pub purpose: AccessPurpose,
    pub link: String,
    pub valid_minutes: i64,
}

impl Notification for AccessLink {
    fn kind(&self) -> &'static str {
        match self.purpose {
            AccessPurpose::SignIn => "sign_in_link",
            AccessPurpose::PasswordReset => "password_reset",
        }
    }

    fn subject(&self) -> String {
        subject(
            &self.to,
            match self.purpose {
                AccessPurpose::SignIn => "Your sign-in link",
                AccessPurpose::PasswordReset => "Choose a new password",
            },
        )
    }

    fn body(&self) -> String {
        let what = match self.purpose {
            AccessPurpose::SignIn => "sign in to the portal without your password",
            AccessPurpose::PasswordReset => {
                "choose a new password for the portal; every browser signed in with the old one is signed out"
            }
        };
        letter(
            &self.to,
            &format!(
                "Follow this link to {what}:\n{}\n\nIt works once, for {} minutes. If you did not ask for it, ignore this message: nothing changes.\n",
                self.link, self.valid_minutes
            ),
            "someone asked for it on the portal's sign-in page with your e-mail address",
        )
    }
}

/// The confirmation asked of whoever sends an application from the public
/// form: nothing is lodged until the address's owner follows the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationConfirmation {
    /// `organisation` holds the applying organisation's legal name.
    pub to: Addressee,
    pub link: String,
    pub valid_hours: i64,
}

impl Notification for ApplicationConfirmation {
    fn kind(&self) -> &'static str {
        "application_confirmation"
    }

    fn subject(&self) -> String {
        subject(&self.to, "Confirm your application to join")
    }

    fn body(&self) -> String {
        letter(
            &self.to,
            &format!(
                "Follow this link to send the application of {} to join {}:\n{}\n\nThe members then decide on it by a consent proposal. The link works once, for {} hours. If you did not apply, ignore this message: nothing is sent.\n",
                self.to.organisation, self.to.consortium, self.link, self.valid_hours
            ),
            "someone applied on the portal's application form with your e-mail address",
        )
    }
}

/// A ballot for the organisation was cast by another of its
/// representatives than the one whose ballot counted until then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotReplaced {
    pub to: Addressee,
    pub title: String,
    pub link: String,
    /// Who cast the new ballot, with the role: "dora (deputy)".
    pub by: String,
    /// Whose ballot counted until then, with the role.
    pub earlier_by: String,
    /// Whether the new ballot now counts (a deputy's never replaces the
    /// delegate's).
    pub counts: bool,
}

impl Notification for BallotReplaced {
    fn kind(&self) -> &'static str {
        "ballot_replaced"
    }

    fn subject(&self) -> String {
        let what = if self.counts {
            "Your ballot was replaced"
        } else {
            "A ballot that does not count"
        };
        subject(&self.to, &format!("{what}: {}", self.title))
    }

    fn body(&self) -> String {
        let effect = if self.counts {
            format!(
                "{} cast a ballot for {} on the proposal \"{}\". It replaces the ballot of {}, and is the one that counts now.",
                self.by, self.to.organisation, self.title, self.earlier_by
            )
        } else {
            format!(
                "{} cast a ballot for {} on the proposal \"{}\". It does not count: the delegate's ballot prevails over a deputy's, so the ballot of {} still counts.",
                self.by, self.to.organisation, self.title, self.earlier_by
            )
        };
        letter(
            &self.to,
            &format!("{effect}\n\nThe proposal and its ballots:\n{}\n", self.link),
            &format!("you represent {} on this proposal", self.to.organisation),
        )
    }
}

/// What a closed proposal decided and what happens next, as its author
/// (or an operator) states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeStated {
    pub to: Addressee,
    pub title: String,
    pub statement: String,
    pub by: String,
    pub record_link: String,
}

impl Notification for OutcomeStated {
    fn kind(&self) -> &'static str {
        "outcome_stated"
    }

    fn subject(&self) -> String {
        subject(&self.to, &format!("Outcome: {}", self.title))
    }

    fn body(&self) -> String {
        letter(
            &self.to,
            &format!(
                "The outcome of the proposal \"{}\", as {} states it:\n\n{}\n\nThe statement is part of the published record:\n{}\n",
                self.title, self.by, self.statement, self.record_link
            ),
            &format!(
                "{} was entitled to vote on this proposal",
                self.to.organisation
            ),
        )
    }
}

/// Subjects carry the consortium's name first, so that mail filters and
/// inboxes group them.
fn subject(to: &Addressee, text: &str) -> String {
    format!("[{}] {text}", to.consortium)
}

/// The frame every body shares: a greeting naming the organisation, the
/// text, and below the signature separator the reason for receiving it.
fn letter(to: &Addressee, text: &str, reason: &str) -> String {
    format!(
        "Hello {},\n\n{text}\n-- \nYou receive this message because {reason}.\nSent by Plenary for {}.\n",
        to.organisation, to.consortium
    )
}

/// "Label: value" lines, indented, with the values aligned.
fn fields(rows: &[(&str, &str)]) -> String {
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0) + 1;
    rows.iter().fold(String::new(), |mut out, (label, value)| {
        let _ = writeln!(out, "  {:<width$} {value}", format!("{label}:"));
        out
    })
}
