//! Signing in and out: e-mail and password, then the TOTP code where the
//! login has one (every operator's has), or a one-time link from a mail.
//! Failed attempts count against the account (in the store, for every
//! instance) and against the address (the API's throttle).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use consortium::access_links;
use serde::Deserialize;
use store::LoginOwner;
use throttle::ClientAddr;

use super::PortalState;
use super::credentials::{password_matches, random_token, same_token, totp_matches};
use super::page::{Nav, PageError, PageResult, render};
use super::session::{
    FORM_COOKIE, SESSION_COOKIE, SESSION_MS, Viewer, cookie, cookie_value, safe_next, with_cookie,
};
use crate::api::Problem;

/// Failed passwords an account takes in [`FAILURE_WINDOW_MS`].
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60_000;

#[derive(Template)]
#[template(path = "portal/login.html")]
struct SignInPage {
    nav: Option<Nav>,
    csrf: String,
    said: Said,
    link_minutes: i64,
}

/// What the sign-in page says and holds, besides its forms' token.
#[derive(Default)]
pub(super) struct Said {
    pub next: String,
    pub email: String,
    pub error: Option<String>,
    /// What was done, e.g. that a link is on its way.
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/second_factor.html")]
struct SecondFactorPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The form's token: the one already in the browser, or a new one.
fn form_token(headers: &HeaderMap) -> (String, bool) {
    match cookie_value(headers, FORM_COOKIE) {
        Some(t) if t.len() == 64 => (t.to_owned(), false),
        _ => (random_token(), true),
    }
}

/// Refuses a form posted before there is a session unless it carries the
/// token of the cookie set with its page.
pub(super) fn check_form_token(headers: &HeaderMap, given: Option<&str>) -> PageResult<()> {
    let expected = cookie_value(headers, FORM_COOKIE).unwrap_or_default();
    if given.is_some_and(|g| same_token(g, expected)) {
        Ok(())
    } else {
        Err(PageError::bad_csrf())
    }
}

/// A page whose forms are posted before there is a session, rendered by
/// `page` with the browser's form token (set as a cookie when it has none).
pub(super) fn with_form_token(
    state: &PortalState,
    headers: &HeaderMap,
    page: impl FnOnce(String) -> Response,
) -> Response {
    let (csrf, fresh) = form_token(headers);
    let response = page(csrf.clone());
    if fresh {
        with_cookie(
            response,
            cookie(FORM_COOKIE, Some(&csrf), state.secure_cookies),
        )
    } else {
        response
    }
}

pub(super) fn sign_in_page(
    state: &PortalState,
    headers: &HeaderMap,
    status: StatusCode,
    said: Said,
) -> Response {
    with_form_token(state, headers, |csrf| {
        render(
            status,
            &SignInPage {
                nav: None,
                csrf,
                said,
                link_minutes: access_links::ASKED_LINK_MS / 60_000,
            },
        )
    })
}

pub async fn sign_in_form(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    let said = Said {
        next: safe_next(q.next.as_deref()),
        ..Said::default()
    };
    sign_in_page(&state, &headers, StatusCode::OK, said)
}

/// Whether the account took [`MAX_FAILURES`] attempts in the window.
pub(super) fn locked(login: &store::Login, now: i64) -> bool {
    login.failures >= MAX_FAILURES && login.failures_since + FAILURE_WINDOW_MS > now
}

/// Refuses an address that failed too often, else counts this attempt
/// against it: wrong passwords and codes, and links asked for.
pub(super) fn count_attempt(state: &PortalState, ip: Option<std::net::IpAddr>) -> PageResult<()> {
    let Some(ip) = ip else { return Ok(()) };
    if state.api.throttle.is_blocked(ip) {
        return Err(Problem::too_many_failures().into());
    }
    state.api.throttle.record_failure(ip);
    Ok(())
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
    next: Option<String>,
    csrf: Option<String>,
}

pub async fn sign_in(
    State(state): State<PortalState>,
    headers: HeaderMap,
    client: Option<axum::Extension<ClientAddr>>,
    Form(form): Form<Credentials>,
) -> PageResult {
    check_form_token(&headers, form.csrf.as_deref())?;
    let ip = client.map(|c| c.0.0);
    if ip.is_some_and(|ip| state.api.throttle.is_blocked(ip)) {
        return Err(Problem::too_many_failures().into());
    }
    let next = safe_next(form.next.as_deref());
    let store = state.api.consortium.store();
    let now = (state.api.clock)();
    let login = store.login_by_email(form.email.trim()).await?;
    if login.as_ref().is_some_and(|l| locked(l, now)) {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-failures",
            "Too many failed attempts",
            "this account is locked for 15 minutes after repeated wrong passwords",
        )
        .into());
    }
    let hash = login.as_ref().and_then(|l| l.password_hash.as_deref());
    let matches = password_matches(&form.password, hash);
    let Some(login) = login.filter(|_| matches) else {
        count_attempt(&state, ip)?;
        if let Some(l) = store.login_by_email(form.email.trim()).await? {
            store
                .record_login_failure(l.id, now, FAILURE_WINDOW_MS)
                .await?;
        }
        let said = Said {
            next,
            email: form.email,
            error: Some("That e-mail address and password do not match.".into()),
            notice: None,
        };
        return Ok(sign_in_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            said,
        ));
    };
    let response = signed_in(&state, &login, next, now).await?;
    Ok(with_cookie(
        response,
        cookie(FORM_COOKIE, None, state.secure_cookies),
    ))
}

