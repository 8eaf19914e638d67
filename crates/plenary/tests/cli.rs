//! The command line as operators use it: a real `plenary` process on a fresh
//! database.

fn cli() -> testkit::Cli {
    testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"))
}

/// The current month in UTC (the default time zone), `YYYY-MM`.
fn this_month() -> String {
    jiff::Timestamp::now().strftime("%Y-%m").to_string()
}

/// Two organisations with a tenant each; `host` hosts a server costing
/// 100.00, and the month has 20.00 of transit: pool 120.00, and `host`
/// ends with a negative balance.
fn host_and_user(cli: &testkit::Cli, month: &str) {
    cli.ok(&["org", "add", "host"]);
    cli.ok(&["org", "add", "user"]);
    cli.ok(&["tenant", "add", "host-gl", "--org", "host"]);
    cli.ok(&["tenant", "add", "user-gl", "--org", "user"]);
    cli.ok(&[
        "server",
        "add",
        "https://bbb1.example.org",
        "--secret",
        "s1",
    ]);
    cli.ok(&["server", "set", "1", "--cost", "100", "--owner", "host"]);
    cli.ok(&[
        "bill", "add-cost", "--period", month, "--label", "transit", "--amount", "20",
    ]);
}

#[test]
fn a_generated_tenant_secret_is_shown_once_and_then_only_its_fingerprint() {
    let cli = cli();
    let added = cli.ok(&["tenant", "add", "acme"]);
    let secret = added
        .lines()
        .find_map(|l| l.split("store it now): ").nth(1))
        .expect("the secret is printed")
        .trim()
        .to_string();
    assert!(secret.len() >= 32);
    let shown = cli.ok(&["tenant", "show", "acme", "--json"]);
    assert!(!shown.contains(&secret));
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["secret_fingerprints"].as_array().unwrap().len(), 1);
    assert!(!cli.ok(&["tenant", "list"]).contains(&secret));
}

#[test]
fn a_given_secret_is_not_echoed() {
    let cli = cli();
    let out = cli.ok(&["tenant", "add", "acme", "--secret", "given-secret-123"]);
    assert!(!out.contains("given-secret-123"));
}

#[test]
fn bad_input_gets_a_readable_message() {
    let cli = cli();
    assert!(
        cli.fails(&["tenant", "add", "Not Valid"])
            .contains("not a valid tenant name")
    );
    assert!(
        cli.fails(&["tenant", "show", "nobody"])
            .contains("not found")
    );
    assert!(
        cli.fails(&["server", "add", "ftp://x", "--secret", "s"])
            .contains("not an http(s) URL")
    );
    assert!(
        cli.fails(&[
            "server", "add", "http://x", "--secret", "s", "--weight", "0"
        ])
        .contains("weight")
    );
    cli.ok(&["tenant", "add", "acme"]);
    assert!(
        cli.fails(&["tenant", "add", "acme"])
            .contains("already exists")
    );
    assert!(
        cli.fails(&["tenant", "remove-secret", "acme", "nope"])
            .contains("not found: secret \"nope\" of tenant acme")
    );
}

#[test]
fn server_list_json_has_state_health_load_and_meetings() {
    let cli = cli();
    cli.ok(&[
        "server",
        "add",
        "https://bbb1.example.org/bigbluebutton/api/",
        "--secret",
        "s1",
        "--weight",
        "2",
        "--pool",
        "eu",
    ]);
    cli.ok(&["server", "cordon", "1"]);
    let v: serde_json::Value =
        serde_json::from_str(&cli.ok(&["server", "list", "--json"])).unwrap();
    let s = &v[0];
    assert_eq!(s["state"], "cordoned");
    assert_eq!(s["health"], "unstable");
    assert_eq!(s["load"], 0);
    assert_eq!(s["meetings"], 0);
    assert_eq!(s["weight"], 2);
    assert_eq!(s["pool"], "eu");
    assert!(
        !cli.ok(&["server", "list", "--json"]).contains("\"s1\""),
        "no secret in listings"
    );
    cli.ok(&["server", "set", "1", "--pool", "", "--capacity", "300"]);
    let v: serde_json::Value =
        serde_json::from_str(&cli.ok(&["server", "show", "1", "--json"])).unwrap();
    assert_eq!(v["pool"], serde_json::Value::Null);
    assert_eq!(v["capacity"], 300);
    assert!(cli.ok(&["server", "panic", "1"]).contains("released"));
    let v: serde_json::Value =
        serde_json::from_str(&cli.ok(&["server", "show", "1", "--json"])).unwrap();
    assert_eq!(v["state"], "disabled");
}

