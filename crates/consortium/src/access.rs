//! Who may do what: the one place that decides, for the consortium and for
//! the operations alike. The command line, the JSON API and the pages build
//! an [`Actor`] and ask [`Actor::may`]; none of them decides by itself.
//!
//! The specification is the README's "Who | May" table; the table-driven
//! test at the end of this file follows it row by row. What a caller must
//! not learn exists (another organisation's tenant, usage or statement)
//! answers [`Refusal::Hidden`], which every face reports exactly like a
//! missing thing.

use std::fmt;

use store::{Person, Representative};

use crate::{ConsortiumError, Role};

/// The longest name an operator may go by in the audit log.
pub const MAX_OPERATOR_NAME: usize = 100;

/// An operator's name: what the audit log shows after `operator:`. Never
/// empty, so every audited change names someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorName(String);

impl OperatorName {
    pub fn new(name: &str) -> Result<Self, ConsortiumError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ConsortiumError::Invalid(
                "an operator needs a name: it names them in the audit log".into(),
            ));
        }
        if name.chars().count() > MAX_OPERATOR_NAME || name.chars().any(char::is_control) {
            return Err(ConsortiumError::Invalid(format!(
                "an operator's name is at most {MAX_OPERATOR_NAME} characters of plain text"
            )));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OperatorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a token lets its holder do, within what its owner may do anyway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// Reads only: every change is refused.
    pub read_only: bool,
    /// Only this organisation's things; everything else is hidden.
    pub organisation: Option<String>,
}

impl Scope {
    /// Everything the owner may do.
    pub const FULL: Self = Self {
        read_only: false,
        organisation: None,
    };
}

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// Runs the platform and steers the consortium; never votes.
    Operator(OperatorName),
    /// Acts only within the roles they hold.
    Person { person: Person, roles: Vec<Place> },
}

/// One of a person's roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub organisation: String,
    pub role: Role,
}

/// Someone acting, through a token of some scope (the command line on the
/// operator's own machine acts with [`Scope::FULL`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    who: Who,
    scope: Scope,
}

/// Whom an organisation's thing belongs to: a tenant, its usage, its
/// meetings, its statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// Belongs to no organisation: only operators see it.
    Nobody,
    Organisation(&'a str),
}

