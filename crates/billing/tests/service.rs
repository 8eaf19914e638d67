//! Billing asked by an actor: operators see the platform, an organisation's
//! admin sees that organisation's usage, fair use and statements, and
//! another organisation answers exactly like a missing one.

use billing::fair_use::FairUseQuery;
use billing::statements::{BillQuery, Measure, Rule};
use billing::usage::{Every, UsageQuery};
use billing::{Billing, BillingError, Settings};
use consortium::{Actor, OperatorName};
use metering::money::{Cents, Currency};
use metering::period::Month;
use metering::usage::Dim;
use store::{Act, NewTenant, Store};

const AT: i64 = 1_796_000_000_000;

fn act() -> Act {
    Act::new("operator:setup", AT)
}

fn settings() -> Settings {
    Settings {
        time_zone: "Europe/Paris".into(),
        zone: jiff::tz::TimeZone::get("Europe/Paris").unwrap(),
        currency: Currency::parse("EUR").unwrap(),
        poll_interval_ms: 10_000,
        fair_use_burst_hours: 4,
        fair_use_p95_mbps: 100,
    }
}

fn november() -> Month {
    "2026-11".parse().unwrap()
}

fn operator() -> Actor {
    Actor::operator(OperatorName::new("ops").unwrap())
}

/// `school` and `hosting`, a tenant each, `sue` the admin of `school`.
async fn coop(url: &str) -> (Billing, Actor) {
    let store = Store::open(url).await.unwrap();
    for org in ["school", "hosting"] {
        store.add_organisation(org, org, &act()).await.unwrap();
        let tenant = format!("{org}-rooms");
        store
            .create_tenant(
                NewTenant {
                    name: &tenant,
                    host: None,
                    pool: None,
                    secret: "a-long-secret",
                },
                &act(),
            )
            .await
            .unwrap();
        store
            .set_tenant_organisation(&tenant, Some(org), &act())
            .await
            .unwrap();
    }
    let sue = store
        .add_person("sue", "Sue", "sue@school.example", &act())
        .await
        .unwrap();
    store
        .set_representative("school", "sue", "admin", &act())
        .await
        .unwrap();
    let admin = Actor::person(sue.clone(), &store.roles_of(sue.id).await.unwrap());
    (Billing::new(store, settings()), admin)
}

fn bill(b: &Billing) -> BillQuery {
    BillQuery {
        period: november().period(&b.settings().zone).unwrap(),
        rule: Rule::Guifi,
        base_fee: Cents(1000),
        measure: Measure::ParticipantMinutes,
    }
}

fn usage(b: &Billing, org: Option<&str>, tenant: Option<&str>) -> UsageQuery {
    UsageQuery {
        period: november().period(&b.settings().zone).unwrap(),
        by: Dim::Tenant,
        every: Every::Day,
        tenant: tenant.map(str::to_string),
        org: org.map(str::to_string),
        now_ms: AT,
    }
}

/// The message an answer gives, `hidden` and `missing` compared by it.
fn said<T: std::fmt::Debug>(r: Result<T, BillingError>) -> String {
    r.expect_err("refused").to_string()
}

