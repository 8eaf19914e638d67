//! The platform the operations tests run on: the coop's consortium with a
//! tenant for `school` and one for `hosting`, a token of every kind, and
//! the OpenAPI document to check answers against.

#![allow(dead_code)] // each test binary uses a different part of the harness

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use store::{Act, NewTenant, TokenScope};

use crate::coop::{Consortium, Extras, OPERATOR};

/// `school`'s admin.
pub const ADMIN: &str = "sue";
/// `sue`, read-only.
pub const ADMIN_READ_ONLY: &str = "sue-read-only";
/// An operator's read-only token.
pub const OPERATOR_READ_ONLY: &str = "ops-read-only";
/// An operator's token limited to `school`.
pub const OPERATOR_SCHOOL: &str = "ops-school";
/// Admin of `hosting`, delegate of `school`, through a token limited to `school`.
pub const TWO_HATS_SCHOOL: &str = "tom-school";
/// An operator's token made before operators needed a name.
pub const NAMELESS_OPERATOR: &str = "ops-nameless";
/// `school`'s delegate (the harness names its token after the organisation).
pub const DELEGATE: &str = "school";

async fn scoped(
    c: &Consortium,
    token: &str,
    person: Option<&str>,
    read_only: bool,
    org: Option<&str>,
) {
    let scope = TokenScope {
        read_only,
        organisation: org.map(str::to_string),
    };
    c.env
        .app
        .store
        .add_scoped_token(
            token,
            person,
            "ops",
            &scope,
            &Act::new("operator:test", c.now()),
        )
        .await
        .unwrap();
}

/// The coop's consortium with a tenant for `school` and one for `hosting`,
/// and a token of every kind.
pub async fn platform(database_url: String) -> Consortium {
    let c = Consortium::with(Extras {
        database_url: Some(database_url),
        ..Extras::default()
    })
    .await;
    let store = &c.env.app.store;
    let act = Act::new("operator:test", c.now());
    for (tenant, org) in [("school-rooms", "school"), ("hosting-rooms", "hosting")] {
        store
            .create_tenant(
                NewTenant {
                    name: tenant,
                    host: None,
                    pool: None,
                    secret: &format!("{tenant}-secret"),
                },
                &act,
            )
            .await
            .unwrap();
        store
            .set_tenant_organisation(tenant, Some(org), &act)
            .await
            .unwrap();
    }
    c.person(ADMIN, "sue", Some(("school", "admin"))).await;
    c.person("tom", "tom", Some(("hosting", "admin"))).await;
    store
        .set_representative("school", "tom", "deputy", &act)
        .await
        .unwrap();
    scoped(&c, ADMIN_READ_ONLY, Some("sue"), true, None).await;
    scoped(&c, OPERATOR_READ_ONLY, None, true, None).await;
    scoped(&c, OPERATOR_SCHOOL, None, false, Some("school")).await;
    scoped(&c, TWO_HATS_SCHOOL, Some("tom"), false, Some("school")).await;
    store
        .add_token(NAMELESS_OPERATOR, None, "", &act)
        .await
        .unwrap();
    c
}

/// The OpenAPI document the app serves, to check real answers against.
pub struct Schemas(Value);

impl Schemas {
    pub async fn of(c: &Consortium) -> Self {
        Self(c.get(OPERATOR, "/api/v1/openapi.json").await)
    }

    /// The document's path template that `path` is an instance of.
    fn template(&self, path: &str) -> Option<&str> {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        self.0["paths"]
            .as_object()?
            .keys()
            .filter(|t| {
                let parts: Vec<&str> = t.split('/').collect();
                parts.len() == segments.len()
                    && parts
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t.starts_with('{') || t == s)
            })
            // A literal segment beats a parameter.
            .min_by_key(|t| t.matches('{').count())
            .map(String::as_str)
    }

    /// Whether `body`, answered with `status` to `method path`, is what
    /// the document says that answer is.
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        body: &Value,
    ) -> Result<(), String> {
        let template = self.template(path).ok_or("no such path in the document")?;
        let operation = &self.0["paths"][template][method.as_str().to_ascii_lowercase()];
        let mut response = &operation["responses"][status.as_str()];
        if let Some(r) = response["$ref"].as_str() {
            response = self.0.pointer(&r[1..]).ok_or("a dangling reference")?;
        }
        if response.is_null() {
            return Err(format!(
                "{status} is not documented for {method} {template}"
            ));
        }
        let Some(content) = response["content"].as_object() else {
            return if body.is_null() {
                Ok(())
            } else {
                Err("a body where none is documented".into())
            };
        };
        let schema = content
            .values()
            .next()
            .map(|c| c["schema"].clone())
            .ok_or("no schema")?;
        // References point into the document's components.
        let root = json!({"allOf": [schema], "components": self.0["components"]});
        let validator = jsonschema::validator_for(&root).map_err(|e| e.to_string())?;
        validator
            .validate(body)
            .map_err(|e| format!("{template}: {e}"))
    }
}

/// The fingerprint of the secret `platform` gave `tenant`.
pub fn fingerprint(tenant: &str) -> String {
    store::fingerprint(&format!("{tenant}-secret"))
}