/// Everything that is decided here. Reads come first in each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    // The consortium.
    /// The register, proposals, exports, the rules, the audit head and its verification.
    ReadConsortium,
    /// See an organisation that is a plain customer, not a member.
    SeeCustomer(&'a str),
    /// See an organisation's contact, its people and their emails.
    SeePeopleOf(&'a str),
    /// Apply for membership; `Some` when the organisation is already in the register.
    Apply {
        existing: Option<&'a str>,
    },
    AdmitFounder,
    /// Add an organisation to the register (not as a member), or change an
    /// entry's legal name, form, contact, class or weight.
    KeepRegister,
    /// Set a person's portal login, or link their forum account.
    KeepPeople,
    GiveNotice(&'a str),
    /// Add a person, perhaps straight into an organisation in a role.
    AddPerson {
        into: Option<(&'a str, Role)>,
    },
    /// Give a person a role in an organisation; `member` says whether they
    /// already hold one there.
    AssignRole {
        organisation: &'a str,
        member: bool,
    },
    RemoveRole(&'a str),
    /// List every token (one's own are always one's own to list).
    ListTokens,
    /// Make and revoke tokens of others (one's own are always one's own).
    ManageTokensOf(Option<&'a str>),
    ChangeRules,
    /// Draft a proposal; `for_member` says whether the person speaks for a
    /// member organisation.
    DraftProposal {
        for_member: bool,
    },
    /// Edit, open, close or withdraw a proposal by `author` (an actor name).
    SteerProposal {
        author: &'a str,
    },
    /// Change an application's text (it restarts every member's lead time).
    EditApplication,

    // The operations.
    /// Servers, pools, capacity, all tenants and all usage, the audit log.
    ReadOperations,
    /// Add, set, enable, cordon, disable and panic servers; make, move,
    /// disable and enable tenants; tiers; costs and closing a month.
    Operate,
    /// The tier list (the price list organisations choose from).
    ReadTiers,
    /// One organisation's tenant, usage, fair use, statements, live meetings.
    ReadOwn(Owner<'a>),
    /// Add or remove a secret of a tenant.
    RotateSecret(Owner<'a>),
}

impl Action<'_> {
    /// Whether the action changes anything (a read-only token may not).
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Self::ReadConsortium
                | Self::ListTokens
                | Self::SeeCustomer(_)
                | Self::SeePeopleOf(_)
                | Self::ReadOperations
                | Self::ReadTiers
                | Self::ReadOwn(_)
        )
    }

    /// The organisation the action concerns, when there is exactly one.
    fn organisation(&self) -> Option<&str> {
        match *self {
            Self::SeeCustomer(o)
            | Self::SeePeopleOf(o)
            | Self::GiveNotice(o)
            | Self::RemoveRole(o)
            | Self::AssignRole {
                organisation: o, ..
            }
            | Self::Apply { existing: Some(o) }
            | Self::AddPerson { into: Some((o, _)) }
            | Self::ReadOwn(Owner::Organisation(o))
            | Self::RotateSecret(Owner::Organisation(o)) => Some(o),
            _ => None,
        }
    }
}

/// Why an action is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller may know the thing exists but not do this (HTTP 403).
    Forbidden(String),
    /// The caller must not learn the thing exists: answered like a missing
    /// one (HTTP 404).
    Hidden,
}

impl Refusal {
    /// The error every face reports; `what` names the hidden thing exactly
    /// as its absence would.
    pub fn into_error(self, what: impl Into<String>) -> ConsortiumError {
        match self {
            Self::Forbidden(why) => ConsortiumError::Forbidden(why),
            Self::Hidden => ConsortiumError::NotFound(what.into()),
        }
    }
}

fn forbidden(why: impl Into<String>) -> Result<(), Refusal> {
    Err(Refusal::Forbidden(why.into()))
}

/// Roles that speak for an organisation in the consortium.
const SPEAKERS: &[Role] = &[Role::Delegate, Role::Deputy];
const ANY_ROLE: &[Role] = &[Role::Delegate, Role::Deputy, Role::Admin];

impl Actor {
    pub fn operator(name: OperatorName) -> Self {
        Self {
            who: Who::Operator(name),
            scope: Scope::FULL,
        }
    }

    /// A person with the roles the store holds for them (the store refuses
    /// a stored role that is no role, naming its row).
    pub fn person(person: Person, roles: &[Representative]) -> Self {
        let roles = roles
            .iter()
            .map(|r| Place {
                organisation: r.org.clone(),
                role: r.role,
            })
            .collect();
        Self {
            who: Who::Person { person, roles },
            scope: Scope::FULL,
        }
    }

    /// The same actor through a narrower token. An organisation limit
    /// drops every role elsewhere, so the token never grants more than
    /// its owner has there.
    pub fn scoped(mut self, scope: Scope) -> Self {
        if let (Some(org), Who::Person { roles, .. }) = (&scope.organisation, &mut self.who) {
            roles.retain(|p| &p.organisation == org);
        }
        self.scope = scope;
        self
    }

    pub fn who(&self) -> &Who {
        &self.who
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// How the audit log names the actor: `operator:NAME` or `person:NAME`.
    pub fn name(&self) -> String {
        match &self.who {
            Who::Operator(name) => format!("operator:{name}"),
            Who::Person { person, .. } => format!("person:{}", person.name),
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self.who, Who::Operator(_))
    }

    /// The person acting, if a person acts.
    pub fn person_acting(&self) -> Option<&Person> {
        match &self.who {
            Who::Person { person, .. } => Some(person),
            Who::Operator(_) => None,
        }
    }

    /// The roles the actor holds (within the token's organisation).
    pub fn places(&self) -> &[Place] {
        match &self.who {
            Who::Person { roles, .. } => roles,
            Who::Operator(_) => &[],
        }
    }

    /// Whether the actor holds one of `roles` in `org`.
    pub fn holds(&self, org: &str, roles: &[Role]) -> bool {
        self.places()
            .iter()
            .any(|p| p.organisation == org && roles.contains(&p.role))
    }

    /// Whether the actor is one of `org`'s people, in any role.
    pub fn belongs_to(&self, org: &str) -> bool {
        self.holds(org, ANY_ROLE)
    }

    /// The organisations whose admin the actor is.
    pub fn administers(&self) -> impl Iterator<Item = &str> {
        self.places()
            .iter()
            .filter(|p| p.role == Role::Admin)
            .map(|p| p.organisation.as_str())
    }

    /// Whether the actor may see a thing of `owner` at all: what a listing
    /// keeps, and what a lookup answers as missing otherwise.
    pub fn sees(&self, owner: Owner<'_>) -> bool {
        self.may(Action::ReadOwn(owner)).is_ok()
    }

    /// The decision. The token's scope is applied first: a read-only token
    /// changes nothing, and an organisation's token sees nothing of another.
    pub fn may(&self, action: Action<'_>) -> Result<(), Refusal> {
        if let (Some(limit), Some(org)) = (&self.scope.organisation, action.organisation())
            && limit != org
        {
            return Err(match action {
                Action::ReadOwn(_) | Action::RotateSecret(_) => Refusal::Hidden,
                _ => Refusal::Forbidden(format!("this token is limited to {limit}")),
            });
        }
        if action.writes() && self.scope.read_only {
            return forbidden("this token is read-only");
        }
        match &self.who {
            Who::Operator(_) => self.operator_may(action),
            Who::Person { .. } => self.person_may(action),
        }
    }

    /// Operators may do everything but vote (voting is the consortium's
    /// procedure, which refuses them), unless their token is limited to
    /// one organisation: then only that organisation's things.
    fn operator_may(&self, action: Action<'_>) -> Result<(), Refusal> {
        match (&self.scope.organisation, action) {
            (Some(_), Action::ReadOwn(Owner::Nobody) | Action::RotateSecret(Owner::Nobody)) => {
                Err(Refusal::Hidden)
            }
            (
                Some(limit),
                Action::ReadOperations
                | Action::Operate
                | Action::KeepRegister
                | Action::AdmitFounder,
            ) => forbidden(format!(
                "this token is limited to {limit}; the whole platform takes an unlimited operator token"
            )),
            // The co-op's tokens include those of every operator.
            (Some(limit), Action::ListTokens | Action::ManageTokensOf(_)) => forbidden(format!(
                "this token is limited to {limit}; the co-op's tokens take an unlimited operator token"
            )),
            _ => Ok(()),
        }
    }

    fn person_may(&self, action: Action<'_>) -> Result<(), Refusal> {
        match action {
            Action::ReadConsortium | Action::Apply { existing: None } => Ok(()),
            Action::SeeCustomer(org) | Action::SeePeopleOf(org) => {
                if self.belongs_to(org) {
                    Ok(())
                } else {
                    Err(Refusal::Hidden)
                }
            }
            Action::Apply {
                existing: Some(org),
            } => {
                if self.belongs_to(org) {
                    Ok(())
                } else {
                    forbidden(format!(
                        "only {org}'s own people or an operator may apply in its name"
                    ))
                }
            }
            Action::GiveNotice(org) => {
                if self.belongs_to(org) {
                    Ok(())
                } else {
                    forbidden(format!(
                        "only {org}'s admin, delegate or deputy (or an operator recording it) may give its notice"
                    ))
                }
            }
            Action::AddPerson { into: None } => forbidden(
                "only operators add people outside an organisation; an admin adds them to it with `representing`",
            ),
            Action::AddPerson {
                into: Some((org, role)),
            } => {
                self.admin_of(org)?;
                if role == Role::Delegate {
                    forbidden(format!(
                        "an admin adds people as admin or deputy; make one of {org}'s people its delegate with PUT /api/v1/organisations/{org}/representatives/{{person}}"
                    ))
                } else {
                    Ok(())
                }
            }
            Action::AssignRole {
                organisation,
                member,
            } => {
                self.admin_of(organisation)?;
                if member {
                    Ok(())
                } else {
                    forbidden(format!(
                        "that person is not one of {organisation}'s people; an operator adds people from elsewhere"
                    ))
                }
            }
            Action::RemoveRole(org) => self.admin_of(org),
            Action::ListTokens => {
                forbidden("a person lists their own tokens; an operator lists everyone's")
            }
            Action::ManageTokensOf(whom) => {
                let own = self.person_acting().map(|p| p.name.as_str());
                if whom.is_some() && whom == own {
                    Ok(())
                } else {
                    forbidden(
                        "a person makes and manages tokens only for themselves; an operator does for others",
                    )
                }
            }
            Action::AdmitFounder => forbidden("only operators may register founding members"),
            Action::KeepRegister => forbidden("only operators keep the register"),
            Action::KeepPeople => forbidden(
                "only operators set people's logins and link their forum accounts; a person resets their own password from the portal",
            ),
            Action::ChangeRules => forbidden("only operators may change the consortium's rules"),
            Action::DraftProposal { for_member } => {
                if for_member {
                    Ok(())
                } else {
                    forbidden(
                        "only a member organisation's delegate or deputy, or an operator, may draft a proposal",
                    )
                }
            }
            Action::SteerProposal { author } => {
                if author == self.name() {
                    Ok(())
                } else {
                    forbidden("only the proposal's author or an operator may steer it")
                }
            }
            Action::EditApplication => forbidden(
                "only an operator may change an application's text; its author may withdraw it",
            ),
            Action::ReadOperations | Action::Operate => {
                forbidden("only operators run the platform")
            }
            Action::ReadTiers => {
                if self.administers().next().is_some() {
                    Ok(())
                } else {
                    forbidden("only operators and organisations' admins see the tiers")
                }
            }
            Action::ReadOwn(owner) | Action::RotateSecret(owner) => match owner {
                Owner::Organisation(org) if self.holds(org, &[Role::Admin]) => Ok(()),
                Owner::Organisation(org) if self.belongs_to(org) => {
                    forbidden(format!("only {org}'s admin or an operator may do this"))
                }
                _ => Err(Refusal::Hidden),
            },
        }
    }

    fn admin_of(&self, org: &str) -> Result<(), Refusal> {
        if self.holds(org, &[Role::Admin]) {
            Ok(())
        } else {
            forbidden(format!(
                "only {org}'s admin or an operator may manage {org}'s people"
            ))
        }
    }

    /// Whether a request that `writes` may reach the consortium's
    /// procedures at all, which then decide by the roles the token's scope
    /// leaves: a read-only token changes nothing, and an operator's token
    /// limited to one organisation steers nothing of the whole consortium.
    pub fn may_reach_consortium(&self, writes: bool) -> Result<(), Refusal> {
        if writes && self.scope.read_only {
            return forbidden("this token is read-only");
        }
        match (&self.who, &self.scope.organisation) {
            (Who::Operator(_), Some(limit)) => forbidden(format!(
                "this operator token is limited to {limit}; the consortium's steps take an unlimited one"
            )),
            _ => Ok(()),
        }
    }

    /// Whether the actor speaks for `org` in the consortium (votes for it).
    pub fn speaks_for(&self, org: &str) -> bool {
        self.holds(org, SPEAKERS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op() -> Actor {
        Actor::operator(OperatorName::new("ops").unwrap())
    }

    fn someone(roles: &[(&str, Role)]) -> Actor {
        let person = Person {
            id: 1,
            name: "pat".into(),
            display_name: "Pat".into(),
            email: "pat@mail.example".into(),
        };
        Actor {
            who: Who::Person {
                person,
                roles: roles
                    .iter()
                    .map(|(o, r)| Place {
                        organisation: o.to_string(),
                        role: *r,
                    })
                    .collect(),
            },
            scope: Scope::FULL,
        }
    }

    fn admin() -> Actor {
        someone(&[("school", Role::Admin)])
    }

    fn delegate() -> Actor {
        someone(&[("school", Role::Delegate)])
    }

    fn nobody() -> Actor {
        someone(&[])
    }

    fn read_only(a: Actor) -> Actor {
        a.scoped(Scope {
            read_only: true,
            organisation: None,
        })
    }

    fn limited(a: Actor, org: &str) -> Actor {
        a.scoped(Scope {
            read_only: false,
            organisation: Some(org.into()),
        })
    }

    /// Allowed, forbidden (403) or hidden (404).
    #[derive(Debug, PartialEq, Eq)]
    enum D {
        Yes,
        No,
        Hide,
    }

    fn decide(a: &Actor, action: Action<'_>) -> D {
        match a.may(action) {
            Ok(()) => D::Yes,
            Err(Refusal::Forbidden(_)) => D::No,
            Err(Refusal::Hidden) => D::Hide,
        }
    }

    const SCHOOL: Owner<'static> = Owner::Organisation("school");
    const HOSTING: Owner<'static> = Owner::Organisation("hosting");

    /// The README's "Who | May" table, row by row, then the operations.
    #[test]
    fn the_who_may_table() {
        use Action as A;
        use D::*;
        let author = "person:pat";
        let rows: Vec<(&str, Actor, Action<'_>, D)> = vec![
            // any token
            (
                "anyone reads the consortium",
                nobody(),
                A::ReadConsortium,
                Yes,
            ),
            (
                "anyone applies for a new organisation",
                nobody(),
                A::Apply { existing: None },
                Yes,
            ),
            (
                "anyone manages their own tokens",
                nobody(),
                A::ManageTokensOf(Some("pat")),
                Yes,
            ),
            (
                "nobody manages another's tokens",
                nobody(),
                A::ManageTokensOf(Some("sue")),
                No,
            ),
            (
                "a person makes no operator token",
                admin(),
                A::ManageTokensOf(None),
                No,
            ),
            // an operator
            ("an operator registers founders", op(), A::AdmitFounder, Yes),
            ("an operator keeps the register", op(), A::KeepRegister, Yes),
            (
                "an admin does not keep the register",
                admin(),
                A::KeepRegister,
                No,
            ),
            (
                "a read-only operator keeps no register",
                read_only(op()),
                A::KeepRegister,
                No,
            ),
            (
                "an operator limited to one organisation keeps no register",
                limited(op(), "school"),
                A::KeepRegister,
                No,
            ),
            (
                "an operator keeps people's logins",
                op(),
                A::KeepPeople,
                Yes,
            ),
            ("an admin sets nobody's login", admin(), A::KeepPeople, No),
            (
                "an operator adds people anywhere",
                op(),
                A::AddPerson { into: None },
                Yes,
            ),
            (
                "an operator gives roles to outsiders",
                op(),
                A::AssignRole {
                    organisation: "school",
                    member: false,
                },
                Yes,
            ),
            (
                "an operator manages anyone's tokens",
                op(),
                A::ManageTokensOf(Some("sue")),
                Yes,
            ),
            (
                "an operator makes operator tokens",
                op(),
                A::ManageTokensOf(None),
                Yes,
            ),
            ("an operator changes the rules", op(), A::ChangeRules, Yes),
            (
                "an operator steers any proposal",
                op(),
                A::SteerProposal {
                    author: "person:sue",
                },
                Yes,
            ),
            (
                "an operator edits applications",
                op(),
                A::EditApplication,
                Yes,
            ),
            (
                "a person does not register founders",
                admin(),
                A::AdmitFounder,
                No,
            ),
            (
                "an operator limited to one organisation registers no founders",
                limited(op(), "school"),
                A::AdmitFounder,
                No,
            ),
            (
                "a person does not change the rules",
                delegate(),
                A::ChangeRules,
                No,
            ),
            // any of an organisation's people
            (
                "a delegate sees its organisation's people",
                delegate(),
                A::SeePeopleOf("school"),
                Yes,
            ),
            (
                "people elsewhere are hidden",
                delegate(),
                A::SeePeopleOf("hosting"),
                Hide,
            ),
            (
                "a customer is hidden from outsiders",
                delegate(),
                A::SeeCustomer("shop"),
                Hide,
            ),
            (
                "a customer is seen by its own people",
                delegate(),
                A::SeeCustomer("school"),
                Yes,
            ),
            (
                "own people apply in its name",
                delegate(),
                A::Apply {
                    existing: Some("school"),
                },
                Yes,
            ),
            (
                "outsiders do not apply in its name",
                delegate(),
                A::Apply {
                    existing: Some("hosting"),
                },
                No,
            ),
            // delegate or deputy
            (
                "a delegate gives notice",
                delegate(),
                A::GiveNotice("school"),
                Yes,
            ),
            (
                "a delegate gives no notice elsewhere",
                delegate(),
                A::GiveNotice("hosting"),
                No,
            ),
            (
                "a member's delegate drafts",
                delegate(),
                A::DraftProposal { for_member: true },
                Yes,
            ),
            (
                "a non-member drafts nothing",
                admin(),
                A::DraftProposal { for_member: false },
                No,
            ),
            // an organisation's admin
            (
                "an admin gives notice",
                admin(),
                A::GiveNotice("school"),
                Yes,
            ),
            (
                "an admin adds a deputy",
                admin(),
                A::AddPerson {
                    into: Some(("school", Role::Deputy)),
                },
                Yes,
            ),
            (
                "an admin adds no delegate",
                admin(),
                A::AddPerson {
                    into: Some(("school", Role::Delegate)),
                },
                No,
            ),
            (
                "an admin adds nobody elsewhere",
                admin(),
                A::AddPerson {
                    into: Some(("hosting", Role::Admin)),
                },
                No,
            ),
            (
                "an admin adds nobody outside",
                admin(),
                A::AddPerson { into: None },
                No,
            ),
            (
                "an admin names its delegate",
                admin(),
                A::AssignRole {
                    organisation: "school",
                    member: true,
                },
                Yes,
            ),
            (
                "an admin takes in no outsider",
                admin(),
                A::AssignRole {
                    organisation: "school",
                    member: false,
                },
                No,
            ),
            (
                "an admin removes its people's roles",
                admin(),
                A::RemoveRole("school"),
                Yes,
            ),
            (
                "a delegate manages no people",
                delegate(),
                A::RemoveRole("school"),
                No,
            ),
            (
                "an admin does nothing for another organisation",
                admin(),
                A::RemoveRole("hosting"),
                No,
            ),
            // a proposal's author
            (
                "an author steers their proposal",
                delegate(),
                A::SteerProposal { author },
                Yes,
            ),
            (
                "others do not steer it",
                delegate(),
                A::SteerProposal {
                    author: "person:sue",
                },
                No,
            ),
            (
                "an author does not edit an application",
                delegate(),
                A::EditApplication,
                No,
            ),
            // operations: operators
            (
                "an operator reads the platform",
                op(),
                A::ReadOperations,
                Yes,
            ),
            ("an operator operates", op(), A::Operate, Yes),
            (
                "an operator reads any organisation's things",
                op(),
                A::ReadOwn(HOSTING),
                Yes,
            ),
            (
                "an operator reads unowned tenants",
                op(),
                A::ReadOwn(Owner::Nobody),
                Yes,
            ),
            (
                "an operator rotates any secret",
                op(),
                A::RotateSecret(Owner::Nobody),
                Yes,
            ),
            // operations: organisation admins
            (
                "an admin reads its own things",
                admin(),
                A::ReadOwn(SCHOOL),
                Yes,
            ),
            (
                "an admin rotates its own secrets",
                admin(),
                A::RotateSecret(SCHOOL),
                Yes,
            ),
            (
                "another organisation's things are hidden",
                admin(),
                A::ReadOwn(HOSTING),
                Hide,
            ),
            (
                "another organisation's secrets are hidden",
                admin(),
                A::RotateSecret(HOSTING),
                Hide,
            ),
            (
                "unowned tenants are hidden",
                admin(),
                A::ReadOwn(Owner::Nobody),
                Hide,
            ),
            ("an admin reads the tiers", admin(), A::ReadTiers, Yes),
            ("an admin does not operate", admin(), A::Operate, No),
            (
                "an admin does not read the platform",
                admin(),
                A::ReadOperations,
                No,
            ),
            (
                "a delegate reads its organisation's tenants not",
                delegate(),
                A::ReadOwn(SCHOOL),
                No,
            ),
            ("a delegate reads no tiers", delegate(), A::ReadTiers, No),
            (
                "an outsider is hidden everything",
                nobody(),
                A::ReadOwn(SCHOOL),
                Hide,
            ),
            // scopes
            (
                "a read-only token reads",
                read_only(op()),
                A::ReadOperations,
                Yes,
            ),
            (
                "a read-only token operates not",
                read_only(op()),
                A::Operate,
                No,
            ),
            (
                "a read-only admin token rotates nothing",
                read_only(admin()),
                A::RotateSecret(SCHOOL),
                No,
            ),
            (
                "a read-only token makes no token",
                read_only(nobody()),
                A::ManageTokensOf(Some("pat")),
                No,
            ),
            (
                "a limited operator token reads its organisation",
                limited(op(), "school"),
                A::ReadOwn(SCHOOL),
                Yes,
            ),
            (
                "a limited operator token hides others",
                limited(op(), "school"),
                A::ReadOwn(HOSTING),
                Hide,
            ),
            (
                "a limited operator token hides the unowned",
                limited(op(), "school"),
                A::ReadOwn(Owner::Nobody),
                Hide,
            ),
            (
                "a limited operator token runs no platform",
                limited(op(), "school"),
                A::Operate,
                No,
            ),
            (
                "a limited operator token lists no token",
                limited(op(), "school"),
                A::ListTokens,
                No,
            ),
            (
                "a limited operator token revokes no one's token",
                limited(op(), "school"),
                A::ManageTokensOf(None),
                No,
            ),
            (
                "a read-only operator token lists every token",
                read_only(op()),
                A::ListTokens,
                Yes,
            ),
            (
                "a limited token grants no more than its owner has",
                limited(delegate(), "school"),
                A::ReadOwn(SCHOOL),
                No,
            ),
            (
                "a limit drops the roles elsewhere",
                limited(
                    someone(&[("school", Role::Delegate), ("hosting", Role::Admin)]),
                    "school",
                ),
                A::RotateSecret(HOSTING),
                Hide,
            ),
            (
                "a limit elsewhere forbids the consortium's steps",
                limited(admin(), "hosting"),
                A::GiveNotice("school"),
                No,
            ),
        ];
        let wrong: Vec<String> = rows
            .iter()
            .filter_map(|(what, actor, action, expected)| {
                let got = decide(actor, *action);
                (got != *expected).then(|| format!("{what}: expected {expected:?}, got {got:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn an_operator_has_a_name() {
        for empty in ["", "   ", "\t"] {
            assert!(OperatorName::new(empty).is_err(), "{empty:?}");
        }
        assert!(OperatorName::new("a\nb").is_err());
        assert_eq!(op().name(), "operator:ops");
    }

    #[test]
    fn the_audit_names_a_person_by_their_handle() {
        assert_eq!(admin().name(), "person:pat");
    }
}