#[tokio::test]
async fn an_admin_reads_their_own_organisation_and_nothing_else() {
    testkit::on_both_backends("billing-service-admin", |url| async move {
        let (b, sue) = coop(&url).await;
        assert!(
            b.usage(&sue, &usage(&b, Some("school"), None))
                .await
                .is_ok()
        );
        assert!(
            b.usage(&sue, &usage(&b, None, Some("school-rooms")))
                .await
                .is_ok()
        );
        assert_eq!(
            said(b.usage(&sue, &usage(&b, Some("hosting"), None)).await),
            said(b.usage(&sue, &usage(&b, Some("nowhere"), None)).await)
                .replace("nowhere", "hosting"),
        );
        assert_eq!(
            said(b.usage(&sue, &usage(&b, None, Some("hosting-rooms"))).await),
            said(b.usage(&sue, &usage(&b, None, Some("nowhere-rooms"))).await)
                .replace("nowhere", "hosting"),
        );
        assert!(matches!(
            b.usage(&sue, &usage(&b, None, None)).await,
            Err(BillingError::Forbidden(_))
        ));
        let fair = |org: Option<&str>| FairUseQuery {
            period: november().period(&b.settings().zone).unwrap(),
            all: true,
            org: org.map(str::to_string),
            now_ms: AT,
        };
        let own = b.fair_use(&sue, &fair(Some("school"))).await.unwrap();
        assert!(own.rows.iter().all(|r| r.org == "school"), "{own:?}");
        assert!(matches!(
            b.fair_use(&sue, &fair(Some("hosting"))).await,
            Err(BillingError::NoOrganisation(_))
        ));
        assert!(matches!(
            b.fair_use(&sue, &fair(None)).await,
            Err(BillingError::Forbidden(_))
        ));
        let period = november().period(&b.settings().zone).unwrap();
        assert!(matches!(
            b.capacity(&sue, &period).await,
            Err(BillingError::Forbidden(_))
        ));
        assert!(matches!(
            b.preview(&sue, &bill(&b)).await,
            Err(BillingError::Forbidden(_))
        ));
        assert!(matches!(
            b.close(&sue, &bill(&b), AT).await,
            Err(BillingError::Forbidden(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn a_closed_month_is_listed_whole_for_operators_and_in_part_for_each_admin() {
    testkit::on_both_backends("billing-service-statements", |url| async move {
        let (b, sue) = coop(&url).await;
        let ops = operator();
        b.add_cost(&ops, november(), "hosting", Cents(9000), None, AT)
            .await
            .unwrap();
        b.add_cost(&ops, november(), "racks", Cents(500), Some("hosting"), AT)
            .await
            .unwrap();
        let costs = b.costs(&ops, november()).await.unwrap();
        assert_eq!(costs.len(), 2);
        assert_eq!(costs[1].org.as_deref(), Some("hosting"));
        b.close(&ops, &bill(&b), AT).await.unwrap();

        let listed = b.statements(&ops).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].period, "2026-11");
        assert_eq!(listed[0].organisations, 2);
        assert!(matches!(
            b.statements(&sue).await,
            Err(BillingError::Forbidden(_))
        ));

        let mine = b.statements_of(&sue, "school").await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].share.org, "school");
        let one = b.statement_of(&sue, "school", november()).await.unwrap();
        assert_eq!(one, mine[0]);
        assert_eq!(
            said(b.statement_of(&sue, "hosting", november()).await),
            said(b.statement_of(&sue, "nowhere", november()).await).replace("nowhere", "hosting"),
        );
        assert!(matches!(
            b.statement_of(&sue, "school", "2026-10".parse().unwrap())
                .await,
            Err(BillingError::NotClosed { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn costs_and_closing_are_audited_under_the_operator_s_name() {
    testkit::on_both_backends("billing-service-audit", |url| async move {
        let (b, _) = coop(&url).await;
        let ops = operator();
        b.add_cost(&ops, november(), "hosting", Cents(9000), None, AT)
            .await
            .unwrap();
        b.close(&ops, &bill(&b), AT + 1).await.unwrap();
        let store = Store::open(&url).await.unwrap();
        let entries = store
            .audit_entries(Some("period:2026-11"), 0, 10)
            .await
            .unwrap();
        let actors: Vec<&str> = entries.iter().map(|e| e.actor.as_str()).collect();
        assert_eq!(actors, ["operator:ops", "operator:ops"]);
        assert!(matches!(
            b.add_cost(&ops, november(), "late", Cents(1), None, AT + 2)
                .await,
            Err(BillingError::Store(store::StoreError::Conflict(_)))
        ));
    })
    .await;
}

/// A meeting of `school-rooms` polled every 10 s from `start_ms` for
/// `minutes`, with `people` and two webcams.
async fn meeting(store: &Store, name: &str, start_ms: i64, minutes: i64, people: i64) {
    let tenant = store.tenant_by_name("school-rooms").await.unwrap().unwrap();
    let server = store.servers().await.unwrap()[0].id;
    let samples: Vec<store::UsageSample> = (0..minutes * 6)
        .map(|i| store::UsageSample {
            at_ms: start_ms + i * 10_000,
            meeting_ref: None,
            tenant_id: tenant.id,
            server_id: server,
            backend_id: name.into(),
            origin: None,
            participants: people,
            moderators: 1,
            mic: 2,
            listen_only: people - 2,
            webcams: 2,
            breakout: false,
        })
        .collect();
    store.insert_samples(&samples).await.unwrap();
}

/// A column of a report's row, as a number.
fn cell(report: &billing::usage::UsageReport, row: &[serde_json::Value], column: &str) -> f64 {
    let i = report.columns.iter().position(|c| *c == column).unwrap();
    row[i].as_f64().unwrap()
}

#[tokio::test]
async fn a_tenants_history_agrees_with_its_usage_report_by_day_and_by_month() {
    testkit::on_both_backends("billing-service-history", |url| async move {
        let (b, sue) = coop(&url).await;
        let store = Store::open(&url).await.unwrap();
        store
            .add_server(
                store::NewServer {
                    url: "https://bbb.example.org/bigbluebutton/api",
                    secret: "s",
                    algorithm: bbb::Algorithm::Sha256,
                    weight: 1,
                    pool: None,
                    capacity: 100,
                    health: store::Health::Up,
                },
                &act(),
            )
            .await
            .unwrap();
        let zone = &b.settings().zone;
        let nov = november().period(zone).unwrap();
        let day = 86_400_000;
        let start = nov.window.from_ms;
        meeting(&store, "october", start - 10 * day, 40, 6).await;
        meeting(&store, "late-evening", start + 2 * day - 3_600_000, 90, 12).await;
        meeting(&store, "later", start + 20 * day, 30, 4).await;
        // Rolled up to 10 November: the last meeting is read from its samples.
        billing::meter::Metering::for_settings(store.clone(), b.settings())
            .roll_up(start + 10 * day, i64::MAX)
            .await
            .unwrap();

        let history = b
            .tenant_history(&sue, "school-rooms", &nov, 3)
            .await
            .unwrap();
        let labels: Vec<&str> = history.months.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["2026-09", "2026-10", "2026-11"]);
        assert_eq!(history.days.len(), 30);
        let mut by_day = usage(&b, None, Some("school-rooms"));
        by_day.now_ms = start + 25 * day;
        let report = b.usage(&sue, &by_day).await.unwrap();
        assert_eq!(report.rows.len(), 3, "three days with use: {report:?}");
        for row in &report.rows {
            let line = history
                .days
                .iter()
                .find(|d| Some(d.label.as_str()) == row[0].as_str())
                .unwrap();
            let m = &line.measures;
            assert_eq!(
                m.participant_minutes as f64,
                cell(&report, row, "participant_minutes")
            );
            assert_eq!(
                m.webcam_minutes as f64,
                cell(&report, row, "webcam_minutes")
            );
            assert_eq!(
                m.peak_participants as f64,
                cell(&report, row, "peak_participants")
            );
            assert_eq!(m.gb_out, cell(&report, row, "gb_out"));
        }
        for line in &history.months {
            let mut by_month = usage(&b, None, Some("school-rooms"));
            by_month.period = line
                .label
                .parse::<metering::period::Month>()
                .unwrap()
                .period(zone)
                .unwrap();
            by_month.every = Every::Month;
            let report = b.usage(&sue, &by_month).await.unwrap();
            let minutes = report
                .rows
                .first()
                .map_or(0.0, |row| cell(&report, row, "participant_minutes"));
            assert_eq!(
                line.measures.participant_minutes as f64, minutes,
                "{}",
                line.label
            );
        }
        assert!(history.months[2].measures.participant_minutes > 0);

        assert_eq!(
            said(b.tenant_history(&sue, "hosting-rooms", &nov, 3).await),
            said(b.tenant_history(&sue, "nowhere-rooms", &nov, 3).await)
                .replace("nowhere", "hosting"),
            "another organisation's tenant answers like a missing one"
        );
    })
    .await;
}
