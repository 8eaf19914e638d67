//! The organisation pages over real HTTP, signed in as the organisation's
//! admin: every page of another organisation answers exactly like a
//! missing one, a tenant of another organisation is missing under this
//! one, secrets and tokens are shown once, and the statement's CSV holds
//! the organisation's own line. The browser drives them in
//! `portal_browser.rs`.

use crate::common;
use crate::coop;

use coop::Consortium;
use coop::organisation::{ADMIN, MONTH, SECRET};
use reqwest::StatusCode;

/// Every page of the organisation `org`, as (method, path).
fn pages(org: &str) -> Vec<(&'static str, String)> {
    let at = format!("/portal/organisations/{org}");
    vec![
        ("GET", format!("{at}/tenants")),
        ("POST", format!("{at}/tenants/{org}-main/secrets")),
        ("POST", format!("{at}/tenants/{org}-main/secrets/remove")),
        ("GET", format!("{at}/usage?month={MONTH}")),
        ("GET", format!("{at}/statement?month={MONTH}")),
        ("GET", format!("{at}/statement.csv?month={MONTH}")),
        ("GET", format!("{at}/meetings")),
        ("GET", format!("{at}/people")),
        ("POST", format!("{at}/tokens")),
        ("POST", format!("{at}/tokens/0123456789abcdef/revoke")),
    ]
}

async fn world() -> Consortium {
    let c = Consortium::start().await;
    c.with_organisation_use().await;
    c
}

async fn ask(
    c: &Consortium,
    session: &coop::organisation::Session,
    method: &str,
    path: &str,
) -> (StatusCode, String) {
    match method {
        "GET" => c.page(session, path).await,
        _ => c.post_form(session, path, &[], true).await,
    }
}

#[tokio::test]
async fn another_organisations_pages_answer_exactly_like_a_missing_organisations() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    for ((method, other), (_, missing)) in pages("hosting").into_iter().zip(pages("nowhere")) {
        let (status, body) = ask(&c, &admin, method, &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {other}: {body}");
        let (missing_status, missing_body) = ask(&c, &admin, method, &missing).await;
        assert_eq!(missing_status, StatusCode::NOT_FOUND, "{method} {missing}");
        assert_eq!(
            body.replace("hosting", "nowhere"),
            missing_body,
            "{method} {other} tells more than a missing organisation"
        );
    }
    let secrets = c
        .env
        .app
        .store
        .tenant_by_name("hosting-main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        c.env
            .app
            .store
            .tenant_secrets(secrets.id)
            .await
            .unwrap()
            .len(),
        1
    );
    c.shutdown().await;
}

#[tokio::test]
async fn a_tenant_of_another_organisation_is_missing_under_this_one() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let at = "/portal/organisations/school";
    let (status, _) = c
        .page(&admin, &format!("{at}/usage?tenant=hosting-main"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = c
        .post_form(
            &admin,
            &format!("{at}/tenants/hosting-main/secrets"),
            &[],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, tenants) = c.page(&admin, &format!("{at}/tenants")).await;
    assert!(tenants.contains("school-main") && tenants.contains("school-lab"));
    assert!(!tenants.contains("hosting-main"), "{tenants}");
    c.shutdown().await;
}

#[tokio::test]
async fn a_delegate_who_is_not_the_admin_may_not_open_the_pages() {
    let c = world().await;
    let delegate = c.session(Some("delegate-school")).await;
    let (status, body) = c
        .page(&delegate, "/portal/organisations/school/usage")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("admin or an operator"), "{body}");
    c.shutdown().await;
}

#[tokio::test]
async fn an_operator_opens_any_organisations_pages() {
    let c = world().await;
    let ops = c.session(None).await;
    for (method, path) in pages("hosting") {
        if method == "GET" && !path.contains("statement") {
            let (status, body) = c.page(&ops, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
        }
    }
    c.shutdown().await;
}

#[tokio::test]
async fn a_form_without_the_sessions_token_is_refused() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let (status, _) = c
        .post_form(
            &admin,
            "/portal/organisations/school/tenants/school-main/secrets",
            &[],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let tenant = c
        .env
        .app
        .store
        .tenant_by_name("school-main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        c.env.app.store.tenant_secrets(tenant.id).await.unwrap(),
        [SECRET]
    );
    c.shutdown().await;
}

/// The text of the block of code right after `marker` in `html`.
fn code_after<'a>(html: &'a str, marker: &str) -> &'a str {
    let rest = &html[html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"))..];
    let block = r#"<pre class="settings"><code>"#;
    let start = rest.find(block).unwrap() + block.len();
    let end = rest[start..].find("</code>").unwrap();
    &rest[start..start + end]
}

