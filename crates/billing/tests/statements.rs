//! Closed statements are read back exactly as they were frozen, whichever
//! version of Plenary froze them.

use billing::statements::{self, Measure, PoolItem, Rule, ShareLine, Statement};
use billing::{BillingError, Settings};
use metering::money::{Cents, Currency};
use store::{Act, Store};

/// A statement as the version before the typed statement froze it: its
/// JSON with the keys in order, written by `serde_json::Value`.
const FROZEN_BY_0008: &str = include_str!("fixtures/statement-0008.json");
/// One frozen before statements recorded their currency.
const FROZEN_BEFORE_CURRENCY: &str = include_str!("fixtures/statement-before-currency.json");

fn act() -> Act {
    Act::new("operator:test", 1_795_000_000_000)
}

fn share(org: &str, minutes: u64, mb: u64, usage: i64, contributions: i64, pct: &str) -> ShareLine {
    ShareLine {
        org: org.into(),
        participant_minutes: minutes,
        estimated_megabytes: mb,
        base_cents: 1000,
        usage_cents: usage,
        share_cents: 1000 + usage,
        contributions_cents: contributions,
        balance_cents: 1000 + usage - contributions,
        explanation: format!("base fee €10.00 + {pct}% of €200.00 by participant-minutes"),
    }
}

fn expected_0008() -> Statement {
    Statement {
        period: "2026-11".into(),
        currency: Some("EUR".into()),
        rule: Rule::Guifi,
        base_fee_cents: Some(1000),
        measure: Measure::ParticipantMinutes,
        pool_cents: 25000,
        pool: vec![
            PoolItem {
                label: "server https://bbb1.example.org/bigbluebutton/".into(),
                cents: 20000,
            },
            PoolItem {
                label: "hosting".into(),
                cents: 5000,
            },
        ],
        shares: vec![
            share("alpha", 1200, 3400, 15000, 20000, "75.00"),
            share("beta", 400, 900, 5000, 0, "25.00"),
        ],
    }
}

async fn frozen(url: &str, body: &str) -> Store {
    let store = Store::open(url).await.unwrap();
    store
        .close_statement("2026-11", body, &act())
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn a_statement_frozen_by_the_previous_version_reads_back_identically() {
    testkit::on_both_backends("billing-frozen-0008", |url| async move {
        let store = frozen(&url, FROZEN_BY_0008).await;
        let closed = statements::show(&store, "2026-11").await.unwrap();
        assert_eq!(closed.statement, expected_0008());
        assert_eq!(closed.closed_at, act().at_ms);
        assert!(closed.audit_head.is_some());
        assert_eq!(
            closed.statement.to_json(),
            FROZEN_BY_0008,
            "written again byte for byte, so its audited digest still matches"
        );
    })
    .await;
}

#[tokio::test]
async fn a_statement_frozen_before_currencies_reads_back_with_bare_amounts() {
    testkit::on_both_backends("billing-frozen-bare", |url| async move {
        let store = frozen(&url, FROZEN_BEFORE_CURRENCY).await;
        let statement = statements::show(&store, "2026-11").await.unwrap().statement;
        assert_eq!(statement.currency, None);
        assert_eq!(statement.currency().unwrap(), None);
        assert_eq!(statement.rule, Rule::Proportional);
        assert_eq!(statement.base_fee_cents, None);
        assert_eq!(statement.to_json(), FROZEN_BEFORE_CURRENCY);
    })
    .await;
}

#[tokio::test]
async fn a_stored_statement_missing_a_field_is_an_error_naming_its_period() {
    testkit::on_both_backends("billing-frozen-corrupt", |url| async move {
        let store = frozen(&url, r#"{"period":"2026-11","rule":"guifi"}"#).await;
        match statements::show(&store, "2026-11").await {
            Err(BillingError::CorruptStatement { period, reason }) => {
                assert_eq!(period, "2026-11");
                assert!(reason.contains("missing field"), "{reason}");
            }
            other => panic!("expected a corrupt statement, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn a_month_not_closed_is_not_shown() {
    testkit::on_both_backends("billing-not-closed", |url| async move {
        let store = Store::open(&url).await.unwrap();
        assert!(matches!(
            statements::show(&store, "2026-11").await,
            Err(BillingError::NotClosed { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_closed_statement_reads_back_exactly_as_it_was_closed() {
    testkit::on_both_backends("billing-close-show", |url| async move {
        let store = Store::open(&url).await.unwrap();
        let settings = Settings {
            time_zone: "Europe/Paris".into(),
            zone: jiff::tz::TimeZone::get("Europe/Paris").unwrap(),
            currency: Currency::parse("EUR").unwrap(),
            poll_interval_ms: 10_000,
            fair_use_burst_hours: 4,
            fair_use_p95_mbps: 100,
        };
        statements::add_cost(&store, "2026-11", "hosting", Cents(5000), None, &act())
            .await
            .unwrap();
        let query = statements::BillQuery {
            period: billing::period::month(Some("2026-11"), &settings.zone, 0).unwrap(),
            rule: Rule::Guifi,
            base_fee: Cents(1000),
            measure: Measure::ParticipantMinutes,
        };
        let closed = statements::close(&store, &settings, &query, &act())
            .await
            .unwrap();
        assert_eq!(closed.statement.pool_cents, 5000);
        assert_eq!(statements::show(&store, "2026-11").await.unwrap(), closed);
        assert!(
            statements::preview(&store, &settings, &query)
                .await
                .unwrap()
                .closed
        );
    })
    .await;
}

/// The last migration when this test was written: a statement closed under
/// that schema must read back the same after every migration added since.
const CLOSED_UNDER: i64 = 15;

/// A database at migration `version`, as an installation not yet upgraded.
async fn migrated_to(url: &str, version: i64) -> Store {
    let store = Store::connect(url).await.unwrap();
    let backend = if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/migrations")
        .join(backend);
    let mut migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    let upto: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version <= version)
        .cloned()
        .collect();
    assert!(
        upto.iter().any(|m| m.version == version),
        "{version} exists"
    );
    migrator.migrations = upto.into();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    migrator.run(&pool).await.unwrap();
    pool.close().await;
    store
}

#[tokio::test]
async fn a_statement_closed_before_the_later_migrations_reads_back_identically_after_them() {
    sqlx::any::install_default_drivers();
    testkit::on_both_backends("billing-migrations", |url| async move {
        let old = migrated_to(&url, CLOSED_UNDER).await;
        let body = expected_0008().to_json();
        let closed = old.close_statement("2026-11", &body, &act()).await.unwrap();
        old.close().await;

        let store = Store::open(&url).await.unwrap();
        let stored = store.statement("2026-11").await.unwrap().unwrap();
        assert_eq!(
            stored, closed,
            "body, closing time and audit head as closed"
        );
        let shown = statements::show(&store, "2026-11").await.unwrap();
        assert_eq!(shown.statement, expected_0008());
        assert_eq!(shown.statement.to_json(), body, "byte for byte");
        assert_eq!(store.verify_audit().await.unwrap().broken, None);
    })
    .await;
}
