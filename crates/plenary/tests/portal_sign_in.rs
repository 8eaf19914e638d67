//! Signing in to the portal over plain HTTP, as a browser without
//! JavaScript would: wrong passwords lock the account and block the
//! address, one-time links and password resets come by mail and work once,
//! and asking for them answers the same for any address.

use crate::coop;

use std::net::IpAddr;
use std::time::Duration;

use coop::{Consortium, Extras};
use notify::sink::{Captured, SmtpSink};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use store::{Act, LoginOwner};
use web::portal::MAX_FAILURES;
use web::portal::credentials::{hash_password, new_totp_secret};

const PASSWORD: &str = "a long demo password";

/// A browser without JavaScript: it keeps the portal's cookies and reads
/// the forms' token from the pages.
struct Visitor {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

/// What the portal answered: the status, where it redirects, the page.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    page: String,
}

impl Visitor {
    /// A visitor whose connections come from `ip` (any 127.0.0.0/8 address).
    fn new(c: &Consortium, ip: [u8; 4]) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .local_address(IpAddr::from(ip))
                .build()
                .unwrap(),
            base: c.env.app.url(),
            cookies: Vec::new(),
        }
    }

    async fn keep(&mut self, response: reqwest::Response) -> Answer {
        for set in response.headers().get_all(SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.into(), value.into()));
            }
        }
        Answer {
            status: response.status(),
            location: response
                .headers()
                .get(LOCATION)
                .map(|l| l.to_str().unwrap().to_owned()),
            page: response.text().await.unwrap(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn has_cookie(&self, name: &str) -> bool {
        self.cookies.iter().any(|(n, _)| n == name)
    }

    async fn get(&mut self, path_or_url: &str) -> Answer {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let response = self
            .http
            .get(url)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(response).await
    }

    /// Posts `fields` to `path` with the token of the form on `page`.
    async fn post(&mut self, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = csrf_of(&self.get(page).await.page);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep(response).await
    }

    async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        let fields = [
            ("email", email),
            ("password", password),
            ("next", "/portal"),
        ];
        self.post("/portal/login", "/portal/login", &fields).await
    }
}

fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("the page has a form token");
    page[at + 19..at + 19 + 64].to_owned()
}

/// The one-time link in `mail` that starts with `prefix`.
fn link_in(mail: &Captured, prefix: &str) -> String {
    let body = mail.body();
    let at = body.find(prefix).unwrap_or_else(|| panic!("{body}"));
    body[at..].split_whitespace().next().unwrap().to_owned()
}

async fn with_mail() -> (SmtpSink, Consortium) {
    let sink = SmtpSink::start().await.unwrap();
    let c = Consortium::with(Extras {
        smtp: Some(sink.config()),
        ..Extras::default()
    })
    .await;
    (sink, c)
}

/// Gives `person` a portal login (e-mail `<person>@mail.example`).
async fn login_for(c: &Consortium, person: &str) -> String {
    let store = &c.env.app.store;
    let owner = LoginOwner::Person(store.person(person).await.unwrap());
    let email = format!("{person}@mail.example");
    store
        .set_login(
            &email,
            &owner,
            &hash_password(PASSWORD).unwrap(),
            &Act::new("operator:test", c.now()),
        )
        .await
        .unwrap();
    email
}

async fn ask_link(v: &mut Visitor, email: &str) -> Answer {
    let fields = [("email", email), ("next", "/portal/register")];
    v.post("/portal/login", "/portal/login/link", &fields).await
}

