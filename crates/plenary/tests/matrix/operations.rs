//! The operations' rows: servers, pools, tenants and their secrets, tiers,
//! live meetings and the audit log, across organisations. An
//! organisation admin's attempt on another organisation's tenant answers
//! exactly like a missing one.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::Row;
use crate::platform::*;

/// Every row, on the platform as `platform` makes it.
pub fn rows() -> Vec<Row> {
    let school_secret = format!(
        "/api/v1/tenants/school-rooms/secrets/{}",
        fingerprint("school-rooms")
    );
    let hosting_secret = format!(
        "/api/v1/tenants/hosting-rooms/secrets/{}",
        fingerprint("hosting-rooms")
    );
    use StatusCode as S;
    let g = Method::GET;
    let p = Method::POST;
    let d = Method::DELETE;
    let rows: Vec<(&str, Method, &str, StatusCode)> = vec![
        // servers: operators only, read-only tokens included
        (OPERATOR, g.clone(), "/api/v1/servers", S::OK),
        (OPERATOR_READ_ONLY, g.clone(), "/api/v1/servers", S::OK),
        (OPERATOR_SCHOOL, g.clone(), "/api/v1/servers", S::FORBIDDEN),
        (ADMIN, g.clone(), "/api/v1/servers", S::FORBIDDEN),
        (DELEGATE, g.clone(), "/api/v1/servers", S::FORBIDDEN),
        // the tenants listed: each sees those it may (which, is tested apart)
        (OPERATOR, g.clone(), "/api/v1/tenants", S::OK),
        (OPERATOR_READ_ONLY, g.clone(), "/api/v1/tenants", S::OK),
        (OPERATOR_SCHOOL, g.clone(), "/api/v1/tenants", S::OK),
        (ADMIN, g.clone(), "/api/v1/tenants", S::OK),
        (ADMIN_READ_ONLY, g.clone(), "/api/v1/tenants", S::OK),
        (DELEGATE, g.clone(), "/api/v1/tenants", S::OK),
        (TWO_HATS_SCHOOL, g.clone(), "/api/v1/tenants", S::OK),
        (
            NAMELESS_OPERATOR,
            g.clone(),
            "/api/v1/tenants",
            S::UNAUTHORIZED,
        ),
        // tiers: operators and admins
        (OPERATOR, g.clone(), "/api/v1/tiers", S::OK),
        (ADMIN, g.clone(), "/api/v1/tiers", S::OK),
        (ADMIN_READ_ONLY, g.clone(), "/api/v1/tiers", S::OK),
        (DELEGATE, g.clone(), "/api/v1/tiers", S::FORBIDDEN),
        // one tenant
        (OPERATOR, g.clone(), "/api/v1/tenants/hosting-rooms", S::OK),
        (OPERATOR, g.clone(), "/api/v1/tenants/coop", S::OK),
        (
            OPERATOR_READ_ONLY,
            g.clone(),
            "/api/v1/tenants/school-rooms",
            S::OK,
        ),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/tenants/school-rooms",
            S::OK,
        ),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/tenants/hosting-rooms",
            S::NOT_FOUND,
        ),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/tenants/coop",
            S::NOT_FOUND,
        ),
        (ADMIN, g.clone(), "/api/v1/tenants/school-rooms", S::OK),
        (
            ADMIN_READ_ONLY,
            g.clone(),
            "/api/v1/tenants/school-rooms",
            S::OK,
        ),
        (
            ADMIN,
            g.clone(),
            "/api/v1/tenants/hosting-rooms",
            S::NOT_FOUND,
        ),
        (ADMIN, g.clone(), "/api/v1/tenants/coop", S::NOT_FOUND),
        (ADMIN, g.clone(), "/api/v1/tenants/nowhere", S::NOT_FOUND),
        (
            DELEGATE,
            g.clone(),
            "/api/v1/tenants/school-rooms",
            S::FORBIDDEN,
        ),
        (
            DELEGATE,
            g.clone(),
            "/api/v1/tenants/hosting-rooms",
            S::NOT_FOUND,
        ),
        (
            TWO_HATS_SCHOOL,
            g.clone(),
            "/api/v1/tenants/school-rooms",
            S::FORBIDDEN,
        ),
        (
            TWO_HATS_SCHOOL,
            g.clone(),
            "/api/v1/tenants/hosting-rooms",
            S::NOT_FOUND,
        ),
        ("tom", g.clone(), "/api/v1/tenants/hosting-rooms", S::OK),
        // secrets
        (
            ADMIN_READ_ONLY,
            p.clone(),
            "/api/v1/tenants/school-rooms/secrets",
            S::FORBIDDEN,
        ),
        (
            OPERATOR_READ_ONLY,
            p.clone(),
            "/api/v1/tenants/school-rooms/secrets",
            S::FORBIDDEN,
        ),
        (
            DELEGATE,
            p.clone(),
            "/api/v1/tenants/school-rooms/secrets",
            S::FORBIDDEN,
        ),
        (
            ADMIN,
            p.clone(),
            "/api/v1/tenants/hosting-rooms/secrets",
            S::NOT_FOUND,
        ),
        (
            OPERATOR_SCHOOL,
            p.clone(),
            "/api/v1/tenants/hosting-rooms/secrets",
            S::NOT_FOUND,
        ),
        (
            ADMIN,
            p.clone(),
            "/api/v1/tenants/school-rooms/secrets",
            S::CREATED,
        ),
        (
            OPERATOR_SCHOOL,
            p.clone(),
            "/api/v1/tenants/school-rooms/secrets",
            S::CREATED,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/tenants/hosting-rooms/secrets",
            S::CREATED,
        ),
        (ADMIN, d.clone(), &hosting_secret, S::NOT_FOUND),
        (ADMIN_READ_ONLY, d.clone(), &school_secret, S::FORBIDDEN),
        (ADMIN, d.clone(), &school_secret, S::NO_CONTENT),
        (OPERATOR, d.clone(), &hosting_secret, S::NO_CONTENT),
        // the platform's switches: operators with a full token only
        (ADMIN, p.clone(), "/api/v1/servers/1/cordon", S::FORBIDDEN),
        (
            OPERATOR_READ_ONLY,
            p.clone(),
            "/api/v1/servers/1/cordon",
            S::FORBIDDEN,
        ),
        (
            OPERATOR_SCHOOL,
            p.clone(),
            "/api/v1/servers/1/cordon",
            S::FORBIDDEN,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/servers/1/cordon",
            S::NO_CONTENT,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/servers/1/enable",
            S::NO_CONTENT,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/servers/99/disable",
            S::NOT_FOUND,
        ),
        (ADMIN, p.clone(), "/api/v1/servers/1/panic", S::FORBIDDEN),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/servers/99/panic",
            S::NOT_FOUND,
        ),
        (ADMIN, p.clone(), "/api/v1/servers/1/enable", S::FORBIDDEN),
        (
            OPERATOR_SCHOOL,
            p.clone(),
            "/api/v1/servers/1/disable",
            S::FORBIDDEN,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/servers/1/disable",
            S::NO_CONTENT,
        ),
        (OPERATOR, p.clone(), "/api/v1/servers/1/panic", S::OK),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/servers/1/enable",
            S::NO_CONTENT,
        ),
        (
            ADMIN,
            p.clone(),
            "/api/v1/tenants/school-rooms/disable",
            S::FORBIDDEN,
        ),
        (
            OPERATOR_SCHOOL,
            p.clone(),
            "/api/v1/tenants/school-rooms/disable",
            S::FORBIDDEN,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/tenants/hosting-rooms/disable",
            S::NO_CONTENT,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/tenants/hosting-rooms/enable",
            S::NO_CONTENT,
        ),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/tenants/nowhere/enable",
            S::NOT_FOUND,
        ),
        // the audit log: operators read it whole
        (OPERATOR, g.clone(), "/api/v1/audit?limit=5", S::OK),
        (
            OPERATOR_READ_ONLY,
            g.clone(),
            "/api/v1/audit?subject=tenant:school-rooms",
            S::OK,
        ),
        (OPERATOR_SCHOOL, g.clone(), "/api/v1/audit", S::FORBIDDEN),
        (ADMIN, g.clone(), "/api/v1/audit", S::FORBIDDEN),
        // the consortium's endpoints through scoped tokens
        (OPERATOR_READ_ONLY, g.clone(), "/api/v1/rules", S::OK),
        (
            OPERATOR_READ_ONLY,
            Method::PUT,
            "/api/v1/rules",
            S::FORBIDDEN,
        ),
        (OPERATOR_SCHOOL, Method::PUT, "/api/v1/rules", S::FORBIDDEN),
        (
            ADMIN_READ_ONLY,
            p.clone(),
            "/api/v1/organisations/school/notice",
            S::FORBIDDEN,
        ),
        // a nameless operator token acts for nobody
        (
            NAMELESS_OPERATOR,
            g.clone(),
            "/api/v1/servers",
            S::UNAUTHORIZED,
        ),
        (NAMELESS_OPERATOR, g.clone(), "/api/v1/me", S::UNAUTHORIZED),
    ];
    rows.into_iter()
        .map(|(token, method, path, expected)| {
            let body = (method == Method::PUT).then(|| json!({}));
            (token, method, path.to_string(), body, expected)
        })
        .chain(changes_and_live_meetings())
        .collect()
}

