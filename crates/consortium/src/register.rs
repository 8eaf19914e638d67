//! Joining and leaving: founding members, applications (which open their
//! own decision), notice and the leave that follows it.

use governance::membership::{self, Event, LegalForm, OrgKind, Status, Weight, validate_weight};
use governance::proposal::Kind;
use store::{Act, MembershipStep, Organisation, RegisterPatch};

use crate::access::Action;
use crate::convert::{kind_name, legal_form, status, status_name, to_json};
use crate::{Actor, Consortium, ConsortiumError, Draft, Result};

/// The document holding the rights and conditions of membership.
pub const MEMBERSHIP_TERMS: &str = "membership";

/// An organisation entering the register. For one already in it (a
/// customer, a former member), `None` keeps what the register holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewMember {
    pub name: String,
    /// `None`: the name, for an organisation new to the register.
    pub legal_name: Option<String>,
    pub legal_form: Option<LegalForm>,
    pub kind: OrgKind,
    pub class: String,
    /// `None`: the consortium's rule for the kind (a federation may get 2).
    pub weight: Option<u32>,
    /// `None`: none, for an organisation new to the register.
    pub contact: Option<String>,
}

/// An organisation entering the register as a customer of the co-op,
/// not a member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewOrganisation {
    pub name: String,
    /// `None`: the name.
    pub legal_name: Option<String>,
    pub legal_form: Option<LegalForm>,
    pub contact: Option<String>,
}

/// What to change of a register entry; `None` keeps it. A class or weight
/// is checked against the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterChange {
    pub legal_name: Option<String>,
    pub legal_form: Option<LegalForm>,
    pub contact: Option<String>,
    pub class: Option<String>,
    pub weight: Option<u32>,
}

impl RegisterChange {
    fn entry(&self) -> RegisterPatch {
        RegisterPatch {
            legal_name: self.legal_name.clone(),
            legal_form: self.legal_form.map(|f| f.as_str().to_string()),
            contact: self.contact.clone(),
            ..RegisterPatch::default()
        }
    }
}

fn keep_register(actor: &Actor) -> Result<()> {
    actor
        .may(Action::KeepRegister)
        .map_err(|r| r.into_error("it"))
}

impl Consortium {
    /// Adds an organisation that is not a member (a customer), audited
    /// under the actor's name; its entry is written whole or not at all.
    pub async fn add_organisation(
        &self,
        actor: &Actor,
        new: &NewOrganisation,
        at_ms: i64,
    ) -> Result<Organisation> {
        keep_register(actor)?;
        check_handle(&new.name, "organisation", "legal name")?;
        let act = Act::new(actor.name(), at_ms);
        let legal_name = new.legal_name.as_deref().unwrap_or(&new.name);
        self.store
            .add_organisation(&new.name, legal_name, &act)
            .await?;
        let rest = RegisterChange {
            legal_form: new.legal_form,
            contact: new.contact.clone(),
            ..RegisterChange::default()
        };
        if rest != RegisterChange::default() {
            self.store
                .set_register(&new.name, &rest.entry(), &act)
                .await?;
        }
        Ok(self.store.organisation(&new.name).await?)
    }

    /// Changes an organisation's register entry, audited under the actor's
    /// name; a class or weight is checked against the rules first.
    pub async fn change_register(
        &self,
        actor: &Actor,
        name: &str,
        change: &RegisterChange,
        at_ms: i64,
    ) -> Result<Organisation> {
        keep_register(actor)?;
        let act = Act::new(actor.name(), at_ms);
        if change.class.is_some() || change.weight.is_some() {
            self.set_member(name, change.class.as_deref(), None, change.weight, &act)
                .await?;
        }
        let entry = change.entry();
        if entry != RegisterPatch::default() {
            self.store.set_register(name, &entry, &act).await?;
        }
        Ok(self.store.organisation(name).await?)
    }

    /// [`Consortium::admit_founder`], for an actor who may register
    /// founding members.
    pub async fn register_founder(
        &self,
        actor: &Actor,
        new: &NewMember,
        at_ms: i64,
    ) -> Result<Organisation> {
        actor
            .may(Action::AdmitFounder)
            .map_err(|r| r.into_error("it"))?;
        self.admit_founder(new, &Act::new(actor.name(), at_ms))
            .await
    }

