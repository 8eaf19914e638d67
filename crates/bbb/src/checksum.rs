//! Checksums exactly as a BBB server computes and checks them: a plain hash of
//! `call + query + secret` (not an HMAC), the algorithm chosen by the length of
//! the hex the client sent, compared case-insensitively and in constant time.

use std::fmt;
use std::str::FromStr;

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use crate::params::Params;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    pub const ALL: [Algorithm; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// BBB picks the algorithm from the length of the supplied hex.
    pub fn from_hex_len(len: usize) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.hex_len() == len)
    }

    pub fn hex_len(self) -> usize {
        match self {
            Self::Sha1 => 40,
            Self::Sha256 => 64,
            Self::Sha384 => 96,
            Self::Sha512 => 128,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Lower-case hex digest of the concatenated parts.
    pub fn hex_digest(self, parts: &[&[u8]]) -> String {
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            hex::encode(d.finalize())
        }
        match self {
            Self::Sha1 => run::<Sha1>(parts),
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha384 => run::<Sha384>(parts),
            Self::Sha512 => run::<Sha512>(parts),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown checksum algorithm {0:?} (expected sha1, sha256, sha384 or sha512)")]
pub struct UnknownAlgorithm(String);

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// Accepts `sha256`, `SHA256` and `sha-256` alike, as operators write all three.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|a| a.name() == norm)
            .ok_or_else(|| UnknownAlgorithm(s.to_string()))
    }
}

/// The algorithms a tenant (or the whole gateway) accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlgorithmSet(u8);

impl AlgorithmSet {
    pub fn all() -> Self {
        Self::ALL_BITS
    }

    const ALL_BITS: Self = Self(0b1111);

    pub fn only(algs: &[Algorithm]) -> Self {
        Self(algs.iter().fold(0, |bits, a| bits | Self::bit(*a)))
    }

    fn bit(a: Algorithm) -> u8 {
        1 << Algorithm::ALL.iter().position(|x| *x == a).unwrap_or(0)
    }

    pub fn contains(self, a: Algorithm) -> bool {
        self.0 & Self::bit(a) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }

    /// The strongest allowed algorithm: what Scalelite signs backend calls with
    /// when `LOADBALANCER_CHECKSUM_ALGORITHM` is set.
    pub fn strongest(self) -> Option<Algorithm> {
        self.iter().last()
    }
}

impl Default for AlgorithmSet {
    fn default() -> Self {
        Self::all()
    }
}

impl FromStr for AlgorithmSet {
    type Err = UnknownAlgorithm;

    /// Scalelite writes `SHA1:SHA256`, BBB's properties write `sha1,sha256`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let algs = s
            .split([':', ',', ' '])
            .filter(|p| !p.is_empty())
            .map(Algorithm::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        if algs.is_empty() {
            return Err(UnknownAlgorithm(s.to_string()));
        }
        Ok(Self::only(&algs))
    }
}

impl fmt::Display for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.iter().map(Algorithm::name).collect();
        f.write_str(&names.join(","))
    }
}

/// `hex(HASH(call + query + secret))`.
pub fn sign(alg: Algorithm, call: &str, query: &str, secret: &str) -> String {
    alg.hex_digest(&[call.as_bytes(), query.as_bytes(), secret.as_bytes()])
}

/// Cuts the checksum pair out of a raw query string the way BBB does: by plain
/// string replacement of `&checksum=V`, then `checksum=V&`, then `checksum=V`,
/// so the remaining bytes are exactly what the client signed.
pub fn strip_checksum(raw_query: &str) -> (String, Option<String>) {
    let Some(value) = raw_query
        .split('&')
        .find_map(|pair| pair.strip_prefix("checksum="))
        .map(str::to_string)
    else {
        return (raw_query.to_string(), None);
    };
    let stripped = raw_query
        .replace(&format!("&checksum={value}"), "")
        .replace(&format!("checksum={value}&"), "")
        .replace(&format!("checksum={value}"), "");
    (stripped, Some(value))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChecksumError {
    #[error("no checksum was supplied")]
    Missing,
    #[error("the checksum's length matches no allowed algorithm")]
    UnsupportedAlgorithm,
    #[error("checksums do not match")]
    Mismatch,
    #[error("the checksum covers the URL but not the parameters in the POST body")]
    UnsignedBody,
    #[error("a parameter appears both in the URL and in the POST body")]
    Duplicated,
}

/// What a client sent: the raw query string, and the form fields of a POST body
/// if it carried parameters there.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub call: &'a str,
    pub raw_query: &'a str,
    pub body_params: Option<&'a Params>,
}

