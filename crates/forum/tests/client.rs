//! The client against the fake forum, over real HTTP.

use std::time::Duration;

use forum::fake::{FakeDiscourse, RETRY_AFTER_SECS};
use forum::{Discourse, DiscourseConfig, ForumError, backoff};

const KEY: &str = "test-api-key";
const USER: &str = "plenary";
const CATEGORY: u64 = 7;

async fn forum() -> (FakeDiscourse, Discourse) {
    let fake = FakeDiscourse::start(KEY, USER).await.unwrap();
    let client = Discourse::new(&fake.config(CATEGORY)).unwrap();
    (fake, client)
}

async fn open(client: &Discourse) -> Result<forum::Topic, ForumError> {
    client
        .ensure_topic("proposal-42", "Adopt the 2026 budget", "Discuss here.")
        .await
}

#[tokio::test]
async fn a_topic_is_opened_in_the_category_with_the_external_id() {
    let (fake, client) = forum().await;
    let topic = open(&client).await.unwrap();
    let opened = &fake.topics()[0];
    assert_eq!(opened.id, topic.topic_id);
    assert_eq!(opened.category_id, CATEGORY);
    assert_eq!(opened.external_id.as_deref(), Some("proposal-42"));
    assert_eq!(fake.posts_of(topic.topic_id)[0].raw, "Discuss here.");
    assert_eq!(
        topic.url.as_str(),
        format!(
            "{}t/adopt-the-2026-budget/{}",
            fake.base_url(),
            topic.topic_id
        )
    );
}

#[tokio::test]
async fn ensuring_a_topic_twice_opens_it_once() {
    let (fake, client) = forum().await;
    let first = open(&client).await.unwrap();
    let second = open(&client).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(fake.topics().len(), 1);
}

#[tokio::test]
async fn a_retry_after_a_refused_request_opens_the_topic_once() {
    let (fake, client) = forum().await;
    fake.fail_next(1, 502);
    assert!(open(&client).await.unwrap_err().is_transient());
    open(&client).await.unwrap();
    assert_eq!(fake.topics().len(), 1);
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_finds_the_topic_instead_of_opening_another() {
    let (fake, client) = forum().await;
    fake.lose_next_posts(1, 504);
    assert!(open(&client).await.unwrap_err().is_transient());
    let topic = open(&client).await.unwrap();
    assert_eq!(fake.topics().len(), 1);
    assert_eq!(fake.topics()[0].id, topic.topic_id);
}

#[tokio::test]
async fn concurrent_openers_share_one_topic() {
    let (fake, client) = forum().await;
    let (a, b) = tokio::join!(open(&client), open(&client));
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!(fake.topics().len(), 1);
}

#[tokio::test]
async fn a_reply_is_posted_to_the_topic() {
    let (fake, client) = forum().await;
    let topic = open(&client).await.unwrap();
    let post = client
        .reply(topic.topic_id, "Voting is open.")
        .await
        .unwrap();
    assert_eq!((post.topic_id, post.post_number), (topic.topic_id, 2));
    let posts = fake.posts_of(topic.topic_id);
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].raw, "Voting is open.");
    assert_eq!(posts[1].username, USER);
}

#[tokio::test]
async fn a_reply_to_a_missing_topic_is_rejected() {
    let (_fake, client) = forum().await;
    let err = client.reply(999, "Hello?").await.unwrap_err();
    assert!(
        matches!(err, ForumError::Rejected { status: 404, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_rejected_not_transient() {
    let fake = FakeDiscourse::start(KEY, USER).await.unwrap();
    let config = DiscourseConfig {
        api_key: "wrong".into(),
        ..fake.config(CATEGORY)
    };
    let err = open(&Discourse::new(&config).unwrap()).await.unwrap_err();
    assert!(!err.is_transient());
    let ForumError::Rejected { status, errors } = err else {
        panic!("{err:?}")
    };
    assert_eq!(status, 403);
    assert_eq!(
        errors,
        ["You are not permitted to view the requested resource."]
    );
}

#[tokio::test]
async fn a_bad_gateway_is_transient() {
    let (fake, client) = forum().await;
    fake.fail_next(1, 502);
    let err = open(&client).await.unwrap_err();
    assert!(err.is_transient());
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn rate_limiting_is_transient_and_says_when_to_retry() {
    let (fake, client) = forum().await;
    fake.fail_next(1, 429);
    let err = open(&client).await.unwrap_err();
    assert!(err.is_transient());
    assert_eq!(
        err.retry_after(),
        Some(Duration::from_secs(RETRY_AFTER_SECS))
    );
}

#[tokio::test]
async fn an_unreachable_forum_is_transient() {
    let fake = FakeDiscourse::start(KEY, USER).await.unwrap();
    let config = fake.config(CATEGORY);
    drop(fake);
    let err = open(&Discourse::new(&config).unwrap()).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
}

#[test]
fn backoff_doubles_from_five_seconds() {
    let waits: Vec<u64> = (0..4).map(|n| backoff(n, None).as_secs()).collect();
    assert_eq!(waits, [5, 10, 20, 40]);
}

#[test]
fn backoff_is_capped_at_an_hour() {
    assert_eq!(backoff(10, None), Duration::from_secs(3600));
    assert_eq!(backoff(u32::MAX, None), Duration::from_secs(3600));
}

#[test]
fn backoff_honours_a_longer_retry_after_only() {
    assert_eq!(
        backoff(0, Some(Duration::from_secs(60))),
        Duration::from_secs(60)
    );
    assert_eq!(
        backoff(3, Some(Duration::from_secs(1))),
        Duration::from_secs(40)
    );
}
