//! What the sign-in page offers by mail: a one-time link that signs a
//! person in, and a password reset. Both forms answer the same whether or
//! not an address has a login, and asking counts as an attempt against the
//! address and the account, like a wrong password: an account that took
//! [`super::MAX_FAILURES`] attempts in the window is sent nothing more.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use consortium::access_links::{self, ASKED_LINK_MS, AccessPurpose};
use serde::Deserialize;
use store::{Act, Login, LoginOwner};
use throttle::ClientAddr;

use super::PortalState;
use super::credentials::hash_password;
use super::page::{Nav, PageError, PageResult, render};
use super::session::safe_next;
use super::sign_in::{
    FAILURE_WINDOW_MS, Said, check_form_token, count_attempt, locked, sign_in_page, with_form_token,
};

#[derive(Template)]
#[template(path = "portal/password_reset.html")]
struct ResetPage {
    nav: Option<Nav>,
    csrf: String,
    token: Option<String>,
    error: Option<String>,
    notice: Option<String>,
    link_minutes: i64,
}

#[derive(Deserialize)]
pub struct Asked {
    email: String,
    next: Option<String>,
    csrf: Option<String>,
}

/// The same answer for any address, once the form's token is checked.
fn on_its_way(email: &str, what: &str) -> String {
    format!(
        "If {email} has a login here, {what} is on its way to it. The link works once, within {} minutes.",
        ASKED_LINK_MS / 60_000
    )
}

/// Mails `purpose`'s link to the login of `email`, if there is one that
/// may still be sent one.
async fn mail_link(
    state: &PortalState,
    client: Option<axum::Extension<ClientAddr>>,
    email: &str,
    purpose: AccessPurpose,
    next: &str,
) -> PageResult<()> {
    count_attempt(state, client.map(|c| c.0.0))?;
    let store = state.api.consortium.store();
    let now = (state.api.clock)();
    let Some(login) = store.login_by_email(email.trim()).await? else {
        return Ok(());
    };
    if locked(&login, now) {
        return Ok(());
    }
    store
        .record_login_failure(login.id, now, FAILURE_WINDOW_MS)
        .await?;
    let act = Act::new(actor(&login), now);
    state
        .api
        .consortium
        .mail_access_link(&login, purpose, next, &act)
        .await?;
    Ok(())
}

/// How the audit log names a login's owner acting on their own login.
fn actor(login: &Login) -> String {
    match &login.owner {
        LoginOwner::Person(p) => format!("person:{}", p.name),
        LoginOwner::Operator(label) => format!("operator:{label}"),
    }
}

/// "Send me a link" on the sign-in page.
pub async fn ask_sign_in_link(
    State(state): State<PortalState>,
    headers: HeaderMap,
    client: Option<axum::Extension<ClientAddr>>,
    Form(form): Form<Asked>,
) -> PageResult {
    check_form_token(&headers, form.csrf.as_deref())?;
    let next = safe_next(form.next.as_deref());
    mail_link(&state, client, &form.email, AccessPurpose::SignIn, &next).await?;
    let said = Said {
        next,
        notice: Some(on_its_way(&form.email, "a sign-in link")),
        ..Said::default()
    };
    Ok(sign_in_page(&state, &headers, StatusCode::OK, said))
}

/// What the reset page shows: the form for the new password once the
/// mail's link was followed (`token`), else the form asking for the mail.
#[derive(Default)]
struct Reset {
    token: Option<String>,
    error: Option<String>,
    notice: Option<String>,
}

fn reset_page(state: &PortalState, headers: &HeaderMap, status: StatusCode, r: Reset) -> Response {
    with_form_token(state, headers, |csrf| {
        render(
            status,
            &ResetPage {
                nav: None,
                csrf,
                token: r.token,
                error: r.error,
                notice: r.notice,
                link_minutes: ASKED_LINK_MS / 60_000,
            },
        )
    })
}

pub async fn ask_reset_form(State(state): State<PortalState>, headers: HeaderMap) -> Response {
    reset_page(&state, &headers, StatusCode::OK, Reset::default())
}

pub async fn ask_reset(
    State(state): State<PortalState>,
    headers: HeaderMap,
    client: Option<axum::Extension<ClientAddr>>,
    Form(form): Form<Asked>,
) -> PageResult {
    check_form_token(&headers, form.csrf.as_deref())?;
    mail_link(
        &state,
        client,
        &form.email,
        AccessPurpose::PasswordReset,
        "/portal",
    )
    .await?;
    let notice = on_its_way(&form.email, "a link to choose a new password");
    let r = Reset {
        notice: Some(notice),
        ..Reset::default()
    };
    Ok(reset_page(&state, &headers, StatusCode::OK, r))
}

/// The form a reset link opens. Showing it does not use the link up:
/// only choosing the password does.
pub async fn choose_form(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let r = Reset {
        token: Some(token),
        ..Reset::default()
    };
    reset_page(&state, &headers, StatusCode::OK, r)
}

#[derive(Deserialize)]
pub struct Chosen {
    password: String,
    again: String,
    csrf: Option<String>,
}

/// Sets the new password, ends every session of the login and sends the
/// person to sign in with it.
pub async fn choose(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<Chosen>,
) -> PageResult {
    check_form_token(&headers, form.csrf.as_deref())?;
    let refuse = |error: String| {
        let r = Reset {
            token: Some(token.clone()),
            error: Some(error),
            notice: None,
        };
        reset_page(&state, &headers, StatusCode::BAD_REQUEST, r)
    };
    if form.password != form.again {
        return Ok(refuse("The two passwords differ.".into()));
    }
    let hash = match hash_password(&form.password) {
        Ok(hash) => hash,
        Err(e) => return Ok(refuse(format!("Not changed: {e}."))),
    };
    let store = state.api.consortium.store();
    let now = (state.api.clock)();
    let used = store
        .use_login_link(&token, access_links::PASSWORD_RESET, now)
        .await?
        .ok_or_else(|| {
            PageError::not_found(
                "this link was already used or has expired; ask for a new one on the sign-in page",
            )
        })?;
    let login = store.login(used.login_id).await?;
    store
        .set_login(
            &login.email,
            &login.owner,
            &hash,
            &Act::new(actor(&login), now),
        )
        .await?;
    store.end_sessions_of(login.id).await?;
    let said = Said {
        next: "/portal".into(),
        email: login.email,
        notice: Some(
            "Your password is changed, and every browser signed in with the old one is signed out. Sign in with the new one."
                .into(),
        ),
        ..Said::default()
    };
    Ok(sign_in_page(&state, &headers, StatusCode::OK, said))
}
