//! A stand-in for a Discourse forum, over real HTTP on loopback, answering as
//! Discourse's `PostsController#create` and `TopicsController#show` and
//! `#show_by_external_id` do, and as the poll plugin's
//! `PollsController#voters` does for the polls written in posts, with knobs
//! to make it fail and a way for tests to vote as forum users.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Request, State};
use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

use crate::DiscourseConfig;

/// The `Retry-After` of a rate-limited answer, in seconds.
pub const RETRY_AFTER_SECS: u64 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTopic {
    pub id: u64,
    pub title: String,
    pub slug: String,
    pub category_id: u64,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePost {
    pub id: u64,
    pub topic_id: u64,
    pub post_number: u64,
    pub username: String,
    pub raw: String,
}

/// A poll written in a post with the poll plugin's markup.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FakePoll {
    post_id: u64,
    name: String,
    options: Vec<String>,
    /// Each voter's choice, by option index.
    votes: Vec<(String, usize)>,
}

/// The forum; it stops accepting connections when dropped.
pub struct FakeDiscourse {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

struct Shared {
    api_key: String,
    api_username: String,
    forum: Mutex<Forum>,
}

#[derive(Default)]
struct Forum {
    topics: Vec<FakeTopic>,
    posts: Vec<FakePost>,
    polls: Vec<FakePoll>,
    requests: usize,
    /// Statuses answered instead of handling the next requests.
    refusals: VecDeque<StatusCode>,
    /// Statuses answered after handling the next POSTs.
    losses: VecDeque<StatusCode>,
}

impl FakeDiscourse {
    /// A forum on a free loopback port, accepting one API key acting as `api_username`.
    pub async fn start(api_key: &str, api_username: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            api_key: api_key.into(),
            api_username: api_username.into(),
            forum: Mutex::default(),
        });
        let app = Router::new()
            .route("/posts.json", post(create_post))
            .route("/t/external_id/{file}", get(show_by_external_id))
            .route("/t/{slug}/{file}", get(show_topic))
            .route("/t/{file}", get(show_topic_by_id))
            .route("/polls/voters.json", get(voters))
            .layer(middleware::from_fn_with_state(shared.clone(), gate))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the fake forum keeps serving");
        });
        Ok(Self {
            addr,
            shared,
            server,
        })
    }

    pub fn base_url(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).expect("a socket address makes a URL")
    }

    /// A configuration reaching this forum with its API key, opening topics in `category_id`.
    pub fn config(&self, category_id: u64) -> DiscourseConfig {
        DiscourseConfig {
            base_url: self.base_url(),
            api_key: self.shared.api_key.clone(),
            api_username: self.shared.api_username.clone(),
            category_id,
            webhook_secret: None,
            instance: None,
        }
    }

    /// The next `n` requests are answered `status` without being handled, as by an
    /// overloaded proxy (502, 503) or Discourse's rate limiter (429, with `Retry-After`).
    pub fn fail_next(&self, n: usize, status: u16) {
        self.shared.forum().refusals.extend(fault(n, status));
    }

    /// The next `n` POSTs are handled, but answered `status`, as when a proxy gives
    /// up waiting (504): the client cannot tell whether it posted.
    pub fn lose_next_posts(&self, n: usize, status: u16) {
        self.shared.forum().losses.extend(fault(n, status));
    }

    pub fn topics(&self) -> Vec<FakeTopic> {
        self.shared.forum().topics.clone()
    }

    pub fn posts_of(&self, topic_id: u64) -> Vec<FakePost> {
        self.shared.forum().posts_of(topic_id).cloned().collect()
    }

    /// `username` votes for `option` in the poll named `poll` of the topic's
    /// first post, replacing any vote they had there (a regular poll).
    /// Panics when there is no such poll or option: a test's own mistake.
    pub fn vote(&self, topic_id: u64, poll: &str, username: &str, option: &str) {
        let mut forum = self.shared.forum();
        let first = forum
            .posts_of(topic_id)
            .next()
            .map(|p| p.id)
            .expect("the topic has a first post");
        let poll = forum
            .polls
            .iter_mut()
            .find(|p| p.post_id == first && p.name == poll)
            .expect("the first post has that poll");
        let index = poll
            .options
            .iter()
            .position(|o| o == option)
            .expect("the poll has that option");
        poll.votes.retain(|(voter, _)| voter != username);
        poll.votes.push((username.to_owned(), index));
    }

    /// Every request received, failed ones and followed redirects included.
    pub fn requests_count(&self) -> usize {
        self.shared.forum().requests
    }
}

