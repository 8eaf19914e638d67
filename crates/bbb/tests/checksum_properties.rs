//! Checksums sign and verify as a round trip, for any query and secret, and
//! any change to what was signed is caught.

use bbb::checksum::{Algorithm, SignedRequest, sign, verify};
use bbb::{AlgorithmSet, Params};
use proptest::prelude::*;

fn with_checksum(query: &str, checksum: &str) -> String {
    if query.is_empty() {
        format!("checksum={checksum}")
    } else {
        format!("{query}&checksum={checksum}")
    }
}

fn check(call: &str, raw: &str, secrets: &[&str]) -> Result<Algorithm, bbb::ChecksumError> {
    verify(
        SignedRequest {
            call,
            raw_query: raw,
            body_params: None,
        },
        secrets.iter().copied(),
        AlgorithmSet::all(),
    )
}

fn query() -> impl Strategy<Value = String> {
    proptest::collection::vec(("[a-zA-Z][a-zA-Z0-9_-]{0,12}", "\\PC{0,20}"), 0..6).prop_map(
        |pairs| {
            let p: Params = pairs.into_iter().filter(|(k, _)| k != "checksum").collect();
            p.encode()
        },
    )
}

proptest! {
    #[test]
    fn what_is_signed_verifies(
        call in "[a-zA-Z]{1,20}",
        q in query(),
        secret in "[ -~]{1,40}",
        alg in proptest::sample::select(&Algorithm::ALL[..]),
        upper in any::<bool>(),
    ) {
        let mut sum = sign(alg, &call, &q, &secret);
        if upper {
            sum = sum.to_uppercase();
        }
        prop_assert_eq!(check(&call, &with_checksum(&q, &sum), &["other-secret", &secret]), Ok(alg));
    }

    #[test]
    fn another_secret_call_or_query_does_not_verify(
        call in "[a-zA-Z]{1,20}",
        q in query(),
        secret in "[ -~]{1,40}",
        alg in proptest::sample::select(&Algorithm::ALL[..]),
    ) {
        let sum = sign(alg, &call, &q, &secret);
        let raw = with_checksum(&q, &sum);
        // prop_assert! reads its condition as a format string: no braces in it.
        let other_secret = format!("{secret}x");
        let other_call = format!("{call}x");
        prop_assert!(check(&call, &raw, &[&other_secret]).is_err());
        prop_assert!(check(&other_call, &raw, &[&secret]).is_err());
        let tampered = with_checksum(&format!("{q}&x=1"), &sum);
        prop_assert!(check(&call, &tampered, &[&secret]).is_err());
    }

    #[test]
    fn refused_algorithms_never_verify(
        q in query(),
        alg in proptest::sample::select(&Algorithm::ALL[..]),
    ) {
        let sum = sign(alg, "create", &q, "s3cret");
        let others: Vec<Algorithm> = Algorithm::ALL.into_iter().filter(|a| *a != alg).collect();
        let result = verify(
            SignedRequest { call: "create", raw_query: &with_checksum(&q, &sum), body_params: None },
            ["s3cret"],
            AlgorithmSet::only(&others),
        );
        prop_assert_eq!(result, Err(bbb::ChecksumError::UnsupportedAlgorithm));
    }
}
