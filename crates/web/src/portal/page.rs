//! What every page shares: the header's navigation, rendering a template
//! into a response, the security headers, and errors as friendly pages
//! with the status code the API would answer.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use consortium::ConsortiumError;

use crate::api::Problem;

/// No inline script or style anywhere: everything comes from
/// `/portal/assets/`, and the pages may not be framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Who is signed in, as the header shows them.
#[derive(Debug, Clone)]
pub struct Nav {
    pub who: String,
    pub operator: bool,
    /// For the sign-out form.
    pub csrf: String,
}

/// Renders `template` as a page with `status`.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a portal page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

/// Adds the headers every portal answer carries, errors included.
/// A file to save rather than a page to show.
pub fn download(body: String, content_type: &'static str, file_name: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"{file_name}\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

pub async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage<'a> {
    nav: Option<Nav>,
    status: u16,
    title: &'a str,
    detail: &'a str,
}

/// An error as a page: the API's problem, shown to a person.
#[derive(Debug)]
pub struct PageError(pub Problem);

impl PageError {
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self(Problem::forbidden(detail))
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self(Problem::not_found(detail))
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self(Problem::bad_request(detail))
    }

    /// A form that did not carry this session's token: posted from
    /// elsewhere, or from a page older than the session.
    pub fn bad_csrf() -> Self {
        Self::forbidden(
            "this form did not come from a page of this session; reload the page and send it again",
        )
    }
}

impl From<Problem> for PageError {
    fn from(p: Problem) -> Self {
        Self(p)
    }
}

impl From<ConsortiumError> for PageError {
    fn from(e: ConsortiumError) -> Self {
        Self(e.into())
    }
}

impl From<billing::BillingError> for PageError {
    fn from(e: billing::BillingError) -> Self {
        Self(e.into())
    }
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            nav: None,
            status: self.0.status.as_u16(),
            title: self.0.title,
            detail: &self.0.detail,
        };
        render(self.0.status, &page)
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;
