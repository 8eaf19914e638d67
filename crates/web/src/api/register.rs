//! The register: who is calling, the organisations, founding members,
//! applications and notice.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use consortium::access::Who;
use consortium::{Actor, Contributed, NewMember, NewOrganisation, Offered, RegisterChange};
use governance::contribution::ContributionKind;
use governance::membership::{LegalForm, OrgKind};
use serde::{Deserialize, Serialize};
use store::Organisation;
use utoipa::ToSchema;

use super::ApiState;
use super::auth::{Acting, Caller};
use super::openapi::{Conflict, Forbidden, NotFound, Refused, UnsupportedMediaType};
use super::params;
use super::problem::{Answer, Body, Path};

/// Who a token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `operator` or `person`.
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    roles: Vec<Role>,
}

/// One of a person's places in an organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RoleHeld)]
pub(super) struct Role {
    pub(super) organisation: String,
    pub(super) role: store::Role,
}

/// Who the token belongs to
///
/// An operator, or a person with their roles in their organisations. Any
/// valid token.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me)))]
pub async fn me(caller: Caller) -> Json<Me> {
    let actor = caller.as_actor();
    Json(match actor.who() {
        Who::Operator(name) => Me {
            kind: "operator",
            name: name.to_string(),
            display_name: None,
            email: None,
            roles: Vec::new(),
        },
        Who::Person { person, roles } => Me {
            kind: "person",
            name: person.name.clone(),
            display_name: Some(person.display_name.clone()),
            email: Some(person.email.clone()),
            roles: roles
                .iter()
                .map(|p| Role {
                    organisation: p.organisation.clone(),
                    role: p.role,
                })
                .collect(),
        },
    })
}

/// An organisation as the register shows it to everyone with a token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OrganisationSummary)]
pub struct Summary {
    name: String,
    legal_name: String,
    legal_form: Option<String>,
    kind: store::OrgKind,
    class: Option<String>,
    status: store::RegisterStatus,
    weight: i64,
}

impl From<&Organisation> for Summary {
    fn from(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            legal_name: o.legal_name.clone(),
            legal_form: o.legal_form.clone(),
            kind: o.kind,
            class: o.member_class.clone(),
            status: o.status,
            weight: o.weight,
        }
    }
}

/// An organisation with its history and representatives. Contact and
/// email addresses are shown only to operators and the organisation's own
/// people.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Organisation)]
pub struct Detail {
    #[serde(flatten)]
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<String>,
    history: Vec<Step>,
    representatives: Vec<Representative>,
    contributions: Vec<Contribution>,
}

/// What a member gave, as the register shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contribution {
    kind: ContributionKind,
    /// A decimal number: hours, money in the consortium's currency, or
    /// whole servers.
    amount: String,
    #[schema(format = Date)]
    day: String,
    note: String,
    recorded_by: String,
    recorded_at_ms: i64,
}

impl From<Contributed> for Contribution {
    fn from(c: Contributed) -> Self {
        Self {
            kind: c.contribution.kind,
            amount: c.contribution.amount_text(),
            day: c.contribution.day,
            note: c.contribution.note,
            recorded_by: c.recorded_by,
            recorded_at_ms: c.recorded_at,
        }
    }
}

/// A change of the organisation's standing in the register.
#[derive(Debug, Serialize, ToSchema)]
struct Step {
    at_ms: i64,
    status: String,
    effective_at_ms: i64,
    note: String,
}

/// A person who acts for the organisation, and in which role.
#[derive(Debug, Serialize, ToSchema)]
struct Representative {
    name: String,
    display_name: String,
    role: store::Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

pub(super) async fn detail(state: &ApiState, actor: &Actor, name: &str) -> Answer<Detail> {
    let steps = state.steps(actor);
    let org = steps.organisation(name).await?;
    let private = steps.sees_people_of(&org.name);
    let store = state.consortium.store();
    let history = store
        .membership_history(org.id)
        .await?
        .into_iter()
        .map(|e| Step {
            at_ms: e.at_ms,
            status: e.status,
            effective_at_ms: e.effective_at,
            note: e.note,
        })
        .collect();
    let representatives = store
        .representatives(org.id)
        .await?
        .into_iter()
        .map(|r| Representative {
            name: r.person.name,
            display_name: r.person.display_name,
            role: r.role,
            email: private.then_some(r.person.email),
        })
        .collect();
    let contributions = state
        .consortium
        .contributions(Some(&org.name))
        .await?
        .into_iter()
        .map(Contribution::from)
        .collect();
    Ok(Detail {
        summary: Summary::from(&org),
        contact: private.then(|| org.contact.clone()),
        history,
        representatives,
        contributions,
    })
}

/// The register
///
/// Every organisation in the consortium's register. Plain customers (not
/// members or applicants) are listed only to operators and their own
/// people. Any valid token.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    responses((status = 200, body = Vec<Summary>)),
)]
pub async fn list(State(state): State<ApiState>, caller: Caller) -> Answer<Json<Vec<Summary>>> {
    let orgs = state.steps(caller.as_actor()).organisations().await?;
    Ok(Json(orgs.iter().map(Summary::from).collect()))
}

