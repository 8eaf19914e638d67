//! The meetings running now on an organisation's tenants, each under the
//! meeting ID its front end gave it: the namespaced ID the servers know
//! stays inside Plenary. Each tenant is read through the access rules
//! first, as the API reads it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use store::Organisation;

use super::{Own, Tab, own};
use crate::portal::PortalState;
use crate::portal::page::{Nav, PageResult, render};
use crate::portal::session::Viewer;
use crate::portal::when::{remaining, utc};

/// A live meeting as the page lists it.
pub struct Live {
    pub tenant: String,
    pub meeting_id: String,
    pub started: String,
    pub running: String,
}

#[derive(Template)]
#[template(path = "portal/organisation/meetings.html")]
struct MeetingsPage {
    nav: Option<Nav>,
    org: Organisation,
    tab: Tab,
    meetings: Vec<Live>,
    now: String,
}

pub async fn page(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult {
    let Own { actor, org } = own(&state, &viewer, &name).await?;
    let consortium = &state.api.consortium;
    let now = (state.api.clock)();
    let mut meetings = Vec::new();
    for view in consortium.tenants(&actor).await? {
        if view.organisation.as_deref() != Some(org.name.as_str()) {
            continue;
        }
        for m in consortium
            .store()
            .live_meetings_of_tenant(view.tenant.id)
            .await?
        {
            meetings.push(Live {
                tenant: view.tenant.name.clone(),
                meeting_id: m.meeting_id,
                started: utc(m.created_at),
                running: remaining(now, m.created_at),
            });
        }
    }
    Ok(render(
        StatusCode::OK,
        &MeetingsPage {
            nav: Some(viewer.nav()),
            org,
            tab: Tab::Meetings,
            meetings,
            now: utc(now),
        },
    ))
}
