//! The fleet now and lately, as the operators watch it: each server's
//! webcams and estimated bandwidth from the last poll round's samples, and
//! a server's recent hours from the metered use.

use std::collections::HashMap;

use metering::bandwidth::{BandwidthModel, MeetingState};
use metering::usage::{Dim, HOUR_MS, Totals, Window, floor_hour};
use serde::Serialize;
use store::{RoundMeeting, Server, Store};

use crate::meter::Metering;
use crate::{BillingError, Settings};

/// What one server carries in the last poll round, beyond the counts the
/// poller keeps on the server itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Live {
    pub webcams: u64,
    /// Estimated, both directions, kbit/s.
    pub in_kbps: u64,
    pub out_kbps: u64,
}

/// How far back the last round is looked for: a round older than this
/// means the poller has stopped, and nothing is live any more.
fn lookback_ms(settings: &Settings) -> i64 {
    3 * settings.poll_interval_ms.max(1_000)
}

/// Each server's webcams and estimated bandwidth in the last poll round
/// before `now_ms`; servers without meetings in it are left out.
pub async fn now(
    store: &Store,
    settings: &Settings,
    now_ms: i64,
) -> Result<HashMap<i64, Live>, BillingError> {
    let round = store
        .last_round(now_ms - lookback_ms(settings), now_ms + 1)
        .await?;
    Ok(per_server(&round, &BandwidthModel::default()))
}

/// One round's meetings summed per server through the bandwidth model.
pub fn per_server(round: &[RoundMeeting], model: &BandwidthModel) -> HashMap<i64, Live> {
    let mut live: HashMap<i64, Live> = HashMap::new();
    let count = |n: i64| n.max(0) as u64;
    for m in round {
        let rates = model.rates(&MeetingState {
            participants: count(m.participants),
            moderators: count(m.moderators),
            mic: count(m.mic),
            listen_only: count(m.listen_only),
            webcams: count(m.webcams),
            screen_share: false,
        });
        let l = live.entry(m.server_id).or_default();
        l.webcams += count(m.webcams);
        l.in_kbps += rates.in_kbps;
        l.out_kbps += rates.out_kbps;
    }
    live
}

/// One hour of a server's metered use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Hour {
    /// The UTC hour's start.
    pub hour_ms: i64,
    pub peak_participants: u64,
    pub peak_meetings: u64,
    pub webcam_minutes: u64,
    /// Estimated traffic out of the server over the part of the hour seen.
    pub mean_out_kbps: u64,
}

/// `server`'s last `hours` UTC hours up to `now_ms`, oldest first, idle
/// hours included.
pub async fn history(
    store: &Store,
    settings: &Settings,
    server: &Server,
    hours: i64,
    now_ms: i64,
) -> Result<Vec<Hour>, BillingError> {
    let first = floor_hour(now_ms) - (hours.max(1) - 1) * HOUR_MS;
    // Up to and including `now_ms`, so that on the hour the new hour is
    // one of them.
    let window = Window {
        from_ms: first,
        to_ms: now_ms + 1,
    };
    let metered: HashMap<i64, Totals> = Metering::for_settings(store.clone(), settings)
        .hourly(Dim::Server, window)
        .await?
        .into_iter()
        .filter(|(_, key, _)| *key == server.url)
        .map(|(hour, _, t)| (hour, t))
        .collect();
    Ok(window
        .hours()
        .map(|piece| {
            let hour_ms = floor_hour(piece.from_ms);
            metered.get(&hour_ms).map_or(
                Hour {
                    hour_ms,
                    ..Hour::default()
                },
                |t| hour_of(hour_ms, t, piece.to_ms - piece.from_ms),
            )
        })
        .collect())
}

fn hour_of(hour_ms: i64, t: &Totals, seen_ms: i64) -> Hour {
    let bits = t.bytes_out.saturating_mul(8);
    Hour {
        hour_ms,
        peak_participants: t.peak_participants,
        peak_meetings: t.peak_meetings,
        webcam_minutes: u64::try_from(t.integrals.webcam_ms / 60_000).unwrap_or(u64::MAX),
        mean_out_kbps: u64::try_from(bits / seen_ms.max(1) as u128).unwrap_or(u64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(server_id: i64, participants: i64, webcams: i64) -> RoundMeeting {
        RoundMeeting {
            server_id,
            participants,
            moderators: 1,
            mic: 1,
            listen_only: participants - 1,
            webcams,
        }
    }

    #[test]
    fn a_rounds_meetings_add_up_per_server() {
        let round = [meeting(1, 4, 2), meeting(1, 3, 1), meeting(2, 2, 0)];
        let live = per_server(&round, &BandwidthModel::default());
        assert_eq!(live[&1].webcams, 3);
        assert_eq!(live[&2].webcams, 0);
        assert!(live[&1].out_kbps > live[&2].out_kbps);
        assert!(live[&2].out_kbps > 0, "audio counts too");
    }

    #[test]
    fn nothing_is_live_without_a_round() {
        assert!(per_server(&[], &BandwidthModel::default()).is_empty());
    }

    #[test]
    fn an_hours_bandwidth_is_averaged_over_the_part_seen() {
        let t = Totals {
            bytes_out: 45_000_000,
            ..Totals::default()
        };
        // 360 Mbit over 30 minutes: 200 kbit/s.
        assert_eq!(hour_of(0, &t, 30 * 60_000).mean_out_kbps, 200);
    }
}
