//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the `ToSchema` types they take and give; the tests below
//! keep it and the router in step.

use axum::Json;
use axum::http::StatusCode;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi, ToResponse};

use super::problem::Details;
use super::{
    billing, forum, meetings, operations, people, proposals, records, register, servers, tokens,
    usage,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Plenary API",
        version = "1",
        description = "The admin and organisation API of a BigBlueButton co-operative governed as a consortium. Authenticate with `Authorization: Bearer <token>`; tokens in the URL are refused. Operators manage the register, people, tokens and proposals and never vote; a person acts only within the roles they hold in their own organisations (admin, delegate, deputy) and manages their own tokens. Errors are RFC 9457 problems (`application/problem+json`). Times are UTC Unix milliseconds.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    paths(
        document,
        register::me,
        register::list,
        register::admit_founder,
        register::show,
        register::change,
        register::add_customer,
        register::give_notice,
        register::contribute,
        register::calendar,
        register::apply,
        people::represent,
        people::unrepresent,
        people::list,
        people::add,
        tokens::list,
        tokens::issue,
        tokens::revoke,
        proposals::list,
        proposals::draft,
        proposals::show,
        proposals::edit,
        proposals::open,
        proposals::vote,
        proposals::close,
        proposals::withdraw,
        proposals::export,
        proposals::state_outcome,
        proposals::ballot_file,
        proposals::draft_rules_change,
        records::audit_head,
        records::audit_verify,
        records::rules,
        records::set_rules,
        forum::webhook,
        servers::servers,
        servers::add_server,
        servers::server,
        servers::set_server,
        servers::enable_server,
        servers::cordon_server,
        servers::disable_server,
        servers::panic_server,
        servers::pools,
        meetings::meetings,
        operations::tiers,
        operations::tier,
        operations::create_tier,
        operations::set_tier,
        operations::tenants,
        operations::create_tenant,
        operations::tenant,
        operations::set_tenant,
        operations::enable_tenant,
        operations::disable_tenant,
        operations::audit,
        operations::add_secret,
        operations::remove_secret,
        usage::platform,
        usage::organisation,
        usage::fair_use,
        usage::organisation_fair_use,
        usage::capacity,
        billing::costs,
        billing::add_cost,
        billing::preview,
        billing::close,
        billing::statements,
        billing::statement,
        billing::organisation_statements,
        billing::organisation_statement,
    ),
    components(
        schemas(Details),
        responses(
        Invalid,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        UnsupportedMediaType,
        Refused,
        TooManyFailures,
        Internal,
        ),
    ),
    security(("bearer" = [])),
    modifiers(&Conventions),
)]
struct Document;

/// The OpenAPI 3.1 description of the API.
///
/// No token needed.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "api",
    security(()),
    responses((status = 200, description = "This document", body = serde_json::Value)),
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(Document::openapi())
}

/// Declares the problem answers that operations refer to by name.
macro_rules! problem_responses {
    ($($(#[doc = $doc:literal])+ $name:ident),+ $(,)?) => {
        $(
            $(#[doc = $doc])+
            pub struct $name;

            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), problem(concat!($($doc),+).trim()))
                }
            }
        )+
    };
}

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

problem_responses!(
    /// The request is malformed: a bad body, a bad path or query parameter,
    /// a token in the URL, or a value the register refuses.
    Invalid,
    /// No token, or an unknown or revoked one. Answered with
    /// `WWW-Authenticate: Bearer`.
    Unauthorized,
    /// The caller may not do this (another organisation's ballot, an
    /// operator voting, a read-only token, an operator's token limited to
    /// one organisation outside it, a bad webhook signature…).
    Forbidden,
    /// No such thing, or one the caller may not see: both answer alike.
    NotFound,
    /// Conflicts with the current state (a name taken, a proposal no longer
    /// open…).
    Conflict,
    /// The body is not declared as JSON.
    UnsupportedMediaType,
    /// The rules do not allow it now (too early to close: the detail says
    /// from when; a missing reason…).
    Refused,
    /// Too many requests with an unknown token came from this address; it is
    /// refused for a while without its token being read.
    TooManyFailures,
    /// A failure of the server; the detail says nothing of its internals.
    Internal,
);

