//! The fleet: the dashboard with every server's state, health and load,
//! the same figures as JSON for the page's script to keep it current, a
//! server's page with its recent hours, and enabling, cordoning and
//! panicking a server behind a confirmation.

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use billing::live::{self, Live};
use consortium::{Actor, ServerView};
use serde::{Deserialize, Serialize};
use store::{Server, ServerState};

use super::super::PortalState;
use super::super::chart::{Bar, Bars};
use super::super::governance::Fields;
use super::super::page::{Nav, PageError, PageResult, render};
use super::super::when::utc;
use super::{Confirmation, Operator, Tab};

/// How often the dashboard's script asks for fresh figures.
const LIVE_EVERY_MS: u64 = 3_000;
/// The hours a server's page looks back.
const HISTORY_HOURS: i64 = 24;

/// A server as the dashboard shows it, and as its script receives it.
#[derive(Debug, Clone, Serialize)]
pub struct ServerRow {
    pub id: i64,
    pub name: String,
    pub pool: String,
    pub state: &'static str,
    pub health: &'static str,
    pub load: i64,
    pub meetings: i64,
    pub participants: i64,
    pub capacity: i64,
    pub webcams: u64,
    pub bandwidth: String,
}

/// The whole fleet's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub servers: usize,
    /// Enabled and not down: where new meetings can go.
    pub taking: usize,
    pub meetings: i64,
    pub participants: i64,
    pub webcams: u64,
    pub bandwidth: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    pub updated: String,
    pub totals: Totals,
    pub servers: Vec<ServerRow>,
}

/// `host:port` of a server's API address, the name operators know it by.
pub fn server_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// Estimated traffic, both directions, as people read it.
fn bandwidth(live: &Live) -> String {
    let kbps = live.in_kbps + live.out_kbps;
    format!("{}.{} Mbit/s", kbps / 1000, kbps % 1000 / 100)
}

fn row(s: &ServerView, live: Live) -> ServerRow {
    ServerRow {
        id: s.id,
        name: server_name(&s.url),
        pool: s
            .pool
            .clone()
            .unwrap_or_else(|| billing::meter::SHARED_POOL.into()),
        state: s.state.as_str(),
        health: s.health.as_str(),
        load: s.load,
        meetings: s.meetings,
        participants: s.participants,
        capacity: s.capacity,
        webcams: live.webcams,
        bandwidth: bandwidth(&live),
    }
}

/// The fleet now, from the servers the poller keeps and the last round's
/// samples.
pub fn fleet_of(servers: &[ServerView], live: &HashMap<i64, Live>, now_ms: i64) -> Fleet {
    let mut all = Live::default();
    let mut totals = Totals {
        servers: servers.len(),
        ..Totals::default()
    };
    let rows = servers
        .iter()
        .map(|s| {
            let l = live.get(&s.id).copied().unwrap_or_default();
            all.webcams += l.webcams;
            all.in_kbps += l.in_kbps;
            all.out_kbps += l.out_kbps;
            totals.meetings += s.meetings;
            totals.participants += s.participants;
            if s.state == ServerState::Enabled && s.health != store::Health::Down {
                totals.taking += 1;
            }
            row(s, l)
        })
        .collect();
    totals.webcams = all.webcams;
    totals.bandwidth = bandwidth(&all);
    Fleet {
        updated: jiff::Timestamp::from_millisecond(now_ms)
            .map(|t| t.strftime("%H:%M:%S UTC").to_string())
            .unwrap_or_default(),
        totals,
        servers: rows,
    }
}

async fn fleet(state: &PortalState, actor: &Actor) -> PageResult<Fleet> {
    let servers = state.api.consortium.servers(actor).await?;
    let now = (state.api.clock)();
    let store = state.api.consortium.store();
    let live = live::now(store, &state.api.billing, now).await?;
    Ok(fleet_of(&servers, &live, now))
}

#[derive(Template)]
#[template(path = "portal/operator/fleet.html")]
struct DashboardPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    fleet: Fleet,
    done: Option<String>,
    csrf: String,
    every_ms: u64,
}

/// What an action did, for the notice after it.
#[derive(Debug, Deserialize)]
pub struct Done {
    did: Option<String>,
    server: Option<i64>,
    released: Option<u64>,
}

pub async fn dashboard(
    State(state): State<PortalState>,
    op: Operator,
    Query(done): Query<Done>,
) -> PageResult {
    let fleet = fleet(&state, &op.actor).await?;
    let done = match (
        done.did.as_deref().and_then(ServerAction::parse),
        done.server,
    ) {
        (Some(act), Some(id)) => fleet
            .servers
            .iter()
            .find(|s| s.id == id)
            .map(|s| act.notice(&s.name, done.released.unwrap_or(0))),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &DashboardPage {
            nav: op.nav(),
            tabs: Tab::Fleet.links(),
            fleet,
            done,
            csrf: op.csrf(),
            every_ms: LIVE_EVERY_MS,
        },
    ))
}

/// The dashboard's figures, for its script.
pub async fn live(State(state): State<PortalState>, op: Operator) -> PageResult {
    Ok(Json(fleet(&state, &op.actor).await?).into_response())
}

/// One hour as the server's page lists it.
pub struct HourRow {
    pub hour: String,
    pub participants: u64,
    pub meetings: u64,
    pub webcam_minutes: u64,
    pub bandwidth: String,
}

#[derive(Template)]
#[template(path = "portal/operator/server.html")]
struct ServerPage {
    nav: Option<Nav>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    s: ServerRow,
    url: String,
    weight: i64,
    polled: String,
    cost: String,
    chart: String,
    hours: Vec<HourRow>,
    csrf: String,
}

