//! What members are told reaches them: mail through a local SMTP server,
//! posts on a fake Discourse that answers as Discourse's API documents.

mod common;

use std::time::Duration;

use common::{DAY, T0, apply_delta, at, consent, delegate, world};
use consortium::delivery::{Delivered, Delivery};
use forum::Discourse;
use forum::fake::FakeDiscourse;
use governance::proposal::Position;
use notify::Mailer;
use notify::sink::{SmtpSink, Stage};

struct Outside {
    sink: SmtpSink,
    forum: FakeDiscourse,
    delivery: Delivery,
}

async fn outside(store: &store::Store) -> Outside {
    let sink = SmtpSink::start().await.unwrap();
    let forum = FakeDiscourse::start("key", "plenary").await.unwrap();
    let delivery = Delivery::new(
        store.clone(),
        Some(Mailer::new(&sink.config()).unwrap()),
        Some(Discourse::new(&forum.config(5)).unwrap()),
    );
    Outside {
        sink,
        forum,
        delivery,
    }
}

#[tokio::test]
async fn an_opened_proposal_is_mailed_to_every_delegate_on_the_roll() {
    let w = world().await;
    let o = outside(w.c.store()).await;
    apply_delta(&w.c).await;
    o.delivery.deliver_due(T0).await.unwrap();
    let mails = o.sink.wait_for(8, Duration::from_secs(5)).await.unwrap();
    let opened: Vec<_> = mails
        .iter()
        .filter(|m| {
            m.header("Subject")
                .is_some_and(|s| s.contains("Vote open until"))
        })
        .collect();
    assert_eq!(opened.len(), 4, "one per organisation on the roll");
    let alpha = opened
        .iter()
        .find(|m| m.to == ["alpha-delegate@x.example"])
        .expect("alpha's delegate is told");
    assert!(alpha.body().contains("Admit delta co-op"));
    assert!(alpha.body().contains("Fingerprint"));
}

#[tokio::test]
async fn a_refused_mail_is_retried_later_and_a_rejected_one_given_up() {
    let w = world().await;
    let o = outside(w.c.store()).await;
    o.sink.fail(Stage::Rcpt, 451, "try again later");
    apply_delta(&w.c).await;
    let first = o.delivery.deliver_due(T0).await.unwrap();
    assert_eq!(first.sent, 1, "only the forum topic went out");
    assert_eq!(first.retrying, 8);
    o.sink.heal();
    assert_eq!(
        o.delivery.deliver_due(T0).await.unwrap(),
        Delivered::default(),
        "not due yet"
    );
    let later = o.delivery.deliver_due(T0 + 60_000).await.unwrap();
    assert_eq!(later.sent, 8);
    o.sink.fail(Stage::Rcpt, 550, "no such user");
    w.c.give_notice("beta", &at(T0 + DAY)).await.unwrap();
    let notice = o.delivery.deliver_due(T0 + DAY).await.unwrap();
    assert_eq!(notice.given_up, 1);
    let failing = w.c.store().failing_messages().await.unwrap();
    assert!(
        failing.iter().any(|m| m.last_error.contains("550")),
        "{failing:?}"
    );
}

#[tokio::test]
async fn the_forum_gets_one_topic_even_when_opening_is_retried_and_then_the_outcome() {
    let w = world().await;
    let o = outside(w.c.store()).await;
    o.forum.fail_next(1, 503);
    let id = apply_delta(&w.c).await;
    let first = o.delivery.deliver_due(T0).await.unwrap();
    assert!(first.retrying >= 1);
    o.forum.lose_next_posts(1, 504);
    o.delivery.deliver_due(T0 + 60_000).await.unwrap();
    o.delivery.deliver_due(T0 + 10 * 60_000).await.unwrap();
    assert_eq!(
        o.forum.topics().len(),
        1,
        "one topic, however often it was tried"
    );
    for org in ["alpha", "beta", "fed"] {
        w.c.vote(
            id,
            org,
            &delegate(&w.c, org).await,
            consent(Position::Agree),
            &at(T0 + DAY),
        )
        .await
        .unwrap();
    }
    w.c.close(id, &at(T0 + 7 * DAY)).await.unwrap();
    o.delivery.deliver_due(T0 + 7 * DAY).await.unwrap();
    let topic = &o.forum.topics()[0];
    let posts = o.forum.posts_of(topic.id);
    let head = w.c.view(id).await.unwrap().audit_head.unwrap();
    let outcome = posts.last().expect("the outcome is posted");
    assert!(outcome.raw.contains("Result: passed"), "{}", outcome.raw);
    assert!(outcome.raw.contains(&head), "the post names the audit head");
}

#[tokio::test]
async fn a_changed_text_is_mailed_to_every_organisation_on_the_roll() {
    let w = world().await;
    let o = outside(w.c.store()).await;
    let id = apply_delta(&w.c).await;
    o.delivery.deliver_due(T0).await.unwrap();
    let title = w.c.view(id).await.unwrap().title;
    w.c.edit(id, &title, "A corrected statement.", &at(T0 + DAY))
        .await
        .unwrap();
    o.delivery.deliver_due(T0 + DAY).await.unwrap();
    let mails = o.sink.wait_for(12, Duration::from_secs(5)).await.unwrap();
    let changed: Vec<_> = mails
        .iter()
        .filter(|m| {
            m.header("Subject")
                .is_some_and(|s| s.contains("Changed, please re-read"))
        })
        .collect();
    assert_eq!(changed.len(), 4);
    assert!(
        changed[0]
            .body()
            .contains("2026-12-09 00:00 UTC at the earliest")
    );
}
