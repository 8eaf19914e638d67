//! The sink speaks RFC 5321 as a mail server's far side does, command by command.

use std::time::Duration;

use notify::sink::SmtpSink;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// A raw client: send a line, read the whole (possibly multi-line) reply.
struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    async fn connect(sink: &SmtpSink) -> (Client, String) {
        let (reader, writer) = TcpStream::connect(sink.addr()).await.unwrap().into_split();
        let mut client = Client {
            reader: BufReader::new(reader),
            writer,
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            reply.push_str(&line);
            // "250-" continues a reply, "250 " ends it; EOF ends it too.
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    async fn write(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
    }

    /// Sends `line` and returns the reply's code.
    async fn send(&mut self, line: &str) -> u16 {
        self.write(line).await;
        code(&self.reply().await)
    }

    async fn hello(sink: &SmtpSink) -> Client {
        let (mut client, _) = Client::connect(sink).await;
        assert_eq!(client.send("EHLO client.test").await, 250);
        client
    }
}

fn code(reply: &str) -> u16 {
    reply.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn it_greets_with_220_and_lists_its_extensions_in_a_multiline_250() {
    let sink = SmtpSink::start().await.unwrap();
    let (mut client, greeting) = Client::connect(&sink).await;
    assert_eq!(code(&greeting), 220);

    client.write("EHLO client.test").await;
    let reply = client.reply().await;
    assert_eq!(
        reply,
        "250-sink greets client.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
    );
    assert_eq!(client.send("HELO client.test").await, 250);
    assert_eq!(client.send("EHLO").await, 501);
}

#[tokio::test]
async fn commands_out_of_sequence_get_503() {
    let sink = SmtpSink::start().await.unwrap();
    let (mut client, _) = Client::connect(&sink).await;
    assert_eq!(client.send("MAIL FROM:<a@x.test>").await, 503);
    assert_eq!(client.send("EHLO client.test").await, 250);
    assert_eq!(client.send("RCPT TO:<b@y.test>").await, 503);
    assert_eq!(client.send("DATA").await, 503);
    assert_eq!(client.send("MAIL FROM:<a@x.test>").await, 250);
    assert_eq!(client.send("MAIL FROM:<a@x.test>").await, 503);
    assert_eq!(client.send("DATA").await, 503);
}

#[tokio::test]
async fn rset_abandons_the_transaction_and_noop_changes_nothing() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = Client::hello(&sink).await;
    assert_eq!(client.send("MAIL FROM:<a@x.test>").await, 250);
    assert_eq!(client.send("NOOP").await, 250);
    assert_eq!(client.send("RCPT TO:<b@y.test>").await, 250);
    assert_eq!(client.send("RSET").await, 250);
    assert_eq!(client.send("RCPT TO:<b@y.test>").await, 503);
    assert_eq!(client.send("MAIL FROM:<a@x.test>").await, 250);
}

#[tokio::test]
async fn malformed_and_unknown_commands_are_refused() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = Client::hello(&sink).await;
    assert_eq!(client.send("FROB").await, 500);
    assert_eq!(client.send("EXPN staff").await, 502);
    assert_eq!(client.send("MAIL a@x.test").await, 501);
    assert_eq!(client.send("MAIL FROM:<a@x.test>").await, 250);
    assert_eq!(client.send("RCPT TO:<>").await, 501);
    assert_eq!(client.send("RCPT TO:b@y.test").await, 501);
}

#[tokio::test]
async fn data_is_dot_unstuffed_and_ends_at_the_lone_dot() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = Client::hello(&sink).await;
    assert_eq!(client.send("mail from:<> BODY=8BITMIME").await, 250);
    assert_eq!(client.send("RCPT TO:<b@y.test>").await, 250);
    assert_eq!(client.send("RCPT TO:<c@y.test>").await, 250);
    assert_eq!(client.send("DATA").await, 354);
    // A client doubles a leading dot, so ".." is a line holding one dot.
    client
        .write("Subject: dots\r\n\r\n..leading\r\n..\r\nafter")
        .await;
    assert_eq!(client.send(".").await, 250);
    assert_eq!(client.send("QUIT").await, 221);

    let messages = sink.wait_for(1, Duration::from_secs(5)).await.unwrap();
    assert_eq!(messages[0].from, "");
    assert_eq!(messages[0].to, ["b@y.test", "c@y.test"]);
    assert_eq!(
        messages[0].data,
        "Subject: dots\r\n\r\n.leading\r\n.\r\nafter\r\n"
    );
}

#[tokio::test]
async fn an_over_long_command_line_is_refused() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = Client::hello(&sink).await;
    let long = format!("NOOP {}", "x".repeat(600));
    assert_eq!(client.send(&long).await, 500);
}

#[tokio::test]
async fn a_text_line_over_1000_octets_is_refused_and_nothing_is_kept() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = Client::hello(&sink).await;
    assert_eq!(client.send("MAIL FROM:<a@x.test>").await, 250);
    assert_eq!(client.send("RCPT TO:<b@y.test>").await, 250);
    assert_eq!(client.send("DATA").await, 354);
    // 998 octets and the CRLF is the limit; a doubled dot does not count.
    client.write(&format!(".{}", ".".repeat(998))).await;
    assert_eq!(client.send(&"x".repeat(999)).await, 500);
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_stopped_sink_refuses_connections() {
    let sink = SmtpSink::start().await.unwrap();
    sink.stop().await;
    assert!(TcpStream::connect(sink.addr()).await.is_err());
}
