//! People and their roles. Operators see and manage everyone; an
//! organisation's admin manages that organisation's people and nobody
//! else's; every person sees the people of their own organisations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use consortium::{NewPerson, PersonRoles, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Caller;
use super::openapi::{Conflict, Forbidden, NotFound, UnsupportedMediaType};
use super::params;
use super::problem::{Answer, Body, Path};
use super::register::{self, Detail};

/// A person as the caller may see them. Everyone listed shares an
/// organisation with the caller (or the caller is an operator), so the
/// email is always theirs to see.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Person)]
pub struct PersonView {
    name: String,
    display_name: String,
    email: String,
    roles: Vec<register::Role>,
}

impl PersonView {
    fn of(person: &store::Person) -> Self {
        Self {
            name: person.name.clone(),
            display_name: person.display_name.clone(),
            email: person.email.clone(),
            roles: Vec::new(),
        }
    }
}

impl From<PersonRoles> for PersonView {
    fn from(PersonRoles { person, roles }: PersonRoles) -> Self {
        Self {
            roles: roles
                .into_iter()
                .map(|(organisation, role)| register::Role { organisation, role })
                .collect(),
            ..Self::of(&person)
        }
    }
}

/// People
///
/// Operators: everyone, with every role. A person: the people of the
/// organisations they hold a role in (admin, delegate or deputy), with
/// their roles there; people elsewhere, and roles elsewhere (which could
/// name plain customers), are not shown. Emails are shown only to
/// operators and people of the same organisation, which everyone listed is.
#[utoipa::path(get, path = "/api/v1/people", responses((status = 200, body = Vec<PersonView>)))]
pub async fn list(State(state): State<ApiState>, caller: Caller) -> Answer<Json<Vec<PersonView>>> {
    let people = state.steps(caller.as_actor()).people().await?;
    Ok(Json(people.into_iter().map(PersonView::from).collect()))
}

/// A person to add.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NewPerson)]
#[serde(deny_unknown_fields)]
pub struct Joining {
    name: String,
    /// Defaults to `name`.
    display_name: Option<String>,
    email: String,
    representing: Option<Place>,
}

/// The organisation a new person joins, and in which role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Place {
    organisation: String,
    role: Role,
}

/// Add a person
///
/// Operators add anyone, with or without a role. An organisation's admin
/// adds a person straight into that organisation, as `admin` or `deputy`:
/// making someone the delegate (who casts the organisation's ballot) is a
/// separate step on an existing person, `PUT
/// /api/v1/organisations/{name}/representatives/{person}`. A new person has
/// no token until an operator makes one for them.
#[utoipa::path(
    post,
    path = "/api/v1/people",
    request_body = Joining,
    responses(
        (status = 201, description = "Added", body = PersonView),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn add(
    State(state): State<ApiState>,
    caller: Caller,
    Body(joining): Body<Joining>,
) -> Answer<(StatusCode, Json<PersonView>)> {
    let new = NewPerson {
        display_name: joining.display_name.unwrap_or_else(|| joining.name.clone()),
        name: joining.name,
        email: joining.email,
        representing: joining.representing.map(|p| (p.organisation, p.role)),
    };
    let person = state.steps(caller.as_actor()).add_person(&new).await?;
    let mut view = PersonView::of(&person);
    view.roles
        .extend(new.representing.map(|(org, role)| register::Role {
            organisation: org,
            role,
        }));
    Ok((StatusCode::CREATED, Json(view)))
}

/// The role to give.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = Assignment)]
#[serde(deny_unknown_fields)]
pub struct Assigning {
    role: Role,
}

/// Give a person a role
///
/// Operators, or the organisation's admin (never another organisation's).
/// An admin changes the roles of people who already have one in the
/// organisation; bringing in someone from elsewhere (which would show the
/// admin their email) takes an operator. A new delegate makes the previous
/// one a deputy. Answers the organisation with its representatives.
#[utoipa::path(
    put,
    path = "/api/v1/organisations/{name}/representatives/{person}",
    params(params::Representative),
    request_body = Assigning,
    responses(
        (status = 200, body = Detail),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn represent(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Representative { name: org, person }): Path<params::Representative>,
    Body(assigning): Body<Assigning>,
) -> Answer<Json<Detail>> {
    state
        .steps(caller.as_actor())
        .assign_role(&org, &person, assigning.role)
        .await?;
    Ok(Json(
        register::detail(&state, caller.as_actor(), &org).await?,
    ))
}

/// Take a person's role away
///
/// Operators, or the organisation's admin (never another organisation's).
/// The person keeps their account and tokens; they no longer act for the
/// organisation.
#[utoipa::path(
    delete,
    path = "/api/v1/organisations/{name}/representatives/{person}",
    params(params::Representative),
    responses(
        (status = 204, description = "The role is gone"),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn unrepresent(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Representative { name: org, person }): Path<params::Representative>,
) -> Answer<StatusCode> {
    state
        .steps(caller.as_actor())
        .remove_role(&org, &person)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
