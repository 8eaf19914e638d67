//! Every command that reads or changes the platform has its API twin:
//! asked by the same actor, both faces give the same permission answer and
//! the same result, because both call the same service function.
//!
//! Each face works on its own copy of the same platform, and every row
//! runs on both, so a change one face makes the other makes too, and later
//! rows compare the state both reached. A row is a command line, a request
//! and what both must answer; a new command is one more row.

use crate::platform;

use platform::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// What both faces must answer.
enum Expect {
    /// Done; the fields named are equal in the command's `--json` output
    /// and the API's answer (`cli=api` where their names differ), within
    /// the API answer's `within` member when there is one.
    Done {
        within: Option<&'static str>,
        fields: &'static [&'static str],
    },
    /// Refused: the API with this status, the command line with the same
    /// reason.
    Refused(StatusCode),
}

const DONE: Expect = Expect::Done {
    within: None,
    fields: &[],
};

const fn shows(fields: &'static [&'static str]) -> Expect {
    Expect::Done {
        within: None,
        fields,
    }
}

use Expect::Refused;

/// One command line and its API twin.
struct Twin {
    token: &'static str,
    cli: String,
    method: Method,
    path: String,
    body: Option<Value>,
    expect: Expect,
}

fn twin(
    token: &'static str,
    cli: &str,
    (method, path): (Method, &str),
    body: Option<Value>,
    expect: Expect,
) -> Twin {
    Twin {
        token,
        cli: cli.to_string(),
        method,
        path: path.to_string(),
        body,
        expect,
    }
}

fn get(path: &str) -> (Method, &str) {
    (Method::GET, path)
}

fn post(path: &str) -> (Method, &str) {
    (Method::POST, path)
}

fn patch(path: &str) -> (Method, &str) {
    (Method::PATCH, path)
}

fn delete(path: &str) -> (Method, &str) {
    (Method::DELETE, path)
}

fn put(path: &str) -> (Method, &str) {
    (Method::PUT, path)
}

