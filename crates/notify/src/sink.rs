//! An SMTP server in the test process: the far side of a mail server, enough
//! of RFC 5321 for a client like lettre. It accepts every message unless told
//! to answer a given reply at a given stage, and keeps what it received.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::config::{Security, SmtpConfig};

/// RFC 5321 §4.5.3.1: command lines are at most 512 octets, text lines at
/// most 1000, both counting the CRLF.
const COMMAND_LINE_MAX: u64 = 512;
const TEXT_LINE_MAX: u64 = 1000;

/// What the sink received in one mail transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The reverse path of MAIL FROM, without the angle brackets.
    pub from: String,
    /// The forward paths of the accepted RCPT TO commands.
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, without the final ".".
    pub data: String,
}

impl Captured {
    /// The first header of that name (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.split();
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(value) = found.as_mut() {
                    value.push_str(line);
                }
                continue;
            }
            if found.is_some() {
                break;
            }
            if let Some((field, value)) = line.split_once(':')
                && field.eq_ignore_ascii_case(name)
            {
                found = Some(value.trim_start().to_owned());
            }
        }
        found
    }

    /// Everything after the blank line that ends the headers, with LF line ends.
    pub fn body(&self) -> String {
        self.split().1.replace("\r\n", "\n")
    }

    fn split(&self) -> (&str, &str) {
        self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""))
    }
}

/// Where a configured failure is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Instead of 250 to every RCPT TO.
    Rcpt,
    /// Instead of 354 to DATA.
    Data,
    /// Instead of 250 after the message's final ".".
    EndOfData,
}

#[derive(Default)]
struct State {
    messages: Vec<Captured>,
    failures: HashMap<Stage, Reply>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    arrived: Notify,
}

impl Shared {
    /// Poisoning cannot leave a list of messages half-changed: carry on
    /// rather than panic.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn failure(&self, stage: Stage) -> Option<Reply> {
        self.lock().failures.get(&stage).cloned()
    }
}

/// A running sink on `127.0.0.1` and a port of its own. Dropping it stops it.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpSink {
    /// Binds `127.0.0.1:0` and starts accepting connections.
    pub async fn start() -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let server = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(SmtpSink {
            addr,
            shared,
            server: Mutex::new(Some(server)),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Settings that send to this sink, unencrypted, from a test sender.
    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            port: Some(self.addr.port()),
            security: Security::None,
            ..SmtpConfig::new(self.addr.ip().to_string(), "Plenary <noreply@plenary.test>")
        }
    }

    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<Captured> {
        self.shared.lock().messages.clone()
    }

    /// Waits until at least `n` messages have arrived and returns them all, or
    /// returns `None` when `timeout` passes first.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Option<Vec<Captured>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Created before the check, so an arrival between the two still wakes it.
            let arrived = self.shared.arrived.notified();
            let messages = self.messages();
            if messages.len() >= n {
                return Some(messages);
            }
            tokio::time::timeout_at(deadline, arrived).await.ok()?;
        }
    }

    /// From now on, answer `code text` at `stage` (e.g. 451 at RCPT for a
    /// temporary failure, 550 for a permanent one) instead of accepting.
    pub fn fail(&self, stage: Stage, code: u16, text: &str) {
        self.shared
            .lock()
            .failures
            .insert(stage, Reply::new(code, text));
    }

    /// Accepts again at every stage.
    pub fn heal(&self) {
        self.shared.lock().failures.clear();
    }

    /// Closes the listening socket and every open session; once it returns,
    /// connections are refused.
    pub async fn stop(&self) {
        if let Some(server) = self.take_server() {
            server.abort();
            // Resolves once the task, and with it the listener, is dropped.
            let _ = server.await;
        }
    }

    fn take_server(&self) -> Option<JoinHandle<()>> {
        self.server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(server) = self.take_server() {
            server.abort();
        }
    }
}

