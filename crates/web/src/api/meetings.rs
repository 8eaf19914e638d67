//! Live meetings: operators see them all, an organisation's admin its own
//! tenants'. Each is named by the meeting ID its tenant uses.

use axum::Json;
use axum::extract::State;
use consortium::MeetingView;
use serde::{Deserialize, Serialize};

use super::ApiState;
use super::auth::Acting;
use super::problem::{Answer, Query};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Which {
    /// Only this tenant's meetings.
    tenant: Option<String>,
}

#[derive(Debug, Serialize)]
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
