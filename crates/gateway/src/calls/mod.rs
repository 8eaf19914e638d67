//! One module per BBB call (or per family of calls), each answering in BBB's
//! own shapes.

mod create;
mod end;
mod join;
mod meetings;
mod recordings;

use std::time::Instant;

use bbb::client::{Body, ClientError};
use bbb::{ApiError, Element, Params};
use fleet::Route;
use store::{Health, MeetingRecord, ServerState};

use crate::request::{BodyKind, Verified, internal, meeting_id};
use crate::{Gateway, namespace};
use bbb::answer::Answer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    Index,
    Create,
    Join,
    End,
    IsMeetingRunning,
    GetMeetingInfo,
    GetMeetings,
    InsertDocument,
    SendChatMessage,
    GetRecordings,
    PublishRecordings,
    UpdateRecordings,
    DeleteRecordings,
}

impl Call {
    const ALL: [(Call, &'static str); 13] = [
        (Call::Index, ""),
        (Call::Create, "create"),
        (Call::Join, "join"),
        (Call::End, "end"),
        (Call::IsMeetingRunning, "isMeetingRunning"),
        (Call::GetMeetingInfo, "getMeetingInfo"),
        (Call::GetMeetings, "getMeetings"),
        (Call::InsertDocument, "insertDocument"),
        (Call::SendChatMessage, "sendChatMessage"),
        (Call::GetRecordings, "getRecordings"),
        (Call::PublishRecordings, "publishRecordings"),
        (Call::UpdateRecordings, "updateRecordings"),
        (Call::DeleteRecordings, "deleteRecordings"),
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("", |(_, n)| n)
    }

    /// BBB 3.0's content-type rules for POST bodies: `create` takes all four
    /// types, `insertDocument` only XML, the rest form data.
    pub fn accepts(self, content_type: Option<&str>) -> Option<BodyKind> {
        let kind = BodyKind::of(content_type)?;
        let ok = match self {
            Call::Create => true,
            Call::InsertDocument => kind == BodyKind::Xml,
            _ => kind != BodyKind::Xml,
        };
        ok.then_some(kind)
    }
}

pub(crate) fn index() -> Answer {
    bbb::error::success()
        .with("version", "2.0")
        .with("apiVersion", "2.0")
        .with("build", concat!("plenary-", env!("CARGO_PKG_VERSION")))
        .into()
}

pub(crate) async fn dispatch(gw: &Gateway, call: Call, v: Verified) -> Answer {
    let result = match call {
        Call::Index => Ok(index()),
        Call::Create => create::create(gw, v).await,
        Call::Join => join::join(gw, v).await,
        Call::End => end::end(gw, v).await,
        Call::IsMeetingRunning => is_meeting_running(gw, v).await,
        Call::GetMeetingInfo => meeting_call(gw, &v, "getMeetingInfo", ApiError::not_found()).await,
        Call::InsertDocument => meeting_call(gw, &v, "insertDocument", ApiError::not_found()).await,
        Call::SendChatMessage => {
            meeting_call(gw, &v, "sendChatMessage", ApiError::not_found()).await
        }
        Call::GetMeetings => meetings::get_meetings(gw, v).await,
        Call::GetRecordings => recordings::get(gw, v).await,
        Call::PublishRecordings => recordings::change(gw, v, recordings::Change::Publish).await,
        Call::UpdateRecordings => recordings::change(gw, v, recordings::Change::Update).await,
        Call::DeleteRecordings => recordings::change(gw, v, recordings::Change::Delete).await,
    };
    result.unwrap_or_else(Answer::from)
}

impl Gateway {
    /// Calls a backend and maps the tenant's meeting IDs back in the answer.
    pub(crate) async fn forward(
        &self,
        tenant: &str,
        route: &Route,
        call: &str,
        params: &Params,
        body: Option<Body>,
    ) -> Result<Element, ApiError> {
        let mut el = self.call_raw(route, call, params, body).await?;
        namespace::unmap(tenant, &mut el);
        Ok(el)
    }

    /// Calls a backend, timing the call; meeting IDs stay namespaced, so the
    /// caller can still tell which items belong to the tenant.
    pub(crate) async fn call_raw(
        &self,
        route: &Route,
        call: &str,
        params: &Params,
        body: Option<Body>,
    ) -> Result<Element, ApiError> {
        self.call_backend(route, call, params, body)
            .await
            .map_err(|_| ApiError::backend_unreachable())
    }

    /// Like [`Gateway::call_raw`], telling how the call failed.
    pub(crate) async fn call_backend(
        &self,
        route: &Route,
        call: &str,
        params: &Params,
        body: Option<Body>,
    ) -> Result<Element, ClientError> {
        let Some(_slot) = self.slots.try_take(route.server_id) else {
            metrics::counter!("plenary_backend_busy_total", "server" => route.label.clone())
                .increment(1);
            tracing::warn!(server = %route.label, call, "too many calls in flight to this server");
            return Err(ClientError::Unreachable(
                "too many calls in flight to this server".into(),
            ));
        };
        let started = Instant::now();
        let result = self
            .fleet
            .client()
            .call(&route.backend, call, params, body)
            .await;
        metrics::histogram!("plenary_backend_latency_seconds", "call" => call.to_string())
            .record(started.elapsed().as_secs_f64());
        result.inspect_err(|e| {
            tracing::warn!(server = %route.label, call, error = %e, "backend call failed");
        })
    }

