//! The recording calls. Plenary's index answers for every recording it
//! imported ([`crate::recordings`]): once imported, the index is
//! authoritative (what the tenant publishes, updates or deletes changes the
//! index, and the server's copy is never asked again). Recordings not yet
//! imported stay on the servers that recorded them: they are gathered from
//! every server that held a meeting of the tenant, and changes are routed
//! to the server holding each. A list is the index's recordings first, then
//! the servers' others, and is paged as one. A recording of another tenant
//! is answered exactly like one that does not exist.

use std::collections::{HashMap, HashSet};

use bbb::{ApiError, Element, Params};
use store::RecordingRow;

use super::{all_failed, list_answer};
use crate::recordings::index;
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
    if params.contains("meetingID") {
        let mapped: Vec<String> = params
            .list("meetingID")
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
    let indexed = gw
        .store
        .tenant_recordings(v.tenant.id)
        .await
        .map_err(internal)?;
    let query = index::Query::from_params(&params);
    let base = &gw.config.recordings.public_url;
    let mut items: Vec<Element> = indexed
        .iter()
        .filter(|r| query.matches(r))
        .map(|r| index::element(r, base, &v.tenant.name))
        .collect();
    let known: HashSet<&str> = indexed.iter().map(|r| r.record_id.as_str()).collect();
    // Imported recordings (deleted ones included) are the index's alone:
    // the servers, which may be gone, are asked only for the record IDs it
    // does not know, and not at all when it knows every one named.
    let named: Vec<String> = params.list("recordID").map(str::to_string).collect();
    if !named.is_empty() {
        let unknown: Vec<String> = named
            .into_iter()
            .filter(|id| !known.contains(id.as_str()))
            .collect();
        if unknown.is_empty() {
            return Ok(page(&v.tenant.name, items, offset, limit));
        }
        params.set("recordID", unknown.join(","));
    }
    match find(gw, &v, params).await {
        Ok(found) => items.extend(
            found
                .into_iter()
                .map(|(_, r)| r)
                .filter(|r| !known.contains(r.child_text("recordID").unwrap_or_default().as_str())),
        ),
        // The index still answers when every server holding the rest is unreachable.
        Err(e) if items.is_empty() => return Err(e),
        Err(_) => {
            tracing::warn!(tenant = %v.tenant.name, "recordings listed from the index only: no server answered")
        }
    }
    Ok(page(&v.tenant.name, items, offset, limit))
}

/// One page of the merged list, as BBB answers it.
fn page(tenant: &str, items: Vec<Element>, offset: usize, limit: Option<usize>) -> Answer {
    let page = items
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    list_answer(tenant, "recordings", page, "noRecordings", NO_RECORDINGS)
}

pub(super) async fn change(gw: &Gateway, v: Verified, change: Change) -> Result<Answer, ApiError> {
    let ids: Vec<String> = v.params.list("recordID").map(str::to_string).collect();
    if ids.is_empty() {
        return Err(ApiError::missing_record_id());
    }
    let publish = match change {
        Change::Publish => Some(
            v.params
                .get_nonblank("publish")
                .ok_or_else(ApiError::missing_publish)?
                .eq_ignore_ascii_case("true"),
        ),
        _ => None,
    };
    // updateRecordings' metadata comes back in getRecordings.
    xml_safe(&v.params)?;
    let indexed = gw
        .store
        .tenant_recordings(v.tenant.id)
        .await
        .map_err(internal)?;
    let mut mine: Vec<&RecordingRow> = Vec::new();
    let mut on_servers: Vec<&String> = Vec::new();
    for id in &ids {
        match indexed.iter().find(|r| &r.record_id == id) {
            Some(r) if r.deleted => return Err(ApiError::recordings_not_found()),
            Some(r) => mine.push(r),
            None => on_servers.push(id),
        }
    }
    // Everything is found before anything changes.
    let by_server = if on_servers.is_empty() {
        HashMap::new()
    } else {
        servers_holding(gw, &v, &on_servers).await?
    };
    for r in mine {
        change_indexed(gw, &v, r, change, publish).await?;
    }
    let mut value = match publish {
        Some(p) => p.to_string(),
        None => "true".to_string(),
    };
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

/// The servers holding each of the tenant's recordings `ids`; `notFound`
/// if one of them is on none.
async fn servers_holding(
    gw: &Gateway,
    v: &Verified,
    ids: &[&String],
) -> Result<HashMap<i64, (fleet::Route, Vec<String>)>, ApiError> {
    let joined: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
    let mut lookup = Params::new();
    lookup.push("recordID", joined.join(","));
    lookup.push("state", "any");
    let found = find(gw, v, lookup).await?;
    let mut by_server: HashMap<i64, (fleet::Route, Vec<String>)> = HashMap::new();
    for id in ids {
        let (route, _) = found
            .iter()
            .find(|(_, r)| r.child_text("recordID").as_deref() == Some(id.as_str()))
            .ok_or_else(ApiError::recordings_not_found)?;
        by_server
            .entry(route.server_id)
            .or_insert_with(|| (route.clone(), Vec::new()))
            .1
            .push((*id).clone());
    }
    Ok(by_server)
}

/// One change to an imported recording, in the index (and, for a
/// deletion, its files first, so that nothing listed is missing).
async fn change_indexed(
    gw: &Gateway,
    v: &Verified,
    r: &RecordingRow,
    change: Change,
    publish: Option<bool>,
) -> Result<(), ApiError> {
    let now = gw.fleet.now_ms();
    match change {
        Change::Publish => gw
            .store
            .set_recording_published(r.id, publish.unwrap_or(r.published), now)
            .await
            .map_err(internal),
        Change::Update => {
            let metadata = updated_metadata(&r.metadata, &v.params);
            gw.store
                .set_recording_metadata(r.id, &metadata, now)
                .await
                .map_err(internal)
        }
        Change::Delete => {
            if let Some(storage) = &gw.config.recordings.storage {
                storage
                    .remove_prefix(&r.record_id)
                    .await
                    .map_err(internal)?;
            }
            gw.store
                .mark_recording_deleted(r.id, now)
                .await
                .map_err(internal)
        }
    }
}

/// `meta_*` parameters set their keys; an empty value removes one, as BBB does.
fn updated_metadata(current: &[(String, String)], params: &Params) -> Vec<(String, String)> {
    let mut metadata = current.to_vec();
    for (k, v) in params.metadata() {
        metadata.retain(|(mk, _)| *mk != k);
        if !v.is_empty() {
            metadata.push((k, v.to_string()));
        }
    }
    metadata
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_sets_replaces_and_removes_metadata_keys() {
        let current = vec![
            ("topic".to_string(), "budget".to_string()),
            ("room".to_string(), "a".to_string()),
        ];
        let params = Params::parse("meta_topic=minutes&meta_room=&meta_new=x&recordID=r");
        assert_eq!(
            updated_metadata(&current, &params),
            [
                ("topic".to_string(), "minutes".to_string()),
                ("new".to_string(), "x".to_string())
            ]
        );
    }
}
