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

use super::ApiState;
use super::auth::Caller;
use super::problem::{Answer, MaybeBody, Path, Problem};

/// Labels are for people to tell their tokens apart, not for documents.
const MAX_LABEL: usize = 100;

#[derive(Debug, Serialize)]
pub struct TokenView {
    /// The public ID, as the audit log names the token.
    id: String,
    /// `None` for an operator's token.
    person: Option<String>,
    label: String,
    created_at_ms: i64,
    revoked_at_ms: Option<i64>,
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        Self {
            id: t.id,
            person: t.person,
            label: t.label,
            created_at_ms: t.created_at,
            revoked_at_ms: t.revoked_at,
        }
    }
}

pub async fn list(State(state): State<ApiState>, caller: Caller) -> Answer<Json<Vec<TokenView>>> {
    let store = state.consortium.store();
    let tokens = match &caller {
        Caller::Operator { .. } => store.tokens().await?,
        Caller::Person { person, .. } => store.tokens_of(person.id).await?,
    };
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuing {
    /// Whose token: the caller's own by default.
    person: Option<String>,
    label: Option<String>,
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
    caller: Caller,
    MaybeBody(issuing): MaybeBody<Issuing>,
) -> Answer<Response> {
    let issuing = issuing.unwrap_or_default();
    let (person, label) = match &caller {
        Caller::Operator { label } => match issuing.person {
            Some(person) => (Some(person), issuing.label.unwrap_or_default()),
            None => (None, issuing.label.unwrap_or_else(|| label.clone())),
        },
        Caller::Person { person, .. } => {
            if issuing.person.as_ref().is_some_and(|p| *p != person.name) {
                return Err(Problem::forbidden(
                    "a person makes tokens only for themselves; an operator makes them for others",
                ));
            }
            (Some(person.name.clone()), issuing.label.unwrap_or_default())
        }
    };
    if label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
        return Err(Problem::bad_request(format!(
            "a label is at most {MAX_LABEL} characters of plain text"
        )));
    }
    if person.is_none() && label.trim().is_empty() {
        return Err(Problem::bad_request(
            "an operator's token needs a label: it names the operator in the audit log",
        ));
    }
    let issued = state
        .consortium
        .store()
        .issue_token(person.as_deref(), &label, &state.act(&caller))
        .await?;
    let body = Issued {
        token: issued.token,
        info: issued.info.into(),
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    // The only copy of the token must not linger in a cache on the way.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Another person's token answers as if it did not exist, so its ID
/// reveals nothing.
pub async fn revoke(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Answer<StatusCode> {
    let store = state.consortium.store();
    let missing = || Problem::not_found(format!("token {id:?} does not exist"));
    let token = match store.token(&id).await {
        Ok(token) => token,
        Err(store::StoreError::NotFound(_)) => return Err(missing()),
        Err(e) => return Err(e.into()),
    };
    let owned = match &caller {
        Caller::Operator { .. } => true,
        Caller::Person { person, .. } => token.person.as_deref() == Some(person.name.as_str()),
    };
    if !owned {
        return Err(missing());
    }
    store.revoke_token_by_id(&id, &state.act(&caller)).await?;
    Ok(StatusCode::NO_CONTENT)
}
