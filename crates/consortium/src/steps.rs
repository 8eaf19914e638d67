//! The consortium's steps as one actor takes them, whichever face they come
//! from (the command line, the API, the pages): each asks the access rules
//! first, then takes the step audited under the actor's name. The
//! procedures themselves (`Consortium::draft`, `open`, …) take a bare
//! [`Act`] for what the platform does by itself, such as closing a
//! proposal at its deadline.

use std::collections::BTreeMap;

use governance::membership::{ConsortiumRules, Status};
use governance::tally::Tally;
use store::{Act, Document, LoginOwner, Organisation, Person, RegisterStatus};

use crate::access::{Action, Who};
use crate::{
    Actor, Consortium, ConsortiumError, Contributed, Draft, NewMember, NewPerson, Offered, Result,
    Role, Statement,
};

/// One actor's steps, at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Steps<'a> {
    consortium: &'a Consortium,
    actor: &'a Actor,
    at_ms: i64,
}

impl Consortium {
    /// The steps `actor` takes at `at_ms`.
    pub fn by<'a>(&'a self, actor: &'a Actor, at_ms: i64) -> Steps<'a> {
        Steps {
            consortium: self,
            actor,
            at_ms,
        }
    }
}

/// A person as an actor may see them, with the roles (organisation, role)
/// shown to that actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRoles {
    pub person: Person,
    pub roles: Vec<(String, Role)>,
}

impl PersonRoles {
    fn of(person: Person) -> Self {
        Self {
            person,
            roles: Vec::new(),
        }
    }
}

/// Plain customers are the co-op's business, not the consortium's: only
/// operators and their own people see them.
fn visible(actor: &Actor, org: &Organisation) -> bool {
    org.status != RegisterStatus::Customer || actor.may(Action::SeeCustomer(&org.name)).is_ok()
}

