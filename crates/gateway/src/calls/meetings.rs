//! `getMeetings`: the tenant's meetings only, gathered from the servers that
//! hold them, concurrently; a dead server leaves its meetings out instead of
//! failing the whole call.

use std::collections::HashSet;

use bbb::{ApiError, Element, Params};

use super::{all_failed, list_answer};
use crate::request::{Verified, internal};
use crate::{Gateway, namespace};
use bbb::answer::Answer;

const NO_MEETINGS: &str = "no meetings were found on this server";

pub(super) async fn get_meetings(gw: &Gateway, v: Verified) -> Result<Answer, ApiError> {
    let tenant = &v.tenant.name;
    if gw.config.get_meetings_disabled {
        return Ok(list_answer(
            tenant,
            "meetings",
            Vec::new(),
            "noMeetings",
            NO_MEETINGS,
        ));
    }
    let records = gw
        .store
        .live_meetings_of_tenant(v.tenant.id)
        .await
        .map_err(internal)?;
    let parents: HashSet<&str> = records
        .iter()
        .filter_map(|r| r.internal_id.as_deref())
        .collect();
    let routes = gw.callable(records.iter().map(|r| r.server_id));
    let results = gw.fan_out(&routes, "getMeetings", &Params::new()).await;
    if all_failed(&results) {
        return Err(ApiError::backend_unreachable());
    }
    let owned = |m: &Element| {
        let id = m.child_text("meetingID").unwrap_or_default();
        namespace::tenant_id(tenant, &id).is_some()
            || m.child_text("parentMeetingID")
                .is_some_and(|p| parents.contains(p.as_str()))
    };
    let meetings: Vec<Element> = results
        .into_iter()
        .filter_map(|(_, r)| r.ok())
        .filter_map(|doc| doc.child("meetings").cloned())
        .flat_map(|ms| {
            ms.elements()
                .filter(|m| owned(m))
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    Ok(list_answer(
        tenant,
        "meetings",
        meetings,
        "noMeetings",
        NO_MEETINGS,
    ))
}