impl Drop for FakeDiscourse {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn fault(n: usize, status: u16) -> impl Iterator<Item = StatusCode> {
    let status = StatusCode::from_u16(status).expect("an HTTP status code");
    std::iter::repeat_n(status, n)
}

impl Shared {
    fn forum(&self) -> MutexGuard<'_, Forum> {
        self.forum
            .lock()
            .expect("nothing panics holding the fake forum")
    }

    fn authorised(&self, headers: &HeaderMap) -> bool {
        let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
        header("Api-Key") == Some(&self.api_key)
            && header("Api-Username") == Some(&self.api_username)
    }
}

/// What every request meets before its handler: counting, injected faults, the API key.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (refusal, loss) = {
        let mut forum = shared.forum();
        forum.requests += 1;
        match forum.refusals.pop_front() {
            Some(status) => (Some(status), None),
            None if request.method() == Method::POST => (None, forum.losses.pop_front()),
            None => (None, None),
        }
    };
    if let Some(status) = refusal {
        return fault_answer(status);
    }
    if !shared.authorised(request.headers()) {
        return error(
            StatusCode::FORBIDDEN,
            "invalid_access",
            "You are not permitted to view the requested resource.",
        );
    }
    let answer = next.run(request).await;
    loss.map_or(answer, fault_answer)
}

fn fault_answer(status: StatusCode) -> Response {
    if status != StatusCode::TOO_MANY_REQUESTS {
        return (status, "fault injected by the fake forum").into_response();
    }
    let body = json!({
        "errors": [format!("You’ve performed this action too many times. Please wait {RETRY_AFTER_SECS} seconds before trying again.")],
        "error_type": "rate_limit",
        "extras": { "wait_seconds": RETRY_AFTER_SECS, "time_left": format!("{RETRY_AFTER_SECS} seconds") },
    });
    (
        status,
        [(RETRY_AFTER, RETRY_AFTER_SECS.to_string())],
        Json(body),
    )
        .into_response()
}

fn error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "errors": [message], "error_type": error_type })),
    )
        .into_response()
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "The requested URL or resource could not be found.",
    )
}

/// The parameters of `POST /posts.json`: a new topic, or a reply with `topic_id`.
#[derive(Deserialize)]
struct NewPost {
    raw: Option<String>,
    title: Option<String>,
    category: Option<u64>,
    external_id: Option<String>,
    topic_id: Option<u64>,
}

async fn create_post(State(shared): State<Arc<Shared>>, Json(new): Json<NewPost>) -> Response {
    let mut forum = shared.forum();
    let created = match new.topic_id {
        Some(topic_id) if !forum.topics.iter().any(|t| t.id == topic_id) => {
            return not_found();
        }
        Some(topic_id) => forum.post(topic_id, &shared.api_username, new.raw),
        None => forum.open(&shared.api_username, new),
    };
    match created {
        Ok(post) => Json(forum.post_json(&post)).into_response(),
        // As PostsController answers a failed NewPostResult.
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "action": "create_post", "errors": errors, "success": false })),
        )
            .into_response(),
    }
}

async fn show_by_external_id(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
) -> Response {
    let forum = shared.forum();
    let found = file.strip_suffix(".json").and_then(|external_id| {
        forum
            .topics
            .iter()
            .find(|t| t.external_id.as_deref() == Some(external_id))
    });
    match found {
        // Discourse redirects to the topic's canonical address.
        Some(t) => (
            StatusCode::MOVED_PERMANENTLY,
            [(LOCATION, format!("/t/{}/{}.json", t.slug, t.id))],
        )
            .into_response(),
        None => not_found(),
    }
}

