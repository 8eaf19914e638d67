//! A tier's limits, applied at `create` the way b3lb applies them and users
//! expect: a *new* meeting is refused when the tenant is at a limit, running
//! meetings are never cut, and every created meeting carries the tier's caps
//! in BBB's own parameters so the server enforces them.
//!
//! The check runs inside the store's claim of the new meeting, on a usage
//! read under the tenant's lock, so creates racing at a limit are decided
//! one after the other, on any number of instances sharing the database.

use bbb::{ApiError, Params};
use metering::period::Month;
use store::{TenantUsage, Tier, UsageCounts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    ConcurrentMeetings(i64),
    ConcurrentParticipants(i64),
    Rooms(i64),
}

impl Refusal {
    /// The `reason` label of metrics and stored refusals.
    pub fn reason(self) -> &'static str {
        match self {
            Self::ConcurrentMeetings(_) => "concurrent_meetings",
            Self::ConcurrentParticipants(_) => "concurrent_participants",
            Self::Rooms(_) => "rooms_per_month",
        }
    }

    pub fn to_api_error(self) -> ApiError {
        match self {
            Self::ConcurrentMeetings(n) => ApiError::new(
                "meetingLimitReached",
                format!(
                    "Your plan allows {n} meeting(s) at the same time. End a running meeting, or ask your organisation about a larger plan."
                ),
            ),
            Self::ConcurrentParticipants(n) => ApiError::new(
                "attendeeLimitReached",
                format!(
                    "Your plan allows {n} participants at the same time across all meetings. Try again when fewer people are connected, or ask your organisation about a larger plan."
                ),
            ),
            Self::Rooms(n) => ApiError::new(
                "roomLimitReached",
                format!(
                    "Your plan allows {n} different room(s) per month. Reuse an existing room, or ask your organisation about a larger plan."
                ),
            ),
        }
    }
}

/// Whether a new meeting may start under `tier`, rooms counted this month.
/// What a create must count to decide on `tier`: only the limits it sets
/// (a tenant without a tier counts nothing).
pub fn counts(tier: Option<&Tier>) -> UsageCounts {
    tier.map_or(UsageCounts::NONE, |t| UsageCounts {
        meetings: t.concurrent_meetings > 0,
        participants: t.concurrent_participants > 0,
        rooms: t.rooms_per_month > 0,
    })
}

pub fn check(tier: &Tier, usage: &TenantUsage) -> Result<(), Refusal> {
    let at = |limit: i64, used: u64| limit > 0 && used >= limit as u64;
    if at(tier.concurrent_meetings, usage.live_meetings) {
        return Err(Refusal::ConcurrentMeetings(tier.concurrent_meetings));
    }
    if at(tier.concurrent_participants, usage.live_participants) {
        return Err(Refusal::ConcurrentParticipants(
            tier.concurrent_participants,
        ));
    }
    if !usage.room_already_used && at(tier.rooms_per_month, usage.rooms) {
        return Err(Refusal::Rooms(tier.rooms_per_month));
    }
    Ok(())
}

/// Puts the tier's caps into the create parameters: a missing, zero
/// ("unlimited") or larger value becomes the tier's limit.
pub fn shape(params: &mut Params, tier: &Tier) {
    clamp(params, "maxParticipants", tier.participants_per_meeting, 0);
    clamp(params, "duration", tier.meeting_minutes, 0);
    clamp(params, "meetingCameraCap", tier.webcams_per_meeting, 0);
    // BBB's default per-user cap is 3 when the parameter is absent.
    clamp(params, "userCameraCap", tier.webcams_per_user, 3);
    if !tier.recording {
        for key in ["record", "autoStartRecording", "allowStartStopRecording"] {
            params.set(key, "false");
        }
    }
    // The caller's own list is passed on as BBB would read it; the tier's
    // is added to it.
    let mut features: Vec<String> = params
        .get("disabledFeatures")
        .into_iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .chain(
            tier.disabled_features
                .names()
                .into_iter()
                .map(str::to_string),
        )
        .collect();
    features.sort();
    features.dedup();
    if !features.is_empty() {
        params.set("disabledFeatures", features.join(","));
    }
}