/// One organisation
///
/// Register data, membership history and representatives with their
/// roles. The contact and email addresses are shown only to operators and
/// the organisation's own people. Any valid token.
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{name}",
    params(params::Org),
    responses((status = 200, body = Detail), (status = 404, response = NotFound)),
)]
pub async fn show(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Org { name }): Path<params::Org>,
) -> Answer<Json<Detail>> {
    Ok(Json(detail(&state, caller.as_actor(), &name).await?))
}

/// An organisation entering the register.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NewOrganisation)]
#[serde(deny_unknown_fields)]
pub struct Entering {
    name: String,
    /// Defaults to `name` for an organisation new to the register; one
    /// already in it keeps its own, as it keeps its contact.
    legal_name: Option<String>,
    legal_form: Option<LegalForm>,
    #[serde(default = "organisation")]
    kind: OrgKind,
    class: String,
    /// Defaults to the rules' weight for the kind.
    weight: Option<u32>,
    contact: Option<String>,
}

fn organisation() -> OrgKind {
    OrgKind::Organisation
}

impl From<Entering> for NewMember {
    fn from(e: Entering) -> Self {
        Self {
            legal_name: e.legal_name,
            legal_form: e.legal_form,
            name: e.name,
            kind: e.kind,
            class: e.class,
            weight: e.weight,
            contact: e.contact,
        }
    }
}

/// Register a founding member
///
/// Operators only (not with a read-only token or one limited to an
/// organisation), audited under their name: an organisation that is a member from now (a founder,
/// or one admitted outside the platform). The kind, class and weight are
/// checked against the rules; a federation may carry weight 2 when the
/// rules allow it.
#[utoipa::path(
    post,
    path = "/api/v1/organisations",
    request_body = Entering,
    responses(
        (status = 201, description = "Registered", body = Detail),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn admit_founder(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Body(entering): Body<Entering>,
) -> Answer<(StatusCode, Json<Detail>)> {
    let org = state
        .consortium
        .register_founder(&actor, &entering.into(), (state.clock)())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &actor, &org.name).await?),
    ))
}

/// An organisation entering the register as a customer of the co-op, not
/// a member.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NewCustomer)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    name: String,
    /// Defaults to `name`.
    legal_name: Option<String>,
    legal_form: Option<LegalForm>,
    contact: Option<String>,
}

/// Add a customer
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): an organisation that buys tenants from the co-op without
/// being a member, audited under the operator's name. A name taken answers
/// 409; a name that is no handle, 400.
#[utoipa::path(
    post,
    path = "/api/v1/customers",
    request_body = NewCustomer,
    responses(
        (status = 201, description = "Registered", body = Detail),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn add_customer(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Body(new): Body<NewCustomer>,
) -> Answer<(StatusCode, Json<Detail>)> {
    let new = NewOrganisation {
        name: new.name,
        legal_name: new.legal_name,
        legal_form: new.legal_form,
        contact: new.contact,
    };
    let org = state
        .consortium
        .add_organisation(&actor, &new, (state.clock)())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &actor, &org.name).await?),
    ))
}

/// What to change of a register entry; what is left out stays.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = RegisterPatch)]
#[serde(deny_unknown_fields)]
pub struct RegisterPatchBody {
    legal_name: Option<String>,
    legal_form: Option<LegalForm>,
    contact: Option<String>,
    /// A member class the rules know.
    class: Option<String>,
    /// A vote weight the rules allow for its kind.
    #[schema(minimum = 1)]
    weight: Option<u32>,
}

/// Change a register entry
///
/// Operators only (not with a read-only token or one limited to an
/// organisation): the legal name, legal form, contact, member class or vote
/// weight, audited under the operator's name; a class or weight is checked
/// against the rules.
#[utoipa::path(
    patch,
    path = "/api/v1/organisations/{name}",
    params(params::Org),
    request_body = RegisterPatchBody,
    responses(
        (status = 200, body = Detail),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
    ),
)]
pub async fn change(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Path(params::Org { name }): Path<params::Org>,
    Body(patch): Body<RegisterPatchBody>,
) -> Answer<Json<Detail>> {
    let change = RegisterChange {
        legal_name: patch.legal_name,
        legal_form: patch.legal_form,
        contact: patch.contact,
        class: patch.class,
        weight: patch.weight,
    };
    state
        .consortium
        .change_register(&actor, &name, &change, (state.clock)())
        .await?;
    Ok(Json(detail(&state, &actor, &name).await?))
}

