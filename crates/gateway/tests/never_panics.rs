//! No input makes the gateway panic or answer anything but well-formed BBB
//! XML or a BBB-style redirect: arbitrary query strings and bodies, signed
//! correctly or not, thrown at every call.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use bbb::checksum::{Algorithm, sign};
use gateway::{Gateway, GatewayConfig};
use proptest::prelude::*;
use store::{NewTenant, Store};
use testkit::TempDir;
use tower::ServiceExt;

const CALLS: &[&str] = &[
    "",
    "create",
    "join",
    "end",
    "isMeetingRunning",
    "getMeetingInfo",
    "getMeetings",
    "insertDocument",
    "sendChatMessage",
    "getRecordings",
    "publishRecordings",
    "updateRecordings",
    "deleteRecordings",
    "getJoinUrl",
    "hooks/create",
    "%00",
    "..",
];
const SECRET: &str = "proptest-secret";

struct Fixture {
    _dir: TempDir,
    router: axum::Router,
}

fn fixture(rt: &tokio::runtime::Runtime) -> Fixture {
    rt.block_on(async {
        let dir = TempDir::new("never-panics");
        let store = Store::open(&dir.sqlite_url()).await.unwrap();
        store
            .create_tenant(
                NewTenant {
                    name: "acme",
                    host: None,
                    pool: None,
                    secret: SECRET,
                },
                &store::Act::new("operator:test", 0),
            )
            .await
            .unwrap();
        let client = bbb::client::Client::new(
            std::time::Duration::from_millis(200),
            std::time::Duration::from_millis(500),
        );
        let fleet = fleet::Fleet::new(
            store.clone(),
            client,
            Default::default(),
            fleet::system_clock(),
        )
        .await
        .unwrap();
        let gw: Arc<Gateway> = Gateway::new(store, fleet, GatewayConfig::default());
        Fixture {
            _dir: dir,
            router: gateway::router(gw),
        }
    })
}

fn is_wellformed(status: StatusCode, location: Option<&str>, body: &[u8]) -> bool {
    match status {
        StatusCode::FOUND => location.is_some(),
        StatusCode::OK => std::str::from_utf8(body)
            .ok()
            .and_then(|s| bbb::Element::parse(s).ok())
            .is_some_and(|el| el.name == "response" && el.child("returncode").is_some()),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_answer_is_bbb_xml_or_a_redirect(
        call in proptest::sample::select(CALLS),
        query in "[a-zA-Z0-9=&%+._~,-]{0,80}",
        signed in any::<bool>(),
        alg in proptest::sample::select(&Algorithm::ALL[..]),
        post in any::<bool>(),
        content_type in proptest::sample::select(&["", "text/xml", "application/x-www-form-urlencoded", "multipart/form-data", "image/png"][..]),
        body in proptest::collection::vec(any::<u8>(), 0..200),
        by_path in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let fx = fixture(&rt);
        let query = if signed {
            let checksum = sign(alg, call, &query, SECRET);
            if query.is_empty() { format!("checksum={checksum}") } else { format!("{query}&checksum={checksum}") }
        } else {
            query
        };
        let path = if by_path {
            format!("/t/acme/bigbluebutton/api/{call}?{query}")
        } else {
            format!("/bigbluebutton/api/{call}?{query}")
        };
        let mut req = Request::builder()
            .method(if post { "POST" } else { "GET" })
            .uri(path)
            .header(header::HOST, "acme.example.org");
        if !content_type.is_empty() {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        let Ok(req) = req.body(Body::from(body)) else {
            // Not a valid HTTP request at all: nothing reaches the gateway.
            return Ok(());
        };
        let (status, location, bytes) = rt.block_on(async {
            let res = fx.router.clone().oneshot(req).await.unwrap();
            let status = res.status();
            let location = res.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).map(str::to_string);
            (status, location, to_bytes(res.into_body(), 1 << 20).await.unwrap())
        });
        prop_assert!(
            is_wellformed(status, location.as_deref(), &bytes),
            "{status} {:?}", String::from_utf8_lossy(&bytes)
        );
    }
}