#[test]
fn secrets_rotate_without_removing_the_last_one() {
    let cli = cli();
    cli.ok(&["tenant", "add", "acme", "--secret", "first-secret-1"]);
    cli.ok(&[
        "tenant",
        "add-secret",
        "acme",
        "--secret",
        "second-secret-2",
    ]);
    cli.ok(&["tenant", "remove-secret", "acme", "first-secret-1"]);
    assert!(
        cli.fails(&["tenant", "remove-secret", "acme", "second-secret-2"])
            .contains("last secret")
    );
}

#[test]
fn migrate_and_healthcheck_report_plainly() {
    let cli = cli();
    assert!(cli.ok(&["migrate"]).contains("up to date"));
    let port = testkit::free_port();
    let out = cli.run(&["healthcheck", "--url", &format!("http://127.0.0.1:{port}")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("not ready"));
}

#[test]
fn the_seeded_tiers_are_listed_with_their_limits() {
    let cli = cli();
    let v: serde_json::Value = serde_json::from_str(&cli.ok(&["tier", "list", "--json"])).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["free", "level1", "level2", "level3", "multi"]);
    assert_eq!(v[0]["participants_per_meeting"], 5);
    assert_eq!(v[0]["meeting_minutes"], 60);
    assert!(cli.ok(&["tier", "list"]).contains("10.00 EUR"));
}

#[test]
fn tiers_are_added_and_changed_with_exact_prices() {
    let cli = cli();
    cli.ok(&[
        "tier",
        "add",
        "school",
        "--price",
        "12.50",
        "--participants",
        "30",
        "--meetings",
        "3",
        "--recording",
        "false",
    ]);
    cli.ok(&["tier", "set", "school", "--minutes", "90"]);
    let v: serde_json::Value =
        serde_json::from_str(&cli.ok(&["tier", "show", "school", "--json"])).unwrap();
    assert_eq!(
        (v["price_cents"].as_i64(), v["meeting_minutes"].as_i64()),
        (Some(1250), Some(90))
    );
    assert_eq!(v["participants_per_meeting"], 30);
    assert_eq!(v["recording"], false);
    assert!(
        cli.fails(&["tier", "add", "school"])
            .contains("already exists")
    );
    assert!(
        cli.fails(&["tier", "set", "school", "--price", "1.234"])
            .contains("not a price")
    );
    assert!(
        cli.fails(&["tier", "set", "school", "--rooms=-1"])
            .contains("negative")
    );
}

#[test]
fn organisations_own_tenants_on_tiers() {
    let cli = cli();
    cli.ok(&["org", "add", "acme", "--legal-name", "ACME Housing Co-op"]);
    cli.ok(&[
        "tenant", "add", "acme-gl", "--org", "acme", "--tier", "level2",
    ]);
    let t: serde_json::Value =
        serde_json::from_str(&cli.ok(&["tenant", "show", "acme-gl", "--json"])).unwrap();
    assert_eq!(
        (t["org"].as_str(), t["tier"].as_str()),
        (Some("acme"), Some("level2"))
    );
    let o: serde_json::Value =
        serde_json::from_str(&cli.ok(&["org", "show", "acme", "--json"])).unwrap();
    assert_eq!(o["tenants"][0], "acme-gl");
    cli.ok(&["tenant", "set-tier", "acme-gl", "none"]);
    let t: serde_json::Value =
        serde_json::from_str(&cli.ok(&["tenant", "show", "acme-gl", "--json"])).unwrap();
    assert_eq!(t["tier"], serde_json::Value::Null);
    assert!(
        cli.fails(&["tenant", "add", "other", "--tier", "gold"])
            .contains("not found")
    );
    assert!(
        cli.fails(&["tenant", "show", "other"])
            .contains("not found"),
        "no half-made tenant"
    );
    assert!(
        cli.fails(&["org", "add", "Bad Name"])
            .contains("not a valid organisation name")
    );
}

