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
use throttle::ClientAddr;

use super::ApiState;
use super::problem::Problem;

/// The caller of a consortium endpoint: the token's actor, once the access
/// rules let the request reach the consortium's procedures at all.
#[derive(Debug, Clone)]
pub struct Caller(Actor);

impl Caller {
    /// A caller already let in (a portal session's owner).
    pub fn new(actor: Actor) -> Self {
        Self(actor)
    }

    pub fn as_actor(&self) -> &Actor {
        &self.0
    }

    /// How the audit log names the caller.
    pub fn actor(&self) -> String {
        self.0.name()
    }

    pub fn is_operator(&self) -> bool {
        self.0.is_operator()
    }

    /// Whether the caller is one of `org`'s people, in any role.
    pub fn belongs_to(&self, org: &str) -> bool {
        self.0.belongs_to(org)
    }

    pub fn voter(&self) -> Voter {
        match self.0.who() {
            Who::Operator(name) => Voter::Operator(name.to_string()),
            Who::Person { person, .. } => Voter::Person(person.clone()),
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
        Ok(Self(actor))
    }
}
