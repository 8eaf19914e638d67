//! Billing's rows: usage, fair use, capacity, costs and statements, for
//! every role and every scope of token. An organisation admin's attempt
//! on another organisation answers exactly like a missing one.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::Row;
use crate::platform::*;

/// The body each write of the matrix sends.
fn body(method: &Method, path: &str) -> Option<Value> {
    match (method.as_str(), path) {
        ("POST", p) if p.ends_with("/costs") && p.contains("2026-02") => {
            Some(json!({"label": "racks", "amount_cents": 500, "org": "hosting"}))
        }
        ("POST", p) if p.ends_with("/costs") => {
            Some(json!({"label": "hosting", "amount_cents": 9000}))
        }
        _ => None,
    }
}

/// Every row, on the platform as `billed` makes it.
pub fn rows() -> Vec<Row> {
    use StatusCode as S;
    let g = Method::GET;
    let p = Method::POST;
    let costs = format!("/api/v1/periods/{NOW}/costs");
    let closed_costs = format!("/api/v1/periods/{CLOSED}/costs");
    let close = format!("/api/v1/periods/{NOW}/close");
    let preview = format!("/api/v1/periods/{NOW}/preview");
    let statement = format!("/api/v1/statements/{CLOSED}");
    let school_part = format!("/api/v1/organisations/school/statements/{CLOSED}");
    let hosting_part = format!("/api/v1/organisations/hosting/statements/{CLOSED}");
    let rows: Vec<(&str, Method, &str, StatusCode)> = vec![
        // the whole platform's usage: operators with an unlimited token
        (OPERATOR, g.clone(), "/api/v1/usage", S::OK),
        (OPERATOR_READ_ONLY, g.clone(), "/api/v1/usage", S::OK),
        (OPERATOR, g.clone(), "/api/v1/usage?by=server", S::OK),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?by=pool&every=day",
            S::OK,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?by=origin&every=hour",
            S::OK,
        ),
        (OPERATOR_SCHOOL, g.clone(), "/api/v1/usage", S::FORBIDDEN),
        (ADMIN, g.clone(), "/api/v1/usage", S::FORBIDDEN),
        (ADMIN, g.clone(), "/api/v1/usage?by=server", S::FORBIDDEN),
        (DELEGATE, g.clone(), "/api/v1/usage", S::FORBIDDEN),
        (
            NAMELESS_OPERATOR,
            g.clone(),
            "/api/v1/usage",
            S::UNAUTHORIZED,
        ),
        // one organisation's usage: operators and its admin
        (OPERATOR, g.clone(), "/api/v1/usage?org=school", S::OK),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/usage?org=school",
            S::OK,
        ),
        (ADMIN, g.clone(), "/api/v1/usage?org=school&by=org", S::OK),
        (
            ADMIN_READ_ONLY,
            g.clone(),
            "/api/v1/usage?org=school",
            S::OK,
        ),
        (ADMIN, g.clone(), "/api/v1/usage?tenant=school-rooms", S::OK),
        (ADMIN, g.clone(), "/api/v1/usage?org=hosting", S::NOT_FOUND),
        (
            ADMIN,
            g.clone(),
            "/api/v1/usage?tenant=hosting-rooms",
            S::NOT_FOUND,
        ),
        (ADMIN, g.clone(), "/api/v1/usage?tenant=coop", S::NOT_FOUND),
        (ADMIN, g.clone(), "/api/v1/usage?org=nowhere", S::NOT_FOUND),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/usage?org=hosting",
            S::NOT_FOUND,
        ),
        (
            DELEGATE,
            g.clone(),
            "/api/v1/usage?org=school",
            S::FORBIDDEN,
        ),
        (
            DELEGATE,
            g.clone(),
            "/api/v1/usage?org=hosting",
            S::NOT_FOUND,
        ),
        (
            TWO_HATS_SCHOOL,
            g.clone(),
            "/api/v1/usage?org=school",
            S::FORBIDDEN,
        ),
        (
            TWO_HATS_SCHOOL,
            g.clone(),
            "/api/v1/usage?org=hosting",
            S::NOT_FOUND,
        ),
        (TOM, g.clone(), "/api/v1/usage?org=hosting", S::OK),
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/school/usage",
            S::OK,
        ),
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/school/usage?every=day",
            S::OK,
        ),
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/hosting/usage",
            S::NOT_FOUND,
        ),
        (
            DELEGATE,
            g.clone(),
            "/api/v1/organisations/school/usage",
            S::FORBIDDEN,
        ),
        // bad periods, dimensions, cuts, filters and formats
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?period=2026-13",
            S::BAD_REQUEST,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?period=January",
            S::BAD_REQUEST,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?by=planet",
            S::BAD_REQUEST,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?every=week",
            S::BAD_REQUEST,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?format=xml",
            S::BAD_REQUEST,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?colour=red",
            S::BAD_REQUEST,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/usage?by=server&org=school",
            S::BAD_REQUEST,
        ),
        // fair use
        (OPERATOR, g.clone(), "/api/v1/fair-use", S::OK),
        (
            OPERATOR_READ_ONLY,
            g.clone(),
            "/api/v1/fair-use?all=true",
            S::OK,
        ),
        (OPERATOR_SCHOOL, g.clone(), "/api/v1/fair-use", S::FORBIDDEN),
        (ADMIN, g.clone(), "/api/v1/fair-use", S::FORBIDDEN),
        (ADMIN, g.clone(), "/api/v1/fair-use?org=school", S::OK),
        (
            ADMIN,
            g.clone(),
            "/api/v1/fair-use?org=hosting",
            S::NOT_FOUND,
        ),
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/school/fair-use?all=true",
            S::OK,
        ),
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/hosting/fair-use",
            S::NOT_FOUND,
        ),
        (
            DELEGATE,
            g.clone(),
            "/api/v1/organisations/school/fair-use",
            S::FORBIDDEN,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/fair-use?period=2026-1",
            S::BAD_REQUEST,
        ),
        // capacity: operators only
        (OPERATOR, g.clone(), "/api/v1/capacity", S::OK),
        (OPERATOR_READ_ONLY, g.clone(), "/api/v1/capacity", S::OK),
        (OPERATOR_SCHOOL, g.clone(), "/api/v1/capacity", S::FORBIDDEN),
        (ADMIN, g.clone(), "/api/v1/capacity", S::FORBIDDEN),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/capacity?period=x",
            S::BAD_REQUEST,
        ),
        // costs: operators read them, a full token adds them
        (OPERATOR, g.clone(), &costs, S::OK),
        (OPERATOR_READ_ONLY, g.clone(), &costs, S::OK),
        (OPERATOR_SCHOOL, g.clone(), &costs, S::FORBIDDEN),
        (ADMIN, g.clone(), &costs, S::FORBIDDEN),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/periods/soon/costs",
            S::BAD_REQUEST,
        ),
        (ADMIN, p.clone(), &costs, S::FORBIDDEN),
        (ADMIN_READ_ONLY, p.clone(), &costs, S::FORBIDDEN),
        (OPERATOR_READ_ONLY, p.clone(), &costs, S::FORBIDDEN),
        (OPERATOR_SCHOOL, p.clone(), &costs, S::FORBIDDEN),
        (OPERATOR, p.clone(), &costs, S::CREATED),
        (
            OPERATOR,
            p.clone(),
            "/api/v1/periods/2026-02/costs",
            S::CREATED,
        ),
        (OPERATOR, p.clone(), &closed_costs, S::CONFLICT),
        // previews, closing
        (OPERATOR, g.clone(), &preview, S::OK),
        (OPERATOR_READ_ONLY, g.clone(), &preview, S::OK),
        (ADMIN, g.clone(), &preview, S::FORBIDDEN),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/periods/2026-01/preview?rule=lottery",
            S::BAD_REQUEST,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/periods/2026-01/preview?rule=proportional&measure=megabytes",
            S::OK,
        ),
        (ADMIN, p.clone(), &close, S::FORBIDDEN),
        (OPERATOR_READ_ONLY, p.clone(), &close, S::FORBIDDEN),
        (OPERATOR_SCHOOL, p.clone(), &close, S::FORBIDDEN),
        (OPERATOR, p.clone(), &close, S::CREATED),
        (OPERATOR, p.clone(), &close, S::CONFLICT),
        // statements: operators see them whole
        (OPERATOR, g.clone(), "/api/v1/statements", S::OK),
        (OPERATOR_READ_ONLY, g.clone(), "/api/v1/statements", S::OK),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/statements",
            S::FORBIDDEN,
        ),
        (ADMIN, g.clone(), "/api/v1/statements", S::FORBIDDEN),
        (OPERATOR, g.clone(), &statement, S::OK),
        (ADMIN, g.clone(), &statement, S::FORBIDDEN),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/statements/2025-11",
            S::NOT_FOUND,
        ),
        // an organisation's part: operators and its admin
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/school/statements",
            S::OK,
        ),
        (
            ADMIN_READ_ONLY,
            g.clone(),
            "/api/v1/organisations/school/statements",
            S::OK,
        ),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/organisations/school/statements",
            S::OK,
        ),
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/hosting/statements",
            S::NOT_FOUND,
        ),
        (
            OPERATOR_SCHOOL,
            g.clone(),
            "/api/v1/organisations/hosting/statements",
            S::NOT_FOUND,
        ),
        (
            DELEGATE,
            g.clone(),
            "/api/v1/organisations/school/statements",
            S::FORBIDDEN,
        ),
        (
            TWO_HATS_SCHOOL,
            g.clone(),
            "/api/v1/organisations/school/statements",
            S::FORBIDDEN,
        ),
        (
            TOM,
            g.clone(),
            "/api/v1/organisations/hosting/statements",
            S::OK,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/organisations/nowhere/statements",
            S::NOT_FOUND,
        ),
        (ADMIN, g.clone(), &school_part, S::OK),
        (OPERATOR, g.clone(), &hosting_part, S::OK),
        (ADMIN, g.clone(), &hosting_part, S::NOT_FOUND),
        (
            ADMIN,
            g.clone(),
            "/api/v1/organisations/school/statements/2025-11",
            S::NOT_FOUND,
        ),
        (
            OPERATOR,
            g.clone(),
            "/api/v1/organisations/network/statements/2025-12",
            S::NOT_FOUND,
        ),
    ];
    rows.into_iter()
        .map(|(token, method, path, expected)| {
            let body = body(&method, path);
            (token, method, path.to_string(), body, expected)
        })
        .collect()
}
