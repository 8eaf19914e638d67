//! Applications to join from the portal's public form, by organisations
//! that have nobody with a login yet. The form lodges nothing: it mails a
//! confirmation link to the address given, and only following that link
//! enters the applicant in the register and opens the consent proposal, so
//! that an address's owner answers for every application made with it.

use notify::{Addressee, ApplicationConfirmation};
use serde::{Deserialize, Serialize};
use store::Act;

use crate::access_links::{OneTimeLink, Opens};
use crate::announce::Mail;
use crate::convert::to_json;
use crate::register::{NewMember, check_handle};
use crate::{Consortium, ConsortiumError, Result};

/// How long a confirmation link works.
pub const CONFIRM_WITHIN_MS: i64 = 24 * 3_600_000;

/// An application as the public form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub member: NewMember,
    pub statement: String,
}

impl Consortium {
    /// Checks an application from the public form and mails `email` the
    /// link that sends it. Refused at once when it could never be lodged:
    /// an invalid name, an organisation already in the register, a legal
    /// form the rules do not admit, no mail to confirm it with.
    pub async fn request_application(
        &self,
        application: &Application,
        email: &str,
        now_ms: i64,
    ) -> Result<()> {
        if !self.settings.mail {
            return Err(ConsortiumError::Refused(
                "applications from the portal need mail, to confirm the applicant's address; ask the co-op's operators".into(),
            ));
        }
        let member = &application.member;
        check_handle(&member.name, "organisation", "legal name")?;
        if !email.contains('@') || email.trim() != email {
            return Err(ConsortiumError::Invalid(format!(
                "{email:?} is not an e-mail address"
            )));
        }
        if self.store.organisation(&member.name).await.is_ok() {
            return Err(ConsortiumError::Conflict(format!(
                "{} is already in the register: one of its people can apply after signing in",
                member.name
            )));
        }
        let rules = self.rules().await?;
        if !rules.member_classes.contains(&member.class) {
            return Err(ConsortiumError::Invalid(format!(
                "{:?} is not a member class of the consortium: the rules know {}",
                member.class,
                rules
                    .member_classes
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        rules
            .check_legal_form(member.legal_form)
            .map_err(ConsortiumError::refused)?;
        let id = self
            .store
            .add_pending_application(
                email,
                &to_json(application),
                (now_ms, now_ms.saturating_add(CONFIRM_WITHIN_MS)),
            )
            .await?;
        let link = OneTimeLink::new(
            Opens::Application {
                pending_application: id,
            },
            CONFIRM_WITHIN_MS,
            self.link("/portal/apply/confirm/"),
        );
        let n = ApplicationConfirmation {
            to: Addressee {
                organisation: member
                    .legal_name
                    .clone()
                    .unwrap_or_else(|| member.name.clone()),
                consortium: self.settings.name.clone(),
            },
            link: link.stands_in().to_string(),
            valid_hours: CONFIRM_WITHIN_MS / 3_600_000,
        };
        let mail = Mail::new(vec![email.to_string()], &n).with_link(link);
        self.store
            .enqueue(
                "mail",
                &format!("application:{id}"),
                &to_json(&mail),
                now_ms,
            )
            .await?;
        Ok(())
    }

    /// Whether a confirmation link still works, before it is used.
    pub async fn application_waits(&self, token: &str, now_ms: i64) -> Result<bool> {
        Ok(self.store.pending_application_waits(token, now_ms).await?)
    }

    /// Lodges the application of a confirmation link (once): the applicant
    /// enters the register and the proposal to admit it opens. The audit
    /// log names the applicant by the address that confirmed it.
    pub async fn confirm_application(&self, token: &str, now_ms: i64) -> Result<i64> {
        let Some(pending) = self.store.use_pending_application(token, now_ms).await? else {
            return Err(ConsortiumError::NotFound(
                "this confirmation link is unknown, used or expired".into(),
            ));
        };
        let application: Application = serde_json::from_str(&pending.application).map_err(|e| {
            ConsortiumError::Invalid(format!("unreadable pending application: {e}"))
        })?;
        let mut member = application.member;
        member.contact = Some(pending.email.clone());
        let act = Act::new(format!("applicant:{}", pending.email), now_ms);
        self.apply(&member, &application.statement, &act).await
    }
}
