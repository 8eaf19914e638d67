//! SMTP settings, embeddable in the binary's configuration (figment, TOML, env).

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text; only for a relay on the same host or network.
    None,
    /// Plain connection upgraded with STARTTLS, which is required: no mail
    /// and no credentials go out if the server does not offer it.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, "implicit TLS").
    Tls,
}

impl Security {
    /// The port each mode is usually served on (RFC 8314: 465 for implicit
    /// TLS, 587 for submission with STARTTLS; 25 for plain relaying).
    pub fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::Starttls => 587,
            Security::Tls => 465,
        }
    }
}

/// An SMTP password: readable by the mailer, redacted in `Debug`.
///
/// It serialises as its value because the binary's configuration is merged
/// through serde; never print a serialised configuration.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where and how notifications are sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Defaults to the usual port of `security`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Password>,
    /// The sender, with a display name: `Plenary <noreply@coop.example>`.
    pub from: String,
    /// Seconds one message may take, from connecting to the server's last answer.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: f64,
}

fn default_timeout_secs() -> f64 {
    30.0
}

impl SmtpConfig {
    /// Settings with the defaults for everything but the server and the sender.
    pub fn new(host: impl Into<String>, from: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: None,
            security: Security::default(),
            username: None,
            password: None,
            from: from.into(),
            timeout_secs: default_timeout_secs(),
        }
    }

    /// Checks every setting, so that a bad one is reported at start-up rather
    /// than at the first notification.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.checked().map(|_| ())
    }

    pub(crate) fn checked(&self) -> Result<Checked, ConfigError> {
        let host = self.host.trim();
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::Host(self.host.clone()));
        }
        let port = self.port.unwrap_or(self.security.default_port());
        if port == 0 {
            return Err(ConfigError::PortZero);
        }
        let from = self
            .from
            .parse::<Mailbox>()
            .map_err(|e| ConfigError::From {
                value: self.from.clone(),
                reason: e.to_string(),
            })?;
        let credentials = match (&self.username, &self.password) {
            (None, None) => None,
            (Some(user), Some(password)) => Some((user.clone(), password.clone())),
            (Some(_), None) => return Err(ConfigError::UsernameWithoutPassword),
            (None, Some(_)) => return Err(ConfigError::PasswordWithoutUsername),
        };
        if credentials.is_some() && self.security == Security::None {
            return Err(ConfigError::PasswordInClear);
        }
        let timeout = Duration::try_from_secs_f64(self.timeout_secs)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or(ConfigError::Timeout(self.timeout_secs))?;
        Ok(Checked {
            host: host.to_owned(),
            port,
            security: self.security,
            credentials,
            from,
            timeout,
        })
    }
}

/// Settings that passed [`SmtpConfig::validate`], in the types the mailer uses.
pub(crate) struct Checked {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, Password)>,
    pub from: Mailbox,
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("smtp host {0:?} is not a host name or address")]
    Host(String),
    #[error("smtp port must not be 0")]
    PortZero,
    #[error(
        "smtp from address {value:?} is not a mailbox like `Plenary <noreply@coop.example>`: {reason}"
    )]
    From { value: String, reason: String },
    #[error("smtp username is set but password is not")]
    UsernameWithoutPassword,
    #[error("smtp password is set but username is not")]
    PasswordWithoutUsername,
    #[error("smtp security `none` would send the password unencrypted; use `starttls` or `tls`")]
    PasswordInClear,
    #[error("smtp timeout_secs must be a positive number of seconds, not {0}")]
    Timeout(f64),
    #[error("smtp TLS could not be set up: {0}")]
    Tls(String),
}
