//! Recordings: a server uploads a published recording the way BBB's
//! post_publish script does (a tar of its published directory, with a JWT
//! signed by the server's own secret); the gateway indexes it for the
//! tenant whose meeting it was, lists it and plays it back for that tenant,
//! and answers every other tenant as if it did not exist.

use gateway::recordings::token::{UploadClaims, server_name, sign};
use reqwest::StatusCode;
use sim::Faults;
use store::ServerState;
use testkit::TempPostgres;

use crate::common::{Env, SIM_SECRET, Setup, act, key, succeeded, text};

const RECORD_ID: &str = "0123456789abcdef0123456789abcdef01234567-1767225600000";
const PAGE: &str = "<!doctype html><title>playback</title>";

fn metadata(backend_meeting_id: &str) -> String {
    format!(
        "<recording><id>{RECORD_ID}</id><state>published</state><published>true</published>\
         <start_time>1767225600000</start_time><end_time>1767229200000</end_time>\
         <participants>3</participants>\
         <meeting id=\"{RECORD_ID}\" externalId=\"{backend_meeting_id}\" name=\"Room\" breakout=\"false\"/>\
         <meta><isBreakout>false</isBreakout><course>maths</course></meta>\
         <playback><format>presentation</format><link>x</link>\
         <processing_time>1000</processing_time><duration>3600000</duration></playback>\
         </recording>"
    )
}

/// The published directory as BBB's post_publish script tars it.
fn archive(backend_meeting_id: &str) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, body) in [
        ("metadata.xml", metadata(backend_meeting_id)),
        ("index.html", PAGE.to_string()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("presentation/{RECORD_ID}/{name}"),
            body.as_bytes(),
        )
        .unwrap();
    }
    tar.into_inner().unwrap()
}

/// Starts the platform with a meeting `room` of acme's held on a server,
/// and uploads that server's recording of it; returns the upload's status.
async fn recorded() -> (Env, testkit::TempDir, StatusCode) {
    recorded_on(None, SIM_SECRET).await
}

/// Like `recorded`, on `database_url`, the upload signed with `secret`.
async fn recorded_on(
    database_url: Option<String>,
    secret: &str,
) -> (Env, testkit::TempDir, StatusCode) {
    let dir = testkit::TempDir::new("recordings");
    let mut setup = Setup::default();
    setup.config.recordings_dir = Some(dir.path().to_path_buf());
    setup.database_url = database_url;
    let env = Env::with(setup).await;
    assert!(succeeded(&env.acme().create("room").await));
    let i = env.server_holding("acme", "room").await.unwrap();
    let server = server_name(&env.sim.servers[i].url()).unwrap();
    let claims = UploadClaims {
        server,
        record_id: RECORD_ID.into(),
        exp: jiff::Timestamp::now().as_second() + 600,
    };
    let status = env
        .http
        .post(format!("{}/recordings/import", env.app.url()))
        .bearer_auth(sign(&claims, secret).unwrap())
        .body(archive("room~acme"))
        .send()
        .await
        .unwrap()
        .status();
    (env, dir, status)
}

