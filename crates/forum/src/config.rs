//! Where the forum is and how Plenary signs in to it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Serialises with its secrets, since the binary's configuration is merged
/// through serde; `Debug` redacts them, and a serialised configuration is
/// never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscourseConfig {
    /// The forum's address, with its subfolder if it has one (`https://host/forum`).
    pub base_url: url::Url,
    pub api_key: String,
    /// The user the API key acts as; topics and replies are posted in its name.
    pub api_username: String,
    /// Where proposal topics are opened.
    pub category_id: u64,
    /// The secret of the forum's webhook; without one, webhooks are refused.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// The `X-Discourse-Instance` webhooks must carry, when set.
    #[serde(default)]
    pub instance: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("the forum address {0} is not an http(s) URL")]
    NotHttp(String),
    #[error("the {0} is not a valid HTTP header value")]
    NotAHeaderValue(&'static str),
}

impl DiscourseConfig {
    /// The forum page of the topic with this external ID: Discourse answers
    /// `/t/external_id/ID` with a redirect to the topic, whatever its slug.
    pub fn topic_url(&self, external_id: &str) -> String {
        format!(
            "{}/t/external_id/{external_id}",
            self.base_url.as_str().trim_end_matches('/')
        )
    }
}

impl fmt::Debug for DiscourseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "[redacted]";
        f.debug_struct("DiscourseConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &REDACTED)
            .field("api_username", &self.api_username)
            .field("category_id", &self.category_id)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| REDACTED),
            )
            .field("instance", &self.instance)
            .finish()
    }
}
