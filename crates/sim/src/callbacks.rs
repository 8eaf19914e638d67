//! Sends the callbacks a meeting's end made due, as a BBB server does: in
//! the background, signed with the server's secret, never holding up the API.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use crate::model::Callback;

/// A BBB server gives up on a callback URL that does not answer soon.
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Serialize)]
struct RecordingReadyClaims<'a> {
    meeting_id: &'a str,
    record_id: &'a str,
}

#[derive(Serialize)]
struct Expiry {
    exp: i64,
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .expect("a TLS backend is built in")
}

/// Sends each callback on its own task; outside a runtime there is nobody
/// to send them, and they are dropped.
pub(crate) fn send(callbacks: Vec<Callback>, client: &reqwest::Client, secret: &str) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    for callback in callbacks {
        let (client, secret) = (client.clone(), secret.to_string());
        runtime.spawn(async move {
            let request = match request(&client, &callback, &secret) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot sign a callback");
                    return;
                }
            };
            if let Err(e) = request.send().await {
                tracing::info!(error = %e, "a callback URL did not answer");
            }
        });
    }
}

fn request(
    client: &reqwest::Client,
    callback: &Callback,
    secret: &str,
) -> Result<reqwest::RequestBuilder, jsonwebtoken::errors::Error> {
    // Only the signed callbacks need a key; an empty secret has none.
    let key = || EncodingKey::from_secret(secret.as_bytes());
    Ok(match callback {
        Callback::Get { url } => client.get(url),
        Callback::RecordingReady {
            url,
            meeting_id,
            record_id,
        } => {
            let token = jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                &RecordingReadyClaims {
                    meeting_id,
                    record_id,
                },
                &key()?,
            )?;
            let mut form = bbb::Params::new();
            form.set("signed_parameters", token);
            client
                .post(url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form.encode())
        }
        Callback::Analytics { url, body } => {
            // Receivers check the expiry against their own clock, not the simulated one.
            let now = jiff::Timestamp::now().as_second();
            let token = jsonwebtoken::encode(
                &Header::new(Algorithm::HS512),
                &Expiry {
                    exp: now + 24 * 60 * 60,
                },
                &key()?,
            )?;
            client
                .post(url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(
                    reqwest::header::USER_AGENT,
                    "BigBlueButton Analytics Callback",
                )
                .body(body.to_string())
        }
    })
}