/// The operations: tenants, servers, pools, live meetings, tiers, the audit log.
/// Refusals come first where a change follows, so both see unchanged state.
fn operations() -> Vec<Twin> {
    use StatusCode as S;
    let second = "school-second-secret";
    let second_fingerprint = store::fingerprint(second);
    let remove_second = format!("/api/v1/tenants/school-rooms/secrets/{second_fingerprint}");
    let hosting_secret = format!(
        "/api/v1/tenants/hosting-rooms/secrets/{}",
        fingerprint("hosting-rooms")
    );
    let server_fields: &[&str] = &[
        "url",
        "state",
        "pool",
        "weight",
        "capacity",
        "algorithm",
        "monthly_cost_cents",
        "owner",
    ];
    let tier_fields: &[&str] = &[
        "name",
        "price_cents",
        "currency",
        "participants_per_meeting",
        "concurrent_meetings",
        "meeting_minutes",
        "recording",
        "rooms_per_month",
        "disabled_features",
        "allowance_gb",
    ];
    let tenant_fields: &[&str] = &[
        "name",
        "enabled",
        "host",
        "pool",
        "org=organisation",
        "tier",
    ];
    vec![
        // tenants: who sees which
        twin(
            OPERATOR,
            "tenant list --json",
            get("/api/v1/tenants"),
            None,
            shows(tenant_fields),
        ),
        twin(
            ADMIN,
            "tenant list --json",
            get("/api/v1/tenants"),
            None,
            shows(&["name"]),
        ),
        twin(
            OPERATOR_SCHOOL,
            "tenant list --json",
            get("/api/v1/tenants"),
            None,
            shows(&["name"]),
        ),
        twin(
            DELEGATE,
            "tenant list --json",
            get("/api/v1/tenants"),
            None,
            shows(&["name"]),
        ),
        twin(
            ADMIN,
            "tenant show school-rooms --json",
            get("/api/v1/tenants/school-rooms"),
            None,
            shows(&["secret_fingerprints", "org=organisation"]),
        ),
        twin(
            ADMIN,
            "tenant show hosting-rooms --json",
            get("/api/v1/tenants/hosting-rooms"),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            DELEGATE,
            "tenant show school-rooms --json",
            get("/api/v1/tenants/school-rooms"),
            None,
            Refused(S::FORBIDDEN),
        ),
        // tenants: creating and moving them
        twin(
            ADMIN,
            "tenant add own-rooms",
            post("/api/v1/tenants"),
            Some(json!({"name": "own-rooms"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR_READ_ONLY,
            "tenant add own-rooms",
            post("/api/v1/tenants"),
            Some(json!({"name": "own-rooms"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "tenant add Not_A_Name",
            post("/api/v1/tenants"),
            Some(json!({"name": "Not_A_Name"})),
            Refused(S::BAD_REQUEST),
        ),
        twin(
            OPERATOR,
            "tenant add own-rooms --tier gold",
            post("/api/v1/tenants"),
            Some(json!({"name": "own-rooms", "tier": "gold"})),
            Refused(S::NOT_FOUND),
        ),
        twin(
            OPERATOR,
            "tenant add new-rooms --org school --tier level1 --host rooms.school.example",
            post("/api/v1/tenants"),
            Some(
                json!({"name": "new-rooms", "organisation": "school", "tier": "level1", "host": "rooms.school.example"}),
            ),
            DONE,
        ),
        twin(
            OPERATOR,
            "tenant add new-rooms",
            post("/api/v1/tenants"),
            Some(json!({"name": "new-rooms"})),
            Refused(S::CONFLICT),
        ),
        twin(
            OPERATOR,
            "tenant show new-rooms --json",
            get("/api/v1/tenants/new-rooms"),
            None,
            shows(tenant_fields),
        ),
        twin(
            ADMIN,
            "tenant set school-rooms --tier level2",
            patch("/api/v1/tenants/school-rooms"),
            Some(json!({"tier": "level2"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "tenant set nowhere --tier level2",
            patch("/api/v1/tenants/nowhere"),
            Some(json!({"tier": "level2"})),
            Refused(S::NOT_FOUND),
        ),
        twin(
            OPERATOR,
            "tenant set new-rooms --tier none --pool eu",
            patch("/api/v1/tenants/new-rooms"),
            Some(json!({"tier": null, "pool": "eu"})),
            DONE,
        ),
        twin(
            OPERATOR,
            "tenant set-tier new-rooms level2",
            patch("/api/v1/tenants/new-rooms"),
            Some(json!({"tier": "level2"})),
            DONE,
        ),
        twin(
            OPERATOR,
            "tenant set-org new-rooms hosting",
            patch("/api/v1/tenants/new-rooms"),
            Some(json!({"organisation": "hosting"})),
            DONE,
        ),
        twin(
            OPERATOR,
            "tenant show new-rooms --json",
            get("/api/v1/tenants/new-rooms"),
            None,
            shows(tenant_fields),
        ),
        twin(
            ADMIN,
            "tenant disable school-rooms",
            post("/api/v1/tenants/school-rooms/disable"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "tenant disable new-rooms",
            post("/api/v1/tenants/new-rooms/disable"),
            None,
            DONE,
        ),
        twin(
            OPERATOR,
            "tenant list --json",
            get("/api/v1/tenants"),
            None,
            shows(tenant_fields),
        ),
        twin(
            OPERATOR,
            "tenant enable new-rooms",
            post("/api/v1/tenants/new-rooms/enable"),
            None,
            DONE,
        ),
        // tenants: their secrets
        twin(
            ADMIN_READ_ONLY,
            "tenant add-secret school-rooms",
            post("/api/v1/tenants/school-rooms/secrets"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            ADMIN,
            "tenant add-secret hosting-rooms",
            post("/api/v1/tenants/hosting-rooms/secrets"),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            ADMIN,
            &format!("tenant add-secret school-rooms --secret {second}"),
            post("/api/v1/tenants/school-rooms/secrets"),
            Some(json!({"secret": second})),
            DONE,
        ),
        twin(
            ADMIN,
            "tenant show school-rooms --json",
            get("/api/v1/tenants/school-rooms"),
            None,
            shows(&["secret_fingerprints"]),
        ),
        twin(
            ADMIN,
            &format!(
                "tenant remove-secret hosting-rooms {}",
                fingerprint("hosting-rooms")
            ),
            delete(&hosting_secret),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            ADMIN,
            &format!("tenant remove-secret school-rooms {second_fingerprint}"),
            delete(&remove_second),
            None,
            DONE,
        ),
        // servers
        twin(
            OPERATOR,
            "server list --json",
            get("/api/v1/servers"),
            None,
            shows(&["id", "state", "capacity", "owner"]),
        ),
        twin(
            ADMIN,
            "server list --json",
            get("/api/v1/servers"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "server show 99 --json",
            get("/api/v1/servers/99"),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            ADMIN,
            "server add https://bbb9.example/ --secret s3cret-nine",
            post("/api/v1/servers"),
            Some(json!({"url": "https://bbb9.example/", "secret": "s3cret-nine"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "server add ftp://bbb9.example --secret s3cret-nine",
            post("/api/v1/servers"),
            Some(json!({"url": "ftp://bbb9.example", "secret": "s3cret-nine"})),
            Refused(S::BAD_REQUEST),
        ),
        twin(
            OPERATOR,
            "server add https://bbb9.example/ --secret s3cret-nine --pool eu --cost 90 --owner hosting",
            post("/api/v1/servers"),
            Some(
                json!({"url": "https://bbb9.example/", "secret": "s3cret-nine", "pool": "eu",
                "monthly_cost_cents": 9000, "owner": "hosting"}),
            ),
            DONE,
        ),
        twin(
            OPERATOR,
            "server show 2 --json",
            get("/api/v1/servers/2"),
            None,
            shows(server_fields),
        ),
        twin(
            ADMIN,
            "server set 2 --weight 2",
            patch("/api/v1/servers/2"),
            Some(json!({"weight": 2})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "server set 2 --weight 0",
            patch("/api/v1/servers/2"),
            Some(json!({"weight": 0})),
            Refused(S::BAD_REQUEST),
        ),
        twin(
            OPERATOR,
            "server set 2 --owner nobody",
            patch("/api/v1/servers/2"),
            Some(json!({"owner": "nobody"})),
            Refused(S::NOT_FOUND),
        ),
        twin(
            OPERATOR,
            "server set 2 --capacity 300 --owner none --pool none --url https://bbb10.example/",
            patch("/api/v1/servers/2"),
            Some(
                json!({"capacity": 300, "owner": null, "pool": null, "url": "https://bbb10.example/"}),
            ),
            DONE,
        ),
        twin(
            OPERATOR,
            "server show 2 --json",
            get("/api/v1/servers/2"),
            None,
            shows(server_fields),
        ),
        twin(
            OPERATOR_READ_ONLY,
            "server cordon 2",
            post("/api/v1/servers/2/cordon"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR_SCHOOL,
            "server cordon 2",
            post("/api/v1/servers/2/cordon"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "server cordon 2",
            post("/api/v1/servers/2/cordon"),
            None,
            DONE,
        ),
        twin(
            OPERATOR,
            "server show 2 --json",
            get("/api/v1/servers/2"),
            None,
            shows(&["state"]),
        ),
        twin(
            OPERATOR,
            "server enable 2",
            post("/api/v1/servers/2/enable"),
            None,
            DONE,
        ),
        twin(
            OPERATOR,
            "server disable 99",
            post("/api/v1/servers/99/disable"),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            ADMIN,
            "server panic 2",
            post("/api/v1/servers/2/panic"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "server panic 2",
            post("/api/v1/servers/2/panic"),
            None,
            DONE,
        ),
        twin(
            OPERATOR,
            "server show 2 --json",
            get("/api/v1/servers/2"),
            None,
            shows(&["state"]),
        ),
        // pools and live meetings
        twin(
            OPERATOR,
            "pool list --json",
            get("/api/v1/pools"),
            None,
            shows(&["name", "servers", "tenants"]),
        ),
        twin(
            OPERATOR_SCHOOL,
            "pool list --json",
            get("/api/v1/pools"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "meeting list --json",
            get("/api/v1/meetings"),
            None,
            shows(&["tenant", "meeting_id"]),
        ),
        twin(
            ADMIN,
            "meeting list --tenant school-rooms --json",
            get("/api/v1/meetings?tenant=school-rooms"),
            None,
            shows(&["meeting_id"]),
        ),
        twin(
            ADMIN,
            "meeting list --tenant hosting-rooms --json",
            get("/api/v1/meetings?tenant=hosting-rooms"),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            DELEGATE,
            "meeting list --tenant school-rooms --json",
            get("/api/v1/meetings?tenant=school-rooms"),
            None,
            Refused(S::FORBIDDEN),
        ),
        // tiers
        twin(
            ADMIN,
            "tier list --json",
            get("/api/v1/tiers"),
            None,
            shows(&["name", "price_cents", "concurrent_meetings"]),
        ),
        twin(
            DELEGATE,
            "tier list --json",
            get("/api/v1/tiers"),
            None,
            Refused(S::FORBIDDEN),
        ),
        // tiers: made and changed by operators only
        twin(
            ADMIN,
            "tier show level1 --json",
            get("/api/v1/tiers/level1"),
            None,
            shows(tier_fields),
        ),
        twin(
            OPERATOR,
            "tier show gold --json",
            get("/api/v1/tiers/gold"),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            ADMIN,
            "tier add school --price 12.50",
            post("/api/v1/tiers"),
            Some(json!({"name": "school", "price_cents": 1250})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR_SCHOOL,
            "tier add school --price 12.50",
            post("/api/v1/tiers"),
            Some(json!({"name": "school", "price_cents": 1250})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "tier add school --currency EURO",
            post("/api/v1/tiers"),
            Some(json!({"name": "school", "currency": "EURO"})),
            Refused(S::BAD_REQUEST),
        ),
        twin(
            OPERATOR,
            "tier add school --price 12.50 --participants 30 --meetings 3 --recording false --disabled-features polls,chat",
            post("/api/v1/tiers"),
            Some(
                json!({"name": "school", "price_cents": 1250, "participants_per_meeting": 30,
                "concurrent_meetings": 3, "recording": false, "disabled_features": ["polls", "chat"]}),
            ),
            DONE,
        ),
        twin(
            OPERATOR,
            "tier add school",
            post("/api/v1/tiers"),
            Some(json!({"name": "school"})),
            Refused(S::CONFLICT),
        ),
        twin(
            OPERATOR_READ_ONLY,
            "tier set school --minutes 90",
            patch("/api/v1/tiers/school"),
            Some(json!({"meeting_minutes": 90})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "tier set school --rooms=-1",
            patch("/api/v1/tiers/school"),
            Some(json!({"rooms_per_month": -1})),
            Refused(S::BAD_REQUEST),
        ),
        twin(
            OPERATOR,
            "tier set gold --minutes 90",
            patch("/api/v1/tiers/gold"),
            Some(json!({"meeting_minutes": 90})),
            Refused(S::NOT_FOUND),
        ),
        twin(
            OPERATOR,
            "tier set school --minutes 90 --currency chf",
            patch("/api/v1/tiers/school"),
            Some(json!({"meeting_minutes": 90, "currency": "chf"})),
            DONE,
        ),
        twin(
            OPERATOR,
            "tier show school --json",
            get("/api/v1/tiers/school"),
            None,
            shows(tier_fields),
        ),
        // organisations: the register kept by operators
        twin(
            ADMIN,
            "org add founder --member --class consumer",
            post("/api/v1/organisations"),
            Some(json!({"name": "founder", "class": "consumer"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR_SCHOOL,
            "org add founder --member --class consumer",
            post("/api/v1/organisations"),
            Some(json!({"name": "founder", "class": "consumer"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "org add founder --member --class consumer --contact desk@founder.example",
            post("/api/v1/organisations"),
            Some(
                json!({"name": "founder", "class": "consumer", "contact": "desk@founder.example"}),
            ),
            DONE,
        ),
        twin(
            OPERATOR,
            "org show founder --json",
            get("/api/v1/organisations/founder"),
            None,
            shows(&["name", "legal_name", "status", "class", "weight", "contact"]),
        ),
        twin(
            ADMIN,
            "org add shop",
            post("/api/v1/customers"),
            Some(json!({"name": "shop"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "org add Not_A_Name",
            post("/api/v1/customers"),
            Some(json!({"name": "Not_A_Name"})),
            Refused(S::BAD_REQUEST),
        ),
        twin(
            OPERATOR,
            "org add shop --legal-name Shop --contact desk@shop.example",
            post("/api/v1/customers"),
            Some(json!({"name": "shop", "legal_name": "Shop", "contact": "desk@shop.example"})),
            DONE,
        ),
        twin(
            OPERATOR,
            "org add shop",
            post("/api/v1/customers"),
            Some(json!({"name": "shop"})),
            Refused(S::CONFLICT),
        ),
        twin(
            ADMIN,
            "org set school --contact board@school.example",
            patch("/api/v1/organisations/school"),
            Some(json!({"contact": "board@school.example"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "org set nowhere --contact desk@nowhere.example",
            patch("/api/v1/organisations/nowhere"),
            Some(json!({"contact": "desk@nowhere.example"})),
            Refused(S::NOT_FOUND),
        ),
        twin(
            OPERATOR,
            "org set shop --legal-name Shop-Ltd --contact orders@shop.example",
            patch("/api/v1/organisations/shop"),
            Some(json!({"legal_name": "Shop-Ltd", "contact": "orders@shop.example"})),
            DONE,
        ),
        twin(
            OPERATOR,
            "org show shop --json",
            get("/api/v1/organisations/shop"),
            None,
            shows(&[
                "name",
                "legal_name",
                "legal_form",
                "contact",
                "status",
                "weight",
            ]),
        ),
        // the audit log
        twin(
            OPERATOR,
            "audit list --subject tier:school --json",
            get("/api/v1/audit?subject=tier:school"),
            None,
            Expect::Done {
                within: Some("entries"),
                fields: &["seq", "actor", "kind", "subject"],
            },
        ),
        twin(
            OPERATOR,
            "audit list --subject server:2 --json",
            get("/api/v1/audit?subject=server:2"),
            None,
            Expect::Done {
                within: Some("entries"),
                fields: &["seq", "actor", "kind", "subject"],
            },
        ),
        twin(
            ADMIN,
            "audit list --json",
            get("/api/v1/audit"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(ADMIN, "audit head", get("/api/v1/audit/head"), None, DONE),
        twin(
            DELEGATE,
            "audit verify",
            get("/api/v1/audit/verify"),
            None,
            DONE,
        ),
        twin(
            ADMIN,
            "audit verify --head abc",
            get("/api/v1/audit/verify?head=abc"),
            None,
            Refused(S::BAD_REQUEST),
        ),
    ]
}

/// The consortium: the register as each sees it, proposals, people and
/// their roles, notice and contributions. Runs after the operations, whose
/// rows add the customer `shop`.
fn consortium() -> Vec<Twin> {
    use StatusCode as S;
    let draft = "proposal new --title Budget --text Spend";
    let drafting = json!({"title": "Budget", "text": "Spend"});
    let newbie = "person add newbie --email newbie@school.example";
    let joining = json!({"name": "newbie", "email": "newbie@school.example"});
    let contribute = "org contribute school --kind hours --amount 3 --day 2026-01-05 --note help";
    let contribution = json!({"kind": "hours", "amount": "3", "day": "2026-01-05", "note": "help"});
    vec![
        // the register: customers only to operators and their own people
        twin(
            DELEGATE,
            "org list --json",
            get("/api/v1/organisations"),
            None,
            shows(&["name", "status"]),
        ),
        twin(
            OPERATOR,
            "org list --json",
            get("/api/v1/organisations"),
            None,
            shows(&["name", "status"]),
        ),
        twin(
            DELEGATE,
            "org show shop --json",
            get("/api/v1/organisations/shop"),
            None,
            Refused(S::NOT_FOUND),
        ),
        twin(
            TOM,
            "org show school --json",
            get("/api/v1/organisations/school"),
            None,
            shows(&["name", "status", "contact"]),
        ),
        // people: operators see everyone, a person their organisations' people
        twin(
            DELEGATE,
            "person list --json",
            get("/api/v1/people"),
            None,
            shows(&["name", "email"]),
        ),
        twin(
            OPERATOR,
            "person list --json",
            get("/api/v1/people"),
            None,
            shows(&["name", "email"]),
        ),
        // proposals: drafted by members' delegates, steered by their authors
        twin(
            ADMIN,
            draft,
            post("/api/v1/proposals"),
            Some(drafting.clone()),
            Refused(S::FORBIDDEN),
        ),
        twin(
            DELEGATE,
            draft,
            post("/api/v1/proposals"),
            Some(drafting),
            DONE,
        ),
        twin(
            ADMIN,
            "proposal open 1",
            post("/api/v1/proposals/1/open"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            DELEGATE,
            "proposal edit 1 --title Budget-2026",
            patch("/api/v1/proposals/1"),
            Some(json!({"title": "Budget-2026"})),
            DONE,
        ),
        twin(
            DELEGATE,
            "proposal open 1",
            post("/api/v1/proposals/1/open"),
            None,
            DONE,
        ),
        twin(
            ADMIN,
            "proposal withdraw 1 --reason no",
            post("/api/v1/proposals/1/withdraw"),
            Some(json!({"reason": "no"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            DELEGATE,
            "proposal show 1 --json",
            get("/api/v1/proposals/1"),
            None,
            shows(&["title", "state", "author"]),
        ),
        // people and their roles
        twin(
            ADMIN,
            newbie,
            post("/api/v1/people"),
            Some(joining.clone()),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            newbie,
            post("/api/v1/people"),
            Some(joining),
            DONE,
        ),
        twin(
            ADMIN,
            "org represent school newbie --role deputy",
            put("/api/v1/organisations/school/representatives/newbie"),
            Some(json!({"role": "deputy"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            ADMIN,
            "org represent hosting tom --role deputy",
            put("/api/v1/organisations/hosting/representatives/tom"),
            Some(json!({"role": "deputy"})),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            "org represent school newbie --role deputy",
            put("/api/v1/organisations/school/representatives/newbie"),
            Some(json!({"role": "deputy"})),
            DONE,
        ),
        // notice and contributions
        twin(
            ADMIN,
            "org notice hosting",
            post("/api/v1/organisations/hosting/notice"),
            None,
            Refused(S::FORBIDDEN),
        ),
        twin(
            DELEGATE,
            contribute,
            post("/api/v1/organisations/school/contributions"),
            Some(contribution.clone()),
            Refused(S::FORBIDDEN),
        ),
        twin(
            OPERATOR,
            contribute,
            post("/api/v1/organisations/school/contributions"),
            Some(contribution),
            DONE,
        ),
    ]
}

/// The named fields of an object, or of each object of a list; `cli=api`
/// takes `cli` from the command line's output and `api` from the API's.
fn picked(value: &Value, fields: &[&str], face: usize) -> Value {
    match value {
        Value::Array(items) => items.iter().map(|v| picked(v, fields, face)).collect(),
        object => fields
            .iter()
            .map(|f| {
                let names: Vec<&str> = f.split('=').collect();
                let name = names[face.min(names.len() - 1)];
                (names[0].to_string(), object[name].clone())
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// Why a twin's answers differ, if they do.
fn differs(
    expect: &Expect,
    (ok, stdout, stderr): (bool, &str, &str),
    (status, api): (StatusCode, &Value),
) -> Option<String> {
    match expect {
        Expect::Done { within, fields } => {
            if !ok || !status.is_success() {
                return Some("expected both to do it".into());
            }
            if fields.is_empty() {
                return None;
            }
            let cli: Value = serde_json::from_str(stdout).ok()?;
            let api = within.map_or(api, |w| &api[w]);
            let (cli, api) = (picked(&cli, fields, 0), picked(api, fields, 1));
            (cli != api).then(|| format!("the command line shows {cli}, the API {api}"))
        }
        Expect::Refused(expected) => {
            if ok || status != *expected {
                return Some(format!("expected both to refuse with {expected}"));
            }
            // The same reason: a missing thing is named alike by both.
            let detail = api["detail"].as_str().unwrap_or_default();
            let reason = detail.strip_suffix(" does not exist").unwrap_or(detail);
            (!stderr.contains(reason))
                .then(|| format!("the command line gives another reason than {reason:?}"))
        }
    }
}

#[tokio::test]
async fn every_command_and_its_api_twin_answer_alike() {
    let cli = testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"));
    let by_cli = platform(cli.dir.sqlite_url()).await;
    let dir = testkit::TempDir::new("parity-api");
    let by_api = platform(dir.sqlite_url()).await;
    let mut wrong = Vec::new();
    for t in operations().into_iter().chain(consortium()) {
        let args: Vec<&str> = t.cli.split_whitespace().collect();
        let out = cli.run_with(&args, &[("PLENARY_TOKEN", t.token)]);
        let (status, api) = by_api
            .call(t.token, t.method.clone(), &t.path, t.body)
            .await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Some(why) = differs(
            &t.expect,
            (out.status.success(), &stdout, &stderr),
            (status, &api),
        ) {
            wrong.push(format!(
                "{} `plenary {}` / {} {}: {why}\n  CLI: {stdout}{stderr}\n  API: {status} {api}",
                t.token, t.cli, t.method, t.path
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    by_cli.env.shutdown().await;
    by_api.env.shutdown().await;
}

#[tokio::test]
async fn a_non_operators_token_cannot_change_a_tier_through_the_command_line() {
    let cli = testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"));
    let c = platform(cli.dir.sqlite_url()).await;
    for token in [ADMIN, DELEGATE, OPERATOR_READ_ONLY] {
        let err = cli.fails_with(
            &["tier", "set", "level1", "--minutes", "5"],
            &[("PLENARY_TOKEN", token)],
        );
        assert!(
            err.contains("only operators run the platform") || err.contains("read-only"),
            "{token}: {err}"
        );
    }
    let tier = c.get(OPERATOR, "/api/v1/tiers/level1").await;
    assert_ne!(tier["meeting_minutes"], 5);
    c.env.shutdown().await;
}

#[tokio::test]
async fn an_operators_tier_change_is_audited_under_their_name() {
    let cli = testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"));
    let c = platform(cli.dir.sqlite_url()).await;
    cli.ok_with(
        &["tier", "set", "level1", "--minutes", "45"],
        &[("PLENARY_ACTOR", "alice")],
    );
    cli.ok_with(
        &["tier", "set", "level1", "--minutes", "50"],
        &[("PLENARY_TOKEN", OPERATOR)],
    );
    let log = c.get(OPERATOR, "/api/v1/audit?subject=tier:level1").await;
    let actors: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "tier.save")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["operator:alice", "operator:ops"]);
    c.env.shutdown().await;
}
