//! Sending through the in-process SMTP sink, and how failures are classified.

mod common;

use std::time::Duration;

use notify::sink::{SmtpSink, Stage};
use notify::{Failure, Mailer, Notification, SendError, SmtpConfig};

const WAIT: Duration = Duration::from_secs(5);
const DELEGATES: [&str; 2] = [
    "Delegate <delegate@ateneu.example>",
    "deputy@ateneu.example",
];

async fn sink_and_mailer() -> (SmtpSink, Mailer) {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = Mailer::new(&sink.config()).unwrap();
    (sink, mailer)
}

async fn send_opened(mailer: &Mailer) -> Result<(), SendError> {
    mailer.send(&DELEGATES, &common::proposal_opened()).await
}

#[tokio::test]
async fn a_proposal_opened_mail_arrives_with_its_recipients_subject_and_body() {
    let (sink, mailer) = sink_and_mailer().await;
    send_opened(&mailer).await.unwrap();

    let messages = sink.wait_for(1, WAIT).await.unwrap();
    let [mail] = messages.as_slice() else {
        panic!("one message expected, got {messages:?}")
    };
    let n = common::proposal_opened();
    assert_eq!(mail.from, "noreply@plenary.test");
    assert_eq!(
        mail.to,
        ["delegate@ateneu.example", "deputy@ateneu.example"]
    );
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Plenary <noreply@plenary.test>")
    );
    assert_eq!(
        mail.header("To").as_deref(),
        Some("Delegate <delegate@ateneu.example>, deputy@ateneu.example")
    );
    assert_eq!(mail.header("Subject"), Some(n.subject()));
    assert_eq!(
        mail.header("Content-Type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(mail.body().trim_end(), n.body().trim_end());
}

#[tokio::test]
async fn a_mailer_sends_from_a_spawned_task() {
    let (sink, mailer) = sink_and_mailer().await;
    tokio::spawn(async move { send_opened(&mailer).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_message_carries_a_message_id_of_the_senders_domain_and_a_date() {
    let (sink, mailer) = sink_and_mailer().await;
    send_opened(&mailer).await.unwrap();
    send_opened(&mailer).await.unwrap();

    let messages = sink.wait_for(2, WAIT).await.unwrap();
    let ids: Vec<String> = messages
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert!(
        ids[0].starts_with('<') && ids[0].ends_with("@plenary.test>"),
        "{}",
        ids[0]
    );
    assert_ne!(ids[0], ids[1]);
    assert!(messages[0].header("Date").is_some());
    assert_eq!(
        messages[0].header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
}

#[tokio::test]
async fn a_body_with_accents_and_leading_dots_arrives_as_written() {
    // lettre ends the message with an empty line of its own, hence trim_end.
    let (sink, mailer) = sink_and_mailer().await;
    let n = notify::Outcome {
        result: ".Acceptada per majoria: vuit vots a favor, sí\n.".into(),
        ..common::outcome()
    };
    mailer.send(&DELEGATES, &n).await.unwrap();

    let messages = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(
        messages[0].header("Content-Transfer-Encoding").as_deref(),
        Some("8bit")
    );
    assert_eq!(messages[0].body().trim_end(), n.body().trim_end());
}

#[tokio::test]
async fn a_4xx_reply_is_transient() {
    let (sink, mailer) = sink_and_mailer().await;
    sink.fail(Stage::Rcpt, 451, "4.3.0 Try again later");

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(
        matches!(err.failure(), Failure::Rejected { code: 451, text } if text.contains("Try again later")),
        "{err}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_5xx_reply_is_permanent() {
    let (sink, mailer) = sink_and_mailer().await;
    sink.fail(Stage::Rcpt, 550, "5.1.1 No such user");

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(!err.is_transient(), "{err}");
    assert!(
        matches!(err.failure(), Failure::Rejected { code: 550, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_5xx_reply_to_data_is_permanent() {
    let (sink, mailer) = sink_and_mailer().await;
    sink.fail(Stage::Data, 554, "5.3.4 Transaction failed");

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(
        matches!(
            err,
            SendError::Permanent(Failure::Rejected { code: 554, .. })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_4xx_reply_after_the_message_is_transient_and_nothing_is_kept() {
    let (sink, mailer) = sink_and_mailer().await;
    sink.fail(Stage::EndOfData, 452, "4.3.1 Insufficient system storage");

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(
        matches!(
            err,
            SendError::Transient(Failure::Rejected { code: 452, .. })
        ),
        "{err}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_healed_server_accepts_the_retry() {
    let (sink, mailer) = sink_and_mailer().await;
    sink.fail(Stage::Rcpt, 421, "4.7.0 Too many connections");
    assert!(send_opened(&mailer).await.unwrap_err().is_transient());

    sink.heal();
    send_opened(&mailer).await.unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let (sink, mailer) = sink_and_mailer().await;
    sink.stop().await;

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(matches!(err.failure(), Failure::Smtp(_)), "{err}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    // Connections complete in the kernel's backlog, but nobody greets them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = SmtpConfig {
        port: Some(silent.local_addr().unwrap().port()),
        security: notify::Security::None,
        timeout_secs: 0.3,
        ..SmtpConfig::new("127.0.0.1", "Plenary <noreply@plenary.test>")
    };
    let mailer = Mailer::new(&config).unwrap();

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(
        matches!(err, SendError::Transient(Failure::TimedOut(_))),
        "{err}"
    );
}

#[tokio::test]
async fn a_bad_recipient_address_is_permanent_and_names_it_without_connecting() {
    let (sink, mailer) = sink_and_mailer().await;
    // A stopped sink refuses connections: an attempt would be a transient error.
    sink.stop().await;

    let err = mailer
        .send(
            &["delegate@ateneu.example", "not an address"],
            &common::reminder(),
        )
        .await
        .unwrap_err();
    assert!(!err.is_transient(), "{err}");
    assert!(
        matches!(err.failure(), Failure::BadAddress { address, .. } if address == "not an address"),
        "{err}"
    );
    assert!(err.to_string().contains("\"not an address\""), "{err}");
}

#[tokio::test]
async fn no_recipient_is_permanent() {
    let (_sink, mailer) = sink_and_mailer().await;
    let none: [&str; 0] = [];
    let err = mailer.send(&none, &common::reminder()).await.unwrap_err();
    assert!(
        matches!(err, SendError::Permanent(Failure::NoRecipient)),
        "{err}"
    );
}

#[tokio::test]
async fn required_starttls_that_the_server_lacks_sends_nothing_and_is_permanent() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = Mailer::new(&SmtpConfig {
        security: notify::Security::Starttls,
        ..sink.config()
    })
    .unwrap();

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(!err.is_transient(), "{err}");
    assert!(err.to_string().contains("STARTTLS"), "{err}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_failed_tls_handshake_is_transient() {
    // Also proves rustls finds its crypto provider at run time.
    let sink = SmtpSink::start().await.unwrap();
    let mailer = Mailer::new(&SmtpConfig {
        security: notify::Security::Tls,
        ..sink.config()
    })
    .unwrap();

    let err = send_opened(&mailer).await.unwrap_err();
    assert!(
        matches!(err, SendError::Transient(Failure::Smtp(_))),
        "{err}"
    );
    assert!(sink.messages().is_empty());
}
