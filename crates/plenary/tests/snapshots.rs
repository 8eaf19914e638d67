//! The XML front ends receive through the gateway, pinned as snapshots, with
//! times, generated IDs, passwords and ports scrubbed.

use crate::common;

use common::Env;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    for (pattern, replacement) in [
        (r"[0-9a-f]{40}-[0-9]{13}", "[internal-id]"),
        (r"<(createTime|startTime|endTime)>[0-9]{13}</", "<$1>[ms]</"),
        (r"<createDate>[^<]*</", "<createDate>[date]</"),
        (r"<(attendeePW|moderatorPW)>[a-z0-9]+</", "<$1>[pw]</"),
        (r"<voiceBridge>[0-9]+</", "<voiceBridge>[bridge]</"),
        (r"127\.0\.0\.1:[0-9]+", "[host]"),
        (r"<build>[^<]*</", "<build>[build]</"),
    ] {
        s.add_filter(pattern, replacement);
    }
    s
}

fn pretty(el: &bbb::Element) -> String {
    el.to_document().replace("><", ">\n<")
}

#[tokio::test]
async fn create_get_meeting_info_and_get_meetings_xml() {
    let env = Env::start().await;
    let acme = env.acme();
    let create = acme
        .call(
            "create",
            &[
                ("meetingID", "weekly"),
                ("name", "Weekly & friends"),
                ("meta_bbb-origin", "Greenlight"),
            ],
        )
        .await;
    let duplicate = acme.create("weekly").await;
    acme.join("weekly", "Ada").await;
    let info = acme
        .call("getMeetingInfo", &[("meetingID", "weekly")])
        .await;
    let list = acme.call("getMeetings", &[]).await;
    let none = env.globex().call("getMeetings", &[]).await;
    settings().bind(|| {
        insta::assert_snapshot!("create", pretty(&create));
        insta::assert_snapshot!("create_duplicate", pretty(&duplicate));
        insta::assert_snapshot!("get_meetings_empty", pretty(&none));
        // The attendee's mic state is the simulated person's choice: masked.
        let info = pretty(&info)
            .replace("<isListeningOnly>true", "<isListeningOnly>[bool]")
            .replace("<isListeningOnly>false", "<isListeningOnly>[bool]")
            .replace("<listenerCount>1", "<listenerCount>[n]")
            .replace("<listenerCount>0", "<listenerCount>[n]");
        insta::assert_snapshot!("get_meeting_info", info);
        assert!(pretty(&list).contains("<meetingID>weekly</meetingID>"));
    });
    env.shutdown().await;
}

#[tokio::test]
async fn error_answers_xml() {
    let env = Env::start().await;
    let acme = env.acme();
    let missing = acme.call("getMeetingInfo", &[]).await;
    let not_found = acme.call("getMeetingInfo", &[("meetingID", "nope")]).await;
    let unknown = acme.call("getJoinUrl", &[]).await;
    let bad = env
        .tenant("acme", "wrong-secret")
        .call("getMeetings", &[])
        .await;
    settings().bind(|| {
        insta::assert_snapshot!("missing_meeting_id", pretty(&missing));
        insta::assert_snapshot!("not_found", pretty(&not_found));
        insta::assert_snapshot!("unsupported_request", pretty(&unknown));
        insta::assert_snapshot!("checksum_error", pretty(&bad));
    });
    env.shutdown().await;
}