/// What every operation shares, added here rather than on each handler:
/// the bearer scheme (and the forum's signature), the problems any
/// token-taking endpoint may answer (a token in the URL, no valid token, a
/// token whose scope does not reach it, an address refused for its
/// failures), the internal error any endpoint may
/// answer, an operation ID unique across modules (`register_list`, not
/// `list`), and the status's reason as the description of an answer that
/// gives none.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token issued by the co-op, to an operator or to a person.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "discourseSignature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Discourse-Event-Signature",
                "`sha256=<hex HMAC-SHA256 of the body>` with the forum's webhook secret.",
            ))),
        );
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                if let (Some(id), Some([tag])) =
                    (&operation.operation_id, operation.tags.as_deref())
                {
                    operation.operation_id = Some(format!("{tag}_{id}"));
                }
                for (status, response) in &mut operation.responses.responses {
                    if let RefOr::T(response) = response
                        && response.description.is_empty()
                    {
                        response.description = status
                            .parse()
                            .ok()
                            .and_then(|s: StatusCode| s.canonical_reason())
                            .unwrap_or_default()
                            .to_string();
                    }
                }
                if takes_a_token(operation) {
                    answers(operation, 400, Invalid::response());
                    answers(operation, 401, Unauthorized::response());
                    answers(operation, 403, Forbidden::response());
                    answers(operation, 429, TooManyFailures::response());
                }
                answers(operation, 500, Internal::response());
            }
        }
    }
}

/// Whether the operation falls under the document's bearer requirement
/// (it sets none of its own).
fn takes_a_token(operation: &Operation) -> bool {
    operation.security.is_none()
}