async fn show_topic(
    State(shared): State<Arc<Shared>>,
    Path((_slug, file)): Path<(String, String)>,
) -> Response {
    show_topic_by_id(State(shared), Path(file)).await
}

async fn show_topic_by_id(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let forum = shared.forum();
    let id = file.strip_suffix(".json").and_then(|id| id.parse().ok());
    match forum.topics.iter().find(|t| Some(t.id) == id) {
        Some(topic) => Json(forum.topic_json(topic)).into_response(),
        None => not_found(),
    }
}

/// The query of `GET /polls/voters.json`.
#[derive(Deserialize)]
struct VotersQuery {
    post_id: u64,
    poll_name: String,
    option_id: Option<String>,
    page: Option<usize>,
    limit: Option<usize>,
}

/// As `PollsController#voters` for a public regular poll: each option's
/// voters by its digest, `limit` (at most 50, 25 by default) a page.
async fn voters(
    State(shared): State<Arc<Shared>>,
    axum::extract::Query(q): axum::extract::Query<VotersQuery>,
) -> Response {
    let forum = shared.forum();
    let Some(poll) = forum
        .polls
        .iter()
        .find(|p| p.post_id == q.post_id && p.name == q.poll_name)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_parameters",
            "You supplied invalid parameters to the request: poll_name",
        );
    };
    let limit = q.limit.unwrap_or(25).clamp(1, 50);
    let offset = (q.page.unwrap_or(1).max(1) - 1) * limit;
    let mut voters = serde_json::Map::new();
    for (index, label) in poll.options.iter().enumerate() {
        let id = digest(label);
        if q.option_id.as_ref().is_some_and(|wanted| *wanted != id) {
            continue;
        }
        let users: Vec<Value> = poll
            .votes
            .iter()
            .filter(|(_, chosen)| *chosen == index)
            .skip(offset)
            .take(limit)
            .map(|(username, _)| json!({"id": 0, "username": username, "name": username, "avatar_template": ""}))
            .collect();
        voters.insert(id, Value::Array(users));
    }
    Json(json!({ "voters": voters })).into_response()
}

