//! From an HTTP request to a verified call of one tenant.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use bbb::checksum::{self, SignedRequest};
use bbb::params::is_xml_text;
use bbb::{ApiError, ChecksumError, Params};
use store::Tenant;
use throttle::ClientAddr;

use crate::calls::{self, Call};
use crate::limits::too_many_requests;
use crate::{Gateway, namespace};
use bbb::answer::Answer;

/// A call whose checksum was verified, with everything handlers need.
pub(crate) struct Verified {
    pub tenant: Tenant,
    /// The tenant's own parameter rules for create and join.
    pub rules: Vec<store::ParamRule>,
    pub method: Method,
    /// Query and form parameters, checksum removed.
    pub params: Params,
    /// A body passed through to the backend (create's `<modules>`, insertDocument).
    pub body: Option<bbb::client::Body>,
}

/// Both route forms: the tenant is named by a `/t/<tenant>` path segment,
/// or else by the `Host` header.
pub(crate) async fn api(
    State(gw): State<Arc<Gateway>>,
    path: Option<Path<HashMap<String, String>>>,
    client: Option<Extension<ClientAddr>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let path = path.map(|Path(p)| p).unwrap_or_default();
    let call = path.get("call").map_or("", String::as_str);
    let tenant = path.get("tenant").map(String::as_str);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.host().map(str::to_string))
        .filter(|_| tenant.is_none());
    handle(
        &gw,
        call,
        client.map(|Extension(ClientAddr(ip))| ip),
        tenant,
        host.as_deref(),
        method,
        &uri,
        &headers,
        body,
    )
    .await
    .into_response()
}

pub(crate) async fn unsupported() -> Response {
    Answer::from(ApiError::unsupported_request()).into_response()
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    gw: &Gateway,
    call_name: &str,
    client: Option<IpAddr>,
    path_tenant: Option<&str>,
    host: Option<&str>,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let Some(call) = Call::parse(call_name) else {
        return record(None, None, ApiError::unsupported_request().into());
    };
    if call == Call::Index {
        return record(Some(call), None, calls::index());
    }
    let throttle = &gw.config.throttle;
    if client.is_some_and(|ip| throttle.is_blocked(ip)) {
        return record(Some(call), None, too_many_failures().into());
    }
    match verify(gw, call, path_tenant, host, method, uri, headers, body).await {
        Ok(v) if !gw.config.limits.tenant_rate.allow(&v.tenant.name) => {
            record(Some(call), Some(&v.tenant.name), too_many_requests().into())
        }
        Ok(v) => {
            let tenant = v.tenant.name.clone();
            let answer = calls::dispatch(gw, call, v).await;
            record(Some(call), Some(&tenant), answer)
        }
        Err(e) => {
            if let Some(ip) = client
                && e == ApiError::checksum_error()
            {
                throttle.record_failure(ip);
            }
            record(Some(call), None, e.into())
        }
    }
}

/// An address that sent too many bad checksums, refused unchecked.
fn too_many_failures() -> ApiError {
    ApiError::new(
        "tooManyFailures",
        "Too many requests with a bad checksum came from this address. Please try again later.",
    )
}

/// Counts an answer by call; names that are no BBB call share one label,
/// so random paths cannot grow `/metrics`.
fn record(call: Option<Call>, tenant: Option<&str>, answer: Answer) -> Answer {
    metrics::counter!(
        "plenary_api_requests_total",
        "call" => call.map_or("unknown", Call::name),
        "tenant" => tenant.unwrap_or("").to_string(),
        "outcome" => answer.outcome(),
    )
    .increment(1);
    answer
}

