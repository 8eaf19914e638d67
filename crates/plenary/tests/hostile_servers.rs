//! Backends that answer garbage, XML nested 200,000 deep, oversized XML or
//! characters XML 1.0 forbids: the gateway stays up, takes such a server out
//! by its thresholds, keeps serving from the healthy ones, and answers its
//! tenants in well-formed BBB XML.

use crate::common;

use bbb::xml::is_xml_char;
use common::{Env, FrontEnd, Setup, key, params, succeeded, text};
use sim::{AnswerFault, Faults};
use store::Health;

const HOSTILE: usize = 0;
const HEALTHY: usize = 1;

/// Two servers, the first turned hostile after the first (good) poll.
async fn with_hostile_server(answers: AnswerFault) -> Env {
    let mut setup = Setup::default();
    setup.config.server_unhealthy_threshold = 2;
    let env = Env::with(setup).await;
    env.sim.servers[HOSTILE].set_faults(Faults {
        answers,
        ..Faults::default()
    });
    env
}

/// The hostile server fails each poll, goes unstable then down, and every
/// tenant's creates land on the healthy server meanwhile.
async fn assert_taken_out_while_the_rest_are_served(env: &Env) {
    let health = |i: usize| env.app.fleet.routes()[i].health;
    let report = env.poll().await;
    assert_eq!(report.failed, 1, "{report:?}");
    assert_eq!(
        health(HOSTILE),
        Health::Unstable,
        "one failed poll: unstable"
    );
    assert_creates_land_on_the_healthy_server(env, "after-one").await;
    let report = env.poll().await;
    assert_eq!(report.failed, 1, "{report:?}");
    assert_eq!(health(HOSTILE), Health::Down, "two failed polls: down");
    assert_eq!(health(HEALTHY), Health::Up);
    assert_creates_land_on_the_healthy_server(env, "after-two").await;
}

async fn assert_creates_land_on_the_healthy_server(env: &Env, prefix: &str) {
    for (tenant, front) in [("acme", env.acme()), ("globex", env.globex())] {
        for i in 0..3 {
            let id = format!("{prefix}-{i}");
            let answer = front.create(&id).await;
            assert!(succeeded(&answer), "{tenant}: {answer:?}");
            assert_eq!(env.server_holding(tenant, &id).await, Some(HEALTHY));
        }
    }
}

#[tokio::test]
async fn a_server_answering_xml_nested_200_000_deep_fails_its_polls_and_the_rest_are_served() {
    let env = with_hostile_server(AnswerFault::Nested { depth: 200_000 }).await;
    assert_taken_out_while_the_rest_are_served(&env).await;
    env.shutdown().await;
}

#[tokio::test]
async fn a_server_answering_oversized_xml_fails_its_polls_and_the_rest_are_served() {
    let env = with_hostile_server(AnswerFault::Oversized {
        bytes: bbb::client::DEFAULT_MAX_ANSWER_BYTES + 1,
    })
    .await;
    assert_taken_out_while_the_rest_are_served(&env).await;
    env.shutdown().await;
}

#[tokio::test]
async fn a_server_answering_garbage_fails_its_polls_and_the_rest_are_served() {
    let env = with_hostile_server(AnswerFault::Garbage).await;
    assert_taken_out_while_the_rest_are_served(&env).await;
    env.shutdown().await;
}

/// A tenant's call as Greenlight sends it, the answer's raw text.
async fn raw(front: &FrontEnd, call: &str, pairs: &[(&str, &str)]) -> String {
    let url = front.endpoint.signed_url(call, &params(pairs));
    front.get(&url).await.text().await.unwrap()
}

fn assert_well_formed(doc: &str) -> bbb::Element {
    assert!(doc.chars().all(is_xml_char), "{doc:?}");
    bbb::Element::parse(doc).unwrap_or_else(|e| panic!("{e}: {doc:?}"))
}

#[tokio::test]
async fn a_create_on_a_server_answering_deeply_nested_xml_gets_a_well_formed_bbb_error() {
    let env = Env::with(Setup {
        servers: 1,
        ..Setup::default()
    })
    .await;
    env.sim.servers[0].set_faults(Faults {
        answers: AnswerFault::Nested { depth: 20_000 },
        ..Faults::default()
    });
    let doc = raw(
        &env.acme(),
        "create",
        &[("meetingID", "deep"), ("name", "Deep")],
    )
    .await;
    let answer = assert_well_formed(&doc);
    assert_eq!(text(&answer, "returncode"), "FAILED");
    assert_eq!(key(&answer), "internalError");
    env.shutdown().await;
}

#[tokio::test]
async fn a_server_whose_answers_carry_control_characters_gives_tenants_well_formed_xml() {
    let env = Env::with(Setup {
        servers: 1,
        ..Setup::default()
    })
    .await;
    let acme = env.acme();
    acme.create("weekly").await;
    env.sim.servers[0].set_faults(Faults {
        answers: AnswerFault::ControlCharacters,
        ..Faults::default()
    });
    let created = raw(
        &acme,
        "create",
        &[("meetingID", "other"), ("name", "Other")],
    )
    .await;
    let info = raw(&acme, "getMeetingInfo", &[("meetingID", "weekly")]).await;
    let list = raw(&acme, "getMeetings", &[]).await;
    for doc in [created, info, list] {
        assert_well_formed(&doc);
    }
    let info = assert_well_formed(&raw(&acme, "getMeetingInfo", &[("meetingID", "weekly")]).await);
    assert_eq!(
        text(&info, "meetingName"),
        "Test meeting\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"
    );
    env.shutdown().await;
}
