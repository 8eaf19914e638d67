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

#[tokio::test]
async fn a_delegate_follows_the_proposal_link_signs_in_votes_and_changes_the_vote() {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    let email = login_for(&c, "delegate-school").await;
    let id = c.open_proposal().await;
    b.goto(&c.url(&format!("/portal/proposals/{id}")))
        .await
        .unwrap();
    assert!(
        b.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/portal/login")
    );
    shot(&b, "sign-in").await;
    sign_in(&b, &email).await;
    assert_eq!(
        b.current_url().await.unwrap().path(),
        format!("/portal/proposals/{id}")
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
    b.close().await.unwrap();
    c.shutdown().await;
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

/// The text content of `css`, hidden or not (an SVG's description).
async fn content_of(b: &Client, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test]
async fn an_organisation_admin_reads_its_usage_against_its_tier_and_downloads_its_statement() {
    use coop::organisation::{ADMIN, MONTH};
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    c.with_organisation_use().await;
    let email = login_for(&c, ADMIN).await;
    let usage = format!("/portal/organisations/school/usage?month={MONTH}&tenant=school-main");
    b.goto(&c.url(&usage)).await.unwrap();
    sign_in(&b, &email).await;
    assert_eq!(text_of(&b, "h1").await, "Usage of school-main");
    // The third daily chart is the peak concurrency, against level1's 20.
    let peak = content_of(&b, "#day-2-desc").await;
    assert!(peak.contains("The level1 limit is 20"), "{peak}");
    let peak_chart = "#daily-heading ~ .charts figure:nth-child(3)";
    let line = content_of(&b, &format!("{peak_chart} .limit-label")).await;
    assert_eq!(line, "20", "the limit's value where its line ends");
    let caption = text_of(&b, &format!("{peak_chart} figcaption")).await;
    assert!(caption.contains("level1 limit: 20"), "{caption}");
    assert!(
        b.find_all(Locator::Css("#daily-heading ~ .charts .bar.over"))
            .await
            .unwrap()
            .len()
            > 1,
        "some days are over the limit"
    );
    let fair = text_of(&b, "section[aria-labelledby=fair-heading]").await;
    assert!(fair.contains("participant-minutes"), "{fair}");
    b.set_window_size(1280, 2300).await.unwrap();
    shot(&b, "usage").await;
    b.set_window_size(1280, 900).await.unwrap();

    click(&b, Locator::LinkText("Tenants")).await;
    assert_eq!(text_of(&b, "h1").await, "Tenants");
    click(
        &b,
        Locator::Css("form[action$='/school-main/secrets'] button"),
    )
    .await;
    let shown = text_of(&b, ".reveal pre").await;
    assert!(shown.starts_with("BIGBLUEBUTTON_SECRET="), "{shown}");
    b.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    b.set_window_size(1280, 1250).await.unwrap();
    shot(&b, "tenants").await;
    b.set_window_size(1280, 900).await.unwrap();

    b.goto(&c.url(&format!(
        "/portal/organisations/school/statement?month={MONTH}"
    )))
    .await
    .unwrap();
    assert!(text_of(&b, "h1").await.contains(MONTH));
    b.set_window_size(1280, 1120).await.unwrap();
    shot(&b, "statement").await;
    let href = b
        .find(Locator::LinkText("Download CSV"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    // The browser fetches the file with its own session, as a download does.
    let csv = b
        .execute(
            "return fetch(arguments[0]).then(r => r.text())",
            vec![json!(href)],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("org,period,participant_minutes,currency,base,usage,share,contributions,balance")
    );
    let school = lines.next().unwrap();
    assert!(school.starts_with("school,2025-12,"), "{csv}");
    assert!(school.contains(",EUR,"), "{csv}");
    assert_eq!(lines.next(), None, "only school's own line");

    for page in ["usage", "statement", "tenants"] {
        b.goto(&c.url(&format!("/portal/organisations/hosting/{page}")))
            .await
            .unwrap();
        assert!(text_of(&b, ".status-code").await.contains("404"), "{page}");
    }
    b.close().await.unwrap();
    c.shutdown().await;
}