#[tokio::test]
async fn a_new_secret_is_shown_once_and_the_gateway_takes_it() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let at = "/portal/organisations/school/tenants";
    let (status, page) = c
        .post_form(&admin, &format!("{at}/school-main/secrets"), &[], true)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let shown = code_after(&page, "revealed-heading");
    let secret = shown.strip_prefix("BIGBLUEBUTTON_SECRET=").unwrap();
    let front_end = c.env.tenant("school-main", secret);
    assert!(common::succeeded(&front_end.call("getMeetings", &[]).await));
    let (_, again) = c.page(&admin, at).await;
    assert!(!again.contains(secret), "the secret is shown only once");
    let (status, removed) = c
        .post_form(
            &admin,
            &format!("{at}/school-main/secrets/remove"),
            &[("fingerprint", &store::fingerprint(SECRET))],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    let old = c.env.tenant("school-main", SECRET);
    assert!(!common::succeeded(&old.call("getMeetings", &[]).await));
    c.shutdown().await;
}

#[tokio::test]
async fn the_tenants_page_gives_the_greenlight_endpoint() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let (_, page) = c.page(&admin, "/portal/organisations/school/tenants").await;
    let endpoint = format!(
        "BIGBLUEBUTTON_ENDPOINT={}/t/school-main/bigbluebutton/api/",
        c.env.app.url()
    );
    assert!(page.contains(&endpoint), "{page}");
    c.shutdown().await;
}

#[tokio::test]
async fn the_statement_csv_holds_the_organisations_own_line() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let (status, csv) = c
        .page(
            &admin,
            &format!("/portal/organisations/school/statement.csv?month={MONTH}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "org,period,participant_minutes,currency,base,usage,share,contributions,balance"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with(&format!("school,{MONTH},")), "{csv}");
    assert!(!csv.contains("hosting"));
    c.shutdown().await;
}

#[tokio::test]
async fn a_month_not_closed_has_no_statement_yet() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let at = "/portal/organisations/school";
    let (status, page) = c
        .page(&admin, &format!("{at}/statement?month=2025-11"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("not closed yet"), "{page}");
    let (status, _) = c
        .page(&admin, &format!("{at}/statement.csv?month=2025-11"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    c.shutdown().await;
}

#[tokio::test]
async fn a_token_made_on_the_page_is_shown_once_and_sees_only_the_organisation() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let (status, page) = c
        .post_form(
            &admin,
            "/portal/organisations/school/tokens",
            &[("label", "sync script"), ("read_only", "1")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = code_after(&page, "issued-heading").to_string();
    let tenants = c.get(&token, "/api/v1/tenants").await;
    let names: Vec<&str> = tenants
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["school-lab", "school-main"]);
    let (_, again) = c.page(&admin, "/portal/organisations/school/people").await;
    assert!(again.contains("sync script") && !again.contains(&token));
    c.shutdown().await;
}

#[tokio::test]
async fn the_usage_page_draws_each_tenants_tier_limit() {
    let c = world().await;
    let admin = c.session(Some(ADMIN)).await;
    let at = "/portal/organisations/school/usage";
    let (status, page) = c
        .page(&admin, &format!("{at}?month={MONTH}&tenant=school-main"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Usage of school-main"));
    assert!(page.contains("level1 limit: 20"), "the peak chart's line");
    assert!(page.contains(r#"class="bar-over""#), "days over the limit");
    let (_, lab) = c
        .page(&admin, &format!("{at}?month={MONTH}&tenant=school-lab"))
        .await;
    assert!(lab.contains("level2 limit: 60"), "{lab}");
    c.shutdown().await;
}

#[tokio::test]
async fn live_meetings_show_the_tenants_meeting_id_and_not_another_organisations() {
    let c = world().await;
    c.env
        .tenant("school-main", SECRET)
        .create("board-meeting")
        .await;
    c.env
        .tenant("hosting-main", SECRET)
        .create("ops-standup")
        .await;
    let admin = c.session(Some(ADMIN)).await;
    let (status, page) = c
        .page(&admin, "/portal/organisations/school/meetings")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<code>board-meeting</code>"), "{page}");
    let record = c.env.app.store.live_meetings_of_tenant(
        c.env
            .app
            .store
            .tenant_by_name("school-main")
            .await
            .unwrap()
            .unwrap()
            .id,
    );
    let backend_id = record.await.unwrap()[0].backend_id.clone();
    assert_ne!(backend_id, "board-meeting");
    assert!(
        !page.contains(&backend_id),
        "the namespaced ID stays inside"
    );
    assert!(!page.contains("ops-standup"));
    c.shutdown().await;
}

#[tokio::test]
async fn the_register_page_hides_customers_from_a_member_and_shows_them_to_an_operator() {
    let c = world().await;
    let act = store::Act::new("operator:test", c.now());
    c.env
        .app
        .store
        .add_organisation("acme-customer", "Acme Customer Ltd", &act)
        .await
        .unwrap();
    let admin = c.session(Some(ADMIN)).await;
    let (status, body) = c.page(&admin, "/portal/register").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("school"), "{body}");
    assert!(!body.contains("Acme Customer"), "{body}");
    let ops = c.session(None).await;
    let (status, body) = c.page(&ops, "/portal/register").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Acme Customer"), "{body}");
    c.shutdown().await;
}
