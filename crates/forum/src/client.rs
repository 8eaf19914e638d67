//! Calls to the forum's API: open a proposal's topic exactly once, reply to it.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode, redirect};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;

use crate::config::{ConfigError, DiscourseConfig};
use crate::poll::PollVote;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_REDIRECTS: usize = 5;

/// A proposal's topic on the forum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub topic_id: u64,
    pub slug: String,
    /// Where people read it.
    pub url: Url,
}

/// A post, as Discourse answers its creation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Post {
    pub id: u64,
    pub topic_id: u64,
    pub topic_slug: String,
    pub post_number: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ForumError {
    /// The forum was unreachable, too slow, overloaded or rate-limiting: worth retrying.
    #[error("the forum is unavailable for now: {reason}")]
    Transient {
        reason: String,
        /// How long the forum asked us to wait (`Retry-After`).
        retry_after: Option<Duration>,
    },
    /// The forum refused the request; sending it again will not help.
    #[error("the forum refused the request (HTTP {status}): {}", errors.join("; "))]
    Rejected { status: u16, errors: Vec<String> },
    #[error("the forum's answer is not what its API documents: {0}")]
    Decode(String),
}

impl ForumError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. })
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Transient { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// How long to wait before retry number `attempt` (0 for the first): 5 s doubling
/// up to an hour, or longer when the forum asked for longer.
pub fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    const FIRST: Duration = Duration::from_secs(5);
    const CAP: Duration = Duration::from_secs(60 * 60);
    let exponential = FIRST.saturating_mul(2u32.saturating_pow(attempt)).min(CAP);
    retry_after.map_or(exponential, |asked| asked.max(exponential))
}

/// The forum's API, as the user the API key acts for.
#[derive(Debug, Clone)]
pub struct Discourse {
    http: reqwest::Client,
    base: Url,
    category_id: u64,
}

impl Discourse {
    pub fn new(config: &DiscourseConfig) -> Result<Self, ConfigError> {
        let base = config.base_url.clone();
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(ConfigError::NotHttp(base.into()));
        }
        let header = |value: &str, what| {
            HeaderValue::from_str(value).map_err(|_| ConfigError::NotAHeaderValue(what))
        };
        let mut key = header(&config.api_key, "API key")?;
        // Keeps the key out of the client's Debug form.
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("Api-Key", key);
        headers.insert(
            "Api-Username",
            header(&config.api_username, "API username")?,
        );
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(RESPONSE_TIMEOUT)
            .default_headers(headers)
            .redirect(same_origin_redirects())
            .user_agent(concat!("Plenary/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the TLS backend is compiled in");
        Ok(Self {
            http,
            base,
            category_id: config.category_id,
        })
    }

    /// The topic opened for `external_id`, opening it if there is none yet. Safe
    /// to repeat after any failure: Discourse keeps one topic per `external_id`.
    pub async fn ensure_topic(
        &self,
        external_id: &str,
        title: &str,
        raw: &str,
    ) -> Result<Topic, ForumError> {
        if let Some(topic) = self.find_topic(external_id).await? {
            return Ok(topic);
        }
        let opened = self
            .create_post(&json!({
                "title": title,
                "raw": raw,
                "category": self.category_id,
                "external_id": external_id,
            }))
            .await;
        match opened {
            Ok(post) => {
                tracing::info!(external_id, topic_id = post.topic_id, "forum topic opened");
                Ok(self.topic(post.topic_id, post.topic_slug))
            }
            // Discourse refuses an `external_id` already taken: a concurrent opener
            // got there first, and its topic is ours. Any other refusal stands.
            Err(refusal @ ForumError::Rejected { status: 422, .. }) => {
                self.find_topic(external_id).await?.ok_or(refusal)
            }
            Err(e) => Err(e),
        }
    }

