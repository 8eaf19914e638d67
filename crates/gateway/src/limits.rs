//! Back-pressure on the BBB API: requests too large are refused before
//! their body is read, each tenant has a request rate, and each server a
//! bounded number of calls in flight, so one slow server holds up only the
//! calls made to it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bbb::ApiError;
use bbb::answer::Answer;
use throttle::rate::RateLimiter;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits an operator sets.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes of a POST body; a larger declared length is refused unread,
    /// a larger chunked body when it passes the limit.
    pub max_body_bytes: usize,
    /// Bytes of the query string.
    pub max_query_bytes: usize,
    /// Requests per tenant, counted after the checksum is verified so no
    /// one can spend another tenant's budget.
    pub tenant_rate: RateLimiter,
    /// Calls in flight to one server; further ones fail at once as if the
    /// server were unreachable (create then tries another server).
    pub server_concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 4 * 1024 * 1024,
            max_query_bytes: 64 * 1024,
            tenant_rate: RateLimiter::default(),
            server_concurrency: 64,
        }
    }
}

pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        "requestTooLarge",
        "The request is larger than this server accepts.",
    )
}

pub(crate) fn too_many_requests() -> ApiError {
    ApiError::new(
        "tooManyRequests",
        "Too many requests were made with this tenant's secret. Please try again later.",
    )
}

/// Refuses a request whose query or declared body is over its limit,
/// before any handler reads the body.
pub(crate) async fn sizes(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let query = req.uri().query().map_or(0, str::len);
    let body_over = declared.is_some_and(|n| n > limits.max_body_bytes as u64);
    if body_over || query > limits.max_query_bytes {
        metrics::counter!("plenary_api_refused_too_large_total").increment(1);
        return Answer::from(too_large()).into_response();
    }
    next.run(req).await
}

/// A bounded number of calls in flight per server.
#[derive(Debug)]
pub(crate) struct ServerSlots {
    per_server: usize,
    servers: Mutex<HashMap<i64, Arc<Semaphore>>>,
}

impl ServerSlots {
    pub fn new(per_server: usize) -> Self {
        Self {
            per_server: per_server.max(1),
            servers: Mutex::new(HashMap::new()),
        }
    }

    /// A slot for one call to `server_id`, or `None` when all are taken.
    pub fn try_take(&self, server_id: i64) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            // The map holds semaphores only: one left mid-update is usable.
            let mut servers = self.servers.lock().unwrap_or_else(|p| p.into_inner());
            servers
                .entry(server_id)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_server)))
                .clone()
        };
        semaphore.try_acquire_owned().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_takes_its_slots_and_no_more_while_another_server_has_its_own() {
        let slots = ServerSlots::new(2);
        let held = [slots.try_take(1), slots.try_take(1)];
        assert!(held.iter().all(Option::is_some));
        assert!(slots.try_take(1).is_none());
        assert!(slots.try_take(2).is_some());
        drop(held);
        assert!(
            slots.try_take(1).is_some(),
            "a finished call frees its slot"
        );
    }
}
