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
use utoipa::ToSchema;

use consortium::{NewToken, Scope};

use super::ApiState;
use super::auth::Acting;
use super::openapi::{Conflict, Forbidden, NotFound, UnsupportedMediaType};
use super::params;
use super::problem::{Answer, MaybeBody, Path};

/// A token as it is listed: never the token itself or its hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Token)]
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

/// Tokens
///
/// A person: their own tokens. Operators: every token. Revoked tokens are
/// listed too, with when they were revoked. Never the token or its full
/// hash.
#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = Vec<TokenView>)))]
pub async fn list(
    State(state): State<ApiState>,
    Acting(actor): Acting,
) -> Answer<Json<Vec<TokenView>>> {
    let tokens = state.consortium.tokens_of(&actor).await?;
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

/// A token to make.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = NewToken)]
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

/// A token just made. Not `Debug`: it holds the token.
#[derive(Serialize, ToSchema)]
#[schema(as = IssuedToken)]
struct Issued {
    /// The token itself, shown this once.
    token: String,
    #[serde(flatten)]
    info: TokenView,
}

/// Make a token
///
/// A person makes a token for themselves. An operator makes one for any
/// person, or, naming nobody, a new operator token, by default with their
/// own label (an operator's token is named by its label). The token is in
/// this answer only (`Cache-Control: no-store`); it cannot be shown again.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    request_body(content = Option<Issuing>, description = "Optional: an empty body makes a token for the caller"),
    responses(
        (status = 201, description = "Made", body = Issued),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
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

/// Revoke a token
///
/// A person revokes their own tokens; operators revoke any. It is refused
/// from the next request on. Another person's token answers 404, as if it
/// did not exist, so its ID reveals nothing; so does one already revoked.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    params(params::Token),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, response = NotFound),
    ),
)]
pub async fn revoke(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Token { id }): Path<params::Token>,
) -> Answer<StatusCode> {
    state
        .consortium
        .revoke_token(&actor, &id, (state.clock)())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
