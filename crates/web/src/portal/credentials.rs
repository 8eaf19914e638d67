//! What proves who a person is: an argon2id password hash, a TOTP code, and
//! the random tokens of cookies, forms and one-time links. Pure functions;
//! the store keeps only their hashes.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use subtle::ConstantTimeEq;

pub use consortium::access_links::random_token;

/// The shortest password the portal accepts.
pub const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("a password needs at least {MIN_PASSWORD_LEN} characters")]
    PasswordTooShort,
    #[error("the password could not be hashed")]
    Hashing,
    #[error("a TOTP secret is base32 of at least 16 bytes")]
    BadTotpSecret,
}

/// The argon2id PHC string of `password`, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, CredentialError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(CredentialError::PasswordTooShort);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| CredentialError::Hashing)
}

/// Whether `password` matches `hash`; an account without a password (or
/// no account at all) takes as long to refuse as a wrong password, so the
/// answer's timing does not tell which e-mail addresses have logins.
pub fn password_matches(password: &str, hash: Option<&str>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    let decoy = DECOY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no such password, ever")
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let checked = hash.unwrap_or(decoy);
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), checked)
        .is_ok();
    matches && hash.is_some()
}

fn totp(secret: &str) -> Result<totp_rs::Totp, CredentialError> {
    let secret =
        totp_rs::Secret::try_from_base32(secret).map_err(|_| CredentialError::BadTotpSecret)?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .map_err(|_| CredentialError::BadTotpSecret)
}

/// Whether `code` is the RFC 6238 code (SHA-1, 6 digits, 30 s, one step
/// of skew) of `secret` at `now_ms`.
pub fn totp_matches(secret: &str, code: &str, now_ms: i64) -> bool {
    let secs = u64::try_from(now_ms / 1000).unwrap_or_default();
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret).is_ok_and(|t| t.check(&code, secs).is_some())
}

/// The current code of `secret`, for the demo and the tests.
pub fn totp_code(secret: &str, now_ms: i64) -> Result<String, CredentialError> {
    let secs = u64::try_from(now_ms / 1000).unwrap_or_default();
    Ok(totp(secret)?.generate(secs).to_string())
}

/// A fresh base32 TOTP secret of 20 bytes, as authenticator apps take it.
pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    totp_rs::Secret::from(bytes).to_base32()
}

/// Compares a token from a request with the expected one in constant time.
pub fn same_token(given: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", Some(&hash)));
        assert!(!password_matches("correct horse batterz", Some(&hash)));
        assert!(!password_matches("correct horse battery", None));
    }

    #[test]
    fn a_short_password_is_refused() {
        assert_eq!(
            hash_password("short"),
            Err(CredentialError::PasswordTooShort)
        );
    }

    #[test]
    fn a_totp_code_is_accepted_in_its_window_and_one_step_around_it() {
        let secret = new_totp_secret();
        let now = 1_767_603_600_000;
        let code = totp_code(&secret, now).unwrap();
        assert!(totp_matches(&secret, &code, now));
        assert!(totp_matches(&secret, &code, now + 30_000));
        assert!(!totp_matches(&secret, &code, now + 120_000));
        assert!(!totp_matches(&secret, "000000x", now));
    }
}
