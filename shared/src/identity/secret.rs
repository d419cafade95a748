//! Unguessable identifiers and tokens, and the hashes stored in their place.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::ports::Random;

/// `prefix` + `bytes` random bytes in base64url (no padding). 16 bytes give
/// the 128 bits that make an id safe to use as a capability.
pub(crate) fn random_id(random: &dyn Random, prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    random.fill(&mut buf);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(&buf))
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// base64url without padding, for values derived from secrets.
pub(crate) fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Whether `s` could be an id we issued. Checked before touching the store so
/// that garbage (or megabytes) never reaches SQL.
pub(crate) fn plausible_id(s: &str, prefix: &str, max_len: usize) -> bool {
    s.len() <= max_len
        && s.starts_with(prefix)
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
