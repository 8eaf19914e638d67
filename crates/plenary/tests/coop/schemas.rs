//! The OpenAPI document the app serves, to check real answers against the
//! schemas generated from the code.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::Consortium;

pub struct Schemas(Value);

impl Schemas {
    /// The document as `GET /api/v1/openapi.json` answers it, no token needed.
    pub async fn of(c: &Consortium) -> Self {
        let response = c
            .http
            .get(c.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        let (status, doc) = super::read(response).await;
        assert_eq!(status, StatusCode::OK, "{doc}");
        Self(doc)
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
        // A text answer (a calendar, a ballot file) is read as a string.
        let Some(schema) = content
            .iter()
            .find(|(media, _)| media.ends_with("json"))
            .map(|(_, c)| c["schema"].clone())
        else {
            return if body.is_string() {
                Ok(())
            } else {
                Err(format!("{template}: JSON where text is documented"))
            };
        };
        // References point into the document's components.
        let root = json!({"allOf": [schema], "components": self.0["components"]});
        let validator = jsonschema::validator_for(&root).map_err(|e| e.to_string())?;
        validator
            .validate(body)
            .map_err(|e| format!("{template}: {e}"))
    }

    /// Calls the API as `c.call` does and fails the test unless the answer
    /// is as documented.
    pub async fn call(
        &self,
        c: &Consortium,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (status, answer) = c.call(token, method.clone(), path, body).await;
        if let Err(e) = self.check(&method, path, status, &answer) {
            panic!("{method} {path} answered {status} {answer}, not as documented: {e}");
        }
        (status, answer)
    }
}
