//! PKCE (RFC 7636), S256 only: every client, public or confidential, must
//! send a challenge, and `plain` is refused — it protects nothing when the
//! authorization request itself can be read.

use subtle::ConstantTimeEq;

use crate::identity::secret::{b64url, sha256};

/// Whether `challenge` has the shape of an S256 challenge: 43 base64url
/// characters (a SHA-256 without padding).
pub fn plausible_challenge(challenge: &str) -> bool {
    challenge.len() == 43 && challenge.bytes().all(is_b64url)
}

/// Whether `verifier` (43–128 unreserved characters, RFC 7636 §4.1) hashes
/// to `challenge`.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    let shaped = (43..=128).contains(&verifier.len()) && verifier.bytes().all(is_unreserved);
    if !shaped {
        return false;
    }
    let computed = b64url(&sha256(verifier.as_bytes()));
    computed.as_bytes().ct_eq(challenge.as_bytes()).into()
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifies() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(plausible_challenge(challenge));
        assert!(verifies(verifier, challenge));
        assert!(!verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
            challenge
        ));
    }

    #[test]
    fn short_or_odd_verifiers_and_plain_challenges_are_refused() {
        let verifier = "a".repeat(42);
        let challenge = b64url(&sha256(verifier.as_bytes()));
        assert!(!verifies(&verifier, &challenge), "shorter than 43");
        let spaced = format!("{} ", "a".repeat(43));
        assert!(!verifies(&spaced, &b64url(&sha256(spaced.as_bytes()))));
        // A `plain` challenge is the verifier itself: 43+ characters that
        // are not a hash only pass the shape check by accident of length.
        assert!(!plausible_challenge(&"a".repeat(44)));
        assert!(!plausible_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw=cM"
        ));
    }
}
