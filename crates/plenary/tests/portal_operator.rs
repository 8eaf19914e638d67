//! The operators' pages over plain HTTP: who may see them, the
//! confirmation every change asks for, the form tokens, the live figures,
//! tenants made, moved and disabled, and a tenant's secret shown once. The browser tests drive the same pages
//! in Chromium; these need none.

use crate::common;
use crate::coop;

use coop::Consortium;
use reqwest::StatusCode;
use serde_json::Value;
use store::{Act, LoginOwner, ServerState};

/// A signed-in session of `owner` with both factors given, made in the
/// store as sign-in makes it; answers (cookie, CSRF token).
async fn session(c: &Consortium, email: &str, owner: LoginOwner) -> (String, String) {
    let store = &c.env.app.store;
    let act = Act::new("operator:test", c.now());
    let login = store
        .set_login(
            email,
            &owner,
            "unused: the test signs in by its session",
            &act,
        )
        .await
        .unwrap();
    let cookie = store::new_token();
    let csrf = store::new_token();
    store
        .create_session(
            &cookie,
            login.id,
            &csrf,
            true,
            (c.now(), c.now() + 3_600_000),
        )
        .await
        .unwrap();
    (cookie, csrf)
}

async fn operator(c: &Consortium) -> (String, String) {
    session(c, "ops@plenary.example", LoginOwner::Operator("ops".into())).await
}

async fn delegate(c: &Consortium) -> (String, String) {
    let person = c.env.app.store.person("delegate-school").await.unwrap();
    session(
        c,
        "delegate-school@mail.example",
        LoginOwner::Person(person),
    )
    .await
}

/// School's admin, signed in.
async fn organisation_admin(c: &Consortium) -> (String, String) {
    c.person("admin-school", "admin-school", Some(("school", "admin")))
        .await;
    let person = c.env.app.store.person("admin-school").await.unwrap();
    session(c, "admin-school@mail.example", LoginOwner::Person(person)).await
}

