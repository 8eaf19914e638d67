//! One-time links to the portal, sent by mail: one that signs a person in
//! and lands on a page (every proposal mail carries one for each
//! representative with a login, leading to the proposal's ballot, and a
//! person may ask for one on the sign-in page), and one that lets a person
//! choose a new password.
//!
//! The token is made when the mail is sent, not when it is queued: the
//! outbox never holds a usable token, and a link's short life starts when
//! it leaves. The store keeps only the token's hash and uses it up once.

pub use notify::AccessPurpose;
use notify::{AccessLink, Addressee};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use store::{Act, Login, LoginOwner, Store};

use crate::announce::Mail;
use crate::convert::to_json;
use crate::{Consortium, Result};

/// How long a link asked for on the sign-in page works.
pub const ASKED_LINK_MS: i64 = 15 * 60_000;
/// How long the link in a proposal mail works: long enough for a mail read
/// the next day, far shorter than a proposal stays open.
pub const PROPOSAL_LINK_MS: i64 = 48 * 3_600_000;

/// The store's name of a link's purpose.
pub const SIGN_IN: &str = "login";
pub const PASSWORD_RESET: &str = "reset";

/// 32 random bytes as hex: a session cookie, a CSRF token or a link token.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A link to make when its mail is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OneTimeLink {
    #[serde(flatten)]
    opens: Opens,
    valid_ms: i64,
    /// The address in the rendered body that the link replaces.
    stands_in: String,
    /// The link's address up to its token.
    base: String,
}

/// What a one-time link opens. Untagged, so that links queued before
/// applications had links read back as logins' links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Opens {
    /// A login's sign-in or password reset.
    Login {
        login_id: i64,
        purpose: String,
        /// Where a sign-in link lands.
        next_path: String,
    },
    /// The confirmation of an application sent from the public form.
    Application { pending_application: i64 },
}

impl OneTimeLink {
    pub(crate) fn new(opens: Opens, valid_ms: i64, base: String) -> Self {
        Self {
            opens,
            valid_ms,
            stands_in: format!("{base}<token>"),
            base,
        }
    }

    /// The address the body holds until the mail is sent.
    pub(crate) fn stands_in(&self) -> &str {
        &self.stands_in
    }

    /// Makes the token, stores its hash and puts the link in `body`.
    pub(crate) async fn write_into(
        &self,
        store: &Store,
        body: &str,
        now_ms: i64,
    ) -> Result<String> {
        let token = random_token();
        match &self.opens {
            Opens::Login {
                login_id,
                purpose,
                next_path,
            } => {
                store
                    .create_login_link(
                        &token,
                        *login_id,
                        purpose,
                        next_path,
                        (now_ms, now_ms.saturating_add(self.valid_ms)),
                    )
                    .await?
            }
            Opens::Application {
                pending_application,
            } => {
                store
                    .set_pending_application_token(*pending_application, &token)
                    .await?
            }
        }
        Ok(body.replace(&self.stands_in, &format!("{}{token}", self.base)))
    }
}

impl Consortium {
    /// The sign-in link of a representative's proposal mail, whose body
    /// names the proposal's page at `page`.
    pub(crate) fn ballot_link(&self, login_id: i64, page: &str, next_path: &str) -> OneTimeLink {
        OneTimeLink {
            opens: Opens::Login {
                login_id,
                purpose: SIGN_IN.into(),
                next_path: next_path.into(),
            },
            valid_ms: PROPOSAL_LINK_MS,
            stands_in: page.into(),
            base: self.link("/portal/link/"),
        }
    }

    /// Mails `login` a link that signs it in and lands on `next_path`
    /// (a second factor is still asked for), or, for
    /// [`AccessPurpose::PasswordReset`], one that opens the form for a new
    /// password. Asking is rate-limited by the caller, which answers the
    /// same whether or not an address has a login.
    pub async fn mail_access_link(
        &self,
        login: &Login,
        purpose: AccessPurpose,
        next_path: &str,
        act: &Act,
    ) -> Result<()> {
        if !self.settings.mail {
            return Ok(());
        }
        let (stored, base) = match purpose {
            AccessPurpose::SignIn => (SIGN_IN, self.link("/portal/link/")),
            AccessPurpose::PasswordReset => (PASSWORD_RESET, self.link("/portal/reset/")),
        };
        let name = match &login.owner {
            LoginOwner::Person(p) => p.display_name.clone(),
            LoginOwner::Operator(label) => label.clone(),
        };
        let link = OneTimeLink::new(
            Opens::Login {
                login_id: login.id,
                purpose: stored.into(),
                next_path: next_path.into(),
            },
            ASKED_LINK_MS,
            base,
        );
        let n = AccessLink {
            to: Addressee {
                organisation: name,
                consortium: self.settings.name.clone(),
            },
            purpose,
            link: link.stands_in().to_string(),
            valid_minutes: ASKED_LINK_MS / 60_000,
        };
        let mail = Mail::new(vec![login.email.clone()], &n).with_link(link);
        let key = format!("{stored}:{}:{}", login.id, act.at_ms);
        self.store
            .enqueue("mail", &key, &to_json(&mail), act.at_ms)
            .await?;
        Ok(())
    }
}
