//! Live meetings: operators see them all, an organisation's admin its own
//! tenants'. Each is named by the meeting ID its tenant uses.

use axum::Json;
use axum::extract::State;
use consortium::MeetingView;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::Acting;
use super::openapi::{Forbidden, NotFound};
use super::problem::{Answer, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Which {
    /// Only this tenant's meetings.
    tenant: Option<String>,
}

/// A meeting running now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Meeting)]
pub struct MeetingBody {
    tenant: String,
    /// The ID the tenant's front end uses.
    meeting_id: String,
    server_id: i64,
    participants: i64,
    webcams: i64,
    started_at_ms: i64,
}

impl From<MeetingView> for MeetingBody {
    fn from(m: MeetingView) -> Self {
        Self {
            tenant: m.tenant,
            meeting_id: m.meeting_id,
            server_id: m.server_id,
            participants: m.participants,
            webcams: m.webcams,
            started_at_ms: m.started_at,
        }
    }
}

/// Live meetings
///
/// Operators: every meeting running now. An organisation's admin: their
/// organisations' tenants' only; with `tenant`, another organisation's
/// tenant answers 404 exactly like a missing one.
#[utoipa::path(
    get,
    path = "/api/v1/meetings",
    params(Which),
    responses(
        (status = 200, body = Vec<MeetingBody>),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn meetings(
    State(state): State<ApiState>,
    Acting(actor): Acting,
    Query(which): Query<Which>,
) -> Answer<Json<Vec<MeetingBody>>> {
    let meetings = state
        .consortium
        .live_meetings(&actor, which.tenant.as_deref())
        .await?;
    Ok(Json(meetings.into_iter().map(MeetingBody::from).collect()))
}
