//! Serving a router over HTTP/1.1 with the limits a public server needs:
//! at most `max_connections` connections at once (further ones wait in the
//! listen queue, unaccepted), a deadline for a request's headers from their
//! first byte and one for its body, idle keep-alive connections closed, and
//! a graceful shutdown that lets the requests in flight finish.
//!
//! Each request carries the peer's [`ConnectInfo`] and the [`ClientAddr`]
//! behind the trusted proxies, for the throttle and the metrics' guard.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::Request;
use futures::StreamExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use throttle::ClientAddr;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tower::ServiceExt;

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_connections: usize,
    /// From the first byte of a request to the end of its headers.
    pub header_timeout: Duration,
    /// From the end of a request's headers to the end of its body.
    pub body_timeout: Duration,
    /// How long a connection waits, silent, for its next request.
    pub idle_timeout: Duration,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
}

/// A saturated server says so once a minute, not once a connection.
const LIMIT_WARNING_EVERY: Duration = Duration::from_secs(60);

/// Serves `router` on `listener` until `shutdown` resolves, then waits for
/// the requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let limits = Arc::new(limits);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    let mut warned: Option<Instant> = None;
    loop {
        if permits.available_permits() == 0 {
            metrics::counter!("plenary_http_connection_limit_reached_total").increment(1);
            if warned.is_none_or(|at| at.elapsed() >= LIMIT_WARNING_EVERY) {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "the connection limit is reached; new connections wait until one closes"
                );
                warned = Some(Instant::now());
            }
        }
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, typically: let some close.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        metrics::gauge!("plenary_http_connections").increment(1);
        let connection = connection(stream, peer, router.clone(), limits.clone(), &graceful);
        tokio::spawn(async move {
            connection.await;
            metrics::gauge!("plenary_http_connections").decrement(1);
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Arc<Limits>,
    graceful: &GracefulShutdown,
) -> impl Future<Output = ()> + use<> {
    let activity = Arc::new(Mutex::new(Activity::new(Instant::now())));
    let io = TokioIo::new(Watched {
        io: stream,
        activity: activity.clone(),
    });
    let service = {
        let (activity, limits) = (activity.clone(), limits.clone());
        hyper::service::service_fn(move |req: Request<Incoming>| {
            let in_flight = InFlight::start(activity.clone());
            let request = prepare(req, peer, &limits);
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await;
                drop(in_flight);
                response
            }
        })
    };
    let conn =
        graceful.watch(hyper::server::conn::http1::Builder::new().serve_connection(io, service));
    async move {
        tokio::select! {
            _ = conn => {}
            _ = silence(activity, limits) => {
                tracing::debug!(%peer, "closing a connection that sent no request in time");
            }
        }
    }
}

/// The request as the router sees it: who sent it, and a body that ends
/// in an error past its deadline.
fn prepare(req: Request<Incoming>, peer: SocketAddr, limits: &Limits) -> Request<Body> {
    let (mut parts, body) = req.into_parts();
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let client = throttle::client_address(peer.ip(), forwarded, &limits.trusted_proxies);
    parts.extensions.insert(ConnectInfo(peer));
    parts.extensions.insert(ClientAddr(client));
    let body = if body.is_end_stream() {
        Body::empty()
    } else {
        with_deadline(Body::new(body), limits.body_timeout)
    };
    Request::from_parts(parts, body)
}

fn with_deadline(body: Body, timeout: Duration) -> Body {
    let deadline = Instant::now() + timeout;
    let chunks = futures::stream::unfold(Some(body.into_data_stream()), move |rest| async move {
        let mut rest = rest?;
        match tokio::time::timeout_at(deadline, rest.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(rest))),
            Ok(None) => None,
            Err(_) => Some((
                Err(axum::Error::new(
                    "the request body was not received in time",
                )),
                None,
            )),
        }
    });
    Body::from_stream(chunks)
}

/// What a connection is doing, for its deadline.
#[derive(Debug, Clone, Copy)]
struct Activity {
    in_flight: usize,
    /// The last answer sent or byte written.
    idle_since: Instant,
    /// The first byte of a request whose headers are not complete yet.
    head_started: Option<Instant>,
}

impl Activity {
    fn new(now: Instant) -> Self {
        Self {
            in_flight: 0,
            idle_since: now,
            head_started: None,
        }
    }

    /// When the connection is to be closed, if nothing happens before:
    /// never while a request is being answered.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        if self.in_flight > 0 {
            return None;
        }
        Some(match self.head_started {
            Some(at) => at + limits.header_timeout,
            None => self.idle_since + limits.idle_timeout,
        })
    }
}

fn lock(activity: &Mutex<Activity>) -> std::sync::MutexGuard<'_, Activity> {
    activity.lock().unwrap_or_else(|p| p.into_inner())
}

/// Resolves when the connection's deadline passes. The deadline moves as
/// requests come and go, so it is read again at least every `recheck`.
async fn silence(activity: Arc<Mutex<Activity>>, limits: Arc<Limits>) {
    let recheck = limits.header_timeout.min(limits.idle_timeout);
    loop {
        let now = Instant::now();
        let deadline = lock(&activity).deadline(&limits);
        match deadline {
            Some(at) if at <= now => return,
            Some(at) => tokio::time::sleep_until(at.min(now + recheck)).await,
            None => tokio::time::sleep(recheck).await,
        }
    }
}

/// A request being answered; the connection is idle again once it is dropped.
struct InFlight(Arc<Mutex<Activity>>);

impl InFlight {
    fn start(activity: Arc<Mutex<Activity>>) -> Self {
        {
            let mut a = lock(&activity);
            a.in_flight += 1;
            a.head_started = None;
        }
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut a = lock(&self.0);
        a.in_flight -= 1;
        a.idle_since = Instant::now();
    }
}

/// A socket that notes when bytes come and go.
struct Watched {
    io: TcpStream,
    activity: Arc<Mutex<Activity>>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            let mut a = lock(&self.activity);
            if a.in_flight == 0 && a.head_started.is_none() {
                a.head_started = Some(Instant::now());
            }
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            lock(&self.activity).idle_since = Instant::now();
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_connections: 1,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            trusted_proxies: Vec::new(),
        }
    }

    #[test]
    fn a_silent_connection_closes_after_the_idle_timeout() {
        let now = Instant::now();
        let a = Activity::new(now);
        assert_eq!(a.deadline(&limits()), Some(now + Duration::from_secs(60)));
    }

    #[test]
    fn a_started_request_head_must_end_within_the_header_timeout() {
        let now = Instant::now();
        let a = Activity {
            head_started: Some(now),
            ..Activity::new(now)
        };
        assert_eq!(a.deadline(&limits()), Some(now + Duration::from_secs(10)));
    }

    #[test]
    fn a_request_being_answered_has_no_deadline() {
        let a = Activity {
            in_flight: 1,
            ..Activity::new(Instant::now())
        };
        assert_eq!(a.deadline(&limits()), None);
    }
}
