//! Calls to one BBB backend, signed with that backend's secret.

use std::fmt;
use std::time::Duration;

use crate::checksum::{Algorithm, sign};
use crate::get_meetings::{MeetingList, read_get_meetings};
use crate::params::Params;
use crate::xml::{Element, XmlError, trim_whitespace};

/// The largest answer read from a backend unless the client is told
/// otherwise. A busy server's `getMeetings` is well under 1 MB.
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// One BBB server's API endpoint and secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Backend {
    api_url: String,
    secret: String,
    algorithm: Algorithm,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BackendUrlError {
    #[error("{0:?} is not an http(s) URL")]
    NotHttp(String),
}

impl Backend {
    /// Accepts the forms operators paste: `https://host`, `https://host/bigbluebutton/`
    /// or the full `https://host/bigbluebutton/api/` that `bbb-conf --secret` prints.
    pub fn new(
        url: &str,
        secret: impl Into<String>,
        algorithm: Algorithm,
    ) -> Result<Self, BackendUrlError> {
        let parsed =
            reqwest::Url::parse(url.trim()).map_err(|_| BackendUrlError::NotHttp(url.into()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(BackendUrlError::NotHttp(url.into()));
        }
        let base = parsed.as_str().trim_end_matches('/');
        let api_url = if base.ends_with("/bigbluebutton/api") {
            base.to_string()
        } else if base.ends_with("/bigbluebutton") {
            format!("{base}/api")
        } else {
            format!("{base}/bigbluebutton/api")
        };
        Ok(Self {
            api_url,
            secret: secret.into(),
            algorithm,
        })
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The full signed URL of a call, e.g. the join URL a browser is sent to.
    pub fn signed_url(&self, call: &str, params: &Params) -> String {
        let query = params.encode();
        let checksum = sign(self.algorithm, call, &query, &self.secret);
        if query.is_empty() {
            format!("{}/{call}?checksum={checksum}", self.api_url)
        } else {
            format!("{}/{call}?{query}&checksum={checksum}", self.api_url)
        }
    }
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backend")
            .field("api_url", &self.api_url)
            .field("secret", &"***")
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the server did not answer in time")]
    Timeout,
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    #[error("the server answered HTTP {0}")]
    Status(u16),
    #[error("the server's answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the server's answer is not BBB XML: {0}")]
    BadXml(#[from] XmlError),
}

/// A body passed through to the backend, e.g. `<modules>` on create.
#[derive(Debug, Clone)]
pub struct Body {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A pooled HTTP client shared by all backend calls.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    max_answer_bytes: usize,
}

impl Client {
    pub fn new(connect_timeout: Duration, response_timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(response_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Plenary/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the TLS backend is compiled in");
        Self {
            http,
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
        }
    }

    /// Refuses answers larger than `bytes`, before reading more of them.
    pub fn with_max_answer_bytes(self, bytes: usize) -> Self {
        Self {
            max_answer_bytes: bytes,
            ..self
        }
    }

    /// Calls `call` with `params`, as a GET, or as a POST carrying `body`.
    pub async fn call(
        &self,
        backend: &Backend,
        call: &str,
        params: &Params,
        body: Option<Body>,
    ) -> Result<Element, ClientError> {
        let body = self.fetch(backend, call, params, body).await?;
        let mut el = Element::parse_bytes(&body)?;
        trim_whitespace(&mut el);
        Ok(el)
    }

    /// Calls `getMeetings` and reads the answer as it streams through the
    /// XML reader, keeping of each meeting's metadata only the keys in
    /// `metadata`: the poller's call, made to every server every round.
    pub async fn get_meetings(
        &self,
        backend: &Backend,
        metadata: &[&str],
    ) -> Result<MeetingList, ClientError> {
        let body = self
            .fetch(backend, "getMeetings", &Params::new(), None)
            .await?;
        Ok(read_get_meetings(&body, metadata)?)
    }

    /// The bytes of a successful answer to `call`, at most `max_answer_bytes`.
    async fn fetch(
        &self,
        backend: &Backend,
        call: &str,
        params: &Params,
        body: Option<Body>,
    ) -> Result<Vec<u8>, ClientError> {
        let url = backend.signed_url(call, params);
        let request = match body {
            None => self.http.get(&url),
            Some(b) => self
                .http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, b.content_type)
                .body(b.bytes),
        };
        let response = request.send().await.map_err(classify)?;
        if !response.status().is_success() {
            return Err(ClientError::Status(response.status().as_u16()));
        }
        read_limited(response, self.max_answer_bytes).await
    }
}

/// Reads a body chunk by chunk, stopping as soon as it would exceed `limit`.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ClientError> {
    let too_large = ClientError::TooLarge { limit };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn classify(e: reqwest::Error) -> ClientError {
    if e.is_timeout() {
        ClientError::Timeout
    } else {
        // Without the URL: it carries a checksum made with the backend secret.
        ClientError::Unreachable(e.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server on loopback that answers every connection with `head` and
    /// then `chunks` chunks of `chunk` in chunked encoding, as a server does
    /// that does not say how long its answer is.
    async fn chunked_server(
        chunk: String,
        chunks: usize,
    ) -> (Backend, tokio::task::JoinHandle<usize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = conn.read(&mut request).await;
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ntransfer-encoding: chunked\r\n\r\n";
            let _ = conn.write_all(head.as_bytes()).await;
            let mut sent = 0;
            for _ in 0..chunks {
                let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                if conn.write_all(frame.as_bytes()).await.is_err() {
                    break;
                }
                sent += chunk.len();
            }
            let _ = conn.write_all(b"0\r\n\r\n").await;
            sent
        });
        (Backend::new(&url, "s", Algorithm::Sha256).unwrap(), task)
    }

    #[tokio::test]
    async fn an_answer_over_the_limit_is_refused_while_it_streams_in() {
        let client = Client::new(Duration::from_secs(2), Duration::from_secs(10))
            .with_max_answer_bytes(64 * 1024);
        // 64 MB in all, far more than the limit and than socket buffers hold.
        let chunk = format!("<a>{}", "x".repeat(64 * 1024 - 3));
        let (backend, server) = chunked_server(chunk, 1024).await;
        let result = client
            .call(&backend, "getMeetings", &Params::new(), None)
            .await;
        assert!(
            matches!(result, Err(ClientError::TooLarge { limit: 65536 })),
            "{result:?}"
        );
        drop(client);
        let sent = server.await.unwrap();
        assert!(
            sent < 32 * 1024 * 1024,
            "the server could send {sent} bytes"
        );
    }

    #[tokio::test]
    async fn an_answer_within_the_limit_is_read() {
        let client =
            Client::new(Duration::from_secs(2), Duration::from_secs(10)).with_max_answer_bytes(64);
        let (backend, _server) = chunked_server(
            "<response><returncode>SUCCESS</returncode></response>".into(),
            1,
        )
        .await;
        let el = client
            .call(&backend, "getMeetings", &Params::new(), None)
            .await
            .unwrap();
        assert_eq!(el.child_text("returncode").as_deref(), Some("SUCCESS"));
    }

    #[test]
    fn operators_may_paste_any_of_the_usual_url_forms() {
        for url in [
            "https://bbb1.example.org",
            "https://bbb1.example.org/",
            "https://bbb1.example.org/bigbluebutton/",
            "https://bbb1.example.org/bigbluebutton/api/",
        ] {
            let b = Backend::new(url, "s", Algorithm::Sha256).unwrap();
            assert_eq!(b.api_url(), "https://bbb1.example.org/bigbluebutton/api");
        }
        assert!(Backend::new("ftp://x", "s", Algorithm::Sha1).is_err());
        assert!(Backend::new("not a url", "s", Algorithm::Sha1).is_err());
    }

    #[test]
    fn the_debug_form_never_shows_the_secret() {
        let b = Backend::new("http://h", "topsecret", Algorithm::Sha1).unwrap();
        assert!(!format!("{b:?}").contains("topsecret"));
    }

    #[test]
    fn signed_urls_verify_with_the_backend_secret() {
        let b = Backend::new("http://h:1", "sec", Algorithm::Sha256).unwrap();
        let mut p = Params::new();
        p.push("meetingID", "a b");
        let url = b.signed_url("isMeetingRunning", &p);
        let query = url.split_once('?').unwrap().1;
        let req = crate::checksum::SignedRequest {
            call: "isMeetingRunning",
            raw_query: query,
            body_params: None,
        };
        assert_eq!(
            crate::checksum::verify(req, ["sec"], crate::AlgorithmSet::all()),
            Ok(Algorithm::Sha256)
        );
    }
}