    /// Registers a founding member (or one admitted outside the platform):
    /// a member from now, with the step recorded as such.
    /// An organisation already applying, a member or leaving is not
    /// admitted again: that would overwrite its register entry and
    /// double its history.
    pub async fn admit_founder(&self, new: &NewMember, act: &Act) -> Result<Organisation> {
        let rules = self.rules().await?;
        let current = match self.existing(&new.name).await? {
            Some(org) => status(&org)?,
            None => None,
        };
        if let Some(held) = current.filter(|s| s.holds_class()) {
            return Err(ConsortiumError::Conflict(format!(
                "{} is already in the register as {}",
                new.name,
                status_name(held)
            )));
        }
        let applicant = membership::apply(current, Event::Apply, act.at_ms, &rules)
            .map_err(ConsortiumError::refused)?;
        let member = membership::apply(Some(applicant), Event::Accept, act.at_ms, &rules)
            .map_err(ConsortiumError::refused)?;
        self.enter(new, member, "founding member", act).await
    }

    /// An organisation applies (a new one, or an existing customer): it
    /// becomes an applicant and a consent proposal to admit it opens at
    /// once, with the consortium's rules. Returns the proposal's ID.
    pub async fn apply(&self, new: &NewMember, statement: &str, act: &Act) -> Result<i64> {
        let rules = self.rules().await?;
        let existing = self.existing(&new.name).await?;
        let current = match &existing {
            Some(org) => status(org)?,
            None => None,
        };
        let form = match (new.legal_form, &existing) {
            (Some(form), _) => Some(form),
            (None, Some(org)) => org
                .legal_form
                .as_deref()
                .map(|f| legal_form(&org.name, f))
                .transpose()?,
            (None, None) => None,
        };
        rules
            .check_legal_form(form)
            .map_err(ConsortiumError::refused)?;
        let applicant = membership::apply(current, Event::Apply, act.at_ms, &rules)
            .map_err(ConsortiumError::refused)?;
        let org = self.enter(new, applicant, "applied", act).await?;
        let draft = Draft {
            title: format!("Admit {} as a {} member", org.legal_name, new.class),
            text: format!(
                "{} ({}) applies to join the consortium as a {} member.\n\n{statement}",
                org.legal_name,
                kind_name(new.kind),
                new.class
            ),
            kind: Kind::Consent,
            options: Vec::new(),
            rules: rules.proposal_rules(),
            purpose: "application".into(),
            subject_org: Some(new.name.clone()),
            amends: None,
        };
        let id = self.draft(&draft, act).await?;
        self.open(id, None, act).await?;
        self.announce_application(id, &org.legal_name, act).await?;
        Ok(id)
    }