/// Adds a reference to a named response unless the operation documents
/// that status itself.
fn answers(operation: &mut Operation, status: u16, (name, _): (&str, RefOr<Response>)) {
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| Ref::from_response_name(name).into());
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;
    use utoipa::OpenApi;

    use super::Document;
    use crate::api::routes;

    fn document() -> Value {
        serde_json::to_value(Document::openapi()).expect("the document is JSON")
    }

    #[test]
    fn the_document_is_openapi_3_1() {
        assert_eq!(document()["openapi"], "3.1.0");
    }

    #[test]
    fn the_document_describes_exactly_the_routes_the_router_serves() {
        let served: BTreeSet<(String, String)> = routes()
            .into_iter()
            .map(|(method, path)| (method.as_str().to_ascii_lowercase(), path.to_string()))
            .collect();
        let doc = document();
        let described: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .expect("a path item")
                    .keys()
                    .map(move |method| (method.clone(), path.clone()))
            })
            .collect();
        assert_eq!(served, described);
    }

    #[test]
    fn operation_ids_are_unique_and_every_answer_is_described() {
        let doc = document();
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().expect("an operation ID");
                assert!(ids.insert(id.to_string()), "{id} is used twice");
                for (status, response) in op["responses"].as_object().unwrap() {
                    assert!(
                        response.get("$ref").is_some()
                            || response["description"]
                                .as_str()
                                .is_some_and(|d| !d.is_empty()),
                        "{method} {path} describes its {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let pointer = r.strip_prefix('#').expect("local references only");
            assert!(doc.pointer(pointer).is_some(), "{r} resolves");
        }
    }

    #[test]
    fn every_operation_says_who_may_call_it_and_how_it_fails() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let summary = op["summary"].as_str().unwrap_or_default();
                let description = op["description"].as_str().unwrap_or_default();
                assert!(!summary.is_empty(), "{method} {path} has a summary");
                assert!(!description.is_empty(), "{method} {path} has a description");
                assert!(
                    op["responses"]["500"].is_object(),
                    "{method} {path} documents its problem responses"
                );
            }
        }
    }

    #[test]
    fn every_endpoint_but_the_document_and_the_webhook_takes_a_bearer_token() {
        let doc = document();
        assert_eq!(doc["security"], serde_json::json!([{"bearer": []}]));
        let mut exempt = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op.get("security").is_some() {
                    exempt.insert(format!("{method} {path}"));
                } else {
                    assert!(
                        op["responses"]["401"].is_object(),
                        "{method} {path} documents an unknown token"
                    );
                }
            }
        }
        let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
        let mut required = Vec::new();
        collect_security(&doc, &mut required);
        for name in required {
            assert!(schemes.contains_key(&name), "the scheme {name} is defined");
        }
        assert_eq!(
            exempt,
            BTreeSet::from([
                "get /api/v1/openapi.json".to_string(),
                "post /api/v1/forum/webhook".to_string(),
            ])
        );
    }

    /// Where an answer's schema, or a part of it, says nothing of its
    /// shape: no schema, an empty one, or an object with neither
    /// properties nor a schema for its values.
    fn untyped(
        doc: &Value,
        schema: &Value,
        at: String,
        seen: &mut BTreeSet<String>,
    ) -> Vec<String> {
        if let Some(r) = schema["$ref"].as_str() {
            if !seen.insert(r.to_string()) {
                return Vec::new();
            }
            let target = doc.pointer(&r[1..]).expect("references resolve");
            return untyped(doc, target, r.to_string(), seen);
        }
        let Some(object) = schema.as_object() else {
            return vec![format!("{at}: no schema")];
        };
        let mut found = Vec::new();
        let mut parts: Vec<(String, &Value)> = Vec::new();
        for combinator in ["allOf", "oneOf", "anyOf"] {
            for (i, s) in schema[combinator]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                parts.push((format!("{at}/{combinator}/{i}"), s));
            }
        }
        for (name, s) in schema["properties"].as_object().into_iter().flatten() {
            parts.push((format!("{at}.{name}"), s));
        }
        if let Some(items) = object.get("items") {
            parts.push((format!("{at}[]"), items));
        }
        let additional = object.get("additionalProperties");
        if let Some(values) = additional.filter(|v| v.is_object()) {
            parts.push((format!("{at}{{}}"), values));
        }
        let says_something = ["type", "allOf", "oneOf", "anyOf", "enum", "const"]
            .iter()
            .any(|k| object.contains_key(*k));
        let is_object = schema["type"] == "object"
            || schema["type"]
                .as_array()
                .is_some_and(|t| t.contains(&Value::from("object")));
        let free_form_object = is_object
            && !object.contains_key("properties")
            && additional.is_none_or(|a| a == &Value::Bool(true));
        if !says_something || free_form_object {
            found.push(format!("{at}: free-form"));
        }
        for (at, part) in parts {
            found.extend(untyped(doc, part, at, seen));
        }
        found
    }

    /// The parts of answers that are free-form on purpose, and why.
    const FREE_FORM: &[&str] = &[
        // The document itself: OpenAPI's own schema describes it.
        "get /api/v1/openapi.json 200 application/json: free-form",
    ];

    #[test]
    fn every_success_answers_a_typed_body_or_none() {
        let doc = document();
        let mut found = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, response) in op["responses"].as_object().unwrap() {
                    if !status.starts_with('2') {
                        continue;
                    }
                    let response = match response["$ref"].as_str() {
                        Some(r) => doc.pointer(&r[1..]).unwrap(),
                        None => response,
                    };
                    let at = format!("{method} {path} {status}");
                    let Some(content) = response["content"].as_object() else {
                        if status != "204" {
                            found.push(format!("{at}: no body, yet not a 204"));
                        }
                        continue;
                    };
                    for (media, c) in content {
                        let at = format!("{at} {media}");
                        found.extend(untyped(&doc, &c["schema"], at, &mut BTreeSet::new()));
                    }
                }
            }
        }
        let (meant, untyped): (Vec<_>, Vec<_>) = found
            .into_iter()
            .partition(|f| FREE_FORM.contains(&f.as_str()));
        assert!(
            untyped.is_empty(),
            "untyped answers:\n{}",
            untyped.join("\n")
        );
        assert_eq!(meant.len(), FREE_FORM.len(), "every exception is still one");
    }

    /// The names of the security schemes the document's requirements use.
    fn collect_security(doc: &Value, names: &mut Vec<String>) {
        let operations = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values());
        for requirements in std::iter::once(&doc["security"])
            .chain(operations.map(|op| &op["security"]))
            .filter_map(Value::as_array)
        {
            for requirement in requirements {
                names.extend(requirement.as_object().unwrap().keys().cloned());
            }
        }
    }

    fn collect_refs(value: &Value, refs: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    refs.push(r.clone());
                }
                map.values().for_each(|v| collect_refs(v, refs));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
            _ => {}
        }
    }
}