/// An option's ID, as Discourse digests an option's text: stable and opaque.
fn digest(label: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    label.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The polls in a post's markup: `[poll name=…]`, `* option` lines, `[/poll]`.
fn polls_in(post_id: u64, raw: &str) -> Vec<FakePoll> {
    let mut polls = Vec::new();
    let mut open: Option<FakePoll> = None;
    for line in raw.lines().map(str::trim) {
        if let Some(attributes) = line.strip_prefix("[poll").and_then(|l| l.strip_suffix(']')) {
            let name = attributes
                .split_whitespace()
                .find_map(|a| a.strip_prefix("name="))
                .unwrap_or("poll");
            open = Some(FakePoll {
                post_id,
                name: name.to_owned(),
                options: Vec::new(),
                votes: Vec::new(),
            });
        } else if line == "[/poll]" {
            polls.extend(open.take());
        } else if let Some(poll) = open.as_mut()
            && let Some(option) = line.strip_prefix("* ").or_else(|| line.strip_prefix("- "))
        {
            poll.options.push(option.to_owned());
        }
    }
    polls
}

impl Forum {
    /// Opens a topic, validating as Discourse's `Topic` and `PostCreator` do
    /// (with uncategorized topics disallowed, the default).
    fn open(&mut self, username: &str, new: NewPost) -> Result<FakePost, Vec<String>> {
        let title = new.title.unwrap_or_default();
        let mut errors = Vec::new();
        if title.trim().is_empty() {
            errors.push("Title can't be blank".to_owned());
        }
        if new.category.is_none() {
            errors.push("Category can't be blank".to_owned());
        }
        if let Some(external_id) = &new.external_id {
            let well_formed = external_id.len() <= 50
                && !external_id.is_empty()
                && external_id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !well_formed {
                errors.push("External ID is invalid".to_owned());
            }
            let taken = self.topics.iter().any(|t| {
                t.external_id
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(external_id))
            });
            if taken {
                errors.push("External ID has already been taken".to_owned());
            }
        }
        let raw = body(new.raw, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let id = self.topics.len() as u64 + 1;
        self.topics.push(FakeTopic {
            id,
            slug: slug(&title),
            title,
            category_id: new.category.unwrap_or_default(),
            external_id: new.external_id,
        });
        self.post(id, username, Some(raw))
    }

    fn post(
        &mut self,
        topic_id: u64,
        username: &str,
        raw: Option<String>,
    ) -> Result<FakePost, Vec<String>> {
        let mut errors = Vec::new();
        let raw = body(raw, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let post = FakePost {
            id: self.posts.len() as u64 + 1,
            topic_id,
            post_number: self.posts_of(topic_id).count() as u64 + 1,
            username: username.to_owned(),
            raw,
        };
        self.polls.extend(polls_in(post.id, &post.raw));
        self.posts.push(post.clone());
        Ok(post)
    }

    fn posts_of(&self, topic_id: u64) -> impl Iterator<Item = &FakePost> {
        self.posts.iter().filter(move |p| p.topic_id == topic_id)
    }

    fn topic(&self, id: u64) -> &FakeTopic {
        self.topics
            .iter()
            .find(|t| t.id == id)
            .expect("posts belong to topics")
    }

    /// As Discourse's post serializer, in the fields a client reads.
    fn post_json(&self, post: &FakePost) -> Value {
        let topic = self.topic(post.topic_id);
        json!({
            "id": post.id,
            "username": post.username,
            "raw": post.raw,
            "post_number": post.post_number,
            "topic_id": post.topic_id,
            "topic_slug": topic.slug,
            "topic_title": topic.title,
        })
    }

    /// As Discourse's topic view serializer, in the fields a client reads.
    fn topic_json(&self, topic: &FakeTopic) -> Value {
        let posts: Vec<Value> = self
            .posts_of(topic.id)
            .map(|p| {
                let polls: Vec<Value> = self
                    .polls
                    .iter()
                    .filter(|poll| poll.post_id == p.id)
                    .map(|poll| {
                        let options: Vec<Value> = poll
                            .options
                            .iter()
                            .enumerate()
                            .map(|(i, label)| {
                                let votes = poll.votes.iter().filter(|(_, c)| *c == i).count();
                                json!({"id": digest(label), "html": label, "votes": votes})
                            })
                            .collect();
                        json!({"name": poll.name, "type": "regular", "status": "open",
                            "public": true, "results": "always", "options": options,
                            "voters": poll.votes.len()})
                    })
                    .collect();
                json!({
                    "id": p.id,
                    "username": p.username,
                    "post_number": p.post_number,
                    "topic_id": p.topic_id,
                    "polls": polls,
                })
            })
            .collect();
        json!({
            "id": topic.id,
            "title": topic.title,
            "fancy_title": topic.title,
            "slug": topic.slug,
            "category_id": topic.category_id,
            "external_id": topic.external_id,
            "posts_count": posts.len(),
            "post_stream": {
                "posts": posts,
                "stream": self.posts_of(topic.id).map(|p| p.id).collect::<Vec<_>>(),
            },
        })
    }
}

/// A post's text, which must not be blank.
fn body(raw: Option<String>, errors: &mut Vec<String>) -> String {
    let raw = raw.unwrap_or_default();
    if raw.trim().is_empty() {
        errors.push("Body can't be blank".to_owned());
    }
    raw
}

/// As Discourse's ASCII slugs: lowercase words joined by dashes, `topic` if none.
fn slug(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        "topic".to_owned()
    } else {
        words.join("-")
    }
}