    /// Records the organisation in the register with its first status,
    /// after checking its class and weight against the rules.
    /// The organisation of that name, if the register has one.
    async fn existing(&self, name: &str) -> Result<Option<Organisation>> {
        match self.store.organisation(name).await {
            Ok(org) => Ok(Some(org)),
            Err(store::StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn enter(
        &self,
        new: &NewMember,
        first: Status,
        note: &str,
        act: &Act,
    ) -> Result<Organisation> {
        check_handle(&new.name, "organisation", "legal name")?;
        let rules = self.rules().await?;
        rules
            .check_member(new.kind, &new.class)
            .map_err(ConsortiumError::invalid)?;
        let weight = match new.weight {
            Some(w) => Weight::new(w)
                .map_err(|_| ConsortiumError::Invalid("a vote weight is at least 1".into()))?,
            None => rules.vote_weight(new.kind),
        };
        validate_weight(new.kind, weight).map_err(ConsortiumError::invalid)?;
        match self.store.organisation(&new.name).await {
            Ok(_) => {}
            Err(store::StoreError::NotFound(_)) => {
                let legal_name = new.legal_name.as_deref().unwrap_or(&new.name);
                self.store
                    .add_organisation(&new.name, legal_name, act)
                    .await?;
            }
            Err(e) => return Err(e.into()),
        }
        // What is not given keeps the register's value: applying again
        // must not wipe an organisation's legal name or contact.
        let patch = RegisterPatch {
            legal_name: new.legal_name.clone(),
            legal_form: new.legal_form.map(|f| f.as_str().to_string()),
            kind: Some(kind_name(new.kind).into()),
            member_class: Some(new.class.clone()),
            weight: Some(i64::from(u32::from(weight))),
            contact: new.contact.clone(),
        };
        self.store.set_register(&new.name, &patch, act).await?;
        // Joining (or applying) accepts the rights and conditions of
        // membership as they stand, when the consortium has published them.
        if let Some(terms) = self.store.document(MEMBERSHIP_TERMS).await? {
            self.store.accept_document(&new.name, &terms, act).await?;
        }
        self.record_step(&new.name, first, note, act).await?;
        Ok(self.store.organisation(&new.name).await?)
    }

    async fn record_step(&self, org: &str, to: Status, note: &str, act: &Act) -> Result<()> {
        let effective_at = match to {
            Status::Leaving { leaves_at, .. } => leaves_at,
            other => other.entered_at(),
        };
        let step = MembershipStep {
            status: status_name(to).into(),
            effective_at,
            note: note.into(),
            membership: to_json(&to),
        };
        Ok(self.store.record_membership(org, &step, act).await?)
    }

    /// Moves an organisation's membership by one event, as the rules allow.
    pub(crate) async fn transition(
        &self,
        org: &str,
        event: Event,
        note: &str,
        act: &Act,
    ) -> Result<Status> {
        let rules = self.rules().await?;
        let current = status(&self.store.organisation(org).await?)?;
        let next = membership::apply(current, event, act.at_ms, &rules)
            .map_err(ConsortiumError::refused)?;
        self.record_step(org, next, note, act).await?;
        // An applicant hears of its application from the proposal; every
        // later step is the organisation's own news.
        if !matches!(next, Status::Applicant { .. }) {
            self.announce_membership(org, next, act).await?;
        }
        Ok(next)
    }

    /// A member gives notice: it keeps its vote until the notice period ends.
    pub async fn give_notice(&self, org: &str, act: &Act) -> Result<Status> {
        self.transition(org, Event::GiveNotice, "notice given", act)
            .await
    }

    /// Leaves take effect for every member whose notice has run out.
    pub async fn complete_leaves(&self, act: &Act) -> Result<Vec<String>> {
        let mut left = Vec::new();
        for org in self.store.organisations().await? {
            if let Some(Status::Leaving { leaves_at, .. }) = status(&org)?
                && leaves_at <= act.at_ms
            {
                self.transition(&org.name, Event::Leave, "notice period ended", act)
                    .await?;
                left.push(org.name);
            }
        }
        Ok(left)
    }

    /// Changes a member's class, kind or weight, checked against the rules.
    pub async fn set_member(
        &self,
        org: &str,
        class: Option<&str>,
        kind: Option<OrgKind>,
        weight: Option<u32>,
        act: &Act,
    ) -> Result<()> {
        let rules = self.rules().await?;
        let current = self.store.organisation(org).await?;
        let kind = match kind {
            Some(k) => k,
            None => crate::convert::org_kind(current.kind),
        };
        if let Some(c) = class.or(current.member_class.as_deref()) {
            rules
                .check_member(kind, c)
                .map_err(ConsortiumError::invalid)?;
        }
        let weight = match weight {
            Some(w) => Weight::new(w)
                .map_err(|_| ConsortiumError::Invalid("a vote weight is at least 1".into()))?,
            None => crate::convert::weight(&current)?,
        };
        validate_weight(kind, weight).map_err(ConsortiumError::invalid)?;
        let patch = RegisterPatch {
            kind: Some(kind_name(kind).into()),
            member_class: class.map(str::to_string),
            weight: Some(i64::from(u32::from(weight))),
            ..RegisterPatch::default()
        };
        Ok(self.store.set_register(org, &patch, act).await?)
    }
}

/// A name is a handle in links, room URLs, meeting IDs and the audit log,
/// so it must be usable in all of them as it is.
pub fn check_handle(name: &str, what: &str, full_name: &str) -> Result<()> {
    let valid = (1..=64).contains(&name.len())
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ConsortiumError::Invalid(format!(
            "{name:?} is not a valid {what} name: use 1 to 64 lower-case letters, digits and hyphens (the full name is the {full_name})"
        )))
    }
}
