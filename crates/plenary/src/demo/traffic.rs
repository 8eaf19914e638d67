//! Demo traffic: what a few organisations' Greenlight instances would send.
//! Meetings are created and joined through the gateway like a real front end
//! does (signed with SHA-1, following the join redirect to the server); the
//! simulated people then come and go on their own.

use std::collections::HashMap;
use std::time::Duration;

use bbb::client::{Backend, Client};
use bbb::{Algorithm, Params};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

/// One front end: a tenant endpoint and its secret.
#[derive(Debug, Clone)]
pub struct FrontEnd {
    pub tenant: String,
    pub origin: String,
    pub endpoint: Backend,
    /// Rooms the organisation uses; meetings are opened in them over time.
    pub rooms: Vec<String>,
}

impl FrontEnd {
    pub fn new(
        gateway_url: &str,
        tenant: &str,
        secret: &str,
        rooms: &[&str],
    ) -> anyhow::Result<Self> {
        Ok(Self {
            tenant: tenant.to_string(),
            origin: format!("greenlight.{tenant}.example"),
            endpoint: Backend::new(
                &format!("{gateway_url}/t/{tenant}/bigbluebutton/api"),
                secret,
                Algorithm::Sha1,
            )?,
            rooms: rooms.iter().map(|r| r.to_string()).collect(),
        })
    }
}

/// Knobs of the traffic, named so the demo reads as it runs.
#[derive(Debug, Clone, Copy)]
pub struct TrafficModel {
    pub step: Duration,
    /// Chance per step that a front end opens one of its idle rooms.
    pub open_room: f64,
    /// Chance per step that someone joins one of the front end's open rooms.
    pub join: f64,
    /// Chance per step that a moderator ends one of the open meetings.
    pub end: f64,
}

impl Default for TrafficModel {
    fn default() -> Self {
        Self {
            step: Duration::from_millis(700),
            open_room: 0.25,
            join: 0.9,
            end: 0.01,
        }
    }
}

/// Runs until `stop` turns true.
pub async fn run(
    front_ends: Vec<FrontEnd>,
    model: TrafficModel,
    seed: u64,
    mut stop: watch::Receiver<bool>,
) {
    let client = Client::new(Duration::from_secs(2), Duration::from_secs(5));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut open: HashMap<(usize, String), u32> = HashMap::new();
    let mut ticker = tokio::time::interval(model.step);
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = ticker.tick() => {}
        }
        for (i, fe) in front_ends.iter().enumerate() {
            let idle: Vec<&String> = fe
                .rooms
                .iter()
                .filter(|r| !open.contains_key(&(i, (*r).clone())))
                .collect();
            if !idle.is_empty() && rng.random_bool(model.open_room) {
                let room = idle[rng.random_range(0..idle.len())].clone();
                if create(&client, fe, &room, &mut rng).await {
                    open.insert((i, room), 0);
                }
            }
            let mine: Vec<String> = open
                .keys()
                .filter(|(f, _)| *f == i)
                .map(|(_, r)| r.clone())
                .collect();
            if mine.is_empty() {
                continue;
            }
            if rng.random_bool(model.join) {
                let room = &mine[rng.random_range(0..mine.len())];
                let n = open.get(&(i, room.clone())).copied().unwrap_or(0);
                if join(&browser, fe, room, n).await {
                    open.insert((i, room.clone()), n + 1);
                } else {
                    // The meeting ended on the server (empty, or out of time).
                    open.remove(&(i, room.clone()));
                }
            }
            if rng.random_bool(model.end) {
                let room = &mine[rng.random_range(0..mine.len())];
                let mut p = Params::new();
                p.push("meetingID", room.clone());
                let _ = client.call(&fe.endpoint, "end", &p, None).await;
                open.remove(&(i, room.clone()));
            }
        }
    }
}

async fn create(client: &Client, fe: &FrontEnd, room: &str, rng: &mut StdRng) -> bool {
    let mut p = Params::new();
    p.push("meetingID", room);
    p.push("name", room.replace('-', " "));
    p.push(
        "record",
        if rng.random_bool(0.3) {
            "true"
        } else {
            "false"
        },
    );
    p.push("meta_bbb-origin", "Greenlight");
    p.push("meta_bbb-origin-server-name", fe.origin.clone());
    p.push(
        "meta_bbb-meeting-size-hint",
        rng.random_range(5..40).to_string(),
    );
    match client.call(&fe.endpoint, "create", &p, None).await {
        Ok(el) => el.child_text("returncode").as_deref() == Some("SUCCESS"),
        Err(e) => {
            tracing::debug!(tenant = %fe.tenant, error = %e, "demo create failed");
            false
        }
    }
}

/// Joins like a browser: the gateway redirects to the server, whose join
/// makes the participant appear.
async fn join(browser: &reqwest::Client, fe: &FrontEnd, room: &str, n: u32) -> bool {
    let mut p = Params::new();
    p.push("fullName", format!("Member {}", n + 1));
    p.push("meetingID", room);
    p.push("role", if n == 0 { "MODERATOR" } else { "VIEWER" });
    p.push("userID", format!("{}-user-{n}", fe.tenant));
    let url = fe.endpoint.signed_url("join", &p);
    match browser.get(url).send().await {
        // A failed join ends on the logout URL with `errors=` in it.
        Ok(res) => !res.url().as_str().contains("errors="),
        Err(_) => false,
    }
}
