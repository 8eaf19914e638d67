//! Sending one notification as one message, with failures sorted into those
//! worth retrying and those that are not.

use std::error::Error as _;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, Message, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{ConfigError, Security, SmtpConfig};
use crate::message::Notification;

/// Sends notifications through one SMTP server. Each [`Mailer::send`] opens
/// its own connection: notifications are rare, and a fresh connection makes
/// every failure belong to the one message that met it. Cloning is cheap.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
}

/// Why a message was not sent. The outbox retries [`SendError::Transient`]
/// failures later and gives up on [`SendError::Permanent`] ones.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("temporary failure, worth retrying: {0}")]
    Transient(Failure),
    #[error("permanent failure: {0}")]
    Permanent(Failure),
}

impl SendError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient(_))
    }

    pub fn failure(&self) -> &Failure {
        match self {
            SendError::Transient(f) | SendError::Permanent(f) => f,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("no recipient address given")]
    NoRecipient,
    #[error("recipient address {address:?} is not valid: {reason}")]
    BadAddress { address: String, reason: String },
    #[error("the message could not be built: {0}")]
    Message(String),
    #[error("the SMTP server answered {code}: {text}")]
    Rejected { code: u16, text: String },
    #[error("the SMTP server did not finish within {0:?}")]
    TimedOut(Duration),
    #[error("could not talk to the SMTP server: {0}")]
    Smtp(String),
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> Result<Mailer, ConfigError> {
        let checked = config.checked()?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| ConfigError::Tls(e.to_string()))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&checked.host)
            .port(checked.port)
            .timeout(Some(checked.timeout))
            .tls(match checked.security {
                Security::None => Tls::None,
                Security::Starttls => Tls::Required(tls(&checked.host)?),
                Security::Tls => Tls::Wrapper(tls(&checked.host)?),
            });
        if let Some((user, password)) = checked.credentials {
            builder = builder.credentials(Credentials::new(user, password.expose().to_owned()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: checked.from,
            timeout: checked.timeout,
        })
    }

    /// Sends `notification` as one message to all of `to` (e.g. an
    /// organisation's delegate and deputy). Addresses are checked before any
    /// connection is made. Failures are returned and logged only at debug
    /// level: the caller's retry policy knows how loud they should be.
    pub async fn send<N>(&self, to: &[impl AsRef<str>], notification: &N) -> Result<(), SendError>
    where
        N: Notification + ?Sized,
    {
        let (message, id) = self.message(to, notification)?;
        tracing::debug!(kind = notification.kind(), %id, recipients = to.len(), "sending notification");
        // lettre bounds only the connect by its timeout; this bounds the whole
        // conversation, so that a server that stops answering cannot hold the
        // outbox worker.
        let outcome = match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(&e, self.timeout)),
            Err(_) => Err(SendError::Transient(Failure::TimedOut(self.timeout))),
        };
        match &outcome {
            Ok(()) => tracing::info!(kind = notification.kind(), %id, "notification sent"),
            Err(e) => {
                tracing::debug!(kind = notification.kind(), %id, error = %e, "notification not sent")
            }
        }
        outcome
    }

    /// The message and its Message-ID, by which logs can name it.
    fn message<N>(
        &self,
        to: &[impl AsRef<str>],
        notification: &N,
    ) -> Result<(Message, String), SendError>
    where
        N: Notification + ?Sized,
    {
        if to.is_empty() {
            return Err(SendError::Permanent(Failure::NoRecipient));
        }
        let id = new_message_id(&self.from);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(one_line(&notification.subject()))
            .message_id(Some(id.clone()))
            // RFC 3834: keeps vacation responders from answering a robot.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ));
        for address in to {
            builder = builder.to(parse_recipient(address.as_ref())?);
        }
        builder
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(text_body(&notification.body())),
            )
            .map(|message| (message, id))
            .map_err(|e| SendError::Permanent(Failure::Message(e.to_string())))
    }
}

/// One mailbox per entry: `jane@x.org` or `Jane Doe <jane@x.org>`.
fn parse_recipient(address: &str) -> Result<Mailbox, SendError> {
    address.parse::<Mailbox>().map_err(|e| {
        SendError::Permanent(Failure::BadAddress {
            address: address.to_owned(),
            reason: e.to_string(),
        })
    })
}

/// A subject is one header line: control characters from a caller's text
/// (a title with a newline) would otherwise break the header.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The body goes out as 8bit UTF-8, readable as sent, whenever RFC 5322's
/// line limit (998 octets) allows; an over-long line or a NUL leaves the
/// choice to lettre (quoted-printable or base64).
fn text_body(text: &str) -> Body {
    let crlf = text.replace('\r', "").replace('\n', "\r\n");
    let fits = !crlf.contains('\0') && crlf.split("\r\n").all(|line| line.len() <= 998);
    if fits {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
    } else {
        Body::new(text.to_owned())
    }
}

/// `<random@sender's domain>`: the sender's domain is ours, which is what
/// RFC 5322 §3.6.4 asks of the right-hand side.
fn new_message_id(from: &Mailbox) -> String {
    format!("<{:032x}@{}>", rand::random::<u128>(), from.email.domain())
}

/// SMTP 5xx replies and errors in our own request (e.g. the server lacks
/// STARTTLS, which is required) will fail again as they are: permanent.
/// Everything else (4xx, refused or dropped connections, timeouts, failed TLS
/// handshakes, which lettre reports as connection errors) is about the path
/// to the server and may pass later.
fn classify(e: &lettre::transport::smtp::Error, timeout: Duration) -> SendError {
    let failure = if let Some(code) = e.status() {
        Failure::Rejected {
            code: code.into(),
            // The source is the server's text; the error itself repeats the code.
            text: e.source().map_or_else(String::new, |s| s.to_string()),
        }
    } else if e.is_timeout() {
        Failure::TimedOut(timeout)
    } else {
        Failure::Smtp(e.to_string())
    };
    if e.is_permanent() || e.is_client() {
        SendError::Permanent(failure)
    } else {
        SendError::Transient(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_in_one_entry_is_refused() {
        assert!(parse_recipient("a@x.org, b@y.org").is_err());
    }

    #[test]
    fn a_display_name_with_a_comma_is_accepted() {
        let mailbox = parse_recipient("\"Doe, Jane\" <jane@x.org>").unwrap();
        assert_eq!(mailbox.email.to_string(), "jane@x.org");
    }

    #[test]
    fn a_subject_with_a_newline_stays_on_one_line() {
        assert_eq!(one_line("Vote\r\nBcc: x@y.org"), "Vote  Bcc: x@y.org");
    }

    #[test]
    fn an_over_long_line_is_not_sent_as_8bit() {
        let long = "x".repeat(1200);
        assert_eq!(
            text_body(&long).encoding(),
            ContentTransferEncoding::QuotedPrintable
        );
        assert_eq!(
            text_body("é\n").encoding(),
            ContentTransferEncoding::EightBit
        );
    }
}