pub async fn server(
    State(state): State<PortalState>,
    op: Operator,
    Path(id): Path<i64>,
) -> PageResult {
    let fleet = fleet(&state, &op.actor).await?;
    let s = fleet
        .servers
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| PageError::not_found(format!("there is no server {id}")))?;
    let store = state.api.consortium.store();
    let server = store.server(id).await?;
    let now = (state.api.clock)();
    let history = live::history(store, &state.api.billing, &server, HISTORY_HOURS, now).await?;
    let hours: Vec<HourRow> = history
        .iter()
        .map(|h| HourRow {
            hour: jiff::Timestamp::from_millisecond(h.hour_ms)
                .map(|t| t.strftime("%H:00").to_string())
                .unwrap_or_default(),
            participants: h.peak_participants,
            meetings: h.peak_meetings,
            webcam_minutes: h.webcam_minutes,
            bandwidth: bandwidth(&Live {
                out_kbps: h.mean_out_kbps,
                ..Live::default()
            }),
        })
        .collect();
    let chart = Bars {
        id: "hours".into(),
        title: format!("Peak participants on {} per hour", s.name),
        about: format!("The last {HISTORY_HOURS} hours in UTC."),
        unit: "participants".into(),
        bars: hours
            .iter()
            .map(|h| Bar {
                label: h.hour.clone(),
                short: h.hour.clone(),
                value: h.participants as f64,
            })
            .collect(),
        limit: None,
        decimals: 0,
    }
    .svg();
    let page = ServerPage {
        nav: op.nav(),
        tabs: Tab::Fleet.links(),
        url: server.url,
        weight: server.weight,
        polled: server.polled_at.map_or_else(|| "never".into(), utc),
        cost: format!(
            "{} a month",
            state
                .api
                .billing
                .currency
                .format(metering::money::Cents(server.monthly_cost_cents))
        ),
        chart,
        hours,
        csrf: op.csrf(),
        s,
    };
    Ok(render(StatusCode::OK, &page))
}

/// What an operator does to a server from these pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerAction {
    Enable,
    Cordon,
    Panic,
}

impl ServerAction {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "enable" => Some(Self::Enable),
            "cordon" => Some(Self::Cordon),
            "panic" => Some(Self::Panic),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Enable => "enable",
            Self::Cordon => "cordon",
            Self::Panic => "panic",
        }
    }

    fn confirmation(self, s: &Server) -> Confirmation {
        let name = server_name(&s.url);
        let (title, detail, button) = match self {
            Self::Enable => (
                format!("Enable {name}?"),
                "It takes new meetings again.".to_string(),
                "Enable it",
            ),
            Self::Cordon => (
                format!("Cordon {name}?"),
                format!(
                    "It keeps its {} running meetings and takes no new ones, until it is enabled again.",
                    s.meetings
                ),
                "Cordon it",
            ),
            Self::Panic => (
                format!("Panic {name}?"),
                format!(
                    "Its {} meetings are released, so that their next create lands on another server, and it is disabled. Do this when the server is failing.",
                    s.meetings
                ),
                "Release its meetings",
            ),
        };
        Confirmation {
            title,
            detail,
            action: format!("/portal/operator/servers/{}/{}", s.id, self.as_str()),
            button,
            danger: self == Self::Panic,
            back: "/portal/operator".into(),
            fields: Vec::new(),
        }
    }

    fn notice(self, name: &str, released: u64) -> String {
        match self {
            Self::Enable => format!("{name} is enabled: it takes new meetings."),
            Self::Cordon => {
                format!("{name} is cordoned: it keeps its meetings and takes no new ones.")
            }
            Self::Panic => format!("{name} is disabled; {released} meetings were released."),
        }
    }
}

pub async fn act(
    State(state): State<PortalState>,
    op: Operator,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> PageResult {
    let act = ServerAction::parse(&action)
        .ok_or_else(|| PageError::not_found("there is no such server action"))?;
    let fields = Fields::parse(&body);
    op.viewer.check_csrf(fields.one("csrf"))?;
    let consortium = &state.api.consortium;
    let server = consortium.store().server(id).await?;
    if !super::confirmed(&fields) {
        return Ok(act.confirmation(&server).page(&op, Tab::Fleet));
    }
    let now = (state.api.clock)();
    let released = match act {
        ServerAction::Enable => {
            consortium
                .set_server_state(&op.actor, id, ServerState::Enabled, now)
                .await?;
            0
        }
        ServerAction::Cordon => {
            consortium
                .set_server_state(&op.actor, id, ServerState::Cordoned, now)
                .await?;
            0
        }
        ServerAction::Panic => consortium.panic_server(&op.actor, id, false, now).await?,
    };
    let to = format!(
        "/portal/operator?did={}&server={id}&released={released}",
        act.as_str()
    );
    Ok(Redirect::to(&to).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_is_named_by_its_host_and_port() {
        assert_eq!(
            server_name("https://bbb1.example.org/bigbluebutton/api"),
            "bbb1.example.org"
        );
        assert_eq!(
            server_name("http://127.0.0.1:8090/bigbluebutton/api/"),
            "127.0.0.1:8090"
        );
    }

    #[test]
    fn bandwidth_is_written_in_megabits_with_one_decimal() {
        let l = Live {
            webcams: 0,
            in_kbps: 1_250,
            out_kbps: 11_000,
        };
        assert_eq!(bandwidth(&l), "12.2 Mbit/s");
        assert_eq!(bandwidth(&Live::default()), "0.0 Mbit/s");
    }
}