#[tokio::test]
async fn an_uploaded_recording_is_listed_for_its_tenant_and_plays_back() {
    let (env, _dir, status) = recorded().await;
    assert_eq!(status, StatusCode::CREATED);
    let listed = env
        .acme()
        .call("getRecordings", &[("meetingID", "room")])
        .await;
    assert!(succeeded(&listed), "{listed:?}");
    let recording = listed
        .child("recordings")
        .and_then(|r| r.child("recording"))
        .expect("one recording");
    assert_eq!(text(recording, "recordID"), RECORD_ID);
    assert_eq!(text(recording, "meetingID"), "room");
    let url = recording
        .child("playback")
        .and_then(|p| p.child("format"))
        .map(|f| text(f, "url"))
        .unwrap();
    let played = env
        .http
        .get(format!("{url}index.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(played.status(), StatusCode::OK);
    assert_eq!(played.text().await.unwrap(), PAGE);
    env.shutdown().await;
}

/// What another tenant sees of acme's recording: nothing, by any filter.
async fn nothing_for_another_tenant(env: &Env) {
    let globex = env.globex();
    for filter in [
        vec![("recordID", RECORD_ID)],
        vec![("recordID", &RECORD_ID[..12])],
        vec![("meetingID", "room")],
        vec![("meta_course", "maths")],
        vec![],
    ] {
        let listed = globex.call("getRecordings", &filter).await;
        assert!(succeeded(&listed), "{filter:?}: {listed:?}");
        assert_eq!(key(&listed), "noRecordings", "{filter:?}");
    }
}

#[tokio::test]
async fn another_tenant_finds_no_recording_by_id_prefix_or_meta_filter() {
    let (env, _dir, status) = recorded().await;
    assert_eq!(status, StatusCode::CREATED);
    nothing_for_another_tenant(&env).await;
    env.shutdown().await;
}

#[tokio::test]
async fn another_tenants_playback_url_answers_like_a_missing_recording() {
    let (env, _dir, status) = recorded().await;
    assert_eq!(status, StatusCode::CREATED);
    let base = env.app.url();
    let theirs = format!("{base}/t/globex/playback/{RECORD_ID}/presentation/index.html");
    let missing = format!(
        "{base}/t/globex/playback/ffffffffffffffffffffffffffffffffffffffff-1/presentation/index.html"
    );
    let a = env.http.get(theirs).send().await.unwrap();
    let b = env.http.get(missing).send().await.unwrap();
    assert_eq!(a.status(), StatusCode::NOT_FOUND);
    assert_eq!(a.status(), b.status());
    assert_eq!(a.text().await.unwrap(), b.text().await.unwrap());
    env.shutdown().await;
}

#[tokio::test]
async fn an_upload_signed_with_another_secret_is_refused_and_nothing_is_listed() {
    let (env, _dir, status) = recorded_on(None, "acme-secret-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let listed = env
        .acme()
        .call("getRecordings", &[("recordID", RECORD_ID)])
        .await;
    assert_eq!(key(&listed), "noRecordings");
    env.shutdown().await;
}

/// acme's page of the recording, from Plenary's playback URL.
async fn play(env: &Env) -> reqwest::Response {
    let url = format!(
        "{}/t/acme/playback/{RECORD_ID}/presentation/index.html",
        env.app.url()
    );
    env.http.get(url).send().await.unwrap()
}

/// The recording's whole life at the gateway: unpublished (and then not
/// played), its metadata updated, its server taken out of the fleet,
/// published again and played from Plenary alone, then deleted.
async fn a_recordings_life(env: &Env) {
    let acme = env.acme();
    let one = [("recordID", RECORD_ID)];
    let published = |el: &bbb::Element| {
        el.child("recordings")
            .and_then(|r| r.child("recording"))
            .map(|r| text(r, "published"))
    };
    let hidden = acme
        .call(
            "publishRecordings",
            &[("recordID", RECORD_ID), ("publish", "false")],
        )
        .await;
    assert!(succeeded(&hidden), "{hidden:?}");
    let listed = acme.call("getRecordings", &one).await;
    assert_eq!(published(&listed).as_deref(), Some("false"), "{listed:?}");
    let updated = acme
        .call(
            "updateRecordings",
            &[("recordID", RECORD_ID), ("meta_course", "physics")],
        )
        .await;
    assert!(succeeded(&updated), "{updated:?}");
    let physics = acme
        .call("getRecordings", &[("meta_course", "physics")])
        .await;
    assert!(published(&physics).is_some(), "{physics:?}");
    let maths = acme
        .call("getRecordings", &[("meta_course", "maths")])
        .await;
    assert_eq!(key(&maths), "noRecordings");

    let i = env.server_holding("acme", "room").await.unwrap();
    let url = env.sim.servers[i].url();
    let server = env
        .app
        .store
        .servers()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.url == url)
        .unwrap();
    env.app
        .store
        .set_server_state(server.id, ServerState::Disabled, &act())
        .await
        .unwrap();
    env.sim.servers[i].set_faults(Faults {
        down: true,
        ..Faults::default()
    });
    let without_server = acme.call("getRecordings", &one).await;
    assert_eq!(published(&without_server).as_deref(), Some("false"));
    let unplayed = play(env).await;
    assert_eq!(unplayed.status(), StatusCode::NOT_FOUND, "unpublished");
    let shown = acme
        .call(
            "publishRecordings",
            &[("recordID", RECORD_ID), ("publish", "true")],
        )
        .await;
    assert!(succeeded(&shown), "{shown:?}");
    let played = play(env).await;
    assert_eq!(played.status(), StatusCode::OK);

    let deleted = acme.call("deleteRecordings", &one).await;
    assert!(succeeded(&deleted), "{deleted:?}");
    assert_eq!(key(&acme.call("getRecordings", &one).await), "noRecordings");
    let gone = play(env).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_recording_is_unpublished_updated_kept_without_its_server_and_deleted() {
    let (env, _dir, status) = recorded().await;
    assert_eq!(status, StatusCode::CREATED);
    a_recordings_life(&env).await;
    env.shutdown().await;
}

#[tokio::test]
async fn a_recordings_life_and_isolation_on_postgres() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let (env, _dir, status) = recorded_on(Some(pg.fresh_database_url()), SIM_SECRET).await;
    assert_eq!(status, StatusCode::CREATED);
    nothing_for_another_tenant(&env).await;
    a_recordings_life(&env).await;
    env.shutdown().await;
}
