//! The portal in a real headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`). Without them the tests
//! say so and pass, except under `CI=true`, where a missing browser fails
//! the run. The screenshots in `docs/screenshots/` are taken here.

mod common;
mod coop;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use coop::Consortium;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use notify::sink::SmtpSink;
use reqwest::StatusCode;
use serde_json::json;
use store::{Act, LoginOwner};
use web::portal::credentials::{hash_password, new_totp_secret, totp_code};

const PASSWORD: &str = "a long demo password";

/// A chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
    _profile: testkit::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_browser() -> Option<(&'static str, &'static str)> {
    let exists = |p: &str| std::path::Path::new(p).exists();
    let driver = ["/usr/bin/chromedriver"].into_iter().find(|p| exists(p))?;
    let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| exists(p))?;
    Some((driver, browser))
}

/// A headless Chromium session, or `None` when none is installed (which
/// fails under CI).
async fn browser() -> Option<(Driver, Client)> {
    let Some((driver, binary)) = find_browser() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true needs chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: chromium and chromium-driver are not installed");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = testkit::TempDir::new("plenary-chromium");
    let driver = Driver {
        child,
        port,
        _profile: profile,
    };
    let caps = json!({
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1280,900",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ],
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..100 {
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await;
        if let Ok(client) = connected {
            return Some((driver, client));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer at {url}");
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

async fn sign_in(b: &Client, email: &str) {
    type_into(b, Locator::Id("email"), email).await;
    type_into(b, Locator::Id("password"), PASSWORD).await;
    click(b, Locator::Css("form button[type=submit]")).await;
}

async fn shot(b: &Client, name: &str) {
    let png = b.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Clicks the element `at`.
async fn click(b: &Client, at: Locator<'_>) {
    b.find(at).await.unwrap().click().await.unwrap();
}

/// Types `text` into the element `at`.
async fn type_into(b: &Client, at: Locator<'_>, text: &str) {
    b.find(at).await.unwrap().send_keys(text).await.unwrap();
}

/// The text of the first element matching `css`, waiting for it to appear:
/// a click that posts a form returns before the next page is loaded when the
/// machine is busy.
async fn text_of(b: &Client, css: &str) -> String {
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The link the proposal mail to `to` carries, read from the sink.
async fn link_in_mail(sink: &SmtpSink, to: &str, prefix: &str) -> String {
    let mails = sink
        .wait_for(1, Duration::from_secs(10))
        .await
        .expect("a mail");
    let mail = mails
        .iter()
        .find(|m| m.to == [to])
        .unwrap_or_else(|| panic!("a mail to {to}"));
    let body = mail.body();
    let at = body.find(prefix).unwrap_or_else(|| panic!("{body}"));
    body[at..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_delegate_follows_the_link_in_the_proposal_mail_votes_and_changes_the_vote() {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let c = Consortium::with(coop::Extras {
        smtp: Some(sink.config()),
        ..coop::Extras::default()
    })
    .await;
    let email = login_for(&c, "delegate-school").await;
    let id = c.open_proposal().await;
    c.duties().await;
    let link = link_in_mail(&sink, &email, &c.url("/portal/link/")).await;
    b.goto(&link).await.unwrap();
    assert_eq!(
        b.current_url().await.unwrap().path(),
        format!("/portal/proposals/{id}"),
        "signed in and landed on the proposal"
    );
    assert_eq!(text_of(&b, "h1").await, "Fair-use rule");
    let countdown = text_of(&b, ".countdown time").await;
    assert!(
        countdown.starts_with("6 days") || countdown.starts_with("7 days"),
        "{countdown}"
    );

    click(&b, Locator::Css("input[name=position][value=disagree]")).await;
    type_into(
        &b,
        Locator::Css("textarea[name=reason]"),
        "Not discussed yet",
    )
    .await;
    click(&b, Locator::Css(".ballot button[type=submit]")).await;
    assert!(
        text_of(&b, ".ballot .notice")
            .await
            .contains("school's ballot is recorded")
    );
    assert_eq!(text_of(&b, "#result-heading").await, "Current count");
    click(&b, Locator::Css("input[name=position][value=agree]")).await;
    click(&b, Locator::Css(".ballot button[type=submit]")).await;
    assert!(text_of(&b, ".roll").await.contains("school"));
    let view = c
        .get(coop::OPERATOR, &format!("/api/v1/proposals/{id}"))
        .await;
    assert_eq!(view["voted"], json!(["school"]));
    let ballots = c.env.app.store.ballots(id).await.unwrap();
    let latest = ballots.iter().max_by_key(|b| b.revision).unwrap();
    assert_eq!(latest.revision, 2, "the change replaced the first ballot");
    assert!(
        latest.choice.contains("agree") && !latest.choice.contains("disagree"),
        "{}",
        latest.choice
    );
    b.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    shot(&b, "proposal").await;

    b.delete_all_cookies().await.unwrap();
    b.goto(&link).await.unwrap();
    assert!(
        text_of(&b, ".status-code").await.contains("404"),
        "the link works once"
    );
    b.close().await.unwrap();
    c.shutdown().await;
    sink.stop().await;
}

#[tokio::test]
async fn an_operator_signs_in_with_a_totp_code() {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
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
    let secret = new_totp_secret();
    store
        .set_totp_secret(&login, Some(&secret), &act)
        .await
        .unwrap();
    b.goto(&c.url("/portal")).await.unwrap();
    sign_in(&b, "ops@plenary.example").await;
    assert_eq!(
        b.current_url().await.unwrap().path(),
        "/portal/second-factor"
    );
    b.goto(&c.url("/portal/register")).await.unwrap();
    assert_eq!(
        b.current_url().await.unwrap().path(),
        "/portal/second-factor",
        "no page before the code"
    );
    type_into(&b, Locator::Id("code"), "000000").await;
    click(&b, Locator::Css("form button[type=submit]")).await;
    assert!(text_of(&b, ".alert").await.contains("not the current one"));
    let code = totp_code(&secret, c.now()).unwrap();
    type_into(&b, Locator::Id("code"), &code).await;
    click(&b, Locator::Css("form button[type=submit]")).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/portal");
    assert!(text_of(&b, ".who").await.contains("ops (operator)"));
    b.close().await.unwrap();
    c.shutdown().await;
}

#[tokio::test]
async fn a_member_reads_the_register_and_its_structure_diagram() {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    let email = login_for(&c, "delegate-hosting").await;
    c.open_proposal().await;
    let servers = consortium::Offered {
        kind: "servers",
        amount: "2",
        day: "2027-01-03",
        note: "two servers in Lyon",
    };
    c.env
        .app
        .consortium
        .contribute("hosting", &servers, &Act::new("operator:test", c.now()))
        .await
        .unwrap();
    b.goto(&c.url("/portal/register")).await.unwrap();
    sign_in(&b, &email).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/portal/register");
    let desc = b
        .find(Locator::Css("svg.structure desc"))
        .await
        .unwrap()
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(desc, "3 member organisations with 4 votes in 3 classes");
    let table = text_of(&b, "table").await;
    for org in ["hosting", "network", "school"] {
        assert!(table.contains(org), "{table}");
    }
    let given = text_of(&b, "section[aria-labelledby=contributions-heading]").await;
    assert!(given.contains("two servers in Lyon"), "{given}");
    shot(&b, "register").await;
    b.goto(&c.url("/portal")).await.unwrap();
    shot(&b, "overview").await;
    b.close().await.unwrap();
    c.shutdown().await;
}

#[tokio::test]
async fn forms_without_their_token_other_organisations_pages_and_their_ballots_are_refused() {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    let email = login_for(&c, "delegate-school").await;
    let id = c.open_proposal().await;
    b.goto(&c.url(&format!("/portal/proposals/{id}")))
        .await
        .unwrap();
    sign_in(&b, &email).await;
    let csrf = b
        .find(Locator::Css(".ballot input[name=csrf]"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    let session = b.get_named_cookie("plenary_session").await.unwrap();
    let cookie = format!("plenary_session={}", session.value());
    let post = |org: &str, body: String| {
        c.http
            .post(c.url(&format!("/portal/proposals/{id}/ballots/{org}")))
            .header("cookie", cookie.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let without_token = post("school", "position=agree".into()).await.unwrap();
    assert_eq!(without_token.status(), StatusCode::FORBIDDEN);
    assert!(
        without_token
            .text()
            .await
            .unwrap()
            .contains("did not come from a page of this session")
    );
    let other_org = post("hosting", format!("csrf={csrf}&position=agree"))
        .await
        .unwrap();
    assert_eq!(other_org.status(), StatusCode::FORBIDDEN);
    let view = c
        .get(coop::OPERATOR, &format!("/api/v1/proposals/{id}"))
        .await;
    assert_eq!(view["voted"], json!([]), "neither ballot counted");

    b.goto(&c.url("/portal/organisations/hosting"))
        .await
        .unwrap();
    assert!(text_of(&b, ".status-code").await.contains("403"));
    shot(&b, "error").await;
    b.goto(&c.url("/portal/organisations/school"))
        .await
        .unwrap();
    assert!(text_of(&b, "table").await.contains("delegate-school"));
    b.close().await.unwrap();
    c.shutdown().await;
}

/// axe-core, vendored (see `fixtures/axe/README.md`).
const AXE: &str = include_str!("fixtures/axe/axe.min.js");

/// Runs axe-core on the page shown and fails on any serious or critical
/// violation, naming the rule and the elements.
async fn assert_accessible(b: &Client, page: &str) {
    b.execute(AXE, vec![]).await.unwrap();
    let found = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']}).then(r => done(
               r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at '
                   + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(violations.is_empty(), "{page}:\n{}", violations.join("\n"));
}

/// A phone's viewport, as the phone screenshots are taken.
const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

/// Takes the phone screenshot `phone-<name>` of the page shown, after
/// checking that nothing is wider than the phone's screen.
async fn phone_shot(b: &Client, name: &str) {
    b.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let overflow = b
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(0), "{name} is wider than a phone");
    shot(b, &format!("phone-{name}")).await;
    b.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
}

/// Opens `path`, checks it with axe-core and takes its phone screenshot.
async fn check_page(b: &Client, c: &Consortium, path: &str, name: &str) {
    b.goto(&c.url(path)).await.unwrap();
    text_of(b, "h1").await;
    assert_accessible(b, path).await;
    phone_shot(b, name).await;
}

#[tokio::test]
async fn the_main_pages_are_accessible_and_fit_a_phone() {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    let email = login_for(&c, "delegate-school").await;
    let id = c.open_proposal().await;
    c.vote("hosting", id, "hosting", coop::agree()).await;
    b.goto(&c.url("/portal/login")).await.unwrap();
    shot(&b, "sign-in").await;
    check_page(&b, &c, "/portal/login", "sign-in").await;
    check_page(&b, &c, "/portal/reset", "password-reset").await;
    b.goto(&c.url("/portal/login")).await.unwrap();
    sign_in(&b, &email).await;
    for (path, name) in [
        ("/portal".to_owned(), "overview"),
        ("/portal/register".to_owned(), "register"),
        ("/portal/proposals".to_owned(), "proposals"),
        (format!("/portal/proposals/{id}"), "proposal"),
        ("/portal/organisations/school".to_owned(), "organisation"),
        ("/portal/organisations/hosting".to_owned(), "error"),
    ] {
        check_page(&b, &c, &path, name).await;
    }
    b.close().await.unwrap();
    c.shutdown().await;
}
