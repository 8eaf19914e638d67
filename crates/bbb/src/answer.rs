//! What a BBB API server answers over HTTP: XML (HTTP 200 even for
//! `FAILED`, as BBB does) or a redirect.

use crate::{ApiError, Element};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub enum Answer {
    Xml(Element),
    /// A document written straight out ([`crate::xml::Writer`]), and
    /// whether its `returncode` is SUCCESS.
    Written {
        xml: String,
        success: bool,
    },
    Redirect(String),
}

impl Answer {
    /// `success`, `failed` or `redirect`: the outcome label of request metrics.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Xml(el) if el.child_text("returncode").as_deref() == Some("SUCCESS") => "success",
            Self::Xml(_) | Self::Written { success: false, .. } => "failed",
            Self::Written { success: true, .. } => "success",
            Self::Redirect(_) => "redirect",
        }
    }
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Self {
        Self::Xml(e.to_element())
    }
}

impl From<Element> for Answer {
    fn from(el: Element) -> Self {
        Self::Xml(el)
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self {
            // BBB answers errors with HTTP 200 too; clients read returncode.
            Self::Xml(el) => xml_response(el.to_document()),
            Self::Written { xml, .. } => xml_response(xml),
            Self::Redirect(url) => match HeaderValue::from_str(&url) {
                Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
                Err(_) => Self::from(ApiError::validation("The redirect URL is not valid."))
                    .into_response(),
            },
        }
    }
}

fn xml_response(doc: String) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml;charset=utf-8"),
        )],
        doc,
    )
        .into_response()
}