async fn get(c: &Consortium, cookie: &str, path: &str) -> (StatusCode, String) {
    let res = c
        .http
        .get(c.url(path))
        .header("cookie", format!("plenary_session={cookie}"))
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn post(c: &Consortium, cookie: &str, path: &str, form: &str) -> (StatusCode, String) {
    let res = c
        .http
        .post(c.url(path))
        .header("cookie", format!("plenary_session={cookie}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let body = res.text().await.unwrap();
    (status, location.unwrap_or(body))
}

async fn first_server(c: &Consortium) -> store::Server {
    c.env.app.store.servers().await.unwrap().remove(0)
}

#[tokio::test]
async fn a_delegate_is_refused_every_operator_page_as_the_api_refuses_them() {
    let c = Consortium::start().await;
    let (cookie, csrf) = delegate(&c).await;
    let (api, _) = c
        .call("school", reqwest::Method::GET, "/api/v1/servers", None)
        .await;
    assert_eq!(api, StatusCode::FORBIDDEN);
    for path in [
        "/portal/operator",
        "/portal/operator/fleet.json",
        "/portal/operator/servers/1",
        "/portal/operator/tenants",
        "/portal/operator/new-tenant",
        "/portal/operator/tenants/coop",
        "/portal/operator/capacity",
        "/portal/operator/fair-use",
        "/portal/operator/billing",
        "/portal/operator/billing/2026-01",
        "/portal/operator/audit",
    ] {
        let (status, body) = get(&c, &cookie, path).await;
        assert_eq!(status, api, "{path}");
        assert!(body.contains("Error 403"), "{path}: a friendly page");
    }
    let server = first_server(&c).await;
    let confirmed = format!("csrf={csrf}&confirmed=yes");
    for path in [
        format!("/portal/operator/servers/{}/cordon", server.id),
        "/portal/operator/tenants/coop/secrets".into(),
        "/portal/operator/billing/2026-01/close".into(),
    ] {
        let (status, _) = post(&c, &cookie, &path, &confirmed).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(first_server(&c).await.state, ServerState::Enabled);
    assert_eq!(
        c.env.app.store.tenant_secrets(1).await.unwrap().len(),
        1,
        "no secret was added"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_server_action_asks_for_confirmation_then_acts_and_says_so() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let server = first_server(&c).await;
    let path = format!("/portal/operator/servers/{}/cordon", server.id);

    let (status, page) = post(&c, &cookie, &path, &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Cordon "), "{page}");
    assert!(page.contains(r#"name="confirmed" value="yes""#));
    assert_eq!(first_server(&c).await.state, ServerState::Enabled);

    let (status, to) = post(&c, &cookie, &path, &format!("csrf={csrf}&confirmed=yes")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(first_server(&c).await.state, ServerState::Cordoned);
    let (_, dashboard) = get(&c, &cookie, &to).await;
    assert!(dashboard.contains("is cordoned"), "{dashboard}");
    let entries = c
        .env
        .app
        .store
        .audit_entries(Some(&format!("server:{}", server.id)), 0, 100)
        .await
        .unwrap();
    assert!(
        entries.iter().any(|e| e.actor == "operator:ops"),
        "the audit log names the operator"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_form_without_the_sessions_token_changes_nothing() {
    let c = Consortium::start().await;
    let (cookie, _) = operator(&c).await;
    let server = first_server(&c).await;
    let (status, body) = post(
        &c,
        &cookie,
        &format!("/portal/operator/servers/{}/panic", server.id),
        "csrf=forged&confirmed=yes",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("did not come from a page of this session"));
    assert_eq!(first_server(&c).await.state, ServerState::Enabled);
    c.shutdown().await;
}

#[tokio::test]
async fn the_live_figures_follow_the_last_poll() {
    let c = Consortium::start().await;
    let (cookie, _) = operator(&c).await;
    c.env.tenant("coop", "coop-secret").create("assembly").await;
    let sim = &c.env.sim.servers[0];
    for (name, webcams) in [("Ada", 1), ("Bo", 1), ("Cy", 0)] {
        let spec = sim::UserSpec {
            full_name: Some(name.into()),
            mic: Some(true),
            webcams: Some(webcams),
            ..sim::UserSpec::default()
        };
        sim.add_user("assembly~coop", &spec).unwrap();
    }
    c.env.poll().await;
    let (status, body) = get(&c, &cookie, "/portal/operator/fleet.json").await;
    assert_eq!(status, StatusCode::OK);
    let fleet: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(fleet["totals"]["participants"], 3);
    assert_eq!(fleet["totals"]["webcams"], 2);
    assert_eq!(fleet["servers"][0]["meetings"], 1);
    assert_ne!(fleet["servers"][0]["bandwidth"], "0.0 Mbit/s");
    assert!(
        !body.contains(common::SIM_SECRET),
        "a server's secret never leaves"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_new_tenant_secret_is_shown_once_and_works() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let (status, page) = post(
        &c,
        &cookie,
        "/portal/operator/tenants/coop/secrets",
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let secret = page
        .lines()
        .find_map(|l| l.strip_prefix("BIGBLUEBUTTON_SECRET="))
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();
    assert_eq!(secret.len(), 48, "{secret}");
    let answer = c.env.tenant("coop", &secret).call("getMeetings", &[]).await;
    assert_eq!(answer.child_text("returncode").as_deref(), Some("SUCCESS"));
    let (_, again) = get(&c, &cookie, "/portal/operator/tenants/coop").await;
    assert!(!again.contains(&secret));
    assert!(again.contains(&store::fingerprint(&secret)));
    c.shutdown().await;
}

#[tokio::test]
async fn closing_a_month_asks_first_and_then_shows_the_frozen_statement() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let (status, preview) = get(&c, &cookie, "/portal/operator/billing/2026-01").await;
    assert_eq!(status, StatusCode::OK);
    assert!(preview.contains("preview"));
    let path = "/portal/operator/billing/2026-01/close";
    let (status, ask) = post(&c, &cookie, path, &format!("csrf={csrf}&rule=proportional")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ask.contains("Close 2026-01?"), "{ask}");
    assert!(
        ask.contains(r#"name="rule" value="proportional""#),
        "the split is carried"
    );
    assert!(
        c.env
            .app
            .store
            .statement("2026-01")
            .await
            .unwrap()
            .is_none()
    );
    let (status, _) = post(
        &c,
        &cookie,
        path,
        &format!("csrf={csrf}&rule=proportional&confirmed=yes"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, closed) = get(&c, &cookie, "/portal/operator/billing/2026-01").await;
    assert!(closed.contains("Audit head after closing"), "{closed}");
    let (_, audit) = get(&c, &cookie, "/portal/operator/audit").await;
    assert!(audit.contains("The chain holds"));
    assert!(audit.contains("bill.close"), "{audit}");
    c.shutdown().await;
}

/// The value of `KEY=` on its own line of a page, up to the markup after it.
fn setting(page: &str, key: &str) -> String {
    page.lines()
        .find_map(|l| l.split(&format!("{key}=")).nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no {key} in {page}"))
        .to_string()
}

/// A tenant as the API describes it to an operator.
async fn tenant_json(c: &Consortium, name: &str) -> Value {
    c.get(coop::OPERATOR, &format!("/api/v1/tenants/{name}"))
        .await
}

async fn tenant_actors(c: &Consortium, name: &str) -> Vec<String> {
    c.env
        .app
        .store
        .audit_entries(Some(&format!("tenant:{name}")), 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.actor)
        .collect()
}

#[tokio::test]
async fn an_operator_makes_a_tenant_and_reads_its_greenlight_settings_with_the_secret_once() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let (status, form) = get(&c, &cookie, "/portal/operator/new-tenant").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(r#"<option value="level2">level2</option>"#),
        "{form}"
    );
    let (status, page) = post(
        &c,
        &cookie,
        "/portal/operator/tenants",
        &format!("csrf={csrf}&name=lyon&organisation=school&tier=level2&pool=eu&host="),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    assert_eq!(
        setting(&page, "BIGBLUEBUTTON_ENDPOINT"),
        c.url("/t/lyon/bigbluebutton/api/")
    );
    let secret = setting(&page, "BIGBLUEBUTTON_SECRET");
    let answer = c.env.tenant("lyon", &secret).call("getMeetings", &[]).await;
    assert_eq!(answer.child_text("returncode").as_deref(), Some("SUCCESS"));
    let made = tenant_json(&c, "lyon").await;
    assert_eq!(made["organisation"], "school");
    assert_eq!(made["tier"], "level2");
    assert_eq!(made["pool"], "eu");
    let (_, again) = get(&c, &cookie, "/portal/operator/tenants/lyon").await;
    assert!(!again.contains(&secret), "the secret is shown once");
    assert!(again.contains("BIGBLUEBUTTON_ENDPOINT="));
    assert_eq!(tenant_actors(&c, "lyon").await, ["operator:ops"]);
    c.shutdown().await;
}

#[tokio::test]
async fn a_taken_name_or_an_unknown_tier_brings_the_form_back_filled_in_with_the_reason() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let make = |form: String| {
        let (cookie, c) = (&cookie, &c);
        async move { post(c, cookie, "/portal/operator/tenants", &form).await }
    };
    let (status, page) = make(format!("csrf={csrf}&name=coop&tier=level1")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("already exists"), "{page}");
    assert!(page.contains(r#"value="coop""#), "the name is kept");
    assert!(page.contains(r#"<option value="level1" selected>"#));

    let (status, page) = make(format!("csrf={csrf}&name=fresh&tier=gold")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("gold"), "{page}");
    assert!(page.contains(r#"role="alert""#));
    assert!(page.contains(r#"value="fresh""#));

    let (status, page) = make(format!("csrf={csrf}&name=Not+A+Name")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not a valid tenant name"), "{page}");
    let (status, _) = c
        .call(
            coop::OPERATOR,
            reqwest::Method::GET,
            "/api/v1/tenants/fresh",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing half-made");
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_moves_a_tenant_to_another_organisation_tier_and_pool() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let (status, to) = post(
        &c,
        &cookie,
        "/portal/operator/tenants/coop",
        &format!("csrf={csrf}&organisation=network&tier=level3&pool=eu&host="),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(&c, &cookie, &to).await;
    assert!(page.contains("coop is changed"), "{page}");
    let moved = tenant_json(&c, "coop").await;
    assert_eq!(moved["organisation"], "network");
    assert_eq!(moved["tier"], "level3");
    assert_eq!(moved["pool"], "eu");
    assert!(
        tenant_actors(&c, "coop")
            .await
            .contains(&"operator:ops".to_string())
    );

    let (status, page) = post(
        &c,
        &cookie,
        "/portal/operator/tenants/coop",
        &format!("csrf={csrf}&organisation=network&tier=gold&pool="),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("gold"), "{page}");
    assert_eq!(tenant_json(&c, "coop").await, moved, "nothing changed");

    let (_, to) = post(
        &c,
        &cookie,
        "/portal/operator/tenants/coop",
        &format!("csrf={csrf}&organisation=&tier=&pool="),
    )
    .await;
    assert!(to.ends_with("?did=changed"), "{to}");
    let cleared = tenant_json(&c, "coop").await;
    assert_eq!(
        (&cleared["organisation"], &cleared["tier"], &cleared["pool"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    c.shutdown().await;
}

#[tokio::test]
async fn disabling_a_tenant_asks_first_then_its_calls_fail_until_it_is_enabled() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let calls = || async {
        c.env
            .tenant("coop", "coop-secret")
            .call("getMeetings", &[])
            .await
            .child_text("returncode")
    };
    let path = "/portal/operator/tenants/coop/disable";
    let (status, ask) = post(&c, &cookie, path, &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ask.contains("Disable coop?"), "{ask}");
    assert_eq!(tenant_json(&c, "coop").await["enabled"], true);

    let (status, to) = post(&c, &cookie, path, &format!("csrf={csrf}&confirmed=yes")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(&c, &cookie, &to).await;
    assert!(page.contains("coop is disabled"), "{page}");
    assert_eq!(calls().await.as_deref(), Some("FAILED"));

    let enable = "/portal/operator/tenants/coop/enable";
    post(&c, &cookie, enable, &format!("csrf={csrf}&confirmed=yes")).await;
    assert_eq!(calls().await.as_deref(), Some("SUCCESS"));
    assert_eq!(tenant_json(&c, "coop").await["enabled"], true);
    c.shutdown().await;
}

/// Every tenant form, as (path, the rest of a form the operator could send).
const TENANT_FORMS: [(&str, &str); 5] = [
    ("/portal/operator/tenants", "name=forged&tier=level1"),
    (
        "/portal/operator/tenants/coop",
        "organisation=hosting&tier=level3",
    ),
    ("/portal/operator/tenants/coop/disable", "confirmed=yes"),
    ("/portal/operator/tenants/coop/enable", "confirmed=yes"),
    ("/portal/operator/tenants/coop/secrets", ""),
];

/// What the tenant forms would have changed.
async fn tenants_as_they_are(c: &Consortium) -> Value {
    c.get(coop::OPERATOR, "/api/v1/tenants").await
}

#[tokio::test]
async fn a_tenant_form_without_the_sessions_token_changes_nothing() {
    let c = Consortium::start().await;
    let (cookie, _) = operator(&c).await;
    let before = tenants_as_they_are(&c).await;
    for (path, form) in TENANT_FORMS {
        for forged in [form.to_string(), format!("csrf=forged&{form}")] {
            let (status, body) = post(&c, &cookie, path, &forged).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} {forged}");
            assert!(body.contains("did not come from a page of this session"));
        }
    }
    assert_eq!(tenants_as_they_are(&c).await, before);
    c.shutdown().await;
}

#[tokio::test]
async fn an_organisation_admin_is_refused_the_operators_tenant_forms_as_the_api_refuses_them() {
    let c = Consortium::start().await;
    let (cookie, csrf) = organisation_admin(&c).await;
    let (api, _) = c
        .call(
            "admin-school",
            reqwest::Method::POST,
            "/api/v1/tenants",
            Some(serde_json::json!({"name": "forged"})),
        )
        .await;
    assert_eq!(api, StatusCode::FORBIDDEN);
    let before = tenants_as_they_are(&c).await;
    for (path, form) in TENANT_FORMS {
        let (status, body) = post(&c, &cookie, path, &format!("csrf={csrf}&{form}")).await;
        assert_eq!(status, api, "{path}");
        assert!(body.contains("Error 403"), "{path}: a friendly page");
    }
    let (status, _) = get(&c, &cookie, "/portal/operator/new-tenant").await;
    assert_eq!(status, api);
    assert_eq!(tenants_as_they_are(&c).await, before);
    c.shutdown().await;
}

#[tokio::test]
async fn the_audit_log_and_a_proposal_name_people_by_their_name_not_their_actor_id() {
    let c = Consortium::start().await;
    let store = &c.env.app.store;
    let act = Act::new("operator:test", c.now());
    store
        .add_person("ada", "Ada Lovelace", "ada@mail.example", &act)
        .await
        .unwrap();
    store
        .set_representative("hosting", "ada", "deputy", &act)
        .await
        .unwrap();
    store
        .add_token("ada-token", Some("ada"), "test", &act)
        .await
        .unwrap();
    let (status, draft) = c
        .call(
            "ada-token",
            reqwest::Method::POST,
            "/api/v1/proposals",
            Some(serde_json::json!({"title": "Storage", "text": "Recordings are kept a year."})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let (cookie, _) = operator(&c).await;
    let (_, proposal) = get(&c, &cookie, &format!("/portal/proposals/{}", draft["id"])).await;
    assert!(proposal.contains("by Ada Lovelace"), "{proposal}");
    let (_, audit) = get(&c, &cookie, "/portal/operator/audit").await;
    assert!(audit.contains("\">Ada Lovelace</td>"), "{audit}");
    assert!(audit.contains("\">test (operator)</td>"), "{audit}");
    assert!(!audit.contains("\">person:"), "no actor by ID: {audit}");
    let draft_link = format!(
        "<a href=\"/portal/proposals/{0}\">proposal {0}</a>",
        draft["id"]
    );
    assert!(
        audit.contains(&draft_link),
        "the subject by name, linked: {audit}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_proposal_page_links_to_its_topic_on_the_forum() {
    let forum = forum::fake::FakeDiscourse::start("forum-key", "plenary")
        .await
        .unwrap();
    let c = Consortium::with(coop::Extras {
        discourse: Some(forum.config(5)),
        ..coop::Extras::default()
    })
    .await;
    let id = c.open_proposal().await;
    c.duties().await;
    let (cookie, _) = delegate(&c).await;
    let (status, page) = get(&c, &cookie, &format!("/portal/proposals/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let external_id = format!("plenary-proposal-{id}");
    let link = format!(
        "{}/t/external_id/{external_id}",
        forum.base_url().as_str().trim_end_matches('/')
    );
    assert!(
        page.contains(&format!("<a href=\"{link}\">Discuss it on the forum</a>")),
        "{page}"
    );
    assert!(
        forum
            .topics()
            .iter()
            .any(|t| t.external_id.as_deref() == Some(&*external_id)),
        "the topic the link names exists on the forum"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn without_a_forum_a_proposal_page_has_no_forum_link() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    let (cookie, _) = delegate(&c).await;
    let (_, page) = get(&c, &cookie, &format!("/portal/proposals/{id}")).await;
    assert!(!page.contains("on the forum"), "{page}");
    c.shutdown().await;
}

#[tokio::test]
async fn a_closed_proposal_is_recounted_on_its_page_and_its_record_downloads() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    c.clock.advance(coop::DAY);
    for org in ["hosting", "network", "school"] {
        assert_eq!(c.vote(org, id, org, coop::agree()).await.0, StatusCode::OK);
    }
    c.clock.set(coop::T0 + 8 * coop::DAY);
    let path = format!("/api/v1/proposals/{id}/close");
    let (status, tally) = c
        .call(coop::OPERATOR, reqwest::Method::POST, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    let (cookie, _) = delegate(&c).await;
    let (_, page) = get(&c, &cookie, &format!("/portal/proposals/{id}")).await;
    assert!(
        page.contains("the ballots recount to the published tally, and all 3 ballots match"),
        "{page}"
    );
    let link = format!("/portal/proposals/{id}/record.json");
    assert!(page.contains(&link), "{page}");
    let (status, record) = get(&c, &cookie, &link).await;
    assert_eq!(status, StatusCode::OK);
    let record: consortium::Record = serde_json::from_str(&record).unwrap();
    assert_eq!(c.env.app.consortium.recount(&record).await.unwrap(), 3);
    c.shutdown().await;
}

#[tokio::test]
async fn an_open_proposal_has_no_record_to_download_yet() {
    let c = Consortium::start().await;
    let id = c.open_proposal().await;
    let (cookie, _) = delegate(&c).await;
    let (status, _) = get(&c, &cookie, &format!("/portal/proposals/{id}/record.json")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    c.shutdown().await;
}

/// A tier's whole form, with `extra` appended (`&name=…`, `&disabled=…`).
fn tier_form(csrf: &str, price: &str, per_meeting: &str, extra: &str) -> String {
    format!(
        "csrf={csrf}&price={price}&currency=eur&participants_per_meeting={per_meeting}\
         &concurrent_meetings=3&concurrent_participants=0&meeting_minutes=90\
         &webcams_per_meeting=0&webcams_per_user=0&rooms_per_month=0\
         &allowance_participant_minutes=0&allowance_gb=0&recording=yes{extra}"
    )
}

#[tokio::test]
async fn an_operator_makes_a_tier_from_the_form_and_changes_it() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let (status, form) = get(&c, &cookie, "/portal/operator/new-tier").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("name=\"disabled\" type=\"checkbox\" value=\"chat\""),
        "{form}"
    );
    let body = tier_form(
        &csrf,
        "12.50",
        "40",
        "&name=schools&disabled=chat&disabled=polls",
    );
    let (status, page) = post(&c, &cookie, "/portal/operator/tiers", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    assert!(page.contains("Tier schools is made"), "{page}");
    let tier = c.env.app.store.tier("schools").await.unwrap();
    assert_eq!(
        (
            tier.price_cents,
            tier.currency.as_str(),
            tier.participants_per_meeting
        ),
        (1250, "EUR", 40)
    );
    assert_eq!(tier.disabled_features.names(), ["chat", "polls"]);

    let body = tier_form(&csrf, "15", "60", "");
    let (status, page) = post(&c, &cookie, "/portal/operator/tiers/schools", &body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Tier schools is changed"), "{page}");
    let tier = c.env.app.store.tier("schools").await.unwrap();
    assert_eq!(
        (tier.price_cents, tier.participants_per_meeting),
        (1500, 60)
    );
    assert!(
        tier.disabled_features.is_empty(),
        "unticked features are on again"
    );
    let (_, list) = get(&c, &cookie, "/portal/operator/tenants").await;
    assert!(
        list.contains("href=\"/portal/operator/tiers/schools\""),
        "{list}"
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_refused_tier_comes_back_filled_in_with_the_reason() {
    let c = Consortium::start().await;
    let (cookie, csrf) = operator(&c).await;
    let body = tier_form(&csrf, "12.50", "-4", "&name=odd");
    let (status, page) = post(&c, &cookie, "/portal/operator/tiers", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(
        page.contains("participants_per_meeting cannot be negative"),
        "{page}"
    );
    assert!(
        page.contains("value=\"12.50\""),
        "the form keeps what was typed: {page}"
    );
    assert!(
        c.env.app.store.tier("odd").await.is_err(),
        "nothing half-made"
    );
    let body = tier_form(&csrf, "ten", "4", "&name=odd");
    let (status, page) = post(&c, &cookie, "/portal/operator/tiers", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("is not a price"), "{page}");
    c.shutdown().await;
}

#[tokio::test]
async fn only_operators_reach_the_tier_forms() {
    let c = Consortium::start().await;
    let (cookie, csrf) = organisation_admin(&c).await;
    let (status, _) = get(&c, &cookie, "/portal/operator/new-tier").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = tier_form(&csrf, "1", "4", "&name=mine");
    let (status, _) = post(&c, &cookie, "/portal/operator/tiers", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(c.env.app.store.tier("mine").await.is_err());
    c.shutdown().await;
}
