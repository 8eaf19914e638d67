//! The portal in a real headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`). Without them the tests
//! say so and pass, except under `CI=true`, where a missing browser fails
//! the run. The screenshots in `docs/screenshots/` are taken here.

use crate::common;
use crate::coop;

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

const OPERATOR_EMAIL: &str = "ops@plenary.example";

/// Gives the operator `ops` a portal login with TOTP; answers its secret.
async fn operator_login(c: &Consortium) -> String {
    let store = &c.env.app.store;
    let act = Act::new("operator:test", c.now());
    let login = store
        .set_login(
            OPERATOR_EMAIL,
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
    secret
}

async fn sign_in(b: &Client, email: &str) {
    type_into(b, Locator::Id("email"), email).await;
    type_into(b, Locator::Id("password"), PASSWORD).await;
    click(b, Locator::Css("form button[type=submit]")).await;
}

/// Answers the second-factor form with the current code of `totp`.
async fn second_factor(b: &Client, c: &Consortium, totp: &str) {
    let code = totp_code(totp, c.now()).unwrap();
    type_into(b, Locator::Id("code"), &code).await;
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
    for _ in 0..40 {
        let found = b
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap();
        // The page may be replaced between finding and reading.
        if let Ok(text) = found.text().await {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{css} kept going stale");
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
    let secret = operator_login(&c).await;
    b.goto(&c.url("/portal")).await.unwrap();
    sign_in(&b, OPERATOR_EMAIL).await;
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

const HOUR: i64 = 3_600_000;

/// People and webcams of one meeting, added on whichever server holds it.
fn add_people(servers: &[&sim::SimServer], tenant: &str, meeting: &str, people: u32, webcams: u32) {
    let backend_id = format!("{meeting}~{tenant}");
    for i in 0..people {
        let spec = sim::UserSpec {
            full_name: Some(format!("Person {i}")),
            mic: Some(i % 3 == 0),
            listen_only: Some(i % 3 != 0),
            webcams: Some(u32::from(i < webcams)),
            ..sim::UserSpec::default()
        };
        assert!(
            servers
                .iter()
                .any(|s| s.add_user(&backend_id, &spec).is_some()),
            "no server holds {backend_id}"
        );
    }
}

/// A fleet worth watching: the consortium's server and three more, two in
/// a pool of their own, tenants with tiers, and meetings polled over
/// five hours. Answers the extra servers, to be shut down after.
async fn busy_fleet(c: &Consortium) -> sim::SimFleet {
    let store = &c.env.app.store;
    let act = Act::new("operator:test", c.now());
    let extra = sim::start(
        sim::SimConfig {
            servers: 3,
            base_port: 0,
            secret: common::SIM_SECRET.into(),
            tick: Duration::ZERO,
            ..sim::SimConfig::default()
        },
        std::sync::Arc::new(sim::SystemClock),
    )
    .await
    .unwrap();
    let first = store.servers().await.unwrap()[0].id;
    let patch = store::ServerPatch {
        capacity: Some(300),
        ..store::ServerPatch::default()
    };
    store.update_server(first, patch, &act).await.unwrap();
    for (i, server) in extra.servers.iter().enumerate() {
        store
            .add_server(
                store::NewServer {
                    url: &server.url(),
                    secret: common::SIM_SECRET,
                    algorithm: bbb::Algorithm::Sha256,
                    weight: 1,
                    pool: (i > 0).then_some("lyon"),
                    capacity: 300,
                    health: store::Health::Unstable,
                },
                &act,
            )
            .await
            .unwrap();
    }
    store
        .create_tenant(
            store::NewTenant {
                name: "lyon-gl",
                host: None,
                pool: Some("lyon"),
                secret: "lyon-secret-1",
            },
            &act,
        )
        .await
        .unwrap();
    for (tenant, org, tier) in [
        ("coop", "network", "multi"),
        ("lyon-gl", "school", "level3"),
    ] {
        store
            .set_tenant_organisation(tenant, Some(org), &act)
            .await
            .unwrap();
        store
            .set_tenant_tier(tenant, Some(tier), &act)
            .await
            .unwrap();
    }
    let meetings = [
        ("coop", "coop-secret", "assembly"),
        ("coop", "coop-secret", "board"),
        ("lyon-gl", "lyon-secret-1", "class-a"),
        ("lyon-gl", "lyon-secret-1", "class-b"),
    ];
    // The new servers take meetings once a poll has seen them up.
    c.env.poll().await;
    for (tenant, secret, meeting) in meetings {
        let created = c.env.tenant(tenant, secret).create(meeting).await;
        assert_eq!(created.child_text("returncode").as_deref(), Some("SUCCESS"));
    }
    let servers: Vec<&sim::SimServer> = c.env.sim.servers.iter().chain(&extra.servers).collect();
    for hour in 0..5u32 {
        for (i, (tenant, _, meeting)) in meetings.iter().enumerate() {
            add_people(
                &servers,
                tenant,
                meeting,
                1 + (hour + i as u32) % 4,
                u32::from(hour % 2 == 0),
            );
        }
        c.env.poll().await;
        c.clock.advance(HOUR);
    }
    c.env.poll().await;
    // The next round is a poll interval later, as the poller's would be.
    c.clock.advance(10_000);
    extra
}

/// The text of `css` once it differs from `before`, within `secs`.
async fn changed_text(b: &Client, css: &str, before: &str, secs: u64) -> String {
    for _ in 0..secs * 4 {
        let now = text_of(b, css).await;
        if now != before {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{css} still reads {before:?} after {secs} s");
}

#[tokio::test]
async fn an_operator_watches_the_fleet_live_cordons_a_server_makes_a_tenant_and_reads_its_settings()
{
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    let totp = operator_login(&c).await;
    let extra = busy_fleet(&c).await;

    b.goto(&c.url("/portal/operator")).await.unwrap();
    sign_in(&b, OPERATOR_EMAIL).await;
    second_factor(&b, &c, &totp).await;
    assert_eq!(text_of(&b, "h1").await, "The fleet");
    assert_eq!(b.current_url().await.unwrap().path(), "/portal/operator");
    let table = text_of(&b, "table.fleet").await;
    assert!(table.contains("lyon"), "{table}");

    // Someone joins; after the next poll the page shows it without a reload.
    let before = text_of(&b, "[data-total=participants]").await;
    let servers: Vec<&sim::SimServer> = c.env.sim.servers.iter().chain(&extra.servers).collect();
    add_people(&servers, "coop", "assembly", 1, 1);
    c.env.poll().await;
    c.clock.advance(10_000);
    let after = changed_text(&b, "[data-total=participants]", &before, 15).await;
    assert_eq!(
        after.parse::<u64>().unwrap(),
        before.parse::<u64>().unwrap() + 1
    );
    assert!(text_of(&b, "[data-live-status]").await.starts_with("Live"));

    // Cordoning asks first, then says what it did.
    let first = c.env.app.store.servers().await.unwrap()[0].clone();
    click(
        &b,
        Locator::Css(&format!(
            "tr[data-server='{}'] form[action$='/cordon'] button",
            first.id
        )),
    )
    .await;
    let asked = changed_text(&b, "h1", "The fleet", 10).await;
    assert!(asked.starts_with("Cordon "), "{asked}");
    assert_eq!(
        c.env.app.store.server(first.id).await.unwrap().state,
        store::ServerState::Enabled,
        "nothing happens before the confirmation"
    );
    click(&b, Locator::Css(".confirm-actions button[type=submit]")).await;
    assert!(text_of(&b, ".notice").await.contains("is cordoned"));
    assert_eq!(
        c.env.app.store.server(first.id).await.unwrap().state,
        store::ServerState::Cordoned
    );
    let row = text_of(&b, &format!("tr[data-server='{}']", first.id)).await;
    assert!(row.contains("cordoned"), "{row}");
    let rendered = text_of(&b, "[data-live-status]").await;
    changed_text(&b, "[data-live-status]", &rendered, 15).await;
    shot(&b, "operator-fleet").await;
    // On a phone the servers' table scrolls inside its own region.
    b.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    b.execute(
        "document.getElementById('servers-heading').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    shot(&b, "phone-operator-fleet-busy").await;
    b.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();

    // A server's page draws its last hours.
    let busiest = c
        .env
        .app
        .store
        .servers()
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|s| s.participants)
        .unwrap();
    b.goto(&c.url(&format!("/portal/operator/servers/{}", busiest.id)))
        .await
        .unwrap();
    let bars = b
        .find_all(Locator::Css("svg.chart rect.bar"))
        .await
        .unwrap();
    assert_eq!(bars.len(), 24, "one bar an hour");
    shot(&b, "operator-server").await;

    // A new secret for a tenant, with the settings to paste into Greenlight.
    b.goto(&c.url("/portal/operator/tenants/lyon-gl"))
        .await
        .unwrap();
    click(&b, Locator::Css("form[action$='/secrets'] button")).await;
    let settings = text_of(&b, "pre.settings").await;
    let endpoint = format!(
        "BIGBLUEBUTTON_ENDPOINT={}",
        c.url("/t/lyon-gl/bigbluebutton/api")
    );
    assert!(settings.contains(&endpoint), "{settings}");
    let secret = settings
        .lines()
        .find_map(|l| l.strip_prefix("BIGBLUEBUTTON_SECRET="))
        .unwrap()
        .to_string();
    let answer = c
        .env
        .tenant("lyon-gl", &secret)
        .call("getMeetings", &[])
        .await;
    assert_eq!(answer.child_text("returncode").as_deref(), Some("SUCCESS"));
    b.goto(&c.url("/portal/operator/tenants/lyon-gl"))
        .await
        .unwrap();
    assert!(
        !text_of(&b, "main").await.contains(&secret),
        "the secret is shown once"
    );

    // A new tenant, made from the form, with its settings shown once.
    b.goto(&c.url("/portal/operator/tenants")).await.unwrap();
    click(&b, Locator::LinkText("New tenant")).await;
    assert_eq!(text_of(&b, "h1").await, "New tenant");
    type_into(&b, Locator::Id("name"), "lyon-school").await;
    for (select, value) in [
        ("organisation", "school"),
        ("tier", "level2"),
        ("pool", "lyon"),
    ] {
        b.find(Locator::Id(select))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }
    shot(&b, "operator-new-tenant").await;
    click(&b, Locator::Css("main form button[type=submit]")).await;
    assert!(text_of(&b, ".notice").await.contains("lyon-school is made"));
    let settings = text_of(&b, "pre.settings").await;
    let endpoint = format!(
        "BIGBLUEBUTTON_ENDPOINT={}",
        c.url("/t/lyon-school/bigbluebutton/api/")
    );
    assert!(settings.contains(&endpoint), "{settings}");
    let secret = settings
        .lines()
        .find_map(|l| l.strip_prefix("BIGBLUEBUTTON_SECRET="))
        .unwrap()
        .to_string();
    let facts = text_of(&b, "dl.facts").await;
    for fact in ["school", "level2", "lyon"] {
        assert!(facts.contains(fact), "{facts}");
    }
    b.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    shot(&b, "operator-tenant").await;
    let created = c.env.tenant("lyon-school", &secret).create("lesson").await;
    assert_eq!(created.child_text("returncode").as_deref(), Some("SUCCESS"));
    b.goto(&c.url("/portal/operator/tenants/lyon-school"))
        .await
        .unwrap();
    assert!(
        !text_of(&b, "main").await.contains(&secret),
        "the secret is shown once"
    );

    b.goto(&c.url("/portal/operator/tenants")).await.unwrap();
    assert!(text_of(&b, "table").await.contains("lyon-school"));
    shot(&b, "operator-tenants").await;

    b.goto(&c.url("/portal/operator/capacity")).await.unwrap();
    let chart = b
        .find(Locator::Css("svg.capacity-chart"))
        .await
        .unwrap()
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(chart.contains("lyon"), "{chart}");
    shot(&b, "operator-capacity").await;

    b.close().await.unwrap();
    extra.shutdown().await;
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
        b.find_all(Locator::Css("#daily-heading ~ .charts .bar-over"))
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
            "const width = document.documentElement.clientWidth;
             const wide = [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > width + 0.5);
             return [document.documentElement.scrollWidth - width, wide
               .filter(e => !wide.includes(e.parentElement))
               .map(e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join('')
                 + ' by ' + Math.round(e.getBoundingClientRect().right - width) + ' px')];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow[0],
        json!(0),
        "{name} is wider than a phone: {}",
        overflow[1]
    );
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
    b.goto(&c.url("/portal/apply")).await.unwrap();
    shot(&b, "apply").await;
    check_page(&b, &c, "/portal/apply", "apply").await;
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

#[tokio::test]
async fn the_operators_pages_are_accessible_and_fit_a_phone() {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    let totp = operator_login(&c).await;
    b.goto(&c.url("/portal/operator")).await.unwrap();
    sign_in(&b, OPERATOR_EMAIL).await;
    assert_accessible(&b, "/portal/second-factor").await;
    second_factor(&b, &c, &totp).await;
    assert_eq!(text_of(&b, "h1").await, "The fleet");
    let server = c.env.app.store.servers().await.unwrap()[0].id;
    for (path, name) in [
        ("/portal/operator".to_owned(), "operator-fleet"),
        (
            format!("/portal/operator/servers/{server}"),
            "operator-server",
        ),
        ("/portal/operator/tenants".to_owned(), "operator-tenants"),
        (
            "/portal/operator/new-tenant".to_owned(),
            "operator-new-tenant",
        ),
        (
            "/portal/operator/tenants/coop".to_owned(),
            "operator-tenant",
        ),
        ("/portal/operator/new-tier".to_owned(), "operator-new-tier"),
        ("/portal/operator/capacity".to_owned(), "operator-capacity"),
        ("/portal/operator/fair-use".to_owned(), "operator-fair-use"),
        ("/portal/operator/billing".to_owned(), "operator-billing"),
        (
            "/portal/operator/billing/2026-01".to_owned(),
            "operator-period",
        ),
        ("/portal/operator/audit".to_owned(), "operator-audit"),
    ] {
        check_page(&b, &c, &path, name).await;
    }
    b.close().await.unwrap();
    c.shutdown().await;
}

#[tokio::test]
async fn the_organisation_pages_are_accessible_and_fit_a_phone() {
    use coop::organisation::{ADMIN, MONTH};
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let c = Consortium::start().await;
    c.with_organisation_use().await;
    let email = login_for(&c, ADMIN).await;
    b.goto(&c.url("/portal/login")).await.unwrap();
    sign_in(&b, &email).await;
    let at = "/portal/organisations/school";
    for (path, name) in [
        (format!("{at}/tenants"), "organisation-tenants"),
        (format!("{at}/usage?month={MONTH}"), "organisation-usage"),
        (
            format!("{at}/statement?month={MONTH}"),
            "organisation-statement",
        ),
        (format!("{at}/meetings"), "organisation-meetings"),
        (format!("{at}/people"), "organisation-people"),
    ] {
        check_page(&b, &c, &path, name).await;
    }
    b.close().await.unwrap();
    c.shutdown().await;
}