impl Steps<'_> {
    fn act(&self) -> Act {
        Act::new(self.actor.name(), self.at_ms)
    }

    /// Whether the actor may take a step that changes the consortium:
    /// first whether its token reaches the consortium at all, then the
    /// step's own rule; `what` names a hidden thing as its absence would.
    fn may(&self, action: Action<'_>, what: &str) -> Result<()> {
        self.actor
            .may_reach_consortium(true)
            .and_then(|()| self.actor.may(action))
            .map_err(|r| r.into_error(what))
    }

    /// The register as the actor may see it.
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        self.reach(false)?;
        let orgs = self.consortium.store().organisations().await?;
        Ok(orgs
            .into_iter()
            .filter(|o| visible(self.actor, o))
            .collect())
    }

    /// One organisation of the register; a customer the actor may not see
    /// answers exactly like a missing one.
    pub async fn organisation(&self, name: &str) -> Result<Organisation> {
        self.reach(false)?;
        let org = self.consortium.store().organisation(name).await?;
        if visible(self.actor, &org) {
            Ok(org)
        } else {
            Err(ConsortiumError::NotFound(format!(
                "organisation {name:?} does not exist"
            )))
        }
    }

    /// Whether the actor sees an organisation's contact and its people's
    /// addresses.
    pub fn sees_people_of(&self, org: &str) -> bool {
        self.actor.may(Action::SeePeopleOf(org)).is_ok()
    }

    /// The people the actor may see, by name, each with the roles shown.
    /// Operators see everyone with every role; a person sees the people of
    /// the organisations they hold a role in, with their roles there, and
    /// nothing of roles elsewhere (which could name plain customers).
    pub async fn people(&self) -> Result<Vec<PersonRoles>> {
        self.reach(false)?;
        let store = self.consortium.store();
        let mut people = BTreeMap::new();
        let roles = match self.actor.who() {
            Who::Operator(_) => {
                for person in store.people().await? {
                    people.insert(person.name.clone(), PersonRoles::of(person));
                }
                store.all_representatives().await?
            }
            Who::Person { roles: own, .. } => {
                let mut roles = Vec::new();
                for place in own {
                    let org = store.organisation(&place.organisation).await?;
                    roles.extend(store.representatives(org.id).await?);
                }
                roles
            }
        };
        for r in roles {
            people
                .entry(r.person.name.clone())
                .or_insert_with(|| PersonRoles::of(r.person))
                .roles
                .push((r.org, r.role));
        }
        Ok(people.into_values().collect())
    }

    fn reach(&self, writes: bool) -> Result<()> {
        self.actor
            .may_reach_consortium(writes)
            .map_err(|r| r.into_error("it"))
    }

    /// Whether the actor speaks for a member organisation (one that still
    /// votes: a member, or one whose notice is running).
    async fn speaks_for_a_member(&self) -> Result<bool> {
        for place in self
            .actor
            .places()
            .iter()
            .filter(|p| self.actor.speaks_for(&p.organisation))
        {
            let org = self
                .consortium
                .store()
                .organisation(&place.organisation)
                .await?;
            if matches!(org.status, RegisterStatus::Member | RegisterStatus::Leaving) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn may_draft(&self) -> Result<()> {
        let for_member = self.actor.is_operator() || self.speaks_for_a_member().await?;
        self.may(Action::DraftProposal { for_member }, "it")
    }

    pub async fn draft(&self, draft: &Draft) -> Result<i64> {
        self.may_draft().await?;
        self.consortium.draft(draft, &self.act()).await
    }

    pub async fn draft_rules_change(
        &self,
        title: &str,
        text: &str,
        rules: &ConsortiumRules,
    ) -> Result<i64> {
        self.may_draft().await?;
        self.consortium
            .draft_rules_change(title, text, rules, &self.act())
            .await
    }

    /// Only a proposal's author, or an operator, steers it.
    async fn steer(&self, id: i64) -> Result<store::Proposal> {
        let proposal = self.consortium.store().proposal(id).await?;
        self.may(
            Action::SteerProposal {
                author: &proposal.author,
            },
            "it",
        )?;
        Ok(proposal)
    }

    pub async fn open(&self, id: i64, closes_at: Option<i64>) -> Result<()> {
        self.steer(id).await?;
        self.consortium.open(id, closes_at, &self.act()).await
    }

    /// Changes the title or the text, or both; what is `None` stays. An
    /// application's text changes only by an operator: it opens at once,
    /// and an edit would restart the lead time for every member at the
    /// applicant's will.
    pub async fn edit(&self, id: i64, title: Option<&str>, text: Option<&str>) -> Result<()> {
        let proposal = self.steer(id).await?;
        if proposal.purpose == "application" {
            self.may(Action::EditApplication, "it")?;
        }
        let title = title.unwrap_or(&proposal.title);
        let text = text.unwrap_or(&proposal.body);
        self.consortium.edit(id, title, text, &self.act()).await
    }

    pub async fn close(&self, id: i64) -> Result<Tally> {
        self.steer(id).await?;
        self.consortium.close(id, &self.act()).await
    }

    pub async fn withdraw(&self, id: i64, reason: &str) -> Result<()> {
        self.steer(id).await?;
        self.consortium.withdraw(id, reason, &self.act()).await
    }

    /// The outcome statement: the procedure itself admits only the
    /// proposal's author or an operator.
    pub async fn state_outcome(&self, id: i64, text: &str) -> Result<Statement> {
        self.reach(true)?;
        self.consortium.state_outcome(id, text, &self.act()).await
    }

    pub async fn set_rules(&self, rules: &ConsortiumRules) -> Result<()> {
        self.may(Action::ChangeRules, "it")?;
        self.consortium.set_rules(rules, &self.act()).await
    }

    /// Applies for membership; applying in the name of an organisation
    /// already in the register takes one of its people or an operator.
    pub async fn apply(&self, new: &NewMember, statement: &str) -> Result<i64> {
        let existing = match self.consortium.store().organisation(&new.name).await {
            Ok(_) => Some(new.name.as_str()),
            Err(store::StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        self.may(Action::Apply { existing }, &new.name)?;
        self.consortium.apply(new, statement, &self.act()).await
    }

    pub async fn give_notice(&self, org: &str) -> Result<Status> {
        self.may(Action::GiveNotice(org), org)?;
        self.consortium.give_notice(org, &self.act()).await
    }

    /// Records a contribution: the register is the co-op's to keep, and a
    /// member's own claim is checked before it is recorded.
    pub async fn contribute(&self, org: &str, offered: &Offered<'_>) -> Result<Contributed> {
        self.may(Action::KeepRegister, org)?;
        self.consortium.contribute(org, offered, &self.act()).await
    }

    pub async fn add_person(&self, new: &NewPerson) -> Result<Person> {
        let into = new.representing.as_ref().map(|(o, r)| (o.as_str(), *r));
        self.may(Action::AddPerson { into }, "it")?;
        self.consortium.add_person(new, &self.act()).await
    }

    /// Gives `person` a role in `org`. Whether the actor manages `org`'s
    /// people at all is asked first, so a stranger learns nothing of who is
    /// there; then whether `person` already holds a role there, before
    /// anything else about them, so an admin learns nothing of people
    /// elsewhere.
    pub async fn assign_role(&self, org: &str, person: &str, role: Role) -> Result<()> {
        let assign = |member| Action::AssignRole {
            organisation: org,
            member,
        };
        self.may(assign(true), org)?;
        let store = self.consortium.store();
        let id = store.organisation(org).await?.id;
        let member = store
            .representatives(id)
            .await?
            .iter()
            .any(|r| r.person.name == person);
        self.may(assign(member), org)?;
        store
            .set_representative(org, person, role.as_str(), &self.act())
            .await?;
        Ok(())
    }

    pub async fn remove_role(&self, org: &str, person: &str) -> Result<()> {
        self.may(Action::RemoveRole(org), org)?;
        self.consortium
            .store()
            .remove_representative(org, person, &self.act())
            .await?;
        Ok(())
    }

    /// Links a person to their forum account, whose poll votes then count
    /// as their ballots.
    pub async fn link_forum_account(&self, person: &str, username: &str) -> Result<()> {
        self.may(Action::KeepPeople, "it")?;
        self.consortium
            .link_forum_account(person, username, &self.act())
            .await
    }

    /// Sets a portal login's password (already hashed) and, when given, its
    /// TOTP secret.
    pub async fn set_login(
        &self,
        email: &str,
        owner: &LoginOwner,
        password_hash: &str,
        totp_secret: Option<&str>,
    ) -> Result<()> {
        self.may(Action::KeepPeople, "it")?;
        let store = self.consortium.store();
        let act = self.act();
        let login = store.set_login(email, owner, password_hash, &act).await?;
        if let Some(secret) = totp_secret {
            store.set_totp_secret(&login, Some(secret), &act).await?;
        }
        Ok(())
    }

    /// Publishes a new version of a document members accept.
    pub async fn publish_document(&self, name: &str, body: &str) -> Result<Document> {
        self.may(Action::KeepRegister, "it")?;
        Ok(self
            .consortium
            .store()
            .publish_document(name, body, &self.act())
            .await?)
    }

    /// Records that `org` accepted the current version of a document.
    pub async fn accept_document(&self, org: &str, name: &str) -> Result<Document> {
        self.may(Action::KeepRegister, org)?;
        let store = self.consortium.store();
        let doc = store
            .document(name)
            .await?
            .ok_or_else(|| ConsortiumError::NotFound(format!("document {name:?}")))?;
        store.accept_document(org, &doc, &self.act()).await?;
        Ok(doc)
    }
}
