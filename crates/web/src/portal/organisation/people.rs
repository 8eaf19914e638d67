//! An organisation's people with their roles, and the API tokens limited
//! to it. A token is made by the consortium's procedure the API calls
//! (a person makes their own; an operator one for the organisation's
//! people), shown once on the page that answers the form, and revoked the
//! same way.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use consortium::{Action, NewToken, Scope};
use serde::Deserialize;
use store::{Organisation, TokenInfo};

use super::{Own, Tab, own};
use crate::portal::PortalState;
use crate::portal::page::{Nav, PageResult, render};
use crate::portal::session::Viewer;
use crate::portal::when::utc;

/// One of the organisation's people.
pub struct PersonLine {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
}

/// A token as listed: never the token itself.
pub struct TokenLine {
    pub info: TokenInfo,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/organisation/people.html")]
struct PeoplePage {
    nav: Option<Nav>,
    org: Organisation,
    tab: Tab,
    people: Vec<PersonLine>,
    tokens: Vec<TokenLine>,
    /// Operators name whose token they make.
    operator: bool,
    issued: Option<(String, String)>,
    csrf: String,
}

async fn people_page(
    state: &PortalState,
    viewer: &Viewer,
    own: Own,
    issued: Option<(String, String)>,
) -> PageResult {
    let consortium = &state.api.consortium;
    own.actor
        .may(Action::SeePeopleOf(&own.org.name))
        .map_err(|r| r.into_error(format!("organisation {:?}", own.org.name)))?;
    let people = consortium
        .store()
        .representatives(own.org.id)
        .await?
        .into_iter()
        .map(|r| PersonLine {
            handle: r.person.name,
            name: r.person.display_name,
            email: r.person.email,
            role: r.role.as_str(),
        })
        .collect();
    let tokens = consortium
        .tokens_of(&own.actor)
        .await?
        .into_iter()
        .filter(|t| t.scope.organisation.as_deref() == Some(own.org.name.as_str()))
        .map(|info| TokenLine {
            created: utc(info.created_at),
            revoked: info.revoked_at.map(utc),
            info,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &PeoplePage {
            nav: Some(viewer.nav()),
            operator: own.actor.is_operator(),
            org: own.org,
            tab: Tab::People,
            people,
            tokens,
            issued,
            csrf: viewer.csrf.clone(),
        },
    ))
}

pub async fn page(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult {
    let own = own(&state, &viewer, &name).await?;
    people_page(&state, &viewer, own, None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: Option<String>,
    label: Option<String>,
    /// Whose token, when an operator makes it.
    person: Option<String>,
    read_only: Option<String>,
}

/// Makes a token limited to the organisation and shows it, this once.
pub async fn issue(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    viewer.check_csrf(form.csrf.as_deref())?;
    let own = own(&state, &viewer, &name).await?;
    let new = NewToken {
        person: form.person.filter(|p| !p.is_empty()),
        operator: false,
        label: form.label.map(|l| l.trim().to_string()),
        scope: Scope {
            read_only: form.read_only.is_some(),
            organisation: Some(own.org.name.clone()),
        },
    };
    let issued = state
        .api
        .consortium
        .issue_token(&own.actor, &new, (state.api.clock)())
        .await?;
    let shown = (issued.info.id.clone(), issued.token);
    people_page(&state, &viewer, own, Some(shown)).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: Option<String>,
}

pub async fn revoke(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path((name, id)): Path<(String, String)>,
    Form(form): Form<RevokeForm>,
) -> PageResult {
    viewer.check_csrf(form.csrf.as_deref())?;
    let own = own(&state, &viewer, &name).await?;
    state
        .api
        .consortium
        .revoke_token(&own.actor, &id, (state.api.clock)())
        .await?;
    Ok(Redirect::to(&format!("/portal/organisations/{}/people", own.org.name)).into_response())
}