/// Owns the sessions, so that aborting this task ends them all with it.
async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    sessions.spawn(session(stream, Arc::clone(&shared)));
                }
                Err(e) => tracing::debug!(error = %e, "smtp sink: accept failed"),
            },
            Some(_) = sessions.join_next() => {}
        }
    }
}

/// One SMTP reply: a code and one or more lines of text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn new(code: u16, text: &str) -> Self {
        Self::lines(code, &[text])
    }

    fn lines(code: u16, lines: &[&str]) -> Self {
        Reply {
            code,
            // A caller's text must not end the reply early or start a new one.
            lines: lines.iter().map(|l| l.replace(['\r', '\n'], " ")).collect(),
        }
    }

    /// RFC 5321 §4.2.1: `code-text` on every line but the last, `code text` on it.
    fn wire(&self) -> String {
        let last = self.lines.len().saturating_sub(1);
        self.lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let sep = if i == last { ' ' } else { '-' };
                format!("{}{sep}{line}\r\n", self.code)
            })
            .collect()
    }
}

/// What the connection does after a command's reply.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Command,
    /// Read the message text (after a 354).
    Data,
    Close,
}

/// The state of one SMTP session; the socket is [`converse`]'s.
#[derive(Debug, Default)]
struct Session {
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
}

impl Session {
    /// Answers one command line (without its CRLF).
    fn command(&mut self, line: &str, shared: &Shared) -> (Reply, Next) {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        let arg = arg.trim();
        let say = |code: u16, text: &str| (Reply::new(code, text), Next::Command);
        let ok = |text: &str| say(250, text);
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if arg.is_empty() => say(501, "Syntax: EHLO domain"),
            "EHLO" => {
                self.greet();
                let hello = format!("sink greets {arg}");
                (
                    Reply::lines(250, &[&hello, "8BITMIME", "SMTPUTF8"]),
                    Next::Command,
                )
            }
            "HELO" => {
                self.greet();
                ok(&format!("sink greets {arg}"))
            }
            "MAIL" if !self.greeted => say(503, "Bad sequence of commands: send EHLO first"),
            "MAIL" if self.from.is_some() => say(503, "Bad sequence of commands: nested MAIL"),
            "MAIL" => match path(arg, "FROM:") {
                Some(from) => {
                    self.from = Some(from);
                    ok("OK")
                }
                None => say(501, "Syntax: MAIL FROM:<address>"),
            },
            "RCPT" if self.from.is_none() => say(503, "Bad sequence of commands: send MAIL first"),
            "RCPT" => match path(arg, "TO:").filter(|to| !to.is_empty()) {
                Some(to) => match shared.failure(Stage::Rcpt) {
                    Some(reply) => (reply, Next::Command),
                    None => {
                        self.to.push(to);
                        ok("OK")
                    }
                },
                None => say(501, "Syntax: RCPT TO:<address>"),
            },
            "DATA" if !arg.is_empty() => say(501, "Syntax: DATA"),
            "DATA" if self.to.is_empty() => {
                say(503, "Bad sequence of commands: no valid recipients")
            }
            "DATA" => match shared.failure(Stage::Data) {
                Some(reply) => (reply, Next::Command),
                None => (
                    Reply::new(354, "End data with <CR><LF>.<CR><LF>"),
                    Next::Data,
                ),
            },
            "RSET" => {
                self.reset();
                ok("OK")
            }
            "NOOP" => ok("OK"),
            "VRFY" => say(252, "Cannot VRFY user, but will accept message"),
            "QUIT" => (Reply::new(221, "Bye"), Next::Close),
            "EXPN" | "HELP" | "STARTTLS" | "AUTH" | "BDAT" => say(502, "Command not implemented"),
            _ => say(500, "Syntax error, command unrecognized"),
        }
    }

    /// Answers the end of a message's text, and ends the transaction.
    fn end_of_data(&mut self, data: String, shared: &Shared) -> Reply {
        let from = self.from.take().unwrap_or_default();
        let to = std::mem::take(&mut self.to);
        if let Some(reply) = shared.failure(Stage::EndOfData) {
            return reply;
        }
        shared.lock().messages.push(Captured { from, to, data });
        shared.arrived.notify_waiters();
        Reply::new(250, "OK: queued")
    }

    /// EHLO and HELO also abort any transaction (RFC 5321 §4.1.4).
    fn greet(&mut self) {
        self.greeted = true;
        self.reset();
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }
}

