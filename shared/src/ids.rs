//! Unguessable identifiers: a short type prefix (`cit_`, `doc_`, `apt_`…)
//! followed by fresh random bytes, and the cheap shape check done before an
//! id from outside reaches SQL.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::ports::Random;

/// `prefix` + `bytes` random bytes in base64url (no padding). 16 bytes give
/// the 128 bits that make an id safe to use as a capability.
pub fn random_id(random: &dyn Random, prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    random.fill(&mut buf);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(&buf))
}

/// `prefix` + `bytes` random bytes as lower-case hex (appointments' slot and
/// booking ids, which are read aloud at a desk and so avoid mixed case).
pub fn random_hex_id(random: &dyn Random, prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    random.fill(&mut buf);
    format!("{prefix}{}", crate::hex::encode(&buf))
}

/// Whether `s` could be an id we issued. Checked before touching the store so
/// that garbage (or megabytes) never reaches SQL.
pub fn plausible_id(s: &str, prefix: &str, max_len: usize) -> bool {
    s.len() <= max_len
        && s.starts_with(prefix)
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::SeededRandom;

    #[test]
    fn ids_carry_their_prefix_and_enough_randomness() {
        let r = SeededRandom::new(1);
        let id = random_id(&r, "doc_", 16);
        assert!(id.starts_with("doc_") && id.len() == 4 + 22, "{id}");
        assert_ne!(random_id(&r, "doc_", 16), id);
        let hex = random_hex_id(&r, "apt_", 10);
        assert!(hex.len() == 4 + 20 && hex[4..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(plausible_id(&id, "doc_", 40));
        assert!(!plausible_id("doc_x;drop", "doc_", 40));
        assert!(!plausible_id(&id, "sh_", 40));
    }
}