/// Verifies a request against any of `secrets` (several secrets make rotation
/// possible without downtime). Returns the algorithm the client used.
///
/// Success means the checksum covers every parameter sent. Without form
/// fields in a POST body that is the raw query string. With them, it is
/// BBB 2.x's rule: all parameters sorted by key, form-encoded. BBB 3.0's
/// rule for such a POST (the checksum over the URL query string alone)
/// leaves the body unsigned, so anyone holding one signed URL could add
/// fields to it; it is refused as [`ChecksumError::UnsignedBody`]. As on
/// BBB, a parameter both in the URL and in the body is refused.
pub fn verify<'s>(
    req: SignedRequest<'_>,
    secrets: impl IntoIterator<Item = &'s str>,
    allowed: AlgorithmSet,
) -> Result<Algorithm, ChecksumError> {
    let (query_without, from_query) = strip_checksum(req.raw_query);
    let body = req
        .body_params
        .filter(|p| p.iter().any(|(k, _)| k != "checksum"));
    let supplied = from_query
        .or_else(|| {
            req.body_params
                .and_then(|p| p.get("checksum").map(str::to_string))
        })
        .filter(|c| !c.is_empty())
        .ok_or(ChecksumError::Missing)?
        .to_ascii_lowercase();
    let alg = Algorithm::from_hex_len(supplied.len())
        .filter(|a| allowed.contains(*a))
        .ok_or(ChecksumError::UnsupportedAlgorithm)?;

    let signed = match body {
        None => query_without.clone(),
        Some(body) => {
            let mut all = Params::parse(req.raw_query);
            all.remove("checksum");
            if body.iter().any(|(k, _)| all.contains(k)) {
                return Err(ChecksumError::Duplicated);
            }
            all.extend(body.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            all.remove("checksum");
            all.sorted_by_key().encode()
        }
    };

    // Every secret is compared, so timing tells nothing about which matched.
    let secrets: Vec<&str> = secrets.into_iter().collect();
    let matches = |query: &str| {
        let mut matched = subtle::Choice::from(0);
        for secret in &secrets {
            let expected = sign(alg, req.call, query, secret);
            matched |= expected.as_bytes().ct_eq(supplied.as_bytes());
        }
        bool::from(matched)
    };
    if matches(&signed) {
        Ok(alg)
    } else if body.is_some() && matches(&query_without) {
        Err(ChecksumError::UnsignedBody)
    } else {
        Err(ChecksumError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_signs_to_the_documented_sha1() {
        let q = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444";
        assert_eq!(
            sign(
                Algorithm::Sha1,
                "create",
                q,
                "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
            ),
            "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
        );
    }

    #[test]
    fn stripping_keeps_the_other_bytes_exactly() {
        assert_eq!(
            strip_checksum("a=1&checksum=abc&b=%20x"),
            ("a=1&b=%20x".to_string(), Some("abc".to_string()))
        );
        assert_eq!(
            strip_checksum("checksum=abc&a=1"),
            ("a=1".to_string(), Some("abc".to_string()))
        );
        assert_eq!(
            strip_checksum("checksum=abc"),
            (String::new(), Some("abc".to_string()))
        );
        assert_eq!(strip_checksum("a=1"), ("a=1".to_string(), None));
    }

    fn post(raw_query: &str, body: &str) -> Result<Algorithm, ChecksumError> {
        verify(
            SignedRequest {
                call: "create",
                raw_query,
                body_params: Some(&Params::parse(body)),
            },
            ["s3cret"],
            AlgorithmSet::all(),
        )
    }

    #[test]
    fn body_parameters_verify_only_when_the_checksum_covers_them() {
        let sorted = sign(Algorithm::Sha256, "create", "meetingID=m&name=n", "s3cret");
        assert_eq!(
            post(&format!("checksum={sorted}"), "name=n&meetingID=m"),
            Ok(Algorithm::Sha256),
            "BBB 2.x: every parameter, sorted by key"
        );
        let url_only = sign(Algorithm::Sha256, "create", "meetingID=m", "s3cret");
        assert_eq!(
            post(&format!("meetingID=m&checksum={url_only}"), "moderatorPW=x"),
            Err(ChecksumError::UnsignedBody),
            "a signed URL replayed with fields added in the body"
        );
        let empty = sign(Algorithm::Sha256, "create", "", "s3cret");
        assert_eq!(
            post(&format!("checksum={empty}"), "meetingID=m"),
            Err(ChecksumError::UnsignedBody),
            "BBB 3.0: a checksum over an empty query signs no body field"
        );
        let both = sign(
            Algorithm::Sha256,
            "create",
            "meetingID=m&meetingID=n",
            "s3cret",
        );
        assert_eq!(
            post(&format!("meetingID=m&checksum={both}"), "meetingID=n"),
            Err(ChecksumError::Duplicated)
        );
        assert_eq!(
            post(&format!("meetingID=m&checksum={url_only}"), ""),
            Ok(Algorithm::Sha256),
            "an empty form body adds nothing"
        );
    }

    #[test]
    fn algorithm_sets_parse_scalelite_and_bbb_spellings() {
        let s: AlgorithmSet = "SHA1:SHA256".parse().unwrap();
        assert!(s.contains(Algorithm::Sha1) && s.contains(Algorithm::Sha256));
        assert!(!s.contains(Algorithm::Sha512));
        let t: AlgorithmSet = "sha-384,sha512".parse().unwrap();
        assert_eq!(t.strongest(), Some(Algorithm::Sha512));
        assert!("md5".parse::<AlgorithmSet>().is_err());
        assert!("".parse::<AlgorithmSet>().is_err());
    }
}
