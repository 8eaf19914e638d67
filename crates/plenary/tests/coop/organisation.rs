//! The organisation pages' world: `school` runs the tenants `school-main`
//! (tier level1: 20 participants at once, 30,000 participant-minutes a
//! month) and `school-lab` (level2), `hosting` runs `hosting-main`, and
//! `admin-school` is school's admin. From June 2025 to the test clock's
//! day every working day has meetings, rolled up as the poller would, and
//! December 2025 is closed with a guifi statement.

use billing::statements::{BillQuery, Measure, Rule};
use metering::money::Cents;
use store::{Act, LoginOwner, NewTenant, UsageSample};

use super::{Consortium, DAY, T0};

/// School's admin, with a token of the same name.
pub const ADMIN: &str = "admin-school";
/// The closed month the tests read.
pub const MONTH: &str = "2025-12";
/// The secret every tenant starts with.
pub const SECRET: &str = "first-secret-of-the-tenant";

const POLL_MS: i64 = 30_000;
const HOUR_MS: i64 = 3_600_000;
/// 2025-06-01 00:00 UTC, a Sunday.
const JUNE: i64 = T0 - 218 * DAY - 9 * HOUR_MS;

/// A meeting: its tenant, when it starts on a day, how long, how many.
struct Meeting {
    tenant: &'static str,
    start_hour: i64,
    minutes: i64,
    people: fn(i64) -> i64,
}

const MEETINGS: [Meeting; 3] = [
    // Peaks of 6 to 28 people: over level1's 20 on some days.
    Meeting {
        tenant: "school-main",
        start_hour: 10,
        minutes: 90,
        people: |d| 6 + (d * 7) % 23,
    },
    Meeting {
        tenant: "school-lab",
        start_hour: 14,
        minutes: 60,
        people: |d| 3 + d % 5,
    },
    Meeting {
        tenant: "hosting-main",
        start_hour: 9,
        minutes: 60,
        people: |_| 10,
    },
];

impl Consortium {
    /// Adds the tenants, the admin, the months of use and December's
    /// statement.
    pub async fn with_organisation_use(&self) {
        let store = &self.env.app.store;
        let act = Act::new("operator:test", self.now());
        self.person(ADMIN, ADMIN, Some(("school", "admin"))).await;
        let mut ids = Vec::new();
        for (tenant, org, tier) in [
            ("school-main", "school", "level1"),
            ("school-lab", "school", "level2"),
            ("hosting-main", "hosting", "level1"),
        ] {
            let t = store
                .create_tenant(
                    NewTenant {
                        name: tenant,
                        host: None,
                        pool: None,
                        secret: SECRET,
                    },
                    &act,
                )
                .await
                .unwrap();
            store
                .set_tenant_organisation(tenant, Some(org), &act)
                .await
                .unwrap();
            store
                .set_tenant_tier(tenant, Some(tier), &act)
                .await
                .unwrap();
            ids.push((tenant, t.id));
        }
        let server = store.servers().await.unwrap()[0].id;
        store
            .set_server_cost(server, 12_000, None, &act)
            .await
            .unwrap();
        let days = (T0 - JUNE) / DAY;
        for d in 0..days {
            // 1 June 2025 is a Sunday: skip Saturdays and Sundays.
            if matches!((d + 6) % 7, 5 | 6) {
                continue;
            }
            let mut samples = Vec::new();
            for m in &MEETINGS {
                let tenant_id = ids.iter().find(|(t, _)| *t == m.tenant).unwrap().1;
                let start = JUNE + d * DAY + m.start_hour * HOUR_MS;
                let people = (m.people)(d);
                for p in 0..m.minutes * 60_000 / POLL_MS {
                    // People arrive over the first ten minutes.
                    let present = (people * (p + 1) / 20).clamp(1, people);
                    samples.push(UsageSample {
                        at_ms: start + p * POLL_MS,
                        meeting_ref: None,
                        tenant_id,
                        server_id: server,
                        backend_id: format!("{}-{d}", m.tenant),
                        origin: Some("greenlight".into()),
                        participants: present,
                        moderators: 1,
                        mic: present.min(3),
                        listen_only: present - present.min(3),
                        webcams: present / 4,
                        breakout: false,
                    });
                }
            }
            store.insert_samples(&samples).await.unwrap();
        }
        let settings = plenary::config::Config::default().billing().unwrap();
        billing::meter::Metering::for_settings(store.clone(), &settings)
            .roll_up(self.now(), i64::MAX)
            .await
            .unwrap();
        let query = BillQuery {
            period: billing::period::month(Some(MONTH), &settings.zone, 0).unwrap(),
            rule: Rule::Guifi,
            base_fee: Cents(1000),
            measure: Measure::ParticipantMinutes,
        };
        billing::statements::close(store, &settings, &query, &act)
            .await
            .unwrap();
    }
}

/// A signed-in browser's session, made in the store the way signing in
/// makes it (both factors given).
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl Consortium {
    /// A session for the person `name`, or with `None` for the operator `ops`.
    pub async fn session(&self, name: Option<&str>) -> Session {
        let store = &self.env.app.store;
        let (email, owner) = match name {
            Some(n) => (
                format!("{n}@mail.example"),
                LoginOwner::Person(store.person(n).await.unwrap()),
            ),
            None => (
                "ops@plenary.example".into(),
                LoginOwner::Operator("ops".into()),
            ),
        };
        let act = Act::new("operator:test", self.now());
        let login = store
            .set_login(&email, &owner, "not a password hash", &act)
            .await
            .unwrap();
        let session = Session {
            cookie: format!("session-of-{}", name.unwrap_or("ops")),
            csrf: format!("csrf-of-{}", name.unwrap_or("ops")),
        };
        store
            .create_session(
                &session.cookie,
                login.id,
                &session.csrf,
                true,
                (self.now(), self.now() + DAY),
            )
            .await
            .unwrap();
        session
    }

    /// `GET path` in `session`: the status and the body.
    pub async fn page(&self, session: &Session, path: &str) -> (reqwest::StatusCode, String) {
        let response = self
            .http
            .get(self.url(path))
            .header("cookie", format!("plenary_session={}", session.cookie))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Posts a form in `session`; `csrf` adds the session's token.
    pub async fn post_form(
        &self,
        session: &Session,
        path: &str,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> (reqwest::StatusCode, String) {
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        if csrf {
            body.push(("csrf", &session.csrf));
        }
        // Encoded as a browser encodes a form.
        let mut encoder = reqwest::Url::parse("http://form.invalid/").unwrap();
        encoder.query_pairs_mut().extend_pairs(&body);
        let response = self
            .http
            .post(self.url(path))
            .header("cookie", format!("plenary_session={}", session.cookie))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encoder.query().unwrap_or_default().to_string())
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}