    /// The topic opened for `external_id`, if any.
    pub async fn find_topic(&self, external_id: &str) -> Result<Option<Topic>, ForumError> {
        #[derive(Deserialize)]
        struct Found {
            id: u64,
            slug: String,
        }
        let url = self.endpoint(["t", "external_id", &format!("{external_id}.json")]);
        match self.send(self.http.get(url)).await {
            Ok(response) => {
                let found: Found = decode(response).await?;
                Ok(Some(self.topic(found.id, found.slug)))
            }
            Err(ForumError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Posts `raw` at the end of the topic. Not idempotent: Discourse answers an
    /// identical API post within two minutes with the first one's result
    /// (`PostsController#create` memoizes it), but a later retry posts again.
    pub async fn reply(&self, topic_id: u64, raw: &str) -> Result<Post, ForumError> {
        let post = self
            .create_post(&json!({ "topic_id": topic_id, "raw": raw }))
            .await?;
        tracing::debug!(
            topic_id,
            post_number = post.post_number,
            "forum reply posted"
        );
        Ok(post)
    }

    /// Every vote in the poll named `poll_name` of the topic's first post:
    /// the options from the topic (`GET /t/{id}.json`), then each option's
    /// voters from the poll plugin (`GET /polls/voters.json`, 50 a page).
    /// Empty when the topic has no such poll.
    pub async fn poll_votes(
        &self,
        topic_id: u64,
        poll_name: &str,
    ) -> Result<Vec<PollVote>, ForumError> {
        #[derive(Deserialize)]
        struct TopicView {
            post_stream: Stream,
        }
        #[derive(Deserialize)]
        struct Stream {
            posts: Vec<PostView>,
        }
        #[derive(Deserialize)]
        struct PostView {
            id: u64,
            #[serde(default)]
            polls: Vec<PollView>,
        }
        #[derive(Deserialize)]
        struct PollView {
            name: String,
            options: Vec<OptionView>,
        }
        #[derive(Deserialize)]
        struct OptionView {
            id: String,
        }
        #[derive(Deserialize)]
        struct Voters {
            voters: std::collections::HashMap<String, Vec<Voter>>,
        }
        #[derive(Deserialize)]
        struct Voter {
            username: String,
        }
        const PAGE: usize = 50;
        let url = self.endpoint(["t", &format!("{topic_id}.json")]);
        let topic: TopicView = decode(self.send(self.http.get(url)).await?).await?;
        let Some((post_id, poll)) = topic.post_stream.posts.first().and_then(|p| {
            p.polls
                .iter()
                .find(|poll| poll.name == poll_name)
                .map(|poll| (p.id, poll))
        }) else {
            return Ok(Vec::new());
        };
        let mut votes = Vec::new();
        for (option, digest) in poll.options.iter().map(|o| &o.id).enumerate() {
            for page in 1.. {
                let mut url = self.endpoint(["polls", "voters.json"]);
                url.query_pairs_mut()
                    .append_pair("post_id", &post_id.to_string())
                    .append_pair("poll_name", poll_name)
                    .append_pair("option_id", digest)
                    .append_pair("page", &page.to_string())
                    .append_pair("limit", &PAGE.to_string());
                let mut answer: Voters = decode(self.send(self.http.get(url)).await?).await?;
                let voters = answer.voters.remove(digest).unwrap_or_default();
                let full = voters.len() == PAGE;
                votes.extend(voters.into_iter().map(|v| PollVote {
                    username: v.username,
                    option,
                }));
                if !full {
                    break;
                }
            }
        }
        votes.sort();
        Ok(votes)
    }

    async fn create_post(&self, body: &Value) -> Result<Post, ForumError> {
        let url = self.endpoint(["posts.json"]);
        decode(self.send(self.http.post(url).json(body)).await?).await
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response, ForumError> {
        let response = request.send().await.map_err(unavailable)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(ForumError::Transient {
                reason: format!("HTTP {status}"),
                retry_after: retry_after(response.headers()),
            });
        }
        #[derive(Deserialize)]
        struct Refusal {
            errors: Vec<String>,
        }
        // Discourse explains itself as {"errors": [...]}; a proxy's page explains nothing.
        let errors = response
            .json::<Refusal>()
            .await
            .map(|r| r.errors)
            .unwrap_or_default();
        Err(ForumError::Rejected {
            status: status.as_u16(),
            errors,
        })
    }

    fn topic(&self, topic_id: u64, slug: String) -> Topic {
        let url = self.endpoint(["t", &slug, &topic_id.to_string()]);
        Topic {
            topic_id,
            slug,
            url,
        }
    }

    /// `segments` below the forum's address, each percent-encoded, so an
    /// external ID cannot reach another path.
    fn endpoint<'a>(&self, segments: impl IntoIterator<Item = &'a str>) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .extend(segments);
        url
    }
}

/// Discourse answers a lookup by external ID with a redirect to the topic's own
/// address. Followed only within the forum: the API key goes with every request.
fn same_origin_redirects() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ForumError> {
    response.json().await.map_err(|e| {
        if e.is_decode() {
            ForumError::Decode(e.to_string())
        } else {
            unavailable(e)
        }
    })
}

/// Only the delay-seconds form: Discourse sends no other.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

fn unavailable(e: reqwest::Error) -> ForumError {
    // reqwest's own message names the URL only; the cause (refused, timed out) is in the chain.
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    ForumError::Transient {
        reason,
        retry_after: None,
    }
}