/// The matrix's rows for adding and changing servers and tenants, pools,
/// live meetings and the audit head, in order: the refused attempts come
/// before the one that succeeds, so each refusal is seen on unchanged
/// state.
fn changes_and_live_meetings() -> Vec<Row> {
    use StatusCode as S;
    let (g, p, patch) = (Method::GET, Method::POST, Method::PATCH);
    let server = json!({"url": "https://bbb9.example/bigbluebutton/", "secret": "s3cret-nine",
        "pool": "eu", "monthly_cost_cents": 9000, "owner": "hosting"});
    let tenant = json!({"name": "new-rooms", "organisation": "school", "tier": "level1"});
    let row = |token, method: &Method, path: &str, body: Option<Value>, status| {
        (token, method.clone(), path.to_string(), body, status)
    };
    let mut rows = Vec::new();
    // adding a server: operators with a full token only
    for token in [OPERATOR_READ_ONLY, OPERATOR_SCHOOL, ADMIN, DELEGATE] {
        rows.push(row(
            token,
            &p,
            "/api/v1/servers",
            Some(server.clone()),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            OPERATOR,
            &p,
            "/api/v1/servers",
            Some(server.clone()),
            S::CREATED,
        ),
        row(OPERATOR, &p, "/api/v1/servers", Some(server), S::CONFLICT),
        row(
            OPERATOR,
            &p,
            "/api/v1/servers",
            Some(json!({"url": "ftp://bbb.example", "secret": "s3cret"})),
            S::BAD_REQUEST,
        ),
        row(
            OPERATOR,
            &p,
            "/api/v1/servers",
            Some(json!({"url": "https://bbb8.example", "secret": "s3cret", "owner": "nobody"})),
            S::NOT_FOUND,
        ),
    ]);
    // one server, and changing it
    for (token, status) in [
        (OPERATOR, S::OK),
        (OPERATOR_READ_ONLY, S::OK),
        (OPERATOR_SCHOOL, S::FORBIDDEN),
        (ADMIN, S::FORBIDDEN),
    ] {
        rows.push(row(token, &g, "/api/v1/servers/1", None, status));
    }
    rows.push(row(OPERATOR, &g, "/api/v1/servers/99", None, S::NOT_FOUND));
    let capacity = Some(json!({"capacity": 300, "pool": null}));
    for token in [OPERATOR_READ_ONLY, OPERATOR_SCHOOL, ADMIN] {
        rows.push(row(
            token,
            &patch,
            "/api/v1/servers/1",
            capacity.clone(),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            OPERATOR,
            &patch,
            "/api/v1/servers/1",
            capacity.clone(),
            S::OK,
        ),
        row(
            OPERATOR,
            &patch,
            "/api/v1/servers/99",
            capacity,
            S::NOT_FOUND,
        ),
        row(
            OPERATOR,
            &patch,
            "/api/v1/servers/1",
            Some(json!({"weight": 0})),
            S::BAD_REQUEST,
        ),
    ]);
    // pools: operators only
    for (token, status) in [
        (OPERATOR, S::OK),
        (OPERATOR_READ_ONLY, S::OK),
        (OPERATOR_SCHOOL, S::FORBIDDEN),
        (ADMIN, S::FORBIDDEN),
        (DELEGATE, S::FORBIDDEN),
    ] {
        rows.push(row(token, &g, "/api/v1/pools", None, status));
    }
    // creating a tenant: operators with a full token only
    for token in [OPERATOR_READ_ONLY, OPERATOR_SCHOOL, ADMIN, DELEGATE] {
        rows.push(row(
            token,
            &p,
            "/api/v1/tenants",
            Some(tenant.clone()),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            OPERATOR,
            &p,
            "/api/v1/tenants",
            Some(tenant.clone()),
            S::CREATED,
        ),
        row(OPERATOR, &p, "/api/v1/tenants", Some(tenant), S::CONFLICT),
        row(
            OPERATOR,
            &p,
            "/api/v1/tenants",
            Some(json!({"name": "Not A Name"})),
            S::BAD_REQUEST,
        ),
        row(
            OPERATOR,
            &p,
            "/api/v1/tenants",
            Some(json!({"name": "other-rooms", "tier": "gold"})),
            S::NOT_FOUND,
        ),
    ]);
    // changing a tenant: the same; an admin may not, even their own
    let level2 = Some(json!({"tier": "level2", "host": null}));
    for (token, path) in [
        (OPERATOR_READ_ONLY, "/api/v1/tenants/school-rooms"),
        (OPERATOR_SCHOOL, "/api/v1/tenants/school-rooms"),
        (ADMIN, "/api/v1/tenants/school-rooms"),
        (ADMIN, "/api/v1/tenants/hosting-rooms"),
        (DELEGATE, "/api/v1/tenants/school-rooms"),
    ] {
        rows.push(row(token, &patch, path, level2.clone(), S::FORBIDDEN));
    }
    rows.extend([
        row(
            OPERATOR,
            &patch,
            "/api/v1/tenants/school-rooms",
            level2.clone(),
            S::OK,
        ),
        row(
            OPERATOR,
            &patch,
            "/api/v1/tenants/nowhere",
            level2,
            S::NOT_FOUND,
        ),
    ]);
    rows.extend(tiers_and_the_register());
    // live meetings: everyone sees what they may, a hidden tenant is missing
    for (token, path, status) in [
        (OPERATOR, "/api/v1/meetings", S::OK),
        (
            OPERATOR_READ_ONLY,
            "/api/v1/meetings?tenant=hosting-rooms",
            S::OK,
        ),
        (OPERATOR_SCHOOL, "/api/v1/meetings", S::OK),
        (
            OPERATOR_SCHOOL,
            "/api/v1/meetings?tenant=hosting-rooms",
            S::NOT_FOUND,
        ),
        (ADMIN, "/api/v1/meetings", S::OK),
        (
            ADMIN_READ_ONLY,
            "/api/v1/meetings?tenant=school-rooms",
            S::OK,
        ),
        (ADMIN, "/api/v1/meetings?tenant=hosting-rooms", S::NOT_FOUND),
        (ADMIN, "/api/v1/meetings?tenant=nowhere", S::NOT_FOUND),
        (ADMIN, "/api/v1/meetings?room=1", S::BAD_REQUEST),
        (DELEGATE, "/api/v1/meetings", S::OK),
        (
            DELEGATE,
            "/api/v1/meetings?tenant=school-rooms",
            S::FORBIDDEN,
        ),
        (
            TWO_HATS_SCHOOL,
            "/api/v1/meetings?tenant=hosting-rooms",
            S::NOT_FOUND,
        ),
    ] {
        rows.push(row(token, &g, path, None, status));
    }
    // the audit log's head and verification: anyone may check them
    for token in [ADMIN, DELEGATE, OPERATOR_SCHOOL, OPERATOR_READ_ONLY] {
        rows.push(row(token, &g, "/api/v1/audit/head", None, S::OK));
        rows.push(row(token, &g, "/api/v1/audit/verify", None, S::OK));
    }
    rows.push(row(
        ADMIN,
        &g,
        "/api/v1/audit/verify?head=abc",
        None,
        S::BAD_REQUEST,
    ));
    rows
}