/// Runs the duties and waits for `n` mails in all.
async fn mails(c: &Consortium, sink: &SmtpSink, n: usize) -> Vec<Captured> {
    c.duties().await;
    sink.wait_for(n, Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("{n} mails, got {}", sink.messages().len()))
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_from_every_address() {
    let c = Consortium::start().await;
    let email = login_for(&c, "delegate-school").await;
    for i in 0..MAX_FAILURES {
        let ip = [127, 0, 0, 10 + u8::try_from(i).unwrap()];
        let answer = Visitor::new(&c, ip)
            .sign_in(&email, "not the password")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let mut elsewhere = Visitor::new(&c, [127, 0, 0, 40]);
    let answer = elsewhere.sign_in(&email, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(answer.page.contains("locked"), "{}", answer.page);
    assert!(!elsewhere.has_cookie("plenary_session"));
    c.clock.advance(web::portal::FAILURE_WINDOW_MS);
    let answer = elsewhere.sign_in(&email, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "the lock ends");
    c.shutdown().await;
}

#[tokio::test]
async fn wrong_passwords_from_one_address_block_it_for_every_account() {
    let c = Consortium::start().await;
    let email = login_for(&c, "delegate-school").await;
    let mut here = Visitor::new(&c, [127, 0, 0, 2]);
    // The default limit is 20 failures a minute per address, spread here
    // over accounts that do not exist, so that no account locks.
    for i in 0..20 {
        let answer = here
            .sign_in(&format!("nobody-{i}@mail.example"), "guess")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let answer = here.sign_in(&email, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    let answer = Visitor::new(&c, [127, 0, 0, 3])
        .sign_in(&email, PASSWORD)
        .await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "another address signs in"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_link_asked_for_answers_as_for_an_unknown_address_and_signs_in_once() {
    let (sink, c) = with_mail().await;
    let email = login_for(&c, "delegate-school").await;
    let mut v = Visitor::new(&c, [127, 0, 0, 2]);
    let unknown = ask_link(&mut v, "nobody@mail.example").await;
    let known = ask_link(&mut v, &email).await;
    assert_eq!(
        (unknown.status, known.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(
        unknown.page.replace("nobody@mail.example", &email),
        known.page,
        "the same answer, but for the address"
    );
    let sent = mails(&c, &sink, 1).await;
    assert_eq!(sent.len(), 1, "nothing for the unknown address");
    assert_eq!(sent[0].to, [email.as_str()]);
    let link = link_in(&sent[0], &c.url("/portal/link/"));

    let mut reader = Visitor::new(&c, [127, 0, 0, 3]);
    let followed = reader.get(&link).await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER);
    assert_eq!(followed.location.as_deref(), Some("/portal/register"));
    assert_eq!(reader.get("/portal/register").await.status, StatusCode::OK);
    let again = Visitor::new(&c, [127, 0, 0, 4]).get(&link).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a link works once");
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn a_link_expires_after_its_minutes() {
    let (sink, c) = with_mail().await;
    let email = login_for(&c, "delegate-school").await;
    ask_link(&mut Visitor::new(&c, [127, 0, 0, 2]), &email).await;
    let link = link_in(&mails(&c, &sink, 1).await[0], &c.url("/portal/link/"));
    c.clock.advance(consortium::access_links::ASKED_LINK_MS);
    let late = Visitor::new(&c, [127, 0, 0, 3]).get(&link).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn links_asked_for_one_account_stop_after_the_attempts_it_may_take() {
    let (sink, c) = with_mail().await;
    let email = login_for(&c, "delegate-school").await;
    for i in 0..=MAX_FAILURES {
        let ip = [127, 0, 0, 10 + u8::try_from(i).unwrap()];
        let answer = ask_link(&mut Visitor::new(&c, ip), &email).await;
        assert_eq!(answer.status, StatusCode::OK, "the same answer every time");
        c.clock.advance(1);
    }
    c.duties().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.messages().len(),
        usize::try_from(MAX_FAILURES).unwrap()
    );
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn links_asked_from_one_address_are_limited_like_wrong_passwords() {
    let (sink, c) = with_mail().await;
    let mut here = Visitor::new(&c, [127, 0, 0, 2]);
    for i in 0..20 {
        let answer = ask_link(&mut here, &format!("nobody-{i}@mail.example")).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let answer = ask_link(&mut here, "nobody@mail.example").await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn an_operator_who_follows_a_link_still_gives_the_code() {
    let (sink, c) = with_mail().await;
    let store = &c.env.app.store;
    let act = Act::new("operator:test", c.now());
    let login = store
        .set_login(
            "ops@plenary.example",
            &LoginOwner::Operator("ops".into()),
            &hash_password(PASSWORD).unwrap(),
            &act,
        )
        .await
        .unwrap();
    store
        .set_totp_secret(&login, Some(&new_totp_secret()), &act)
        .await
        .unwrap();
    ask_link(&mut Visitor::new(&c, [127, 0, 0, 2]), "ops@plenary.example").await;
    let link = link_in(&mails(&c, &sink, 1).await[0], &c.url("/portal/link/"));
    let mut reader = Visitor::new(&c, [127, 0, 0, 3]);
    let followed = reader.get(&link).await;
    assert_eq!(followed.location.as_deref(), Some("/portal/second-factor"));
    let before_code = reader.get("/portal/register").await;
    assert_eq!(
        before_code.location.as_deref(),
        Some("/portal/second-factor")
    );
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn a_password_reset_sets_the_new_password_once_and_signs_out_every_browser() {
    let (sink, c) = with_mail().await;
    let email = login_for(&c, "delegate-school").await;
    let mut signed_in = Visitor::new(&c, [127, 0, 0, 2]);
    assert_eq!(
        signed_in.sign_in(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(signed_in.get("/portal").await.status, StatusCode::OK);

    let mut v = Visitor::new(&c, [127, 0, 0, 3]);
    let unknown = v
        .post(
            "/portal/reset",
            "/portal/reset",
            &[("email", "nobody@mail.example")],
        )
        .await;
    let known = v
        .post("/portal/reset", "/portal/reset", &[("email", &email)])
        .await;
    assert_eq!(
        unknown.page.replace("nobody@mail.example", &email),
        known.page
    );
    let sent = mails(&c, &sink, 1).await;
    assert_eq!(sent.len(), 1, "nothing for the unknown address");
    assert!(sent[0].header("Subject").unwrap().contains("new password"));
    let link = link_in(&sent[0], &c.url("/portal/reset/"));
    let path = link.strip_prefix(&c.env.app.url()).unwrap().to_owned();

    let mut reader = Visitor::new(&c, [127, 0, 0, 4]);
    let short = reader
        .post(&link, &path, &[("password", "short"), ("again", "short")])
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.page);
    let new = "a new and longer password";
    let chosen = reader
        .post(&link, &path, &[("password", new), ("again", new)])
        .await;
    assert_eq!(chosen.status, StatusCode::OK);
    assert!(chosen.page.contains("Your password is changed"));
    assert_eq!(
        signed_in.get("/portal").await.status,
        StatusCode::SEE_OTHER,
        "the browser signed in before is signed out"
    );
    let mut later = Visitor::new(&c, [127, 0, 0, 5]);
    assert_eq!(
        later.sign_in(&email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        later.sign_in(&email, new).await.status,
        StatusCode::SEE_OTHER
    );
    let again = reader
        .post(&link, &path, &[("password", PASSWORD), ("again", PASSWORD)])
        .await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "a reset link works once"
    );
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn a_link_form_without_its_token_is_refused() {
    let c = Consortium::start().await;
    let response = c
        .http
        .post(c.url("/portal/login/link"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=delegate-school%40mail.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    c.shutdown().await;
}

const APPLICATION: [(&str, &str); 6] = [
    ("legal_name", "River School Trust"),
    ("name", "river-school"),
    ("legal_form", "association"),
    ("class", "consumer"),
    ("email", "office@river.example"),
    ("statement", "We teach online two days a week."),
];

#[tokio::test]
async fn an_application_from_the_public_form_is_lodged_only_once_its_address_confirms_it() {
    let (sink, c) = with_mail().await;
    let mut visitor = Visitor::new(&c, [127, 0, 0, 41]);
    let sent = visitor
        .post("/portal/apply", "/portal/apply", &APPLICATION)
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.page);
    assert!(
        sent.page.contains("on its way to office@river.example"),
        "{}",
        sent.page
    );
    let store = &c.env.app.store;
    assert!(
        store.organisation("river-school").await.is_err(),
        "nothing is in the register before the address confirms"
    );
    let mails = mails(&c, &sink, 1).await;
    assert_eq!(mails[0].to, ["office@river.example"]);
    let link = link_in(
        &mails[0],
        &format!("{}/portal/apply/confirm/", c.env.app.url()),
    );
    let asked = visitor.get(&link).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        store.organisation("river-school").await.is_err(),
        "following the link asks before it lodges"
    );
    let path = link.strip_prefix(&c.env.app.url()).unwrap().to_owned();
    let done = visitor.post(&path, &path, &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.page);
    assert!(
        done.page.contains("The application is sent"),
        "{}",
        done.page
    );
    let org = store.organisation("river-school").await.unwrap();
    assert_eq!(org.status.to_string(), "applicant");
    assert_eq!(org.contact, "office@river.example");
    let entries = store.audit_entries(None, 0, i64::MAX).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.actor == "applicant:office@river.example"),
        "the audit log names the applicant by the address that confirmed"
    );
    let again = visitor.get(&link).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "the link works once");
    sink.stop().await;
}

#[tokio::test]
async fn an_application_for_an_organisation_already_in_the_register_is_refused_on_the_form() {
    let (sink, c) = with_mail().await;
    let mut visitor = Visitor::new(&c, [127, 0, 0, 42]);
    let mut fields = APPLICATION;
    fields[1] = ("name", "school");
    let sent = visitor
        .post("/portal/apply", "/portal/apply", &fields)
        .await;
    assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        sent.page.contains("school is already in the register"),
        "{}",
        sent.page
    );
    assert!(
        sent.page.contains("value=\"River School Trust\""),
        "the form keeps what was typed: {}",
        sent.page
    );
    c.duties().await;
    assert!(
        sink.messages().is_empty(),
        "no mail for a refused application"
    );
    sink.stop().await;
}

#[tokio::test]
async fn an_application_posted_without_the_forms_token_is_refused() {
    let (sink, c) = with_mail().await;
    let response = reqwest::Client::new()
        .post(format!("{}/portal/apply", c.env.app.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(APPLICATION)
                .finish(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    sink.stop().await;
}