/// Starts a session for `login` and sends the browser to `next`, by way
/// of the second factor when the login has one (every operator's has).
pub(super) async fn signed_in(
    state: &PortalState,
    login: &store::Login,
    next: String,
    now: i64,
) -> PageResult {
    if matches!(login.owner, LoginOwner::Operator(_)) && login.totp_secret.is_none() {
        return Err(PageError::forbidden(
            "operators sign in with a second factor; set one with `plenary operator set-password`",
        ));
    }
    state
        .api
        .consortium
        .store()
        .clear_login_failures(login.id)
        .await?;
    let done = login.totp_secret.is_none();
    let session = start_session(state, login.id, done, now).await?;
    let to = if done {
        next.as_str()
    } else {
        "/portal/second-factor"
    };
    let response = with_cookie(Redirect::to(to).into_response(), session);
    Ok(remember_next(response, &next, state.secure_cookies))
}

/// Where a session waiting for its second factor goes afterwards.
const NEXT_COOKIE: &str = "plenary_next";

fn remember_next(response: Response, next: &str, secure: bool) -> Response {
    with_cookie(response, cookie(NEXT_COOKIE, Some(&encode(next)), secure))
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn decode(text: &str) -> String {
    form_urlencoded::parse(format!("n={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Creates a session and answers its cookie.
async fn start_session(
    state: &PortalState,
    login_id: i64,
    second_factor: bool,
    now: i64,
) -> PageResult<axum::http::HeaderValue> {
    let token = random_token();
    state
        .api
        .consortium
        .store()
        .create_session(
            &token,
            login_id,
            &random_token(),
            second_factor,
            (now, now + SESSION_MS),
        )
        .await?;
    Ok(cookie(SESSION_COOKIE, Some(&token), state.secure_cookies))
}

/// The session of a browser still owing its TOTP code.
async fn pending(state: &PortalState, headers: &HeaderMap) -> PageResult<(String, store::Session)> {
    let cookie = cookie_value(headers, SESSION_COOKIE)
        .unwrap_or_default()
        .to_owned();
    let session = state
        .api
        .consortium
        .store()
        .session(&cookie, (state.api.clock)())
        .await?
        .ok_or_else(|| PageError(Problem::unauthorized("sign in first")))?;
    Ok((cookie, session))
}

pub async fn second_factor_form(
    State(state): State<PortalState>,
    headers: HeaderMap,
) -> PageResult {
    let (_, session) = pending(&state, &headers).await?;
    Ok(render(
        StatusCode::OK,
        &SecondFactorPage {
            nav: None,
            csrf: session.csrf_token,
            error: None,
        },
    ))
}

#[derive(Deserialize)]
pub struct Code {
    code: String,
    csrf: Option<String>,
}

pub async fn second_factor(
    State(state): State<PortalState>,
    headers: HeaderMap,
    client: Option<axum::Extension<ClientAddr>>,
    Form(form): Form<Code>,
) -> PageResult {
    let (cookie_token, session) = pending(&state, &headers).await?;
    if !form
        .csrf
        .as_deref()
        .is_some_and(|g| same_token(g, &session.csrf_token))
    {
        return Err(PageError::bad_csrf());
    }
    let ip = client.map(|c| c.0.0);
    if ip.is_some_and(|ip| state.api.throttle.is_blocked(ip)) {
        return Err(Problem::too_many_failures().into());
    }
    let store = state.api.consortium.store();
    let now = (state.api.clock)();
    let secret = session.login.totp_secret.as_deref().unwrap_or_default();
    if !totp_matches(secret, &form.code, now) {
        count_attempt(&state, ip)?;
        let failures = store
            .record_login_failure(session.login.id, now, FAILURE_WINDOW_MS)
            .await?;
        if failures >= MAX_FAILURES {
            store.end_sessions_of(session.login.id).await?;
        }
        return Ok(render(
            StatusCode::UNAUTHORIZED,
            &SecondFactorPage {
                nav: None,
                csrf: session.csrf_token,
                error: Some("That code is not the current one; try the next code.".into()),
            },
        ));
    }
    store.confirm_second_factor(&cookie_token).await?;
    store.clear_login_failures(session.login.id).await?;
    let next = safe_next(cookie_value(&headers, NEXT_COOKIE).map(decode).as_deref());
    Ok(Redirect::to(&next).into_response())
}

#[derive(Deserialize)]
pub struct SignOut {
    csrf: Option<String>,
}

pub async fn sign_out(
    State(state): State<PortalState>,
    viewer: Viewer,
    Form(form): Form<SignOut>,
) -> PageResult {
    viewer.check_csrf(form.csrf.as_deref())?;
    state
        .api
        .consortium
        .store()
        .end_session(&viewer.cookie)
        .await?;
    Ok(with_cookie(
        Redirect::to("/portal/login").into_response(),
        cookie(SESSION_COOKIE, None, state.secure_cookies),
    ))
}

/// A one-time link from a mail: signs in and lands where the mail meant.
/// A login with a second factor still owes its code.
pub async fn follow_link(
    State(state): State<PortalState>,
    Path(token): Path<String>,
) -> PageResult {
    let store = state.api.consortium.store();
    let now = (state.api.clock)();
    let used = store
        .use_login_link(&token, access_links::SIGN_IN, now)
        .await?
        .ok_or_else(|| {
            PageError::not_found(
                "this sign-in link was already used or has expired; sign in with your password or ask for a new link",
            )
        })?;
    let login = store.login(used.login_id).await?;
    signed_in(&state, &login, safe_next(Some(&used.next_path)), now).await
}
