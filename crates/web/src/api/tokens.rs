//! Bearer tokens: made here and shown once, listed by their public ID only.
//! A person manages their own tokens; operators manage everyone's. The
//! caller is looked up in the store on every request, so a revoked token
//! is refused from the next one on.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use store::TokenInfo;

use consortium::{NewToken, Scope};

use super::ApiState;
use super::auth::Acting;
use super::problem::{Answer, MaybeBody, Path};

#[derive(Debug, Serialize)]
pub struct TokenView {
    /// The public ID, as the audit log names the token.
    id: String,
    /// `None` for an operator's token.
    person: Option<String>,
    label: String,
    read_only: bool,
    /// The one organisation the token is limited to, if any.
    organisation: Option<String>,
    created_at_ms: i64,
    revoked_at_ms: Option<i64>,
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        Self {
            id: t.id,
            person: t.person,
            label: t.label,
            read_only: t.scope.read_only,
            organisation: t.scope.organisation,
            created_at_ms: t.created_at,
            revoked_at_ms: t.revoked_at,
        }
    }
}

pub async fn list(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<TokenView>>> {
    let tokens = state.consortium.tokens_of(&actor).await?;
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuing {
    /// Whose token: the caller's own by default.
    person: Option<String>,
    /// An operator's token, named by its label (the caller's own name by
    /// default).
    #[serde(default)]
    operator: bool,
    label: Option<String>,
    #[serde(default)]
    read_only: bool,
    organisation: Option<String>,
}

/// Not `Debug`: it holds the token.
#[derive(Serialize)]
struct Issued {
    /// The token itself, shown this once.
    token: String,
    #[serde(flatten)]
    info: TokenView,
}

/// A person makes tokens for themselves. An operator makes them for any
/// person, or (naming nobody) a new operator token, by default with their
/// own label: an operator's token is named by its label.
pub async fn issue(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    MaybeBody(issuing): MaybeBody<Issuing>,
) -> Answer<Response> {
    let issuing = issuing.unwrap_or_default();
    // An operator naming nobody makes an operator's token, as before.
    let operator = issuing.operator || (actor.is_operator() && issuing.person.is_none());
    let new = NewToken {
        person: issuing.person,
        operator,
        label: issuing.label,
        scope: Scope {
            read_only: issuing.read_only,
            organisation: issuing.organisation,
        },
    };
    let issued = state
        .consortium
        .issue_token(&actor, &new, (state.clock)())
        .await?;
    let body = Issued {
        token: issued.token,
        info: issued.info.into(),
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    no_store(&mut response);
    Ok(response)
}

/// The only copy of a secret must not linger in a cache on the way.
pub fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Another person's token answers as if it did not exist, so its ID
/// reveals nothing.
pub async fn revoke(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(id): Path<String>,
) -> Answer<StatusCode> {
    state
        .consortium
        .revoke_token(&actor, &id, (state.clock)())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
