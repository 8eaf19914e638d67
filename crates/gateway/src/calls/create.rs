//! `create`: idempotent, placed on the least loaded server of the tenant's pool.

use bbb::{ApiError, Element};
use store::{Claim, MeetingRecord, NewMeeting};

use super::unavailable;
use crate::request::{Verified, internal, meeting_id};
use crate::{Gateway, namespace, policy, quota};
use bbb::answer::Answer;

pub(super) async fn create(gw: &Gateway, v: Verified) -> Result<Answer, ApiError> {
    let id = meeting_id(&v)?.to_string();
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
    params.set(policy::TENANT_META, tenant.name.clone());
    let backend_id = namespace::backend_id(&tenant.name, &id);
    params.set("meetingID", backend_id.clone());

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

    enforce_tier(gw, &v, &id, &mut params).await?;

    let size_hint = params
        .get("meta_bbb-meeting-size-hint")
        .and_then(|h| h.trim().parse().ok());
    let placement = gw
        .fleet
        .reserve(tenant.pool.as_deref(), size_hint)
        .ok_or_else(ApiError::no_server_available)?;
    let claim = gw
        .store
        .claim_meeting(NewMeeting {
            tenant_id: tenant.id,
            meeting_id: &id,
            backend_id: &backend_id,
            server_id: placement.route.server_id,
            now_ms: gw.fleet.now_ms(),
        })
        .await
        .map_err(internal)?;
    let record = match claim {
        Claim::Existing(record) => {
            // A concurrent create of the same ID won the claim.
            gw.fleet.cancel(&placement);
            return repeat(gw, &v, &record, &params).await;
        }
        Claim::New(record) => record,
    };
    let answer = gw
        .forward(
            &tenant.name,
            &placement.route,
            "create",
            &params,
            v.body.clone(),
        )
        .await;
    match answer {
        Ok(el) if succeeded(&el) => {
            if let Some(internal_id) = el.child_text("internalMeetingID") {
                gw.store
                    .set_meeting_internal_id(record.id, &internal_id)
                    .await
                    .map_err(internal)?;
            }
            tracing::info!(tenant = %tenant.name, meeting = %id, server = %placement.route.label, "meeting created");
            Ok(el.into())
        }
        other => {
            gw.fleet.cancel(&placement);
            gw.store
                .discard_meeting(record.id)
                .await
                .map_err(internal)?;
            other.map(Answer::from)
        }
    }
}

async fn repeat(
    gw: &Gateway,
    v: &Verified,
    record: &MeetingRecord,
    params: &bbb::Params,
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

/// Refuses a new meeting over the tenant's tier, and writes the tier's caps
/// into its parameters. A tenant without a tier has no limits.
async fn enforce_tier(
    gw: &Gateway,
    v: &Verified,
    id: &str,
    params: &mut bbb::Params,
) -> Result<(), ApiError> {
    let Some(tier_id) = v.tenant.tier_id else {
        return Ok(());
    };
    let tier = gw.store.tier_by_id(tier_id).await.map_err(internal)?;
    let now = gw.fleet.now_ms();
    let usage = quota::Usage {
        live_meetings: gw
            .store
            .live_meetings_of_tenant(v.tenant.id)
            .await
            .map_err(internal)?
            .len() as u64,
        live_participants: gw.fleet.tenant_participants(v.tenant.id),
        rooms_this_month: if tier.rooms_per_month > 0 {
            gw.store
                .rooms_used_since(v.tenant.id, quota::month_start_ms(now))
                .await
                .map_err(internal)?
        } else {
            Vec::new()
        },
    };
    if let Err(refusal) = quota::check(&tier, &usage, id) {
        metrics::counter!(
            "plenary_quota_refusals_total",
            "tenant" => v.tenant.name.clone(),
            "reason" => refusal.reason(),
        )
        .increment(1);
        gw.store
            .record_quota_refusal(v.tenant.id, refusal.reason(), id, now)
            .await
            .map_err(internal)?;
        tracing::info!(tenant = %v.tenant.name, meeting = id, reason = refusal.reason(), tier = %tier.name, "create refused by the tier");
        return Err(refusal.to_api_error());
    }
    quota::shape(params, &tier);
    Ok(())
}