#[test]
fn a_period_is_previewed_closed_and_frozen() {
    let cli = cli();
    // The server is added now, so it is charged from this month on.
    let month = this_month();
    let month = month.as_str();
    host_and_user(&cli, month);
    let preview = |cli: &testkit::Cli| -> serde_json::Value {
        serde_json::from_str(&cli.ok(&["bill", "preview", "--period", month, "--format", "json"]))
            .unwrap()
    };
    let v = preview(&cli);
    // Pool 120.00; base 10.00 each; no use yet, so the rest splits equally.
    assert_eq!(v["pool_cents"], 12_000);
    let share = |org: &str, key: &str| {
        v["shares"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["org"] == org)
            .unwrap()[key]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        (share("host", "share_cents"), share("host", "balance_cents")),
        (6_000, -4_000)
    );
    assert_eq!(
        (share("user", "share_cents"), share("user", "balance_cents")),
        (6_000, 6_000)
    );
    let closed = cli.ok(&["bill", "close", "--period", month]);
    assert!(closed.contains("closed and frozen"), "{closed}");
    let head = cli.ok(&["audit", "head"]);
    let head = head.split_whitespace().nth(1).unwrap();
    assert!(
        closed.contains(&format!("Audit log head after closing: {head}")),
        "{closed}"
    );
    assert!(
        cli.fails(&["bill", "close", "--period", month])
            .contains("already exists")
    );
    assert!(
        cli.fails(&[
            "bill", "add-cost", "--period", month, "--label", "late", "--amount", "1"
        ])
        .contains("closed")
    );
    assert_eq!(
        preview(&cli),
        v,
        "recomputing a closed period gives the identical statement"
    );
    let shown = cli.ok(&["bill", "show", "--period", month]);
    assert!(shown.contains(&format!("Statement {month}")), "{shown}");
    assert!(
        shown.contains(&format!("Audit log head after closing: {head}")),
        "{shown}"
    );
    let verified = cli.ok(&["audit", "verify", "--head", head]);
    assert!(
        verified.contains("still holds the published head"),
        "{verified}"
    );
    assert!(
        cli.fails(&["server", "set", "1", "--owner", "nobody"])
            .contains("not found")
    );
    assert!(
        cli.fails(&["bill", "preview", "--base-fee", "ten"])
            .contains("not a price")
    );
}

#[test]
fn capacity_adds_up_servers_and_seats_sold_per_pool() {
    let cli = cli();
    cli.ok(&[
        "server",
        "add",
        "https://a.example.org",
        "--secret",
        "s",
        "--capacity",
        "200",
    ]);
    cli.ok(&[
        "server",
        "add",
        "https://b.example.org",
        "--secret",
        "s",
        "--capacity",
        "300",
    ]);
    cli.ok(&[
        "server",
        "add",
        "https://c.example.org",
        "--secret",
        "s",
        "--pool",
        "eu",
    ]);
    cli.ok(&["tenant", "add", "a", "--tier", "level1"]);
    cli.ok(&["tenant", "add", "b", "--tier", "level3"]);
    cli.ok(&["tenant", "add", "c"]);
    let v: serde_json::Value = serde_json::from_str(&cli.ok(&["capacity", "--json"])).unwrap();
    let shared = &v["pools"][0];
    assert_eq!(shared["pool"], "(shared)");
    assert_eq!(
        (shared["servers"].as_i64(), shared["capacity"].as_i64()),
        (Some(2), Some(500))
    );
    // level1 sells 20 concurrent participants, level3 200; c has no tier.
    assert_eq!(
        (
            shared["sold"].as_i64(),
            shared["unlimited_tenants"].as_i64()
        ),
        (Some(220), Some(1))
    );
    assert_eq!(v["pools"][1]["pool"], "eu");
}