#[allow(clippy::too_many_arguments)]
async fn verify(
    gw: &Gateway,
    call: Call,
    path_tenant: Option<&str>,
    host: Option<&str>,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Verified, ApiError> {
    let body = body
        .map_err(|_| ApiError::validation("The request body is too large or could not be read."))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_ascii_lowercase());
    let body_kind = if method == Method::POST && !body.is_empty() {
        Some(
            call.accepts(content_type.as_deref())
                .ok_or_else(ApiError::unsupported_content_type)?,
        )
    } else {
        None
    };
    let raw_query = uri.query().unwrap_or("");
    let body_params = match body_kind {
        Some(BodyKind::Form) => Some(Params::parse(&String::from_utf8_lossy(&body))),
        _ => None,
    };

    let resolved = gw
        .tenant_for(host, path_tenant)
        .await
        .map_err(internal)?
        .ok_or_else(ApiError::checksum_error)?;
    let (tenant, secrets) = (&resolved.tenant, &resolved.secrets);
    checksum::verify(
        SignedRequest {
            call: call.name(),
            raw_query,
            body_params: body_params.as_ref(),
        },
        secrets.iter().map(String::as_str),
        gw.config.algorithms,
    )
    .map_err(|e| match e {
        ChecksumError::UnsignedBody => ApiError::unsigned_body(),
        _ => ApiError::checksum_error(),
    })?;
    if !tenant.enabled {
        return Err(ApiError::new(
            "tenantDisabled",
            "This API endpoint is disabled. Please contact your operator.",
        ));
    }

    // The checksum covers every parameter, those of the body included.
    let mut params = Params::parse(raw_query);
    if let Some(form) = body_params {
        params.extend(form.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    }
    params.remove("checksum");
    let body = match body_kind {
        Some(BodyKind::Xml) => Some(bbb::client::Body {
            content_type: content_type.unwrap_or_else(|| "text/xml".into()),
            bytes: body.to_vec(),
        }),
        _ => None,
    };
    Ok(Verified {
        tenant: tenant.clone(),
        rules: resolved.rules.clone(),
        method,
        params,
        body,
    })
}

/// How a POST body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// `<modules>` XML, passed through to the backend.
    Xml,
    /// Form fields, read as parameters.
    Form,
    /// Multipart, accepted as BBB does but not read.
    Multipart,
}

impl BodyKind {
    pub fn of(content_type: Option<&str>) -> Option<Self> {
        match content_type? {
            "text/xml" | "application/xml" => Some(Self::Xml),
            "application/x-www-form-urlencoded" => Some(Self::Form),
            "multipart/form-data" => Some(Self::Multipart),
            _ => None,
        }
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "store failure while answering a BBB call");
    ApiError::new(
        "internalError",
        "An internal error occurred. Please try again.",
    )
}

/// The `meetingID` parameter, present and valid for BBB after namespacing.
pub(crate) fn meeting_id(v: &Verified) -> Result<&str, ApiError> {
    let id = v
        .params
        .get_nonblank("meetingID")
        .ok_or_else(ApiError::missing_meeting_id)?;
    let max = namespace::max_meeting_id_len(&v.tenant.name);
    let len = id.chars().count();
    if !(2..=max).contains(&len) {
        return Err(ApiError::validation(format!(
            "Meeting ID must be between 2 and {max} characters"
        )));
    }
    if id.contains(',') {
        return Err(ApiError::validation("Meeting ID cannot contain ','"));
    }
    Ok(id)
}

/// Refuses parameters carrying characters XML 1.0 cannot hold: what a
/// tenant sends comes back in its answers (meeting names, metadata,
/// attendee names), which would no longer be XML.
pub(crate) fn xml_safe(params: &Params) -> Result<(), ApiError> {
    match params
        .iter()
        .find(|(k, v)| !is_xml_text(k) || !is_xml_text(v))
    {
        None => Ok(()),
        Some((key, _)) if is_xml_text(key) => Err(ApiError::validation(format!(
            "The parameter {key} contains a control character, which is not allowed"
        ))),
        Some(_) => Err(ApiError::validation(
            "A parameter name contains a control character, which is not allowed",
        )),
    }
}
