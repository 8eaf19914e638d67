//! People with accounts and their places in organisations: the checks a
//! new person passes wherever they are added (the command line, the API).

use serde::{Deserialize, Serialize};
use store::{Act, Person};

use crate::register::check_handle;
use crate::{Consortium, ConsortiumError, Result};

/// A person's role in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Casts the organisation's ballot; one per organisation.
    Delegate,
    /// Votes when the delegate does not.
    Deputy,
    /// Manages the organisation's people and may give its notice.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delegate => "delegate",
            Self::Deputy => "deputy",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Delegate, Self::Deputy, Self::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A person entering the platform, perhaps straight into an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// Their handle: lower-case letters, digits and hyphens.
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub representing: Option<(String, Role)>,
}

impl Consortium {
    /// Adds a person, and their role when one is given. The organisation
    /// is looked up first, so a misspelt one adds nobody.
    pub async fn add_person(&self, new: &NewPerson, act: &Act) -> Result<Person> {
        check_handle(&new.name, "person", "display name")?;
        check_email(&new.email)?;
        if let Some((org, _)) = &new.representing {
            self.store.organisation(org).await?;
        }
        let person = self
            .store
            .add_person(&new.name, &new.display_name, &new.email, act)
            .await?;
        if let Some((org, role)) = &new.representing {
            self.store
                .set_representative(org, &new.name, role.as_str(), act)
                .await?;
        }
        Ok(person)
    }
}

/// Mail goes to this address, so it must at least look like one.
fn check_email(email: &str) -> Result<()> {
    let looks_right = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if looks_right {
        Ok(())
    } else {
        Err(ConsortiumError::Invalid(format!(
            "{email:?} is not an email address"
        )))
    }
}
