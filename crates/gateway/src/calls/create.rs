//! `create`: idempotent, placed on the least loaded server of the tenant's
//! pool, and moved to another server when the chosen one fails the call.

use bbb::client::ClientError;
use bbb::{ApiError, Element, Params};
use fleet::Placement;
use store::{Claim, MeetingRecord, NewMeeting};

use super::unavailable;
use crate::request::{Verified, internal, meeting_id, xml_safe};
use crate::{Gateway, callbacks, namespace, policy, quota};
use bbb::answer::Answer;

/// Servers one create may be tried on before it fails.
const MAX_ATTEMPTS: usize = 3;

pub(super) async fn create(gw: &Gateway, v: Verified) -> Result<Answer, ApiError> {
    let id = meeting_id(&v)?.to_string();
    xml_safe(&v.params)?;
    let tenant = &v.tenant;
    let mut params = v.params.clone();
    let tenant_policy = super::tenant_policy(&v, "create");
    policy::apply(
        &mut params,
        &gw.config.create_policy,
        &tenant_policy,
        gw.config.max_meeting_duration,
    );
    policy::drop_reserved_meta(&mut params);
    // Taken out before any server is called, repeat creates included.
    let callbacks = callbacks::take(&mut params);
    params.set(policy::TENANT_META, tenant.name.clone());
    let backend_id = namespace::backend_id(&tenant.name, &id);
    params.set("meetingID", backend_id.clone());
    breakout_parent(gw, &v, &mut params).await?;

    // A repeat create goes to the server that holds the meeting, which
    // answers it as BBB does (duplicateWarning or idNotUnique).
    if let Some((record, route)) = gw.live(&v, &id).await? {
        if !unavailable(&route) {
            return repeat(gw, &v, &record, &params).await;
        }
        gw.store
            .end_meeting(record.id, gw.fleet.now_ms())
            .await
            .map_err(internal)?;
    }

    let tier = match v.tenant.tier_id {
        Some(tier_id) => Some(gw.store.tier_by_id(tier_id).await.map_err(internal)?),
        None => None,
    };
    if let Some(tier) = &tier {
        quota::shape(&mut params, tier);
    }
    let size_hint = params
        .get("meta_bbb-meeting-size-hint")
        .and_then(|h| h.trim().parse().ok());
    let placement = gw
        .fleet
        .reserve(tenant.pool.as_deref(), size_hint, &[])
        .await
        .map_err(internal)?
        .ok_or_else(ApiError::no_server_available)?;
    let now = gw.fleet.now_ms();
    let claimed = gw
        .store
        .claim_meeting(
            NewMeeting {
                tenant_id: tenant.id,
                meeting_id: &id,
                backend_id: &backend_id,
                server_id: placement.route.server_id,
                now_ms: now,
                rooms_since_ms: quota::month_start_ms(now, &gw.config.zone),
                counts: quota::counts(tier.as_ref()),
            },
            |usage| tier.as_ref().map_or(Ok(()), |t| quota::check(t, usage)),
        )
        .await;
    let claim = match claimed {
        Ok(claim) => claim,
        Err(e) => {
            gw.fleet.cancel(&placement).await;
            return Err(internal(e));
        }
    };
    let record = match claim {
        Ok(Claim::New(record)) => record,
        Ok(Claim::Existing(record)) => {
            // A concurrent create of the same ID won the claim.
            gw.fleet.cancel(&placement).await;
            return repeat(gw, &v, &record, &params).await;
        }
        Err(refusal) => {
            gw.fleet.cancel(&placement).await;
            return Err(refuse(gw, &v, refusal, &id).await);
        }
    };
    if let Err(e) = gw
        .register_callbacks(record.id, &callbacks, &mut params)
        .await
    {
        gw.fleet.cancel(&placement).await;
        gw.store
            .discard_meeting(record.id)
            .await
            .map_err(internal)?;
        return Err(internal(e));
    }
    place(gw, &v, &record, placement, &params, size_hint).await
}

