//! The simulator's admin interface over HTTP: faults and scripted people.

use std::sync::Arc;

use bbb::client::{Backend, Client};
use bbb::{Algorithm, Params};

const SECRET: &str = "sim-admin-secret";

async fn start() -> (sim::SimFleet, reqwest::Client, Client) {
    let config = sim::SimConfig {
        secret: SECRET.into(),
        tick: std::time::Duration::ZERO,
        ..sim::SimConfig::default()
    };
    let fleet = sim::start(config, Arc::new(sim::SystemClock))
        .await
        .unwrap();
    let bbb = Client::new(
        std::time::Duration::from_secs(2),
        std::time::Duration::from_secs(5),
    );
    (fleet, reqwest::Client::new(), bbb)
}

#[tokio::test]
async fn faults_set_over_http_take_effect_and_can_be_lifted() {
    let (fleet, http, bbb) = start().await;
    let server = &fleet.servers[0];
    let backend = Backend::new(&server.url(), SECRET, Algorithm::Sha1).unwrap();
    let faults = format!("http://{}/sim/faults", server.addr());
    http.put(&faults)
        .json(&serde_json::json!({ "down": true }))
        .send()
        .await
        .unwrap();
    assert!(
        bbb.call(&backend, "getMeetings", &Params::new(), None)
            .await
            .is_err()
    );
    let seen: serde_json::Value = http
        .get(&faults)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["down"], true);
    http.put(&faults)
        .json(&serde_json::json!({ "down": false }))
        .send()
        .await
        .unwrap();
    assert!(
        bbb.call(&backend, "getMeetings", &Params::new(), None)
            .await
            .is_ok()
    );
    fleet.shutdown().await;
}

#[tokio::test]
async fn scripted_people_show_in_the_meeting_counts() {
    let (fleet, http, bbb) = start().await;
    let server = &fleet.servers[0];
    let backend = Backend::new(&server.url(), SECRET, Algorithm::Sha256).unwrap();
    let mut p = Params::new();
    p.push("meetingID", "scripted");
    bbb.call(&backend, "create", &p, None).await.unwrap();
    let users = format!("http://{}/sim/meetings/scripted/users", server.addr());
    let added: serde_json::Value = http
        .post(&users)
        .json(&serde_json::json!({ "fullName": "Ada", "mic": true, "webcams": 2 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.post(&users)
        .json(&serde_json::json!({ "fullName": "Bo", "listenOnly": true }))
        .send()
        .await
        .unwrap();
    let info = bbb
        .call(&backend, "getMeetingInfo", &p, None)
        .await
        .unwrap();
    let m = bbb::meeting::MeetingSummary::from_element(&info);
    assert_eq!(
        (m.participants, m.mic_users(), m.listeners, m.video_streams),
        (2, 1, 1, 2)
    );
    let user = added["userID"].as_str().unwrap();
    let res = http.delete(format!("{users}/{user}")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let state: serde_json::Value = http
        .get(format!("http://{}/sim/state", server.addr()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["meetings"][0]["users"].as_array().unwrap().len(), 1);
    assert_eq!(
        http.post(format!("http://{}/sim/meetings/none/users", server.addr()))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    fleet.shutdown().await;
}