#[test]
fn operator_changes_are_logged_with_who_made_them() {
    let cli = cli();
    cli.ok(&["org", "add", "acme"]);
    cli.ok(&[
        "tenant", "add", "acme-gl", "--org", "acme", "--tier", "level1",
    ]);
    let listed = cli.ok(&["audit", "list", "--subject", "tenant:acme-gl", "--json"]);
    let entries: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let kinds: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["tenant.create"], "one change, never half a tenant");
    assert!(
        entries[0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("operator:")
    );
}

#[test]
fn audit_verify_passes_on_a_clean_log_and_names_an_altered_entry() {
    let cli = cli();
    cli.ok(&["org", "add", "acme"]);
    cli.ok(&["org", "add", "beta"]);
    cli.ok(&["org", "set", "acme", "--legal-name", "ACME Housing"]);
    let intact = cli.ok(&["audit", "verify"]);
    assert!(intact.contains("intact: 3 entries"), "{intact}");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&cli.dir.sqlite_url()).await.unwrap();
        sqlx::query(
            "UPDATE audit_log SET detail = '{\"legal_name\":\"Someone Else\"}' WHERE seq = 2",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    });
    let broken = cli.fails(&["audit", "verify"]);
    assert!(broken.contains("broken at entry 2"), "{broken}");
}

#[test]
fn statements_print_negative_amounts_with_one_sign_in_the_configured_currency() {
    let cli = cli();
    let month = this_month();
    host_and_user(&cli, &month);
    // 120.25 in all: the rest of 100.25 splits 50.13 and 50.12, and the
    // host's balance is 60.13 - 100.00 = -39.87 (once printed `-39.-87`).
    cli.ok(&[
        "bill", "add-cost", "--period", &month, "--label", "extra", "--amount", "0.25",
    ]);
    let gbp = [("PLENARY_CURRENCY", "GBP")];
    let table = cli.ok_with(&["bill", "preview", "--period", &month], &gbp);
    assert!(table.contains("pool £120.25"), "{table}");
    assert!(table.contains("-£39.87"), "host's balance: {table}");
    assert!(!table.contains(".-"), "{table}");
    let csv = cli.ok_with(
        &["bill", "preview", "--period", &month, "--format", "csv"],
        &gbp,
    );
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("org,participant_minutes,currency,base,usage,share,contributions,balance")
    );
    assert!(
        lines.any(|l| l == "host,0,GBP,10.00,50.13,60.13,100.00,-39.87"),
        "{csv}"
    );
    let json: serde_json::Value = serde_json::from_str(&cli.ok_with(
        &["bill", "preview", "--period", &month, "--format", "json"],
        &gbp,
    ))
    .unwrap();
    assert_eq!(json["currency"], "GBP");
}

#[test]
fn a_period_closed_in_one_currency_reads_back_in_it_after_the_setting_changes() {
    let cli = cli();
    let month = this_month();
    host_and_user(&cli, &month);
    cli.ok_with(
        &["bill", "close", "--period", &month],
        &[("PLENARY_CURRENCY", "GBP")],
    );
    let shown = cli.ok_with(
        &["bill", "show", "--period", &month],
        &[("PLENARY_CURRENCY", "USD")],
    );
    assert!(shown.contains("pool £120.00"), "{shown}");
    assert!(!shown.contains('$'), "{shown}");
    let preview = cli.ok_with(
        &["bill", "preview", "--period", &month],
        &[("PLENARY_CURRENCY", "USD")],
    );
    assert!(
        preview.contains("pool $120.00"),
        "a preview uses the setting: {preview}"
    );
    assert!(
        cli.fails_with(
            &["bill", "show", "--period", &month],
            &[("PLENARY_CURRENCY", "JPY")]
        )
        .contains("currency: JPY has 0 decimal places")
    );
}

