//! The JWTs of BBB's callbacks: recording-ready carries `{meeting_id,
//! record_id}` signed HS256, analytics a bearer `{exp}` signed HS512, each
//! with the secret of the endpoint that created the meeting. Plenary checks
//! them with the server's secret and signs its own with the tenant's.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// How long a re-signed analytics bearer is valid, as BBB makes them.
const ANALYTICS_VALIDITY_SECS: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct RecordingReady {
    pub meeting_id: String,
    pub record_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Expiry {
    exp: i64,
}

/// Only this algorithm, so a token cannot choose a weaker one (or none).
fn validation(algorithm: Algorithm, expires: bool) -> Validation {
    let mut v = Validation::new(algorithm);
    v.required_spec_claims.clear();
    v.validate_exp = expires;
    if expires {
        v.required_spec_claims.insert("exp".into());
    }
    v
}

pub(super) fn verify_recording_ready(
    token: &str,
    secret: &str,
) -> Result<RecordingReady, jsonwebtoken::errors::Error> {
    jsonwebtoken::decode::<RecordingReady>(
        token,
        &DecodingKey::from_secret(secret.as_bytes())?,
        &validation(Algorithm::HS256, false),
    )
    .map(|d| d.claims)
}

pub(super) fn sign_recording_ready(
    claims: &RecordingReady,
    secret: &str,
) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes())?,
    )
}

/// Checks an analytics bearer, unexpired.
pub(super) fn verify_analytics(
    token: &str,
    secret: &str,
) -> Result<(), jsonwebtoken::errors::Error> {
    jsonwebtoken::decode::<Expiry>(
        token,
        &DecodingKey::from_secret(secret.as_bytes())?,
        &validation(Algorithm::HS512, true),
    )
    .map(|_| ())
}

pub(super) fn sign_analytics(
    secret: &str,
    now_secs: i64,
) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &Expiry {
            exp: now_secs + ANALYTICS_VALIDITY_SECS,
        },
        &EncodingKey::from_secret(secret.as_bytes())?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> RecordingReady {
        RecordingReady {
            meeting_id: "room~acme".into(),
            record_id: "abc-1".into(),
        }
    }

    #[test]
    fn a_recording_ready_token_verifies_only_with_its_secret() {
        let token = sign_recording_ready(&claims(), "server").unwrap();
        assert_eq!(verify_recording_ready(&token, "server").unwrap(), claims());
        assert!(verify_recording_ready(&token, "other").is_err());
        assert!(verify_recording_ready("not.a.jwt", "server").is_err());
    }

    #[test]
    fn a_token_of_another_algorithm_is_refused() {
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims(),
            &EncodingKey::from_secret(b"server").unwrap(),
        )
        .unwrap();
        assert!(verify_recording_ready(&hs512, "server").is_err());
        let hs256 = sign_recording_ready(&claims(), "server").unwrap();
        assert!(verify_analytics(&hs256, "server").is_err());
    }

    #[test]
    fn an_analytics_bearer_must_be_unexpired() {
        let now = jiff::Timestamp::now().as_second();
        let fresh = sign_analytics("server", now).unwrap();
        assert!(verify_analytics(&fresh, "server").is_ok());
        assert!(verify_analytics(&fresh, "other").is_err());
        let stale = sign_analytics("server", now - 2 * ANALYTICS_VALIDITY_SECS).unwrap();
        assert!(verify_analytics(&stale, "server").is_err());
    }
}
