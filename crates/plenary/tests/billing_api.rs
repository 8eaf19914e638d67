//! Usage, fair use, capacity, costs and statements over the JSON API, over
//! real HTTP: what the answers hold, that they are as documented, and that
//! the command line answers alike. Who may call each endpoint is the
//! permission matrix's (`permission_matrix.rs`).

use crate::platform;

use platform::*;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

/// Every billing endpoint's answer, with lines in it, is what the OpenAPI
/// document says it is: the matrix checks every answer, this that none of
/// them was checked empty.
#[tokio::test]
async fn every_billing_answer_with_lines_in_it_is_as_documented() {
    let dir = testkit::TempDir::new("billing-schemas");
    let c = billed(dir.sqlite_url()).await;
    let schemas = Schemas::of(&c).await;
    let (status, _) = schemas
        .call(
            &c,
            OPERATOR,
            Method::POST,
            &format!("/api/v1/periods/{NOW}/costs"),
            Some(json!({"label": "racks", "amount_cents": 500, "org": "hosting"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let answers: Vec<(&str, String, &str)> = vec![
        (OPERATOR, "/api/v1/usage?by=tenant".into(), "rows"),
        (
            OPERATOR,
            "/api/v1/usage?by=origin&every=hour".into(),
            "rows",
        ),
        (OPERATOR, "/api/v1/usage?by=server&every=day".into(), "rows"),
        (
            ADMIN,
            "/api/v1/organisations/school/usage?by=org".into(),
            "rows",
        ),
        (OPERATOR, "/api/v1/fair-use?all=true".into(), "rows"),
        (
            ADMIN,
            "/api/v1/organisations/school/fair-use?all=true".into(),
            "rows",
        ),
        (OPERATOR, "/api/v1/capacity".into(), "pools"),
        (OPERATOR, format!("/api/v1/periods/{NOW}/costs"), ""),
        (
            OPERATOR,
            format!("/api/v1/periods/{NOW}/preview"),
            "statement/shares",
        ),
        (OPERATOR, "/api/v1/statements".into(), ""),
        (
            OPERATOR,
            format!("/api/v1/statements/{CLOSED}"),
            "statement/pool",
        ),
        (ADMIN, "/api/v1/organisations/school/statements".into(), ""),
        (
            ADMIN,
            format!("/api/v1/organisations/school/statements/{CLOSED}"),
            "share/org",
        ),
    ];
    for (token, path, lines) in answers {
        let (status, answer) = schemas.call(&c, token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        // `lines` points at what must not be empty: the answer itself when blank.
        let within = match lines {
            "" => Some(&answer),
            _ => answer.pointer(&format!("/{lines}")),
        };
        let has_lines =
            within.is_some_and(|l| l.as_array().map_or(!l.is_null(), |a| !a.is_empty()));
        assert!(has_lines, "{path} has lines to check: {answer}");
    }
    let (status, closed) = schemas
        .call(
            &c,
            OPERATOR,
            Method::POST,
            &format!("/api/v1/periods/{NOW}/close"),
            Some(json!({"rule": "tiers"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{closed}");
    c.env.shutdown().await;
}

#[tokio::test]
async fn another_organisation_s_statements_answer_exactly_like_a_missing_organisation_s() {
    let dir = testkit::TempDir::new("billing-hidden");
    let c = billed(dir.sqlite_url()).await;
    for (hidden, missing) in [
        (
            "/api/v1/organisations/hosting/statements",
            "/api/v1/organisations/nowhere/statements",
        ),
        (
            "/api/v1/organisations/hosting/statements/2025-12",
            "/api/v1/organisations/nowhere/statements/2025-12",
        ),
        (
            "/api/v1/organisations/hosting/usage",
            "/api/v1/organisations/nowhere/usage",
        ),
        (
            "/api/v1/fair-use?org=hosting",
            "/api/v1/fair-use?org=nowhere",
        ),
        (
            "/api/v1/usage?tenant=hosting-rooms",
            "/api/v1/usage?tenant=nowhere-rooms",
        ),
    ] {
        let (hidden_status, hidden) = c.call(ADMIN, Method::GET, hidden, None).await;
        let (missing_status, missing) = c.call(ADMIN, Method::GET, missing, None).await;
        assert_eq!(hidden_status, missing_status);
        assert_eq!(hidden["type"], missing["type"]);
        assert_eq!(
            hidden["detail"]
                .as_str()
                .unwrap()
                .replace("hosting", "nowhere"),
            missing["detail"].as_str().unwrap()
        );
    }
    c.env.shutdown().await;
}

#[tokio::test]
async fn a_bad_period_or_dimension_is_a_problem_that_says_what_is_expected() {
    let dir = testkit::TempDir::new("billing-problems");
    let c = platform(dir.sqlite_url()).await;
    let (_, period) = c
        .call(OPERATOR, Method::GET, "/api/v1/usage?period=2026-13", None)
        .await;
    assert_eq!(period["type"], "urn:plenary:problem:invalid-period");
    assert!(
        period["detail"].as_str().unwrap().contains("2026-11"),
        "{period}"
    );
    let (_, by) = c
        .call(OPERATOR, Method::GET, "/api/v1/usage?by=planet", None)
        .await;
    assert_eq!(by["type"], "urn:plenary:problem:invalid-query");
    assert!(
        by["detail"]
            .as_str()
            .unwrap()
            .contains("tenant, org, server"),
        "{by}"
    );
    c.env.shutdown().await;
}

/// The body and content type of a GET.
async fn fetched(c: &Consortium, token: &str, path: &str, accept: &str) -> (String, String) {
    let response = c
        .http
        .get(c.url(path))
        .bearer_auth(token)
        .header(header::ACCEPT, accept)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let kind = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    (kind, response.text().await.unwrap())
}

#[tokio::test]
async fn a_usage_report_is_csv_when_asked_and_the_same_file_as_the_command_line_writes() {
    let cli = testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"));
    let c = platform(cli.dir.sqlite_url()).await;
    let path = "/api/v1/usage?org=school&period=2026-01&every=month";
    let (kind, by_accept) = fetched(&c, ADMIN, path, "text/csv").await;
    assert_eq!(kind, "text/csv; charset=utf-8");
    let (_, by_format) =
        fetched(&c, ADMIN, &format!("{path}&format=csv"), "application/json").await;
    assert_eq!(by_accept, by_format);
    let (kind, json) = fetched(&c, ADMIN, path, "application/json").await;
    assert_eq!(kind, "application/json");
    let json: Value = serde_json::from_str(&json).unwrap();
    let header: Vec<&str> = json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(by_accept.lines().next().unwrap(), header.join(","));
    let by_cli = cli.ok_with(
        &[
            "usage", "report", "--org", "school", "--period", "2026-01", "--format", "csv",
        ],
        &[("PLENARY_TOKEN", ADMIN)],
    );
    assert_eq!(by_cli, by_accept);
    c.env.shutdown().await;
}

#[tokio::test]
async fn costs_and_closing_over_the_api_are_audited_under_the_operator_s_name() {
    let dir = testkit::TempDir::new("billing-audit");
    let c = platform(dir.sqlite_url()).await;
    let (status, cost) = c
        .call(
            OPERATOR,
            Method::POST,
            "/api/v1/periods/2025-12/costs",
            Some(json!({"label": "racks", "amount_cents": 500, "org": "hosting"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cost}");
    assert_eq!(cost["org"], "hosting");
    let (status, closed) = c
        .call(
            OPERATOR,
            Method::POST,
            "/api/v1/periods/2025-12/close",
            Some(json!({"rule": "proportional"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{closed}");
    assert_eq!(closed["statement"]["rule"], "proportional");
    let entries = c
        .env
        .app
        .store
        .audit_entries(Some("period:2025-12"), 0, 10)
        .await
        .unwrap();
    let what: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.kind.as_str()))
        .collect();
    assert_eq!(
        what,
        [
            ("operator:ops", "bill.contribution"),
            ("operator:ops", "bill.close")
        ]
    );
    assert_eq!(closed["audit_head"], json!(entries[1].hash));
    let part = c
        .get(ADMIN, "/api/v1/organisations/school/statements/2025-12")
        .await;
    assert_eq!(part["share"]["org"], "school");
    assert!(part.get("shares").is_none(), "no other organisation's line");
    c.env.shutdown().await;
}

/// Each billing command has its API twin, asked by the same actor with the
/// same result: both call the same service function.
#[tokio::test]
async fn the_command_line_and_the_api_answer_alike() {
    let cli = testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"));
    let c = billed(cli.dir.sqlite_url()).await;
    let rows: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            ADMIN,
            vec!["bill", "list", "--org", "school", "--json"],
            "/api/v1/organisations/school/statements",
        ),
        (
            ADMIN,
            vec!["bill", "list", "--org", "hosting", "--json"],
            "/api/v1/organisations/hosting/statements",
        ),
        (
            ADMIN,
            vec![
                "bill", "show", "--period", CLOSED, "--org", "school", "--json",
            ],
            "/api/v1/organisations/school/statements/2025-12",
        ),
        (
            OPERATOR,
            vec!["bill", "list", "--json"],
            "/api/v1/statements",
        ),
        (ADMIN, vec!["bill", "list", "--json"], "/api/v1/statements"),
        (
            OPERATOR,
            vec!["bill", "show", "--period", CLOSED, "--json"],
            "/api/v1/statements/2025-12",
        ),
        (
            OPERATOR,
            vec!["bill", "costs", "--period", CLOSED, "--json"],
            "/api/v1/periods/2025-12/costs",
        ),
        (ADMIN, vec!["capacity", "--json"], "/api/v1/capacity"),
    ];
    let mut wrong = Vec::new();
    for (token, args, path) in rows {
        let out = cli.run_with(&args, &[("PLENARY_TOKEN", token)]);
        let (status, api) = c.call(token, Method::GET, path, None).await;
        let same = out.status.success() == status.is_success()
            && (!status.is_success()
                || serde_json::from_slice::<Value>(&out.stdout).ok() == Some(api.clone()));
        if !same {
            wrong.push(format!(
                "{token} {args:?} / {path}: CLI {} {}; API {status} {api}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    c.env.shutdown().await;
}
