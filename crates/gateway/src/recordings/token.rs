//! The token a server's post-publish script sends with an upload: a JWT
//! HS256 `{server, record_id, exp}` signed with that server's own BBB
//! secret. `server` names the server (its API URL's host, with a port
//! unless it is the scheme's default), so Plenary knows which secret to
//! check with; the check itself is aws-lc's HMAC verification, which
//! compares in constant time.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadClaims {
    pub server: String,
    pub record_id: String,
    /// Seconds since the epoch.
    pub exp: i64,
}

/// The server a token says it comes from, before anything is verified:
/// only to choose the secret to verify it with.
pub fn claimed_server(token: &str) -> Option<String> {
    jsonwebtoken::dangerous::insecure_decode_claims::<UploadClaims>(token)
        .ok()
        .map(|c| c.server)
}

pub fn verify(token: &str, secret: &str) -> Result<UploadClaims, jsonwebtoken::errors::Error> {
    let mut v = Validation::new(Algorithm::HS256);
    v.required_spec_claims.clear();
    v.required_spec_claims.insert("exp".into());
    v.leeway = 60;
    jsonwebtoken::decode::<UploadClaims>(token, &DecodingKey::from_secret(secret.as_bytes())?, &v)
        .map(|d| d.claims)
}

/// What the post-publish script does, for the simulator and tests.
pub fn sign(claims: &UploadClaims, secret: &str) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes())?,
    )
}

/// How a server is named in tokens: `host` or `host:port`.
pub fn server_name(api_url: &str) -> Option<String> {
    let url = url::Url::parse(api_url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> UploadClaims {
        UploadClaims {
            server: "bbb1.example:8443".into(),
            record_id: "r-1".into(),
            exp,
        }
    }

    #[test]
    fn a_token_verifies_only_with_its_servers_secret_and_unexpired() {
        let now = jiff::Timestamp::now().as_second();
        let token = sign(&claims(now + 600), "server-secret").unwrap();
        assert_eq!(claimed_server(&token).as_deref(), Some("bbb1.example:8443"));
        assert_eq!(verify(&token, "server-secret").unwrap(), claims(now + 600));
        assert!(verify(&token, "other").is_err());
        let stale = sign(&claims(now - 3600), "server-secret").unwrap();
        assert!(verify(&stale, "server-secret").is_err());
        assert!(claimed_server("not a token").is_none());
    }

    #[test]
    fn servers_are_named_by_host_and_port() {
        assert_eq!(
            server_name("https://BBB1.example/bigbluebutton/api").as_deref(),
            Some("bbb1.example")
        );
        assert_eq!(
            server_name("http://127.0.0.1:4000/bigbluebutton/api").as_deref(),
            Some("127.0.0.1:4000")
        );
        assert_eq!(server_name("not a url"), None);
    }
}
