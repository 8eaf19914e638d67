//! Recordings stay on the servers that recorded them: lists are gathered from
//! every server that held a meeting of the tenant, and changes are routed to
//! the server holding each recording. A recording of another tenant is
//! answered exactly like one that does not exist.

use std::collections::HashMap;

use bbb::{ApiError, Element, Params};

use super::{all_failed, list_answer};
use crate::request::{Verified, internal, xml_safe};
use crate::{Gateway, namespace};
use bbb::answer::Answer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Publish,
    Update,
    Delete,
}

impl Change {
    fn call(self) -> &'static str {
        match self {
            Self::Publish => "publishRecordings",
            Self::Update => "updateRecordings",
            Self::Delete => "deleteRecordings",
        }
    }

    /// The element of a successful answer: `<published>`, `<updated>`, `<deleted>`.
    fn answer_field(self) -> &'static str {
        match self {
            Self::Publish => "published",
            Self::Update => "updated",
            Self::Delete => "deleted",
        }
    }
}

const NO_RECORDINGS: &str = "There are no recordings for the meeting(s).";

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty())
}

fn owned(tenant: &str, recording: &Element) -> bool {
    let id = recording.child_text("meetingID").unwrap_or_default();
    namespace::tenant_id(tenant, &id).is_some()
}

/// The tenant's recordings matching `params`, each with the server holding it.
async fn find(
    gw: &Gateway,
    v: &Verified,
    mut params: Params,
) -> Result<Vec<(fleet::Route, Element)>, ApiError> {
    let tenant = &v.tenant.name;
    if let Some(ids) = params.get("meetingID").map(str::to_string) {
        let mapped: Vec<String> = split_list(&ids)
            .map(|id| namespace::backend_id(tenant, id))
            .collect();
        params.set("meetingID", mapped.join(","));
    }
    let servers = gw
        .store
        .servers_of_tenant(v.tenant.id)
        .await
        .map_err(internal)?;
    let routes = gw.callable(servers);
    let results = gw.fan_out(&routes, "getRecordings", &params).await;
    if all_failed(&results) {
        return Err(ApiError::backend_unreachable());
    }
    Ok(results
        .into_iter()
        .filter_map(|(route, r)| r.ok().map(|doc| (route, doc)))
        .flat_map(|(route, doc)| {
            doc.child("recordings")
                .map(|rs| {
                    rs.elements()
                        .filter(|r| owned(tenant, r))
                        .map(|r| (route.clone(), r.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect())
}

pub(super) async fn get(gw: &Gateway, v: Verified) -> Result<Answer, ApiError> {
    let mut params = v.params.clone();
    // Paging applies to the merged list, not per server.
    let offset = params
        .get("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let limit = params.get("limit").and_then(|l| l.parse().ok());
    params.remove("offset");
    params.remove("limit");
    let found = find(gw, &v, params).await?;
    let page: Vec<Element> = found
        .into_iter()
        .map(|(_, r)| r)
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    Ok(list_answer(
        &v.tenant.name,
        "recordings",
        page,
        "noRecordings",
        NO_RECORDINGS,
    ))
}

pub(super) async fn change(gw: &Gateway, v: Verified, change: Change) -> Result<Answer, ApiError> {
    let ids: Vec<String> = v
        .params
        .get("recordID")
        .map(|r| split_list(r).map(str::to_string).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(ApiError::missing_record_id());
    }
    if change == Change::Publish && v.params.get_nonblank("publish").is_none() {
        return Err(ApiError::missing_publish());
    }
    // updateRecordings' metadata comes back in getRecordings.
    xml_safe(&v.params)?;
    let mut lookup = Params::new();
    lookup.push("recordID", ids.join(","));
    lookup.push("state", "any");
    let found = find(gw, &v, lookup).await?;
    let mut by_server: HashMap<i64, (fleet::Route, Vec<String>)> = HashMap::new();
    for id in &ids {
        let (route, _) = found
            .iter()
            .find(|(_, r)| r.child_text("recordID").as_deref() == Some(id.as_str()))
            .ok_or_else(ApiError::recordings_not_found)?;
        by_server
            .entry(route.server_id)
            .or_insert_with(|| (route.clone(), Vec::new()))
            .1
            .push(id.clone());
    }
    let mut value = String::from("true");
    for (route, server_ids) in by_server.into_values() {
        let mut params = v.params.clone();
        params.set("recordID", server_ids.join(","));
        let el = gw
            .forward(&v.tenant.name, &route, change.call(), &params, None)
            .await?;
        if el.child_text("returncode").as_deref() != Some("SUCCESS") {
            return Ok(el.into());
        }
        value = el.child_text(change.answer_field()).unwrap_or(value);
    }
    Ok(bbb::error::success()
        .with(change.answer_field(), value)
        .into())
}
