//! Estimated server bandwidth of a meeting, from BBB's published figures and
//! the HTML5 client's defaults. Every assumption is a named field.

/// The model's assumptions; `Default` is BBB's stock configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandwidthModel {
    /// Bitrate of a webcam stream at the default profile (`medium`), kbit/s.
    pub camera_kbps: u64,
    /// Camera-count thresholds that downgrade every camera: (cameras ≥ n, kbit/s).
    pub camera_thresholds: Vec<(u64, u64)>,
    /// Remote webcams a viewer receives per page (desktop default 5).
    pub viewer_page_size: u64,
    /// Same for moderators; 0 is unlimited (desktop default).
    pub moderator_page_size: u64,
    /// Audio per connected user and direction, kbit/s (BBB's FAQ: 40).
    pub audio_kbps: u64,
    /// A screen share, kbit/s, when a sample says one is running.
    pub screen_kbps: u64,
}

impl Default for BandwidthModel {
    fn default() -> Self {
        Self {
            camera_kbps: 200,
            camera_thresholds: vec![(8, 100), (12, 90), (15, 70), (20, 50), (25, 40), (30, 30)],
            viewer_page_size: 5,
            moderator_page_size: 0,
            audio_kbps: 40,
            screen_kbps: 500,
        }
    }
}

/// What the model needs of one meeting at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeetingState {
    pub participants: u64,
    pub moderators: u64,
    pub mic: u64,
    pub listen_only: u64,
    pub webcams: u64,
    pub screen_share: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rates {
    /// Into the server, kbit/s.
    pub in_kbps: u64,
    /// Out of the server, kbit/s.
    pub out_kbps: u64,
}

impl BandwidthModel {
    /// The per-camera bitrate once the thresholds have applied.
    pub fn camera_rate(&self, cameras: u64) -> u64 {
        // Thresholds ascend: the highest one reached applies.
        self.camera_thresholds
            .iter()
            .rev()
            .find(|(n, _)| cameras >= *n)
            .map_or(self.camera_kbps, |(_, kbps)| *kbps)
    }

    /// Webcam subscriptions: each person receives the cameras of the others,
    /// at most a page of them. Cameras are assumed to belong to distinct
    /// people, moderators first (a teacher's camera is the common case).
    pub fn subscriptions(&self, m: &MeetingState) -> u64 {
        let n = m.participants;
        let w = m.webcams;
        let mods = m.moderators.min(n);
        let viewers = n - mods;
        let senders = w.min(n);
        let mod_senders = mods.min(senders);
        let viewer_senders = senders - mod_senders;
        let page = |size: u64, visible: u64| {
            if size == 0 {
                visible
            } else {
                visible.min(size)
            }
        };
        let group = |people: u64, senders: u64, size: u64| {
            senders * page(size, w.saturating_sub(1)) + (people - senders) * page(size, w)
        };
        group(mods, mod_senders, self.moderator_page_size)
            + group(viewers, viewer_senders, self.viewer_page_size)
    }

    pub fn rates(&self, m: &MeetingState) -> Rates {
        let cam = self.camera_rate(m.webcams);
        let voice = m.mic + m.listen_only;
        let screen_in = if m.screen_share { self.screen_kbps } else { 0 };
        Rates {
            in_kbps: m.webcams * cam + m.mic * self.audio_kbps + screen_in,
            out_kbps: self.subscriptions(m) * cam
                + voice * self.audio_kbps
                + if m.screen_share {
                    m.participants * self.screen_kbps
                } else {
                    0
                },
        }
    }
}

/// Megabytes moved at `kbps` for `ms` milliseconds (decimal units).
/// Bytes sent at `kbps` for `ms` milliseconds (kbit/s × ms = bits), exact.
pub fn bytes(kbps: u64, ms: i64) -> u128 {
    kbps as u128 * ms.max(0) as u128 / 8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The FAQ's examples use Y = 250 kbit/s and no pagination.
    fn faq() -> BandwidthModel {
        BandwidthModel {
            camera_kbps: 250,
            camera_thresholds: Vec::new(),
            viewer_page_size: 0,
            ..BandwidthModel::default()
        }
    }

    fn cams(users: u64, cams: u64, mods: u64) -> MeetingState {
        MeetingState {
            participants: users,
            webcams: cams,
            moderators: mods,
            ..MeetingState::default()
        }
    }

    #[test]
    fn bbbs_faq_examples_are_reproduced() {
        let m = faq();
        assert_eq!(
            m.rates(&cams(5, 5, 0)),
            Rates {
                in_kbps: 1250,
                out_kbps: 5000
            }
        );
        assert_eq!(
            m.rates(&cams(30, 1, 1)),
            Rates {
                in_kbps: 250,
                out_kbps: 7250
            }
        );
    }

    #[test]
    fn the_worked_example_with_thresholds_and_pagination() {
        let m = BandwidthModel::default();
        let s = cams(20, 20, 1);
        assert_eq!(m.camera_rate(20), 50);
        // 19 viewers see 5 cameras, the moderator all 19 others.
        assert_eq!(m.rates(&s).out_kbps, (19 * 5 + 19) * 50);
        let unpaged = BandwidthModel {
            viewer_page_size: 0,
            ..BandwidthModel::default()
        };
        assert_eq!(unpaged.rates(&s).out_kbps, 20 * 19 * 50);
    }

    #[test]
    fn audio_is_sent_by_speakers_and_received_by_every_connected_person() {
        let m = BandwidthModel::default();
        let s = MeetingState {
            participants: 20,
            mic: 1,
            listen_only: 19,
            ..MeetingState::default()
        };
        assert_eq!(
            m.rates(&s),
            Rates {
                in_kbps: 40,
                out_kbps: 20 * 40
            }
        );
    }

    #[test]
    fn a_screen_share_goes_out_to_everyone_including_the_presenter() {
        let m = BandwidthModel::default();
        let s = MeetingState {
            participants: 10,
            screen_share: true,
            ..MeetingState::default()
        };
        assert_eq!(
            m.rates(&s),
            Rates {
                in_kbps: 500,
                out_kbps: 5000
            }
        );
    }

    #[test]
    fn bytes_are_kilobits_over_time() {
        assert_eq!(bytes(8_000, 1_000), 1_000_000);
    }
}
