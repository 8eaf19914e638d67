//! Errors as RFC 9457 problem details (`application/problem+json`), and
//! the extractors that turn a malformed request into one instead of
//! axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use billing::BillingError;
use consortium::ConsortiumError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// What went wrong, as the client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    /// The last part of the `type` URI, e.g. `not-found`.
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    /// Seconds after which a refused request may be sent again (`Retry-After`).
    pub retry_after_secs: Option<u64>,
}

/// The `type` of every problem: a URN, so it names the problem without
/// pretending to be a page.
pub const TYPE_PREFIX: &str = "urn:plenary:problem:";

impl Problem {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            kind,
            title,
            detail: detail.into(),
            retry_after_secs: None,
        }
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid bearer token is required",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The request is not valid",
            detail,
        )
    }

    /// An address that sent too many unknown tokens, refused unread.
    pub fn too_many_failures() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-failures",
            "Too many failed attempts",
            "too many requests with an unknown token came from this address; try again later",
        )
    }

    /// A token that spent its budget of requests; says when to come back.
    pub fn too_many_requests(retry_after_ms: u64) -> Self {
        let secs = retry_after_ms.div_ceil(1000).max(1);
        Self {
            retry_after_secs: Some(secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
                format!("this token sent more requests than it may; try again in {secs} s"),
            )
        }
    }

    /// A failure of ours: logged in full, reported without internals.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the request could not be completed; the error has been logged",
        )
    }
}

impl From<ConsortiumError> for Problem {
    fn from(e: ConsortiumError) -> Self {
        match e {
            ConsortiumError::NotFound(what) => Self::not_found(format!("{what} does not exist")),
            ConsortiumError::Conflict(detail) => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "Conflicts with the current state",
                detail,
            ),
            ConsortiumError::Refused(detail) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "refused",
                "The rules do not allow this",
                detail,
            ),
            ConsortiumError::Forbidden(detail) => Self::forbidden(detail),
            ConsortiumError::Invalid(detail) => Self::bad_request(detail),
            e @ ConsortiumError::Store(_) => Self::internal(&e),
        }
    }
}

impl From<store::StoreError> for Problem {
    fn from(e: store::StoreError) -> Self {
        ConsortiumError::from(e).into()
    }
}

/// RFC 9457 problem details, as every error is answered.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct Details {
    /// `urn:plenary:problem:<kind>`: unauthorized, forbidden, not-found,
    /// invalid, invalid-body, conflict, refused, too-many-failures,
    /// method-not-allowed, internal.
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = Details {
            kind: format!("{TYPE_PREFIX}{}", self.kind),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"plenary\""),
            );
        }
        response
    }
}

pub type Answer<T> = Result<T, Problem>;

/// A JSON request body; a malformed one is a 400 problem (415 when it is
/// not declared as JSON), never axum's plain-text answer.
pub struct Body<T>(pub T);

/// A JSON body that may be left out entirely (an empty request body).
pub struct MaybeBody<T>(pub Option<T>);

fn invalid_body(status: StatusCode, detail: impl Into<String>) -> Problem {
    Problem::new(
        status,
        "invalid-body",
        "The request body is not valid",
        detail,
    )
}

async fn read_json<T: DeserializeOwned, S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<Option<T>, Problem> {
    let declared_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json")
        });
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(|rejection| invalid_body(rejection.status(), rejection.body_text()))?;
    if bytes.is_empty() {
        return Ok(None);
    }
    if !declared_json {
        return Err(invalid_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON, with `Content-Type: application/json`",
        ));
    }
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        invalid_body(
            StatusCode::BAD_REQUEST,
            format!("the body is not the JSON this endpoint takes: {e}"),
        )
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        read_json(req, state)
            .await?
            .map(Self)
            .ok_or_else(|| invalid_body(StatusCode::BAD_REQUEST, "this endpoint needs a JSON body"))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for MaybeBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        read_json(req, state).await.map(Self)
    }
}

/// For a field of a patch body: left out is `None` (keep it), `null` is
/// `Some(None)` (clear it).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}

/// Path parameters; one that does not parse (a proposal ID that is not a
/// number) is a 400 problem.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|rejection| Problem::bad_request(rejection.body_text()))
    }
}

/// A query string; one that does not parse is a 400 problem.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| invalid_query(rejection.body_text()))
    }
}

fn invalid_query(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-query",
        "The query is not valid",
        detail,
    )
}

impl From<BillingError> for Problem {
    fn from(e: BillingError) -> Self {
        match e {
            BillingError::Store(e) => e.into(),
            BillingError::Period(e) => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid-period",
                "The period is not valid",
                e.to_string(),
            ),
            BillingError::Filter(detail) | BillingError::Invalid(detail) => invalid_query(detail),
            BillingError::NoTenant(t) => Self::not_found(format!("tenant {t:?} does not exist")),
            BillingError::NoOrganisation(o) => {
                Self::not_found(format!("organisation {o:?} does not exist"))
            }
            BillingError::Forbidden(why) => Self::forbidden(why),
            BillingError::NotClosed { period } => Self::not_found(format!(
                "no statement of {period} exists: the period is not closed"
            )),
            e @ BillingError::NoShare { .. } => Self::not_found(e.to_string()),
            e @ (BillingError::Time(_)
            | BillingError::CorruptStatement { .. }
            | BillingError::Csv(_)
            | BillingError::Currency(_)) => Self::internal(&e),
        }
    }
}