/// Tiers and the register's customers: operators with a full token make
/// and change them; admins read the tiers.
fn tiers_and_the_register() -> Vec<Row> {
    use StatusCode as S;
    let (g, p, patch) = (Method::GET, Method::POST, Method::PATCH);
    let row = |token, method: &Method, path: &str, body: Option<Value>, status| {
        (token, method.clone(), path.to_string(), body, status)
    };
    let not_operators = [OPERATOR_READ_ONLY, OPERATOR_SCHOOL, ADMIN, DELEGATE];
    let mut rows = Vec::new();
    for (token, path, status) in [
        (OPERATOR, "/api/v1/tiers/level1", S::OK),
        (ADMIN, "/api/v1/tiers/level1", S::OK),
        (ADMIN_READ_ONLY, "/api/v1/tiers/level1", S::OK),
        (DELEGATE, "/api/v1/tiers/level1", S::FORBIDDEN),
        (OPERATOR, "/api/v1/tiers/gold", S::NOT_FOUND),
    ] {
        rows.push(row(token, &g, path, None, status));
    }
    let tier = json!({"name": "school", "price_cents": 1250, "participants_per_meeting": 30,
        "disabled_features": ["chat", "polls"]});
    for token in not_operators {
        rows.push(row(
            token,
            &p,
            "/api/v1/tiers",
            Some(tier.clone()),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            OPERATOR,
            &p,
            "/api/v1/tiers",
            Some(tier.clone()),
            S::CREATED,
        ),
        row(OPERATOR, &p, "/api/v1/tiers", Some(tier), S::CONFLICT),
        row(
            OPERATOR,
            &p,
            "/api/v1/tiers",
            Some(json!({"name": "other", "meeting_minutes": -1})),
            S::BAD_REQUEST,
        ),
        row(
            OPERATOR,
            &p,
            "/api/v1/tiers",
            Some(json!({"name": "other", "disabled_features": ["webcams"]})),
            S::BAD_REQUEST,
        ),
    ]);
    let minutes = Some(json!({"meeting_minutes": 90}));
    for token in not_operators {
        rows.push(row(
            token,
            &patch,
            "/api/v1/tiers/school",
            minutes.clone(),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            OPERATOR,
            &patch,
            "/api/v1/tiers/school",
            minutes.clone(),
            S::OK,
        ),
        row(
            OPERATOR,
            &patch,
            "/api/v1/tiers/gold",
            minutes,
            S::NOT_FOUND,
        ),
        row(
            OPERATOR,
            &patch,
            "/api/v1/tiers/school",
            Some(json!({"currency": "EURO"})),
            S::BAD_REQUEST,
        ),
    ]);
    let customer = json!({"name": "shop", "legal_name": "Shop", "contact": "desk@shop.example"});
    for token in not_operators {
        rows.push(row(
            token,
            &p,
            "/api/v1/customers",
            Some(customer.clone()),
            S::FORBIDDEN,
        ));
    }
    rows.extend([
        row(
            OPERATOR,
            &p,
            "/api/v1/customers",
            Some(customer.clone()),
            S::CREATED,
        ),
        row(
            OPERATOR,
            &p,
            "/api/v1/customers",
            Some(customer),
            S::CONFLICT,
        ),
        row(
            OPERATOR,
            &p,
            "/api/v1/customers",
            Some(json!({"name": "Not A Name"})),
            S::BAD_REQUEST,
        ),
    ]);
    let contact = Some(json!({"contact": "orders@shop.example"}));
    for (token, path) in [
        (OPERATOR_READ_ONLY, "/api/v1/organisations/shop"),
        (OPERATOR_SCHOOL, "/api/v1/organisations/school"),
        (ADMIN, "/api/v1/organisations/school"),
        (ADMIN, "/api/v1/organisations/shop"),
        (DELEGATE, "/api/v1/organisations/school"),
    ] {
        rows.push(row(token, &patch, path, contact.clone(), S::FORBIDDEN));
    }
    rows.extend([
        row(
            OPERATOR,
            &patch,
            "/api/v1/organisations/shop",
            contact.clone(),
            S::OK,
        ),
        row(
            OPERATOR,
            &patch,
            "/api/v1/organisations/nowhere",
            contact,
            S::NOT_FOUND,
        ),
    ]);
    rows
}
