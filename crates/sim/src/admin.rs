//! The simulator's own interface: faults, state, scripted people.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use serde_json::json;

use crate::model::UserSpec;
use crate::{Faults, Shared};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/sim/faults", get(get_faults).put(put_faults))
        .route("/sim/state", get(state))
        .route(
            "/sim/meetings/{meeting}/users",
            axum::routing::post(add_user),
        )
        .route(
            "/sim/meetings/{meeting}/users/{user}",
            patch(change_user).delete(remove_user),
        )
        .with_state(shared)
}

async fn get_faults(State(sh): State<Arc<Shared>>) -> Json<Faults> {
    Json(*sh.faults.lock().expect("faults"))
}

async fn put_faults(State(sh): State<Arc<Shared>>, Json(faults): Json<Faults>) -> Json<Faults> {
    *sh.faults.lock().expect("faults") = faults;
    Json(faults)
}

pub(crate) fn snapshot(sh: &Shared) -> serde_json::Value {
    sh.with(|s, _, _| json!({ "meetings": s.meetings, "recordings": s.recordings }))
}

async fn state(State(sh): State<Arc<Shared>>) -> Json<serde_json::Value> {
    Json(snapshot(&sh))
}

async fn add_user(
    State(sh): State<Arc<Shared>>,
    Path(meeting): Path<String>,
    Json(spec): Json<UserSpec>,
) -> Result<Json<serde_json::Value>, StatusCode> {
    sh.with(|s, _, _| s.add_user(&meeting, &spec))
        .map(|id| Json(json!({ "userID": id })))
        .ok_or(StatusCode::NOT_FOUND)
}

async fn change_user(
    State(sh): State<Arc<Shared>>,
    Path((meeting, user)): Path<(String, String)>,
    Json(spec): Json<UserSpec>,
) -> StatusCode {
    if sh.with(|s, _, _| s.change_user(&meeting, &user, &spec)) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn remove_user(
    State(sh): State<Arc<Shared>>,
    Path((meeting, user)): Path<(String, String)>,
) -> StatusCode {
    if sh.with(|s, _, now| s.remove_user(&meeting, &user, now)) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}
