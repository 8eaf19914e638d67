//! Bearer tokens, made and revoked the same way from every face: a person
//! makes their own, an operator anyone's, and an operator's token always
//! carries the operator's name (its label), which the audit log shows.

use store::{Act, IssuedToken, TokenInfo, TokenOwner, TokenScope};

use crate::access::{Action, Actor, OperatorName, Refusal, Scope, Who};
use crate::{Consortium, ConsortiumError, Result};

/// Labels are for people to tell their tokens apart, not for documents.
pub const MAX_LABEL: usize = 100;

/// A token to make.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewToken {
    /// Whose: the actor's own by default; `None` from an operator with
    /// `operator` set makes an operator's token.
    pub person: Option<String>,
    /// An operator's token: for the operator named by `label`.
    pub operator: bool,
    /// For an operator's token, the operator's name (the acting operator's
    /// own by default); otherwise what the token is for.
    pub label: Option<String>,
    pub scope: Scope,
}

impl Consortium {
    /// Who acts with `token`, within the token's scope; `None` when the
    /// token is unknown or revoked. An operator's token without a name
    /// (made before names were required) acts for nobody, so every audited
    /// change names someone.
    pub async fn actor_of_token(&self, token: &str) -> Result<Option<Actor>> {
        let Some(grant) = self.store.token_grant(token).await? else {
            return Ok(None);
        };
        let actor = match grant.owner {
            TokenOwner::Operator { label } => Actor::operator(OperatorName::new(&label).map_err(|_| {
                ConsortiumError::Forbidden(
                    "this operator token names nobody for the audit log; make one with a label and revoke this one"
                        .into(),
                )
            })?),
            TokenOwner::Person(person) => {
                let roles = self.store.roles_of(person.id).await?;
                Actor::person(person, &roles)
            }
        };
        Ok(Some(actor.scoped(Scope {
            read_only: grant.scope.read_only,
            organisation: grant.scope.organisation,
        })))
    }

    /// Makes a token, shown this once. A token is never wider than the
    /// token that makes it, nor than its owner: an organisation limit
    /// needs the person to hold a role there.
    pub async fn issue_token(
        &self,
        actor: &Actor,
        new: &NewToken,
        at_ms: i64,
    ) -> Result<IssuedToken> {
        let person = match (&new.person, new.operator) {
            (Some(_), true) => {
                return Err(ConsortiumError::Invalid(
                    "a token is a person's or an operator's, not both".into(),
                ));
            }
            (Some(p), false) => Some(p.clone()),
            (None, true) => None,
            (None, false) => match actor.person_acting() {
                Some(p) => Some(p.name.clone()),
                None => {
                    return Err(ConsortiumError::Invalid(
                        "say whose token: a person's, or an operator's".into(),
                    ));
                }
            },
        };
        actor
            .may(Action::ManageTokensOf(person.as_deref()))
            .map_err(|r| r.into_error("token"))?;
        let label = match (&person, &new.label) {
            (_, Some(label)) => label.clone(),
            (None, None) => match actor.who() {
                Who::Operator(name) => name.to_string(),
                Who::Person { .. } => String::new(),
            },
            (Some(_), None) => String::new(),
        };
        check_label(&label)?;
        if person.is_none() {
            OperatorName::new(&label).map_err(|_| {
                ConsortiumError::Invalid(
                    "an operator's token needs a label: it names the operator in the audit log"
                        .into(),
                )
            })?;
        }
        let scope = narrowed(actor.scope(), &new.scope)?;
        if let (Some(org), Some(name)) = (&scope.organisation, &person) {
            let holder = self.store.person(name).await?;
            let roles = self.store.roles_of(holder.id).await?;
            if !roles.iter().any(|r| &r.org == org) {
                return Err(ConsortiumError::Forbidden(format!(
                    "{name} holds no role in {org}: a token never grants more than its person has"
                )));
            }
        }
        let stored = TokenScope {
            read_only: scope.read_only,
            organisation: scope.organisation,
        };
        Ok(self
            .store
            .issue_scoped_token(
                person.as_deref(),
                &label,
                &stored,
                &Act::new(actor.name(), at_ms),
            )
            .await?)
    }

    /// The tokens the actor manages: an operator's are everyone's.
    pub async fn tokens_of(&self, actor: &Actor) -> Result<Vec<TokenInfo>> {
        match actor.person_acting() {
            Some(person) if !actor.is_operator() => Ok(self.store.tokens_of(person.id).await?),
            _ => {
                actor
                    .may(Action::ListTokens)
                    .map_err(|r| r.into_error("token"))?;
                Ok(self.store.tokens().await?)
            }
        }
    }

    /// Revokes a token by its public ID. Another person's token answers as
    /// if it did not exist, so its ID reveals nothing.
    pub async fn revoke_token(&self, actor: &Actor, id: &str, at_ms: i64) -> Result<()> {
        let missing = || ConsortiumError::NotFound(format!("token {id:?}"));
        let token = self.store.token(id).await.map_err(|e| match e {
            store::StoreError::NotFound(_) => missing(),
            e => e.into(),
        })?;
        match actor.may(Action::ManageTokensOf(token.person.as_deref())) {
            Ok(()) => {}
            // A read-only token is told so; anyone else's token stays unknown.
            Err(Refusal::Forbidden(why)) if actor.scope().read_only => {
                return Err(ConsortiumError::Forbidden(why));
            }
            Err(_) => return Err(missing()),
        }
        Ok(self
            .store
            .revoke_token_by_id(id, &Act::new(actor.name(), at_ms))
            .await?)
    }
}

fn check_label(label: &str) -> Result<()> {
    if label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
        return Err(ConsortiumError::Invalid(format!(
            "a label is at most {MAX_LABEL} characters of plain text"
        )));
    }
    Ok(())
}

/// The scope asked for, within the scope of the token asking.
fn narrowed(within: &Scope, asked: &Scope) -> Result<Scope> {
    let organisation = match (&within.organisation, &asked.organisation) {
        (Some(limit), Some(org)) if limit != org => {
            return Err(ConsortiumError::Forbidden(format!(
                "this token is limited to {limit}, and so is every token it makes"
            )));
        }
        (Some(limit), _) => Some(limit.clone()),
        (None, asked) => asked.clone(),
    };
    Ok(Scope {
        read_only: within.read_only || asked.read_only,
        organisation,
    })
}
