//! The callbacks a tenant asks BBB for on `create`: the end of the meeting,
//! its recording being ready, its analytics. The BBB server never sees the
//! tenant's URLs: each is kept in the database behind a one-time token, and
//! the server gets Plenary's `/callbacks/<kind>/<token>` instead. When the
//! server calls it, Plenary checks the call (a token it gave; a JWT signed
//! with that server's secret and naming that meeting), answers at once, and
//! forwards it in the background to the tenant's own URL, with the tenant's
//! meeting ID and signed with the tenant's secret.

mod address;
mod jwt;
mod queue;
mod relay;

use std::time::Duration;

use bbb::Params;
use store::{NewCallback, StoreError};
use url::Url;

use crate::Gateway;

pub(crate) use queue::Queue;
pub(crate) use relay::receive;

/// How callbacks are relayed.
#[derive(Debug, Clone)]
pub struct CallbackConfig {
    /// Where BBB servers reach Plenary (`https://bbb.coop.example`); without
    /// it, callback URLs are dropped from creates.
    pub base_url: Option<String>,
    /// Forwards waiting to be sent; one more is dropped with a warning.
    pub queue_capacity: usize,
    /// Forwards sent at once.
    pub workers: usize,
    /// How long one attempt to reach a tenant's URL may take.
    pub attempt_timeout: Duration,
    /// Attempts after the first, with exponential back-off from `first_retry`.
    pub retries: usize,
    pub first_retry: Duration,
    /// Lets callbacks reach loopback, private and link-local addresses; off
    /// by default, so a tenant cannot make Plenary call its own network.
    pub private_networks: bool,
}

impl Default for CallbackConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            queue_capacity: 1024,
            workers: 4,
            attempt_timeout: Duration::from_secs(10),
            retries: 3,
            first_retry: Duration::from_secs(1),
            private_networks: false,
        }
    }
}

/// What a callback tells, which decides how it is checked and forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `meta_endCallbackUrl`: a GET with `recordingmarks`.
    End,
    /// `meetingEndedURL`: a GET as given.
    MeetingEnded,
    /// `meta_bbb-recording-ready-url`: a POST of a JWT HS256.
    RecordingReady,
    /// `meta_analytics-callback-url`: a POST of JSON with a JWT HS512 bearer.
    Analytics,
}

impl Kind {
    const ALL: [Kind; 4] = [
        Kind::End,
        Kind::MeetingEnded,
        Kind::RecordingReady,
        Kind::Analytics,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::End => "end",
            Kind::MeetingEnded => "meeting-ended",
            Kind::RecordingReady => "recording-ready",
            Kind::Analytics => "analytics",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind of callback a create parameter asks for, if any. Metadata
    /// keys are matched without regard to case, as BBB lower-cases them.
    fn of_param(key: &str) -> Option<Self> {
        if key == "meetingEndedURL" {
            return Some(Kind::MeetingEnded);
        }
        match key.to_ascii_lowercase().as_str() {
            "meta_endcallbackurl" => Some(Kind::End),
            // `bn-` is the older name, which Scalelite still accepts.
            "meta_bbb-recording-ready-url" | "meta_bn-recording-ready-url" => {
                Some(Kind::RecordingReady)
            }
            "meta_analytics-callback-url" => Some(Kind::Analytics),
            _ => None,
        }
    }
}

/// A callback URL a create asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requested {
    /// The parameter as the caller spelt it, to give the server Plenary's URL under.
    param: String,
    kind: Kind,
    url: Url,
}

/// Takes every callback parameter out of a create's parameters, so none
/// reaches a server as given. The first of each parameter counts; one that
/// is no absolute http(s) URL is dropped, as it could never be called.
pub(crate) fn take(params: &mut Params) -> Vec<Requested> {
    let mut requested: Vec<Requested> = Vec::new();
    for (key, value) in params.iter() {
        let Some(kind) = Kind::of_param(key) else {
            continue;
        };
        if requested.iter().any(|r| r.param.eq_ignore_ascii_case(key)) {
            continue;
        }
        match address::callback_url(value.trim()) {
            Some(url) => requested.push(Requested {
                param: key.to_string(),
                kind,
                url,
            }),
            None => tracing::warn!(param = key, "a callback URL that is not http(s) is dropped"),
        }
    }
    params.retain(|k, _| Kind::of_param(k).is_none());
    requested
}

impl Gateway {
    /// Keeps a new meeting's callback URLs and gives the server Plenary's
    /// one-time URLs in their place.
    pub(crate) async fn register_callbacks(
        &self,
        meeting_ref: i64,
        requested: &[Requested],
        params: &mut Params,
    ) -> Result<(), StoreError> {
        if requested.is_empty() {
            return Ok(());
        }
        let Some(base) = &self.config.callbacks.base_url else {
            tracing::warn!("callback URLs dropped: Plenary's own address for servers is not set");
            return Ok(());
        };
        let base = base.trim_end_matches('/');
        let tokens: Vec<String> = requested.iter().map(|_| store::new_token()).collect();
        let rows: Vec<NewCallback> = requested
            .iter()
            .zip(&tokens)
            .map(|(r, token)| NewCallback {
                token,
                kind: r.kind.name(),
                url: r.url.as_str(),
            })
            .collect();
        self.store
            .add_callbacks(meeting_ref, &rows, self.fleet.now_ms())
            .await?;
        for (r, token) in requested.iter().zip(&tokens) {
            params.set(
                &r.param,
                format!("{base}/callbacks/{}/{token}", r.kind.name()),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_callback_parameter_is_taken_whatever_its_case() {
        let mut p = Params::parse(
            "name=n&meta_endCallbackUrl=https%3A%2F%2Fa.example%2Fend&meetingEndedURL=https%3A%2F%2Fa.example%2Fe\
             &meta_BBB-recording-ready-url=https%3A%2F%2Fa.example%2Fr&meta_bn-recording-ready-url=https%3A%2F%2Fa.example%2Fb\
             &meta_analytics-callback-url=http%3A%2F%2Fa.example%2Fx&meta_bbb-origin=g",
        );
        let taken = take(&mut p);
        let kinds: Vec<Kind> = taken.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::End,
                Kind::MeetingEnded,
                Kind::RecordingReady,
                Kind::RecordingReady,
                Kind::Analytics
            ]
        );
        let left: Vec<&str> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(left, ["name", "meta_bbb-origin"]);
    }

    #[test]
    fn a_callback_that_is_no_http_url_is_dropped_and_never_passed_on() {
        for bad in [
            "file:///etc/passwd",
            "gopher://x",
            "/relative",
            "",
            "http://",
        ] {
            let mut p = Params::new();
            p.set("meta_endCallbackUrl", bad);
            assert!(take(&mut p).is_empty(), "{bad:?}");
            assert!(p.get("meta_endCallbackUrl").is_none());
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()), Some(kind));
        }
        assert_eq!(Kind::parse("other"), None);
    }
}