/// Sends the claimed create to its server. A server that answers with an
/// HTTP error or cannot be reached has not created the meeting, so the
/// claim moves to another server and the create is sent there, up to
/// [`MAX_ATTEMPTS`] servers; BBB's own answers, and calls that may have
/// reached BBB (a timeout), are final.
async fn place(
    gw: &Gateway,
    v: &Verified,
    record: &MeetingRecord,
    mut placement: Placement,
    params: &Params,
    size_hint: Option<u64>,
) -> Result<Answer, ApiError> {
    let tenant = &v.tenant;
    let mut tried = vec![placement.route.server_id];
    let answer = loop {
        let result = gw
            .call_backend(&placement.route, "create", params, v.body.clone())
            .await;
        let retry = matches!(
            result,
            Err(ClientError::Status(_) | ClientError::Unreachable(_))
        ) && tried.len() < MAX_ATTEMPTS;
        let next = if retry {
            // Failing to place again answers as the failed server did.
            gw.fleet
                .reserve(tenant.pool.as_deref(), size_hint, &tried)
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "cannot place a create again");
                    None
                })
        } else {
            None
        };
        let Some(next) = next else { break result };
        gw.fleet.cancel(&placement).await;
        gw.store
            .move_meeting(record.id, next.route.server_id)
            .await
            .map_err(internal)?;
        tracing::info!(tenant = %tenant.name, failed = %placement.route.label, next = %next.route.label, "create failed on its server; trying another");
        tried.push(next.route.server_id);
        placement = next;
    };
    match answer {
        Ok(mut el) if succeeded(&el) => {
            if let Some(internal_id) = el.child_text("internalMeetingID") {
                gw.store
                    .set_meeting_internal_id(record.id, &internal_id)
                    .await
                    .map_err(internal)?;
            }
            tracing::info!(tenant = %tenant.name, meeting = %record.meeting_id, server = %placement.route.label, "meeting created");
            namespace::unmap(&tenant.name, &mut el);
            Ok(el.into())
        }
        other => {
            gw.fleet.cancel(&placement).await;
            gw.store
                .discard_meeting(record.id)
                .await
                .map_err(internal)?;
            let mut el = other.map_err(|_| ApiError::backend_unreachable())?;
            namespace::unmap(&tenant.name, &mut el);
            Ok(el.into())
        }
    }
}

/// A breakout room's `parentMeetingID` names one of the tenant's own live
/// meetings, by the ID the tenant uses or by its internal ID; the server
/// gets the internal ID, as BBB's own breakout creates carry. Any other
/// parent, such as another tenant's meeting, is refused as missing.
async fn breakout_parent(gw: &Gateway, v: &Verified, params: &mut Params) -> Result<(), ApiError> {
    let breakout = params
        .get("isBreakout")
        .is_some_and(|b| b.eq_ignore_ascii_case("true"));
    if !breakout {
        // BBB ignores the parent of a meeting that is no breakout room.
        params.remove("parentMeetingID");
        return Ok(());
    }
    let asked = params
        .get_nonblank("parentMeetingID")
        .ok_or_else(ApiError::parent_meeting_id_missing)?
        .trim()
        .to_string();
    let own = gw
        .store
        .live_meetings_of_tenant(v.tenant.id)
        .await
        .map_err(internal)?;
    let internal_id = own
        .iter()
        .filter(|m| m.meeting_id == asked || m.internal_id.as_deref() == Some(asked.as_str()))
        .find_map(|m| m.internal_id.clone())
        .ok_or_else(ApiError::parent_meeting_id_missing)?;
    params.set("parentMeetingID", internal_id);
    Ok(())
}

async fn repeat(
    gw: &Gateway,
    v: &Verified,
    record: &MeetingRecord,
    params: &Params,
) -> Result<Answer, ApiError> {
    let route = gw
        .fleet
        .route(record.server_id)
        .ok_or_else(ApiError::server_unavailable)?;
    Ok(gw
        .forward(&v.tenant.name, &route, "create", params, v.body.clone())
        .await?
        .into())
}

fn succeeded(el: &Element) -> bool {
    el.child_text("returncode").as_deref() == Some("SUCCESS")
}

/// Counts and records a create the tier refused, and gives its answer.
async fn refuse(gw: &Gateway, v: &Verified, refusal: quota::Refusal, id: &str) -> ApiError {
    metrics::counter!(
        "plenary_quota_refusals_total",
        "tenant" => v.tenant.name.clone(),
        "reason" => refusal.reason(),
    )
    .increment(1);
    if let Err(e) = gw
        .store
        .record_quota_refusal(v.tenant.id, refusal.reason(), id, gw.fleet.now_ms())
        .await
    {
        return internal(e);
    }
    tracing::info!(tenant = %v.tenant.name, meeting = id, reason = refusal.reason(), "create refused by the tier");
    refusal.to_api_error()
}
