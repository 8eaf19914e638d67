//! Forwards waiting to be sent to tenants' URLs: a bounded queue taken by a
//! fixed number of workers, each attempt with its own timeout and a few
//! retries with back-off. Receiving a callback only puts a forward in the
//! queue, so a slow or dead tenant URL never holds up a BBB server or the
//! API; when the queue is full the forward is dropped, with a warning and
//! a metric. The queue is in memory: forwards not yet sent when Plenary
//! stops are lost.

use std::sync::Arc;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header;
use tokio::sync::{Mutex, mpsc};
use url::Url;

use super::{CallbackConfig, Kind, address};

/// What is sent to the tenant's URL.
#[derive(Debug, Clone)]
pub(crate) enum Outgoing {
    Get,
    /// `application/x-www-form-urlencoded`, already encoded.
    Form(String),
    /// JSON with an `Authorization: Bearer` token.
    Json {
        bearer: String,
        body: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub kind: Kind,
    pub tenant: String,
    pub url: Url,
    pub outgoing: Outgoing,
}

pub(crate) struct Queue {
    tx: mpsc::Sender<Delivery>,
}

/// Why one attempt failed, and whether another may succeed.
#[derive(Debug)]
struct Failure {
    retry: bool,
    reason: String,
}

struct Sender {
    client: reqwest::Client,
    config: CallbackConfig,
}

impl Queue {
    /// Starts the workers; they stop when the queue is dropped.
    pub fn start(config: &CallbackConfig) -> Self {
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        let rx = Arc::new(Mutex::new(rx));
        let mut client = reqwest::Client::builder()
            // A redirect could lead anywhere; a proxy would resolve names
            // where the address check cannot see.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("Plenary/", env!("CARGO_PKG_VERSION")));
        if !config.private_networks {
            client = client.dns_resolver(address::PublicOnly);
        }
        let sender = Arc::new(Sender {
            client: client.build().expect("a TLS backend is built in"),
            config: config.clone(),
        });
        for _ in 0..config.workers.max(1) {
            let (rx, sender) = (rx.clone(), sender.clone());
            tokio::spawn(async move {
                loop {
                    let next = rx.lock().await.recv().await;
                    let Some(delivery) = next else { return };
                    sender.deliver(delivery).await;
                }
            });
        }
        Self { tx }
    }

    /// Queues a forward, or drops it when the queue is full.
    pub fn push(&self, delivery: Delivery) {
        let (kind, tenant) = (delivery.kind.name(), delivery.tenant.clone());
        if let Err(e) = self.tx.try_send(delivery) {
            metrics::counter!("plenary_callbacks_dropped_total", "kind" => kind).increment(1);
            tracing::warn!(%tenant, kind, error = %e, "callback queue full; the callback is dropped");
        }
    }
}

impl Sender {
    async fn deliver(&self, delivery: Delivery) {
        let kind = delivery.kind.name();
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.config.first_retry)
            .with_max_times(self.config.retries)
            .with_jitter();
        let outcome = (|| self.attempt(&delivery))
            .retry(backoff)
            .when(|f: &Failure| f.retry)
            .await;
        let result = match &outcome {
            Ok(()) => "sent",
            Err(_) => "failed",
        };
        metrics::counter!("plenary_callbacks_forwarded_total", "kind" => kind, "result" => result)
            .increment(1);
        match outcome {
            Ok(()) => tracing::info!(tenant = %delivery.tenant, kind, "callback forwarded"),
            Err(f) => {
                tracing::warn!(tenant = %delivery.tenant, kind, reason = %f.reason, "callback not forwarded");
            }
        }
    }

    async fn attempt(&self, d: &Delivery) -> Result<(), Failure> {
        if !address::literal_allowed(&d.url, self.config.private_networks) {
            return Err(Failure {
                retry: false,
                reason: "the URL names an address that is not public".into(),
            });
        }
        let request = match &d.outgoing {
            Outgoing::Get => self.client.get(d.url.clone()),
            Outgoing::Form(form) => self
                .client
                .post(d.url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone()),
            Outgoing::Json { bearer, body } => self
                .client
                .post(d.url.clone())
                .header(header::CONTENT_TYPE, "application/json")
                .bearer_auth(bearer)
                .body(body.clone()),
        };
        let response = request
            .timeout(self.config.attempt_timeout)
            .send()
            .await
            .map_err(|e| Failure {
                retry: true,
                reason: e.to_string(),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        Err(Failure {
            // The tenant's answer to this very request will not change.
            retry: status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS,
            reason: format!("answered HTTP {status}"),
        })
    }
}