    /// The live meeting record and a route to its server, if the server may
    /// still be called.
    pub(crate) async fn live(
        &self,
        v: &Verified,
        id: &str,
    ) -> Result<Option<(MeetingRecord, Route)>, ApiError> {
        let Some(record) = self
            .store
            .live_meeting(v.tenant.id, id)
            .await
            .map_err(internal)?
        else {
            return Ok(None);
        };
        Ok(self.fleet.route(record.server_id).map(|r| (record, r)))
    }
}

/// `params` with the tenant's meeting ID replaced by the backend's.
pub(crate) fn backend_params(v: &Verified, record: &MeetingRecord) -> Params {
    let mut params = v.params.clone();
    params.set("meetingID", record.backend_id.clone());
    params
}

/// A server that cannot take calls for its meetings right now.
pub(crate) fn unavailable(route: &Route) -> bool {
    route.state == ServerState::Disabled || route.health == Health::Down
}

/// getMeetingInfo, insertDocument, sendChatMessage: find the tenant's meeting
/// and pass the call to its server; `missing` answers for any meeting the
/// tenant does not own, exactly as for one that does not exist.
async fn meeting_call(
    gw: &Gateway,
    v: &Verified,
    call: &str,
    missing: ApiError,
) -> Result<Answer, ApiError> {
    let id = meeting_id(v)?;
    let (record, route) = gw.live(v, id).await?.ok_or(missing)?;
    if unavailable(&route) {
        return Err(ApiError::server_unavailable());
    }
    let el = gw
        .forward(
            &v.tenant.name,
            &route,
            call,
            &backend_params(v, &record),
            v.body.clone(),
        )
        .await?;
    Ok(el.into())
}

/// Unknown meetings are not running: BBB answers SUCCESS with `false`.
async fn is_meeting_running(gw: &Gateway, v: Verified) -> Result<Answer, ApiError> {
    let id = meeting_id(&v)?;
    let not_running = || bbb::error::success().with("running", "false").into();
    match gw.live(&v, id).await? {
        Some((_, route)) if unavailable(&route) => Ok(not_running()),
        Some((record, route)) => Ok(gw
            .forward(
                &v.tenant.name,
                &route,
                "isMeetingRunning",
                &backend_params(&v, &record),
                None,
            )
            .await?
            .into()),
        None => Ok(not_running()),
    }
}

/// The tenant's own parameter policy for `call` (`create` or `join`).
pub(crate) fn tenant_policy(v: &Verified, call: &str) -> crate::ParamPolicy {
    let mut policy = crate::ParamPolicy::default();
    for rule in v.rules.iter().filter(|r| r.call == call) {
        let pair = (rule.param.clone(), rule.value.clone());
        match rule.mode {
            store::ParamMode::Default => policy.defaults.push(pair),
            store::ParamMode::Override => policy.overrides.push(pair),
            store::ParamMode::Exclude => policy.excludes.push(rule.param.clone()),
        }
    }
    policy
}

impl Gateway {
    /// Calls every route at once; a dead server does not fail the others.
    pub(crate) async fn fan_out(
        &self,
        routes: &[Route],
        call: &str,
        params: &Params,
    ) -> Vec<(Route, Result<Element, ApiError>)> {
        futures::future::join_all(routes.iter().map(|route| async move {
            (
                route.clone(),
                self.call_raw(route, call, params, None).await,
            )
        }))
        .await
    }

    /// Routes to the given servers that may be called now.
    pub(crate) fn callable(&self, server_ids: impl IntoIterator<Item = i64>) -> Vec<Route> {
        let mut ids: Vec<i64> = server_ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| self.fleet.route(id))
            .filter(|r| !unavailable(r))
            .collect()
    }
}

/// A successful list answer (`<meetings>`, `<recordings>`), or BBB's empty form.
pub(crate) fn list_answer(
    tenant: &str,
    list: &str,
    items: Vec<Element>,
    empty_key: &str,
    empty_message: &str,
) -> Answer {
    let mut wrapper = Element::new(list);
    let empty = items.is_empty();
    for item in items {
        wrapper.push(item);
    }
    let mut el = bbb::error::success().with_child(wrapper);
    if empty {
        el = el
            .with("messageKey", empty_key)
            .with("message", empty_message);
    }
    namespace::unmap(tenant, &mut el);
    el.into()
}

/// Whether every call of a fan-out failed (and there was at least one).
pub(crate) fn all_failed(results: &[(Route, Result<Element, ApiError>)]) -> bool {
    !results.is_empty() && results.iter().all(|(_, r)| r.is_err())
}