/// The address in `FROM:<address> [parameters]`, if `arg` has that form.
fn path(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start().strip_prefix('<')?;
    let (address, _parameters) = rest.split_once('>')?;
    Some(address.to_owned())
}

/// What reading from the client produced.
enum Input {
    Text(String),
    Eof,
    /// A line longer than its limit: the client does not speak SMTP as agreed.
    LineTooLong,
}

async fn session(stream: TcpStream, shared: Arc<Shared>) {
    if let Err(e) = converse(stream, &shared).await {
        tracing::debug!(error = %e, "smtp sink: session ended");
    }
}

async fn converse(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut session = Session::default();
    writer
        .write_all(Reply::new(220, "sink ESMTP ready").wire().as_bytes())
        .await?;
    loop {
        let line = match read_line(&mut reader, COMMAND_LINE_MAX).await? {
            Input::Text(line) => line,
            Input::LineTooLong => return too_long(&mut writer).await,
            Input::Eof => return Ok(()),
        };
        let (reply, next) = session.command(&line, shared);
        writer.write_all(reply.wire().as_bytes()).await?;
        match next {
            Next::Command => {}
            Next::Close => return Ok(()),
            Next::Data => {
                let data = match read_data(&mut reader).await? {
                    Input::Text(data) => data,
                    Input::LineTooLong => return too_long(&mut writer).await,
                    Input::Eof => return Ok(()),
                };
                let reply = session.end_of_data(data, shared);
                writer.write_all(reply.wire().as_bytes()).await?;
            }
        }
    }
}

async fn too_long(writer: &mut (impl AsyncWriteExt + Unpin)) -> std::io::Result<()> {
    writer
        .write_all(Reply::new(500, "Line too long").wire().as_bytes())
        .await
}

/// One line without its line end (CRLF, or a bare LF, accepted for leniency).
async fn read_line(
    reader: &mut (impl AsyncBufReadExt + Unpin),
    max: u64,
) -> std::io::Result<Input> {
    let mut buf = Vec::new();
    (&mut *reader).take(max).read_until(b'\n', &mut buf).await?;
    if !buf.ends_with(b"\n") {
        // Either the limit was reached or the client closed mid-line.
        return Ok(if buf.len() as u64 >= max {
            Input::LineTooLong
        } else {
            Input::Eof
        });
    }
    buf.pop();
    if buf.ends_with(b"\r") {
        buf.pop();
    }
    Ok(Input::Text(String::from_utf8_lossy(&buf).into_owned()))
}

/// The message text up to the line holding only ".", with the leading dot
/// that the client added to lines starting with one removed (RFC 5321
/// §4.5.2). Lines are joined with CRLF, as sent.
async fn read_data(reader: &mut (impl AsyncBufReadExt + Unpin)) -> std::io::Result<Input> {
    let mut data = String::new();
    loop {
        // One more octet for the dot a client doubles, which RFC 5321 does
        // not count against the limit.
        let line = match read_line(reader, TEXT_LINE_MAX + 1).await? {
            Input::Text(line) => line,
            other => return Ok(other),
        };
        if line == "." {
            return Ok(Input::Text(data));
        }
        let line = line.strip_prefix('.').unwrap_or(&line);
        if line.len() as u64 > TEXT_LINE_MAX - 2 {
            return Ok(Input::LineTooLong);
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
}
