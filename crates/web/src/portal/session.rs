//! Signed-in browsers. The cookie holds a random token whose SHA-256 the
//! store keeps, so any instance serves the session; it is `HttpOnly`,
//! `SameSite=Lax` and `Secure`. `Secure` is left off only when Plenary's
//! public address is plain `http://` on a loopback host (the demo and the
//! tests), where a browser would otherwise never send it back. Every form
//! carries the session's CSRF token; the sign-in form, before there is a
//! session, carries a token that must equal a cookie set with the page.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use store::{Login, LoginOwner};

use super::PortalState;
use super::credentials::same_token;
use super::page::{Nav, PageError};
use crate::api::Caller;
use consortium::Actor;
use consortium::access::OperatorName;

pub const SESSION_COOKIE: &str = "plenary_session";
/// The sign-in form's token, before there is a session.
pub const FORM_COOKIE: &str = "plenary_form";
/// How long a session lasts.
pub const SESSION_MS: i64 = 12 * 3_600_000;

/// Whether cookies must be `Secure` for a portal at `public_url`.
pub fn secure_cookies(public_url: &str) -> bool {
    let Some(rest) = public_url.strip_prefix("http://") else {
        return true;
    };
    let host = rest.split('/').next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    !matches!(host, "localhost" | "[::1]") && !host.starts_with("127.")
}

/// A `Set-Cookie` value for `name`; `None` clears it.
pub fn cookie(name: &str, value: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = match value {
        Some(v) => format!(
            "{name}={v}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            SESSION_MS / 1000
        ),
        None => format!("{name}=; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).expect("cookie values are hex or URL-encoded ASCII")
}

/// Adds `cookie` to `response`.
pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}

/// The value of cookie `name` in the request.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A path inside the portal to return to, or the portal's front page:
/// never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/portal") && !n.contains("//") && !n.contains('\\') => n.into(),
        _ => "/portal".into(),
    }
}

/// The signed-in person or operator of a request, with both factors given.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub login: Login,
    pub caller: Caller,
    pub csrf: String,
    pub cookie: String,
}

impl Viewer {
    pub fn nav(&self) -> Nav {
        Nav {
            who: match &self.login.owner {
                LoginOwner::Person(p) => p.display_name.clone(),
                LoginOwner::Operator(label) => format!("{label} (operator)"),
            },
            operator: self.caller.is_operator(),
            csrf: self.csrf.clone(),
        }
    }

    /// Refuses a form whose token is not this session's.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), PageError> {
        if given.is_some_and(|g| same_token(g, &self.csrf)) {
            Ok(())
        } else {
            Err(PageError::bad_csrf())
        }
    }

    /// The viewer as the access rules and service functions see them.
    pub fn actor(&self) -> &Actor {
        self.caller.as_actor()
    }

    pub fn require_operator(&self) -> Result<(), PageError> {
        if self.caller.is_operator() {
            Ok(())
        } else {
            Err(PageError::forbidden("only operators may see this page"))
        }
    }
}

fn to_sign_in(parts: &Parts) -> Response {
    let here = parts.uri.path_and_query().map_or("/portal", |p| p.as_str());
    let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(&format!("/portal/login?next={next}")).into_response()
}

impl FromRequestParts<PortalState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &PortalState) -> Result<Self, Response> {
        let Some(cookie) = cookie_value(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(to_sign_in(parts));
        };
        let store = state.api.consortium.store();
        let now = (state.api.clock)();
        let session = store
            .session(&cookie, now)
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        let Some(session) = session else {
            return Err(to_sign_in(parts));
        };
        if !session.second_factor {
            return Err(Redirect::to("/portal/second-factor").into_response());
        }
        let actor = match &session.login.owner {
            LoginOwner::Operator(label) => Actor::operator(
                OperatorName::new(label).map_err(|e| PageError::from(e).into_response())?,
            ),
            LoginOwner::Person(person) => Actor::person(
                person.clone(),
                &store
                    .roles_of(person.id)
                    .await
                    .map_err(|e| PageError::from(e).into_response())?,
            ),
        };
        let caller = Caller::new(actor);
        Ok(Self {
            login: session.login,
            caller,
            csrf: session.csrf_token,
            cookie,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_except_on_plain_http_loopback() {
        assert!(secure_cookies("https://plenary.example"));
        assert!(secure_cookies("http://plenary.example"));
        assert!(secure_cookies("http://10.0.0.1:8080"));
        assert!(!secure_cookies("http://127.0.0.1:8080"));
        assert!(!secure_cookies("http://localhost:3000/"));
        assert!(!secure_cookies("http://[::1]:3000"));
    }

    #[test]
    fn a_return_path_never_leaves_the_portal() {
        assert_eq!(
            safe_next(Some("/portal/proposals/3")),
            "/portal/proposals/3"
        );
        assert_eq!(safe_next(Some("https://evil.example")), "/portal");
        assert_eq!(safe_next(Some("/portal//evil.example")), "/portal");
        assert_eq!(safe_next(Some("/api/v1/me")), "/portal");
        assert_eq!(safe_next(None), "/portal");
    }
}