/// An application to join the consortium.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    organisation: Entering,
    /// Why the organisation applies; part of the proposal's text.
    #[serde(default)]
    statement: String,
}

/// An application received.
#[derive(Debug, Serialize, ToSchema)]
pub struct Applied {
    organisation: String,
    /// The consent proposal that decides the application, already open.
    proposal_id: i64,
}

/// Apply to join
///
/// An organisation applies; it enters the register as an applicant and a
/// consent proposal to admit it opens at once, with the consortium's rules.
/// Any valid token may apply for a new organisation (tokens are issued by
/// the co-op, so someone is accountable for each application, and the
/// members decide on it anyway); applying in the name of an organisation
/// already in the register (a customer, a former member) takes one of its
/// people or an operator.
#[utoipa::path(
    post,
    path = "/api/v1/applications",
    request_body = Application,
    responses(
        (status = 201, description = "Applied; the proposal is open", body = Applied),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn apply(
    State(state): State<ApiState>,
    caller: Caller,
    Body(application): Body<Application>,
) -> Answer<(StatusCode, Json<Applied>)> {
    let name = application.organisation.name.clone();
    let proposal_id = state
        .steps(caller.as_actor())
        .apply(&application.organisation.into(), &application.statement)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Applied {
            organisation: name,
            proposal_id,
        }),
    ))
}

/// Give notice
///
/// The organisation leaves at the end of the rules' notice period and keeps
/// its vote until then. Its admin, delegate or deputy may give its notice,
/// or an operator may record one received otherwise; nobody else.
#[utoipa::path(
    post,
    path = "/api/v1/organisations/{name}/notice",
    params(params::Org),
    responses(
        (status = 200, body = Detail),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Refused),
    ),
)]
pub async fn give_notice(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Org { name }): Path<params::Org>,
) -> Answer<Json<Detail>> {
    state.steps(caller.as_actor()).give_notice(&name).await?;
    Ok(Json(detail(&state, caller.as_actor(), &name).await?))
}

/// A contribution to record.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NewContribution)]
#[serde(deny_unknown_fields)]
pub struct Contributing {
    /// `hours`, `money` or `servers`.
    kind: String,
    /// A decimal number: hours of work, money in the consortium's currency
    /// (to the cent), or whole servers hosted.
    amount: String,
    #[schema(format = Date)]
    day: String,
    note: String,
}

/// Record a contribution
///
/// Records hours of work, money or servers hosted that a member (an
/// organisation or an individual) gave, with its day and a note; shown on
/// the register. Operators only: the register is the co-op's to keep, and a
/// member's own claim is checked before it is recorded. A plain customer
/// contributes nothing to the consortium (422).
#[utoipa::path(
    post,
    path = "/api/v1/organisations/{name}/contributions",
    params(params::Org),
    request_body = Contributing,
    responses(
        (status = 201, description = "Recorded", body = Detail),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Refused),
    ),
)]
pub async fn contribute(
    State(state): State<ApiState>,
    caller: Caller,
    Path(params::Org { name }): Path<params::Org>,
    Body(c): Body<Contributing>,
) -> Answer<(StatusCode, Json<Detail>)> {
    let offered = Offered {
        kind: &c.kind,
        amount: &c.amount,
        day: &c.day,
        note: &c.note,
    };
    state
        .steps(caller.as_actor())
        .contribute(&name, &offered)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, caller.as_actor(), &name).await?),
    ))
}

/// An organisation's governance calendar
///
/// iCalendar (RFC 5545): for each open proposal with the organisation on
/// its roll, the earliest moment it may close (the end of its lead time)
/// and its voting deadline. Any valid token, as the roll of every proposal
/// is.
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{name}/calendar.ics",
    params(params::Org),
    responses(
        (status = 200, body = String, content_type = "text/calendar"),
        (status = 404, response = NotFound),
    ),
)]
pub async fn calendar(
    State(state): State<ApiState>,
    _: Caller,
    Path(params::Org { name }): Path<params::Org>,
) -> Answer<impl IntoResponse> {
    let feed = state.consortium.calendar(&name).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        feed,
    ))
}
