//! An organisation's internal meeting room for a proposal, behind the
//! signed link its notification carries: a small form asks for the
//! participant's name, then the room is created on the co-op's own tenant
//! through the gateway's BBB API (like any front end would) and the browser
//! is sent to the signed join URL. A link whose signature does not hold
//! answers 404, like a room that does not exist.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use bbb::client::{Backend, Client};
use bbb::{Algorithm, Params};
use consortium::RoomLinks;
use serde::Deserialize;
use store::Store;

#[derive(Clone)]
pub struct Rooms {
    pub links: RoomLinks,
    pub store: Store,
    /// The co-op's own tenant, on which rooms are created.
    pub tenant: String,
    /// The gateway as this process reaches it, for `create`.
    pub gateway_url: String,
    /// Plenary as browsers reach it, for the join URL.
    pub public_url: String,
    pub algorithm: Algorithm,
    pub client: Client,
}

pub fn router(rooms: Rooms) -> Router {
    Router::new()
        .route("/rooms/{proposal}/{org}/{sig}", get(form).post(join))
        .with_state(rooms)
}

type Room = Path<(i64, String, String)>;

#[derive(Debug, Deserialize)]
pub struct Joining {
    name: String,
}

/// The longest name passed on to the meeting.
const MAX_NAME: usize = 100;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
         <body><h1>{title}</h1>{body}</body></html>",
        title = escape(title)
    );
    (status, Html(html)).into_response()
}

fn no_such_room() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "No such room",
        "<p>This link does not open a meeting room. Use the link from your notification as it was sent.</p>",
    )
}

async fn form(State(rooms): State<Rooms>, Path((proposal, org, sig)): Room) -> Response {
    if !rooms.links.verify(proposal, &org, &sig) {
        return no_such_room();
    }
    page(
        StatusCode::OK,
        &format!("Internal meeting of {org} on proposal {proposal}"),
        "<form method=\"post\"><label>Your name <input name=\"name\" required maxlength=\"100\" autocomplete=\"name\"></label> \
         <button type=\"submit\">Join the meeting</button></form>",
    )
}

async fn join(
    State(rooms): State<Rooms>,
    Path((proposal, org, sig)): Room,
    Form(joining): Form<Joining>,
) -> Response {
    if !rooms.links.verify(proposal, &org, &sig) {
        return no_such_room();
    }
    let name = joining.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return page(
            StatusCode::BAD_REQUEST,
            "Your name, please",
            "<p>Give a name of 1 to 100 characters: the others see it in the meeting.</p>",
        );
    }
    match rooms.join_url(proposal, &org, name).await {
        Ok(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        Err(why) => {
            tracing::warn!(proposal, org, error = why, "cannot open a meeting room");
            page(
                StatusCode::BAD_GATEWAY,
                "The room cannot be opened now",
                "<p>The meeting could not be started. Please try again in a minute.</p>",
            )
        }
    }
}

impl Rooms {
    /// Creates the room if it is not running yet and signs a join URL for
    /// `name`. Every participant moderates: it is the organisation's own
    /// meeting.
    async fn join_url(&self, proposal: i64, org: &str, name: &str) -> Result<String, String> {
        let tenant = self
            .store
            .tenant(&self.tenant)
            .await
            .map_err(|e| e.to_string())?;
        let secret = self
            .store
            .tenant_secrets(tenant.id)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .next()
            .ok_or("the governance tenant has no secret")?;
        let endpoint = |base: &str| {
            Backend::new(
                &format!("{base}/t/{}/bigbluebutton/api", self.tenant),
                secret.clone(),
                self.algorithm,
            )
            .map_err(|e| e.to_string())
        };
        let meeting_id = RoomLinks::meeting_id(proposal, org);
        let mut create = Params::new();
        create.set("meetingID", meeting_id.clone());
        create.set(
            "name",
            format!("{org}: internal meeting on proposal {proposal}"),
        );
        let created = self
            .client
            .call(&endpoint(&self.gateway_url)?, "create", &create, None)
            .await
            .map_err(|e| e.to_string())?;
        if created.child_text("returncode").as_deref() != Some("SUCCESS") {
            return Err(format!(
                "create answered {}",
                created.child_text("messageKey").unwrap_or_default()
            ));
        }
        let mut join = Params::new();
        join.set("meetingID", meeting_id);
        join.set("fullName", name);
        join.set("role", "MODERATOR");
        Ok(endpoint(&self.public_url)?.signed_url("join", &join))
    }
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
