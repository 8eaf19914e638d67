//! The consortium's rows: the register, people and their roles, tokens,
//! applications, proposals from draft to outcome, the rules, and the
//! forum's webhook. A proposal's life needs its lead time to pass, so the
//! rows come in two parts, before it and after.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::Row;
use crate::coop::{agree, disagree};
use crate::platform::*;

/// The general proposal `school`'s delegate drafts, and the ranked one of
/// `hosting`'s delegate, then the one withdrawn, then the application.
const PROPOSAL: &str = "/api/v1/proposals/1";
const RANKED: &str = "/api/v1/proposals/2";
const WITHDRAWN: &str = "/api/v1/proposals/3";

fn row(
    token: &'static str,
    method: &Method,
    path: &str,
    body: Option<Value>,
    s: StatusCode,
) -> Row {
    (token, method.clone(), path.to_string(), body, s)
}

/// Every token that reaches the consortium's procedures: all but the
/// nameless operator's and an operator's limited to one organisation.
const EVERY_TOKEN: [&str; 6] = [
    OPERATOR,
    OPERATOR_READ_ONLY,
    ADMIN,
    ADMIN_READ_ONLY,
    DELEGATE,
    TWO_HATS_SCHOOL,
];

/// The rows before the proposals' lead time has passed; `rules` are the
/// consortium's rules as `GET /api/v1/rules` answers them.
pub fn before_the_lead_time(rules: &Value) -> Vec<Row> {
    use StatusCode as S;
    let (g, p, put, patch, d) = (
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    );
    let mut rows = Vec::new();
    // what any token may read
    for token in EVERY_TOKEN {
        for path in [
            "/api/v1/me",
            "/api/v1/organisations",
            "/api/v1/organisations/hosting",
            "/api/v1/organisations/school/calendar.ics",
            "/api/v1/proposals",
            "/api/v1/rules",
            "/api/v1/tokens",
            "/api/v1/people",
        ] {
            rows.push(row(token, &g, path, None, S::OK));
        }
    }
    for path in [
        "/api/v1/organisations",
        "/api/v1/organisations/hosting",
        "/api/v1/organisations/school/calendar.ics",
        "/api/v1/proposals",
        "/api/v1/people",
        "/api/v1/tokens",
        "/api/v1/rules",
        "/api/v1/audit/head",
        "/api/v1/audit/verify",
    ] {
        rows.push(row(NAMELESS_OPERATOR, &g, path, None, S::UNAUTHORIZED));
    }
    // an operator's token limited to one organisation steers nothing of
    // the whole consortium, reads none of it either, and sees no token
    for path in [
        "/api/v1/me",
        "/api/v1/organisations/school",
        "/api/v1/proposals",
        "/api/v1/people",
        "/api/v1/tokens",
    ] {
        rows.push(row(OPERATOR_SCHOOL, &g, path, None, S::FORBIDDEN));
    }
    rows.extend([
        row(NAMELESS_OPERATOR, &g, "/api/v1/openapi.json", None, S::OK),
        row(
            ADMIN,
            &g,
            "/api/v1/organisations/nowhere",
            None,
            S::NOT_FOUND,
        ),
        row(
            ADMIN,
            &g,
            "/api/v1/organisations/nowhere/calendar.ics",
            None,
            S::NOT_FOUND,
        ),
    ]);
    // founders: operators with a full token only
    let founder = json!({"name": "valley", "legal_name": "The valley co-op", "kind": "organisation",
        "class": "consumer", "weight": 1, "contact": "office@valley.example"});
    for token in [OPERATOR_READ_ONLY, OPERATOR_SCHOOL, ADMIN, DELEGATE] {
        rows.push(row(
            token,
            &p,
            "/api/v1/organisations",
            Some(founder.clone()),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            OPERATOR,
            &p,
            "/api/v1/organisations",
            Some(founder.clone()),
            S::CREATED,
        ),
        row(
            OPERATOR,
            &p,
            "/api/v1/organisations",
            Some(founder),
            S::CONFLICT,
        ),
    ]);
    // people: operators add anyone, an admin into their own organisation
    let pat = json!({"name": "pat", "email": "pat@mail.example",
        "representing": {"organisation": "school", "role": "deputy"}});
    let into_hosting = json!({"name": "pat", "email": "pat@mail.example",
        "representing": {"organisation": "hosting", "role": "deputy"}});
    for (token, body) in [
        (ADMIN_READ_ONLY, &pat),
        (OPERATOR_READ_ONLY, &pat),
        (OPERATOR_SCHOOL, &pat),
        (DELEGATE, &pat),
        (TWO_HATS_SCHOOL, &pat),
        (ADMIN, &into_hosting),
    ] {
        rows.push(row(
            token,
            &p,
            "/api/v1/people",
            Some(body.clone()),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(ADMIN, &p, "/api/v1/people", Some(pat), S::CREATED),
        row(
            OPERATOR,
            &p,
            "/api/v1/people",
            Some(json!({"name": "quinn", "email": "quinn@mail.example"})),
            S::CREATED,
        ),
    ]);
    // roles: operators anywhere, an admin in their own organisation only
    let pat_in_school = "/api/v1/organisations/school/representatives/pat";
    let admin = Some(json!({"role": "admin"}));
    for (token, path) in [
        (DELEGATE, pat_in_school),
        (ADMIN_READ_ONLY, pat_in_school),
        (OPERATOR_SCHOOL, pat_in_school),
        (TWO_HATS_SCHOOL, pat_in_school),
        (TOM, pat_in_school),
        (ADMIN, "/api/v1/organisations/hosting/representatives/pat"),
    ] {
        rows.push(row(token, &put, path, admin.clone(), S::FORBIDDEN));
    }
    rows.extend([
        row(ADMIN, &put, pat_in_school, admin.clone(), S::OK),
        row(
            OPERATOR,
            &put,
            "/api/v1/organisations/network/representatives/quinn",
            Some(json!({"role": "deputy"})),
            S::OK,
        ),
        row(
            OPERATOR,
            &put,
            "/api/v1/organisations/nowhere/representatives/quinn",
            admin,
            S::NOT_FOUND,
        ),
    ]);
    for (token, path) in [
        (DELEGATE, pat_in_school),
        (ADMIN_READ_ONLY, pat_in_school),
        (
            ADMIN,
            "/api/v1/organisations/hosting/representatives/delegate-hosting",
        ),
    ] {
        rows.push(row(token, &d, path, None, S::FORBIDDEN));
    }
    rows.extend([
        row(ADMIN, &d, pat_in_school, None, S::NO_CONTENT),
        row(
            OPERATOR,
            &d,
            "/api/v1/organisations/network/representatives/quinn",
            None,
            S::NO_CONTENT,
        ),
    ]);
    // contributions: operators keep the register
    let hours = json!({"kind": "hours", "amount": "12.5", "day": "2026-01-02", "note": "Moderated the forum"});
    let contributions = "/api/v1/organisations/school/contributions";
    for token in [OPERATOR_READ_ONLY, OPERATOR_SCHOOL, ADMIN, DELEGATE] {
        rows.push(row(
            token,
            &p,
            contributions,
            Some(hours.clone()),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(OPERATOR, &p, contributions, Some(hours.clone()), S::CREATED),
        row(
            OPERATOR,
            &p,
            "/api/v1/organisations/nowhere/contributions",
            Some(hours),
            S::NOT_FOUND,
        ),
    ]);
    // tokens: for oneself; an operator's for anyone
    let for_sue = Some(json!({"person": "sue"}));
    rows.extend([
        row(ADMIN_READ_ONLY, &p, "/api/v1/tokens", None, S::FORBIDDEN),
        row(OPERATOR_READ_ONLY, &p, "/api/v1/tokens", None, S::FORBIDDEN),
        row(
            OPERATOR_SCHOOL,
            &p,
            "/api/v1/tokens",
            for_sue.clone(),
            S::FORBIDDEN,
        ),
        row(
            DELEGATE,
            &p,
            "/api/v1/tokens",
            for_sue.clone(),
            S::FORBIDDEN,
        ),
        row(ADMIN, &p, "/api/v1/tokens", None, S::CREATED),
        row(DELEGATE, &p, "/api/v1/tokens", None, S::CREATED),
        row(OPERATOR, &p, "/api/v1/tokens", for_sue, S::CREATED),
    ]);
    // a general proposal: drafted by a delegate or deputy, steered by its author
    let draft = json!({"title": "Fair-use rule", "text": "Meetings over 4 hours are split."});
    for token in [ADMIN, ADMIN_READ_ONLY, OPERATOR_READ_ONLY, OPERATOR_SCHOOL] {
        rows.push(row(
            token,
            &p,
            "/api/v1/proposals",
            Some(draft.clone()),
            S::FORBIDDEN,
        ));
    }
    let ranked = json!({"title": "Pick a day", "text": "For the assembly.",
        "kind": {"ranked": {"seats": 1}}, "options": ["Monday", "Friday"]});
    rows.extend([
        row(
            DELEGATE,
            &p,
            "/api/v1/proposals",
            Some(draft.clone()),
            S::CREATED,
        ),
        row("hosting", &p, "/api/v1/proposals", Some(ranked), S::CREATED),
        row(DELEGATE, &p, "/api/v1/proposals", Some(draft), S::CREATED),
        row(ADMIN, &g, PROPOSAL, None, S::OK),
        row(ADMIN, &g, "/api/v1/proposals/99", None, S::NOT_FOUND),
    ]);
    let edit = Some(json!({"text": "Meetings over 5 hours are split."}));
    for token in ["hosting", ADMIN, TWO_HATS_SCHOOL] {
        rows.push(row(token, &patch, PROPOSAL, edit.clone(), S::FORBIDDEN));
    }
    rows.push(row(DELEGATE, &patch, PROPOSAL, edit, S::OK));
    let open = format!("{PROPOSAL}/open");
    for token in ["hosting", ADMIN, ADMIN_READ_ONLY, OPERATOR_SCHOOL] {
        rows.push(row(token, &p, &open, None, S::FORBIDDEN));
    }
    rows.extend([
        row(DELEGATE, &p, &open, None, S::OK),
        row(DELEGATE, &p, &open, None, S::UNPROCESSABLE_ENTITY),
        row("hosting", &p, &format!("{RANKED}/open"), None, S::OK),
        row(ADMIN, &g, &format!("{PROPOSAL}/export"), None, S::CONFLICT),
        row(
            ADMIN,
            &g,
            &format!("{RANKED}/ballots.blt"),
            None,
            S::CONFLICT,
        ),
    ]);
    // ballots: an organisation's delegate or deputy, never an operator or an admin
    let ballot = format!("{PROPOSAL}/ballots/school");
    for token in [OPERATOR, ADMIN, ADMIN_READ_ONLY, "hosting"] {
        rows.push(row(token, &put, &ballot, Some(agree()), S::FORBIDDEN));
    }
    rows.extend([
        row(
            DELEGATE,
            &put,
            &format!("{PROPOSAL}/ballots/hosting"),
            Some(agree()),
            S::FORBIDDEN,
        ),
        row(
            DELEGATE,
            &put,
            &format!("{PROPOSAL}/ballots/nowhere"),
            Some(agree()),
            S::FORBIDDEN,
        ),
        row(
            DELEGATE,
            &put,
            "/api/v1/proposals/99/ballots/school",
            Some(agree()),
            S::NOT_FOUND,
        ),
        row(DELEGATE, &put, &ballot, Some(agree()), S::OK),
        row(
            TWO_HATS_SCHOOL,
            &put,
            &ballot,
            Some(disagree("Too short")),
            S::OK,
        ),
        row(
            "hosting",
            &put,
            &format!("{PROPOSAL}/ballots/hosting"),
            Some(agree()),
            S::OK,
        ),
        row(
            "network",
            &put,
            &format!("{PROPOSAL}/ballots/network"),
            Some(agree()),
            S::OK,
        ),
    ]);
    let ranking = json!({"choice": {"ranking": [1, 0]}, "minutes_link": null});
    for org in ["hosting", "school", "network"] {
        rows.push(row(
            org,
            &put,
            &format!("{RANKED}/ballots/{org}"),
            Some(ranking.clone()),
            S::OK,
        ));
    }
    // closing: the author, once the lead time has passed
    rows.extend([
        row(
            "hosting",
            &p,
            &format!("{PROPOSAL}/close"),
            None,
            S::FORBIDDEN,
        ),
        row(
            DELEGATE,
            &p,
            &format!("{PROPOSAL}/close"),
            None,
            S::UNPROCESSABLE_ENTITY,
        ),
    ]);
    // withdrawing: the author or an operator
    let withdraw = format!("{WITHDRAWN}/withdraw");
    let reason = Some(json!({"reason": "Drafted twice"}));
    for token in ["hosting", ADMIN, OPERATOR_READ_ONLY] {
        rows.push(row(token, &p, &withdraw, reason.clone(), S::FORBIDDEN));
    }
    rows.extend([
        row(DELEGATE, &p, &withdraw, reason.clone(), S::OK),
        row(DELEGATE, &p, &withdraw, reason, S::UNPROCESSABLE_ENTITY),
    ]);
    // rules changes: a delegate or deputy, or an operator
    let change = Some(
        json!({"title": "Quorum of a quarter", "text": "Turnout is low in summer.",
        "rules": changed(rules, "default_quorum", json!(2_500))}),
    );
    for token in [ADMIN, ADMIN_READ_ONLY, OPERATOR_READ_ONLY, OPERATOR_SCHOOL] {
        rows.push(row(
            token,
            &p,
            "/api/v1/rules/changes",
            change.clone(),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            DELEGATE,
            &p,
            "/api/v1/rules/changes",
            change.clone(),
            S::CREATED,
        ),
        row(OPERATOR, &p, "/api/v1/rules/changes", change, S::CREATED),
    ]);
    // the rules an operator sets alone
    let reminder = Some(changed(rules, "reminder_lead", json!(3 * 86_400_000)));
    for token in [ADMIN, DELEGATE, OPERATOR_READ_ONLY, OPERATOR_SCHOOL] {
        rows.push(row(
            token,
            &put,
            "/api/v1/rules",
            reminder.clone(),
            S::FORBIDDEN,
        ));
    }
    rows.push(row(OPERATOR, &put, "/api/v1/rules", reminder, S::OK));
    // applications: any person's token; it opens the members' decision
    let application = json!({"organisation": {"name": "newcomer", "legal_name": "Newcomer Housing Co-op",
        "class": "consumer", "contact": "pat@mail.example"}, "statement": "We meet on BBB."});
    rows.extend([
        row(
            ADMIN_READ_ONLY,
            &p,
            "/api/v1/applications",
            Some(application.clone()),
            S::FORBIDDEN,
        ),
        row(
            ADMIN,
            &p,
            "/api/v1/applications",
            Some(application.clone()),
            S::CREATED,
        ),
        // the newcomer is now in the register: only its people apply for it
        row(
            ADMIN,
            &p,
            "/api/v1/applications",
            Some(application),
            S::FORBIDDEN,
        ),
    ]);
    // the forum's webhook: no forum is configured here
    rows.push(row(
        NAMELESS_OPERATOR,
        &p,
        "/api/v1/forum/webhook",
        Some(json!({})),
        S::NOT_FOUND,
    ));
    rows
}

/// The rows once the lead time has passed: closing, the outcome, the
/// record, giving notice and revoking tokens.
pub fn after_the_lead_time() -> Vec<Row> {
    use StatusCode as S;
    let (g, p, put, d) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    let close = format!("{PROPOSAL}/close");
    let statement = format!("{PROPOSAL}/statement");
    let outcome = Some(json!({"text": "Long meetings are split from March."}));
    let mut rows = vec![
        row("hosting", &p, &close, None, S::FORBIDDEN),
        row(ADMIN_READ_ONLY, &p, &close, None, S::FORBIDDEN),
        row(DELEGATE, &p, &close, None, S::OK),
        row(DELEGATE, &p, &close, None, S::UNPROCESSABLE_ENTITY),
        row("hosting", &p, &format!("{RANKED}/close"), None, S::OK),
    ];
    for token in ["hosting", ADMIN, OPERATOR_READ_ONLY] {
        rows.push(row(token, &put, &statement, outcome.clone(), S::FORBIDDEN));
    }
    rows.extend([
        row(DELEGATE, &put, &statement, outcome.clone(), S::OK),
        row(OPERATOR, &put, &statement, outcome, S::CONFLICT),
    ]);
    for token in EVERY_TOKEN {
        rows.push(row(token, &g, &format!("{PROPOSAL}/export"), None, S::OK));
        rows.push(row(
            token,
            &g,
            &format!("{RANKED}/ballots.blt"),
            None,
            S::OK,
        ));
    }
    rows.extend([
        row(
            NAMELESS_OPERATOR,
            &g,
            &format!("{RANKED}/ballots.blt"),
            None,
            S::UNAUTHORIZED,
        ),
        row(ADMIN, &g, "/api/v1/proposals/99/export", None, S::NOT_FOUND),
        row(
            ADMIN,
            &g,
            &format!("{PROPOSAL}/ballots.blt"),
            None,
            S::UNPROCESSABLE_ENTITY,
        ),
    ]);
    // notice: the organisation's own people, or an operator
    let notice = "/api/v1/organisations/network/notice";
    for token in [ADMIN, DELEGATE, OPERATOR_READ_ONLY, OPERATOR_SCHOOL] {
        rows.push(row(token, &p, notice, None, S::FORBIDDEN));
    }
    rows.extend([
        row(
            OPERATOR,
            &p,
            "/api/v1/organisations/nowhere/notice",
            None,
            S::NOT_FOUND,
        ),
        row("network", &p, notice, None, S::OK),
        row("network", &p, notice, None, S::UNPROCESSABLE_ENTITY),
    ]);
    // revoking: one's own tokens; another's answers like a missing one
    let sue = format!("/api/v1/tokens/{}", store::token_id(ADMIN_READ_ONLY));
    let tom = format!("/api/v1/tokens/{}", store::token_id(TWO_HATS_SCHOOL));
    rows.extend([
        row(DELEGATE, &d, &sue, None, S::NOT_FOUND),
        row(TOM, &d, &sue, None, S::NOT_FOUND),
        row(OPERATOR_SCHOOL, &d, &sue, None, S::NOT_FOUND),
        row(ADMIN, &d, &sue, None, S::NO_CONTENT),
        row(ADMIN, &d, &sue, None, S::NOT_FOUND),
        row(OPERATOR, &d, &tom, None, S::NO_CONTENT),
        row(TWO_HATS_SCHOOL, &g, "/api/v1/me", None, S::UNAUTHORIZED),
    ]);
    rows
}

/// `rules` with one rule changed.
fn changed(rules: &Value, rule: &str, value: Value) -> Value {
    let mut rules = rules.clone();
    rules[rule] = value;
    rules
}
