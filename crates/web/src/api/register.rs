//! The register: who is calling, the organisations, founding members,
//! applications and notice.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use consortium::{Contributed, NewMember, Offered};
use governance::contribution::ContributionKind;
use governance::membership::{LegalForm, OrgKind};
use serde::{Deserialize, Serialize};
use store::Organisation;

use super::ApiState;
use super::auth::{Caller, NOTICE_ROLES};
use super::problem::{Answer, Body, Path, Problem};

#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub(super) struct Role {
    pub(super) organisation: String,
    pub(super) role: store::Role,
}

pub async fn me(caller: Caller) -> Json<Me> {
    Json(match caller {
        Caller::Operator { label } => Me {
            kind: "operator",
            name: label,
            display_name: None,
            email: None,
            roles: Vec::new(),
        },
        Caller::Person { person, roles } => Me {
            kind: "person",
            name: person.name,
            display_name: Some(person.display_name),
            email: Some(person.email),
            roles: roles
                .into_iter()
                .map(|r| Role {
                    organisation: r.org,
                    role: r.role,
                })
                .collect(),
        },
    })
}

/// An organisation as the register shows it to everyone with a token.
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct Contribution {
    kind: ContributionKind,
    /// A decimal number: hours, money in the consortium's currency, or
    /// whole servers.
    amount: String,
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

#[derive(Debug, Serialize)]
struct Step {
    at_ms: i64,
    status: String,
    effective_at_ms: i64,
    note: String,
}

#[derive(Debug, Serialize)]
struct Representative {
    name: String,
    display_name: String,
    role: store::Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

/// Plain customers are the co-op's business, not the consortium's: only
/// operators and their own people see them.
fn visible(caller: &Caller, org: &Organisation) -> bool {
    org.status != "customer" || caller.is_operator() || caller.belongs_to(&org.name)
}

pub(super) async fn detail(state: &ApiState, caller: &Caller, name: &str) -> Answer<Detail> {
    let store = state.consortium.store();
    let org = store.organisation(name).await?;
    if !visible(caller, &org) {
        return Err(Problem::not_found(format!(
            "organisation {name:?} does not exist"
        )));
    }
    let private = caller.is_operator() || caller.belongs_to(&org.name);
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

pub async fn list(State(state): State<ApiState>, caller: Caller) -> Answer<Json<Vec<Summary>>> {
    let orgs = state.consortium.store().organisations().await?;
    Ok(Json(
        orgs.iter()
            .filter(|o| visible(&caller, o))
            .map(Summary::from)
            .collect(),
    ))
}

pub async fn show(
    State(state): State<ApiState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Answer<Json<Detail>> {
    Ok(Json(detail(&state, &caller, &name).await?))
}

/// An organisation entering the register.
#[derive(Debug, Deserialize)]
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

pub async fn admit_founder(
    State(state): State<ApiState>,
    caller: Caller,
    Body(entering): Body<Entering>,
) -> Answer<(StatusCode, Json<Detail>)> {
    caller.require_operator("register founding members")?;
    let org = state
        .consortium
        .admit_founder(&entering.into(), &state.act(&caller))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, &org.name).await?),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    organisation: Entering,
    /// Why the organisation applies; part of the proposal's text.
    #[serde(default)]
    statement: String,
}

#[derive(Debug, Serialize)]
pub struct Applied {
    organisation: String,
    /// The consent proposal that decides the application, already open.
    proposal_id: i64,
}

/// Anyone with a token may apply for a new organisation: tokens are issued
/// by the co-op, so every application has someone accountable for it, and
/// the members decide on it anyway. Applying in the name of an organisation
/// already in the register (a customer, a former member) takes one of its
/// people or an operator.
pub async fn apply(
    State(state): State<ApiState>,
    caller: Caller,
    Body(application): Body<Application>,
) -> Answer<(StatusCode, Json<Applied>)> {
    let name = application.organisation.name.clone();
    let existing = match state.consortium.store().organisation(&name).await {
        Ok(_) => true,
        Err(store::StoreError::NotFound(_)) => false,
        Err(e) => return Err(e.into()),
    };
    if existing && !caller.is_operator() && !caller.belongs_to(&name) {
        return Err(Problem::forbidden(format!(
            "only {name}'s own people or an operator may apply in its name"
        )));
    }
    let proposal_id = state
        .consortium
        .apply(
            &application.organisation.into(),
            &application.statement,
            &state.act(&caller),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Applied {
            organisation: name,
            proposal_id,
        }),
    ))
}

pub async fn give_notice(
    State(state): State<ApiState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Answer<Json<Detail>> {
    if !caller.is_operator() && !caller.has_role(&name, NOTICE_ROLES) {
        return Err(Problem::forbidden(format!(
            "only {name}'s admin, delegate or deputy (or an operator recording it) may give its notice"
        )));
    }
    state
        .consortium
        .give_notice(&name, &state.act(&caller))
        .await?;
    Ok(Json(detail(&state, &caller, &name).await?))
}

/// A contribution to record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contributing {
    kind: String,
    amount: String,
    day: String,
    note: String,
}

/// Operators record what members give: the register is the co-op's to
/// keep, and a member's own claim is checked before it is recorded.
pub async fn contribute(
    State(state): State<ApiState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(c): Body<Contributing>,
) -> Answer<(StatusCode, Json<Detail>)> {
    caller.require_operator("record contributions")?;
    let offered = Offered {
        kind: &c.kind,
        amount: &c.amount,
        day: &c.day,
        note: &c.note,
    };
    state
        .consortium
        .contribute(&name, &offered, &state.act(&caller))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, &name).await?),
    ))
}

/// An organisation's calendar of proposals' earliest closes and deadlines
/// (iCalendar); any valid token, as the roll of every proposal is.
pub async fn calendar(
    State(state): State<ApiState>,
    _: Caller,
    Path(name): Path<String>,
) -> Answer<impl IntoResponse> {
    let feed = state.consortium.calendar(&name).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        feed,
    ))
}
