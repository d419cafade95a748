//! Pairwise subject identifiers (OpenID Connect Core §8.1): each city
//! service sees its own `sub` for a citizen, so two services cannot join
//! their users by it, and the platform's own account ids never leave it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::identity::secret::b64url;

/// The `sub` client `client_id` sees for `account_id`: HMAC-SHA256 under a
/// key derived from `token_secret`, base64url. Stable for as long as the
/// secret is; the client id is the sector (docs/sso.md says why not the
/// redirect host).
pub fn pairwise(token_secret: &[u8], client_id: &str, account_id: &str) -> String {
    // The new key is a MAC of a fixed label, as for audit checkpoints, so
    // the token secret itself never keys two different uses.
    let key = mac(token_secret, &[b"cds sso pairwise subject v1"]);
    b64url(&mac(
        &key,
        &[client_id.as_bytes(), b"\0", account_id.as_bytes()],
    ))
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    for part in parts {
        m.update(part);
    }
    m.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_citizen_has_a_different_stable_sub_per_service() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let a = pairwise(secret, "rp_portal", "cit_1");
        assert_eq!(a, pairwise(secret, "rp_portal", "cit_1"));
        assert_ne!(a, pairwise(secret, "rp_hospital", "cit_1"));
        assert_ne!(a, pairwise(secret, "rp_portal", "cit_2"));
        assert_ne!(
            a,
            pairwise(b"another secret of thirty-two byte", "rp_portal", "cit_1")
        );
        assert!(!a.contains("cit_"));
        // Separator: ("rp_a", "bcit") and ("rp_ab", "cit") differ.
        assert_ne!(
            pairwise(secret, "rp_a", "bcit"),
            pairwise(secret, "rp_ab", "cit")
        );
    }
}
