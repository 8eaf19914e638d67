//! Who is calling: the owner of the bearer token in the `Authorization`
//! header, looked up by its hash. Tokens are never read from the URL (where
//! they would end up in logs and browser histories) and never logged. An
//! address that sent too many unknown tokens is refused for a while
//! without its token being looked up.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use consortium::access::Who;
use consortium::{Actor, ConsortiumError, Voter};
use store::{Person, Representative};
use throttle::ClientAddr;

use super::ApiState;
use super::problem::Problem;

/// The caller of an authenticated endpoint.
#[derive(Debug, Clone)]
pub enum Caller {
    /// Manages the register and proposals; never votes.
    Operator { label: String },
    /// Acts only within the roles they hold in their organisations.
    Person {
        person: Person,
        roles: Vec<Representative>,
    },
}

/// What may give an organisation's notice.
pub const NOTICE_ROLES: &[&str] = &["admin", "delegate", "deputy"];

impl Caller {
    /// How the audit log names the caller.
    pub fn actor(&self) -> String {
        match self {
            Self::Operator { label } => format!("operator:{label}"),
            Self::Person { person, .. } => format!("person:{}", person.name),
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self, Self::Operator { .. })
    }

    /// Whether the caller holds one of `roles` in `org`.
    pub fn has_role(&self, org: &str, roles: &[&str]) -> bool {
        match self {
            Self::Operator { .. } => false,
            Self::Person { roles: held, .. } => held
                .iter()
                .any(|r| r.org == org && roles.contains(&r.role.as_str())),
        }
    }

    /// Whether the caller is one of `org`'s people, in any role.
    pub fn belongs_to(&self, org: &str) -> bool {
        self.has_role(org, &["admin", "delegate", "deputy"])
    }

    pub fn require_operator(&self, what: &str) -> Result<(), Problem> {
        if self.is_operator() {
            Ok(())
        } else {
            Err(Problem::forbidden(format!("only operators may {what}")))
        }
    }

    pub fn voter(&self) -> Voter {
        match self {
            Self::Operator { label } => Voter::Operator(label.clone()),
            Self::Person { person, .. } => Voter::Person(person.clone()),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(parts: &Parts) -> Result<&str, Problem> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| Problem::unauthorized("send a token as `Authorization: Bearer <token>`"))?
        .to_str()
        .map_err(|_| Problem::unauthorized("the Authorization header is not readable text"))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(Problem::unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(token)
}

/// Whether the query string tries to carry a token.
fn token_in_query(parts: &Parts) -> bool {
    parts.uri.query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some("access_token"))
    })
}

/// Who acts with the request's token, within its scope: what endpoints
/// that ask the access rules directly take.
#[derive(Debug, Clone)]
pub struct Acting(pub Actor);

impl FromRequestParts<ApiState> for Acting {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Problem> {
        if token_in_query(parts) {
            return Err(Problem::bad_request(
                "tokens are never accepted in the URL; send `Authorization: Bearer <token>` and revoke the token that was exposed",
            ));
        }
        let client = parts.extensions.get::<ClientAddr>().map(|c| c.0);
        if client.is_some_and(|ip| state.throttle.is_blocked(ip)) {
            return Err(Problem::too_many_failures());
        }
        let token = bearer(parts)?;
        match state.consortium.actor_of_token(token).await {
            Ok(Some(actor)) => {
                // Only known tokens get a budget, so unknown ones cannot
                // fill the table; they meet the failure throttle instead.
                state
                    .token_rate
                    .take(&store::token_id(token))
                    .map_err(Problem::too_many_requests)?;
                Ok(Self(actor))
            }
            Ok(None) => {
                if let Some(ip) = client {
                    state.throttle.record_failure(ip);
                }
                Err(Problem::unauthorized("the token is unknown or revoked"))
            }
            Err(ConsortiumError::Forbidden(why)) => Err(Problem::unauthorized(why)),
            Err(e) => Err(e.into()),
        }
    }
}

/// The consortium's endpoints see the caller through the token's scope:
/// the access rules say whether the request may reach them at all, and
/// only the roles within the token's organisation count.
impl FromRequestParts<ApiState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Problem> {
        let Acting(actor) = Acting::from_request_parts(parts, state).await?;
        actor
            .may_reach_consortium(!parts.method.is_safe())
            .map_err(|r| Problem::from(r.into_error("it")))?;
        match actor.who() {
            Who::Operator(name) => Ok(Self::Operator {
                label: name.to_string(),
            }),
            Who::Person { person, .. } => {
                let limit = actor.scope().organisation.as_deref();
                let roles = state
                    .consortium
                    .store()
                    .roles_of(person.id)
                    .await?
                    .into_iter()
                    .filter(|r| limit.is_none_or(|org| r.org == org))
                    .collect();
                Ok(Self::Person {
                    person: person.clone(),
                    roles,
                })
            }
        }
    }
}