fn clamp(params: &mut Params, key: &str, limit: i64, absent_means: u64) {
    if limit <= 0 {
        return;
    }
    let asked = params
        .get(key)
        .map_or(Some(absent_means), |v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if asked == 0 || asked > limit as u64 {
        params.set(key, limit.to_string());
    }
}

/// Where the month holding `now_ms` began on `zone`'s calendar: the same
/// month the co-op's bills and usage reports count, so the rooms a plan
/// allows per month renew when its statement's month begins.
pub fn month_start_ms(now_ms: i64, zone: &jiff::tz::TimeZone) -> i64 {
    Month::holding(now_ms, zone)
        .and_then(|m| m.period(zone))
        .map_or(0, |p| p.window.from_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier() -> Tier {
        Tier {
            id: 1,
            name: "level1".into(),
            price_cents: 1000,
            currency: "EUR".into(),
            participants_per_meeting: 10,
            concurrent_meetings: 2,
            concurrent_participants: 20,
            meeting_minutes: 180,
            webcams_per_meeting: 5,
            webcams_per_user: 1,
            recording: false,
            rooms_per_month: 3,
            disabled_features: "chat,polls".parse().unwrap(),
            allowance_participant_minutes: 0,
            allowance_gb: 0,
        }
    }

    #[test]
    fn a_create_counts_only_what_its_tier_limits() {
        assert_eq!(counts(None), UsageCounts::NONE);
        assert_eq!(counts(Some(&tier())), UsageCounts::ALL);
        let unlimited_rooms = Tier {
            rooms_per_month: 0,
            ..tier()
        };
        assert_eq!(
            counts(Some(&unlimited_rooms)),
            UsageCounts {
                rooms: false,
                ..UsageCounts::ALL
            }
        );
    }

    #[test]
    fn a_tenant_below_every_limit_may_start_a_meeting() {
        assert_eq!(check(&tier(), &TenantUsage::default()), Ok(()));
    }

    #[test]
    fn each_limit_refuses_a_new_meeting_with_its_own_reason() {
        let t = tier();
        let busy = TenantUsage {
            live_meetings: 2,
            ..TenantUsage::default()
        };
        assert_eq!(check(&t, &busy), Err(Refusal::ConcurrentMeetings(2)));
        let crowded = TenantUsage {
            live_participants: 20,
            ..TenantUsage::default()
        };
        assert_eq!(
            check(&t, &crowded),
            Err(Refusal::ConcurrentParticipants(20))
        );
        let rooms = TenantUsage {
            rooms: 3,
            ..TenantUsage::default()
        };
        assert_eq!(check(&t, &rooms), Err(Refusal::Rooms(3)));
        let reopened = TenantUsage {
            room_already_used: true,
            ..rooms
        };
        assert_eq!(
            check(&t, &reopened),
            Ok(()),
            "a room already used this month is no new room"
        );
    }

    #[test]
    fn zero_limits_mean_unlimited() {
        let mut t = tier();
        (
            t.concurrent_meetings,
            t.concurrent_participants,
            t.rooms_per_month,
        ) = (0, 0, 0);
        let heavy = TenantUsage {
            live_meetings: 1000,
            live_participants: 1000,
            rooms: 1000,
            room_already_used: false,
        };
        assert_eq!(check(&t, &heavy), Ok(()));
    }

    #[test]
    fn caps_are_injected_clamped_or_kept() {
        let mut p = Params::parse(
            "maxParticipants=0&duration=600&meetingCameraCap=2&record=true&disabledFeatures=polls,layouts",
        );
        shape(&mut p, &tier());
        assert_eq!(p.get("maxParticipants"), Some("10"));
        assert_eq!(p.get("duration"), Some("180"));
        assert_eq!(p.get("meetingCameraCap"), Some("2"));
        assert_eq!(p.get("userCameraCap"), Some("1"));
        assert_eq!(p.get("record"), Some("false"));
        assert_eq!(p.get("allowStartStopRecording"), Some("false"));
        assert_eq!(p.get("disabledFeatures"), Some("chat,layouts,polls"));
    }

    #[test]
    fn months_start_at_midnight_utc_on_the_first() {
        // 2026-11-25T02:00:00Z
        assert_eq!(
            month_start_ms(1_795_572_000_000, &jiff::tz::TimeZone::UTC),
            1_793_491_200_000
        );
    }

    fn utc(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn the_room_quota_renews_when_the_local_month_begins_not_the_utc_one() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        // 23:30 UTC on 31 October is already November in Paris.
        let november = utc("2026-10-31T23:00:00Z");
        assert_eq!(
            month_start_ms(utc("2026-10-31T23:30:00Z"), &paris),
            november
        );
        assert_eq!(
            month_start_ms(utc("2026-10-31T22:30:00Z"), &paris),
            utc("2026-09-30T22:00:00Z"),
            "22:30 UTC is still October in Paris"
        );
    }

    #[test]
    fn the_room_quota_and_the_bill_count_the_same_month() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let bill = metering::period::month(Some("2026-11"), &paris, 0).unwrap();
        for at in [bill.window.from_ms, bill.window.to_ms - 1] {
            assert_eq!(month_start_ms(at, &paris), bill.window.from_ms);
        }
        assert_ne!(
            month_start_ms(bill.window.to_ms, &paris),
            bill.window.from_ms
        );
    }
}