#[test]
fn a_closed_bill_shows_its_close_time_in_the_configured_time_zone() {
    let cli = cli();
    let month = this_month();
    host_and_user(&cli, &month);
    cli.ok(&["bill", "close", "--period", &month]);
    let shown = cli.ok_with(
        &["bill", "show", "--period", &month],
        &[("PLENARY_TIME_ZONE", "Europe/Paris")],
    );
    let closed = shown
        .lines()
        .find_map(|l| l.strip_prefix("Closed at "))
        .unwrap_or_else(|| panic!("a close time: {shown}"));
    let (date, rest) = closed.split_once(' ').unwrap();
    assert!(date.parse::<jiff::civil::Date>().is_ok(), "{closed}");
    assert_eq!(rest.len(), "17:02 Europe/Paris.".len(), "{closed}");
    assert!(rest.ends_with(" Europe/Paris."), "{closed}");
}

#[test]
fn a_past_month_is_not_charged_for_a_server_added_after_it() {
    let cli = cli();
    let month = this_month();
    host_and_user(&cli, &month);
    let preview = |period: &str| -> serde_json::Value {
        serde_json::from_str(&cli.ok(&["bill", "preview", "--period", period, "--format", "json"]))
            .unwrap()
    };
    let past = preview("2020-01");
    assert_eq!(past["pool_cents"], 0, "{past}");
    assert!(past["pool"].as_array().unwrap().is_empty(), "{past}");
    let host = past["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["org"] == "host")
        .unwrap();
    assert_eq!(
        host["contributions_cents"], 0,
        "nor credited to its host then"
    );
    assert_eq!(preview(&month)["pool_cents"], 12_000);
}

#[test]
fn tenant_show_names_its_organisation_and_tier() {
    let cli = cli();
    cli.ok(&["org", "add", "acme"]);
    cli.ok(&[
        "tenant", "add", "acme-gl", "--org", "acme", "--tier", "level2",
    ]);
    let shown = cli.ok(&["tenant", "show", "acme-gl"]);
    assert!(shown.contains("  org:       acme\n"), "{shown}");
    assert!(shown.contains("  tier:      level2\n"), "{shown}");
    cli.ok(&["tenant", "add", "loose"]);
    let shown = cli.ok(&["tenant", "show", "loose"]);
    assert!(shown.contains("  org:       -\n"), "{shown}");
    assert!(shown.contains("  tier:      - (no limits)\n"), "{shown}");
}

#[test]
fn audit_verify_against_a_published_head_finds_a_cut_tail_with_a_rolled_back_head() {
    let cli = cli();
    cli.ok(&["org", "add", "acme"]);
    cli.ok(&["org", "add", "beta"]);
    let published = cli.ok(&["audit", "head"]);
    let published = published.split_whitespace().nth(1).unwrap().to_string();
    cli.ok(&["org", "set", "acme", "--legal-name", "ACME Housing"]);
    assert!(
        cli.ok(&["audit", "verify", "--head", &published])
            .contains("intact")
    );
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&cli.dir.sqlite_url()).await.unwrap();
        for sql in [
            "DELETE FROM audit_log WHERE seq > 1",
            "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log WHERE seq = 1)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    });
    assert!(cli.ok(&["audit", "verify"]).contains("intact: 1 entries"));
    let broken = cli.fails(&["audit", "verify", "--head", &published]);
    assert!(
        broken.contains(&format!(
            "broken at entry 2: the published head {published} is not in the log"
        )),
        "{broken}"
    );
    assert!(
        cli.fails(&["audit", "verify", "--head", "abc"])
            .contains("is not an audit head")
    );
}
