//! The application form for organisations that want to join. It is public:
//! an organisation that applies has nobody with a login yet. What it sends
//! is lodged only once the address it gives follows the mailed link, and
//! sending counts against the client's address like a failed sign-in.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use consortium::ConsortiumError;
use consortium::applications::{Application, CONFIRM_WITHIN_MS};
use consortium::register::NewMember;
use governance::membership::{LegalForm, OrgKind};
use serde::Deserialize;
use throttle::ClientAddr;

use super::PortalState;
use super::page::{Nav, PageError, PageResult, render};
use super::sign_in::{check_form_token, count_attempt, with_form_token};

/// What the form holds, to show it again with its error.
#[derive(Debug, Default, Deserialize)]
pub struct Asked {
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_name: String,
    #[serde(default)]
    legal_form: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    statement: String,
    csrf: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/apply.html")]
struct ApplyPage {
    nav: Option<Nav>,
    csrf: String,
    asked: Asked,
    classes: Vec<String>,
    legal_forms: Vec<&'static str>,
    error: Option<String>,
    sent_to: Option<String>,
    confirm_hours: i64,
}

async fn page(
    state: &PortalState,
    headers: &HeaderMap,
    status: StatusCode,
    asked: Asked,
    said: (Option<String>, Option<String>),
) -> PageResult {
    let rules = state.api.consortium.rules().await?;
    let (error, sent_to) = said;
    Ok(with_form_token(state, headers, |csrf| {
        render(
            status,
            &ApplyPage {
                nav: None,
                csrf,
                asked,
                classes: rules.member_classes.into_iter().collect(),
                legal_forms: LegalForm::ALL.iter().map(|f| f.as_str()).collect(),
                error,
                sent_to,
                confirm_hours: CONFIRM_WITHIN_MS / 3_600_000,
            },
        )
    }))
}

pub async fn form(State(state): State<PortalState>, headers: HeaderMap) -> PageResult {
    page(
        &state,
        &headers,
        StatusCode::OK,
        Asked::default(),
        (None, None),
    )
    .await
}

fn application(asked: &Asked) -> Result<Application, String> {
    let legal_form = match asked.legal_form.as_str() {
        "" => None,
        form => Some(form.parse::<LegalForm>().map_err(|e| e.to_string())?),
    };
    let legal_name = asked.legal_name.trim();
    Ok(Application {
        member: NewMember {
            name: asked.name.trim().to_string(),
            legal_name: (!legal_name.is_empty()).then(|| legal_name.to_string()),
            legal_form,
            kind: if legal_form == Some(LegalForm::Federation) {
                OrgKind::Federation
            } else {
                OrgKind::Organisation
            },
            class: asked.class.clone(),
            weight: None,
            contact: None,
        },
        statement: asked.statement.trim().to_string(),
    })
}

pub async fn send(
    State(state): State<PortalState>,
    headers: HeaderMap,
    client: Option<axum::Extension<ClientAddr>>,
    Form(asked): Form<Asked>,
) -> PageResult {
    check_form_token(&headers, asked.csrf.as_deref())?;
    count_attempt(&state, client.map(|c| c.0.0))?;
    let refused = |why: String| (Some(why), None);
    let now = (state.api.clock)();
    let email = asked.email.trim().to_string();
    let outcome = match application(&asked) {
        Err(why) => Err(refused(why)),
        Ok(app) => match state
            .api
            .consortium
            .request_application(&app, &email, now)
            .await
        {
            Ok(()) => Ok(()),
            Err(
                e @ (ConsortiumError::Invalid(_)
                | ConsortiumError::Refused(_)
                | ConsortiumError::Conflict(_)),
            ) => Err(refused(e.to_string())),
            Err(e) => return Err(e.into()),
        },
    };
    match outcome {
        Ok(()) => {
            page(
                &state,
                &headers,
                StatusCode::OK,
                Asked::default(),
                (None, Some(email)),
            )
            .await
        }
        Err(said) => {
            page(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                asked,
                said,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/apply_confirm.html")]
struct ConfirmPage {
    nav: Option<Nav>,
    csrf: String,
    token: String,
    proposal: Option<i64>,
}

#[derive(Deserialize)]
pub struct Confirmed {
    csrf: Option<String>,
}

/// The link asks before it lodges: mail scanners follow links, and an
/// application must not be sent by one.
pub async fn confirm_form(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> PageResult {
    let now = (state.api.clock)();
    if !state.api.consortium.application_waits(&token, now).await? {
        return Err(PageError::not_found(
            "this confirmation link is unknown, used or expired: apply again to get a new one",
        ));
    }
    Ok(with_form_token(&state, &headers, |csrf| {
        render(
            StatusCode::OK,
            &ConfirmPage {
                nav: None,
                csrf,
                token,
                proposal: None,
            },
        )
    }))
}

pub async fn confirm(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(confirmed): Form<Confirmed>,
) -> PageResult<Response> {
    check_form_token(&headers, confirmed.csrf.as_deref())?;
    let now = (state.api.clock)();
    let id = state
        .api
        .consortium
        .confirm_application(&token, now)
        .await?;
    Ok(render(
        StatusCode::OK,
        &ConfirmPage {
            nav: None,
            csrf: String::new(),
            token: String::new(),
            proposal: Some(id),
        },
    ))
}
