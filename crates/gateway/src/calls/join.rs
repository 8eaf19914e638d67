//! `join`: a redirect to the meeting's server, re-signed with its secret.
//! Errors are redirects too, as BBB gives them, unless `redirect=false`.

use axum::http::Method;
use bbb::ApiError;

use super::unavailable;
use crate::request::{Verified, meeting_id, xml_safe};
use crate::{Gateway, policy};
use bbb::answer::Answer;

pub(super) async fn join(gw: &Gateway, v: Verified) -> Result<Answer, ApiError> {
    let wants_xml = v
        .params
        .get("redirect")
        .is_some_and(|r| r.eq_ignore_ascii_case("false"));
    match redirect_target(gw, &v, wants_xml).await {
        Ok(answer) => Ok(answer),
        Err(e) if wants_xml => Err(e),
        Err(e) => {
            let to = v
                .params
                .get_nonblank("redirectErrorUrl")
                .unwrap_or(&gw.config.default_logout_url);
            Ok(Answer::Redirect(e.join_redirect(to)))
        }
    }
}

async fn redirect_target(gw: &Gateway, v: &Verified, wants_xml: bool) -> Result<Answer, ApiError> {
    if v.method != Method::GET {
        return Err(ApiError::unsupported_request());
    }
    let id = meeting_id(v)?;
    xml_safe(&v.params)?;
    if v.params.get_nonblank("fullName").is_none() {
        return Err(ApiError::missing_full_name());
    }
    let (record, route) = gw
        .live(v, id)
        .await?
        .ok_or_else(ApiError::invalid_meeting_identifier)?;
    if unavailable(&route) {
        return Err(ApiError::server_unavailable());
    }
    let mut params = v.params.clone();
    let tenant_policy = super::tenant_policy(v, "join");
    policy::apply(&mut params, &gw.config.join_policy, &tenant_policy, None);
    params.set("meetingID", record.backend_id.clone());
    gw.fleet.note_join(route.server_id);
    if wants_xml {
        return Ok(gw
            .forward(&v.tenant.name, &route, "join", &params, None)
            .await?
            .into());
    }
    Ok(Answer::Redirect(route.backend.signed_url("join", &params)))
}
