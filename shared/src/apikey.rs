//! API keys for issuer agencies, Open311 partner apps and registered kiosks
//! (docs/architecture.md and docs/admin.md): `iss_` (issuers, partners) or `ksk_` (kiosks) + 32 random
//! bytes in unpadded base64url, shown once, stored hashed.
//!
//! Every key holds [`Scopes`] fixed at creation (`documents`, `open311`,
//! `kiosk`); routes look the key up with [`find_key`] / [`check_key`] and
//! refuse a use outside its scopes (docs/admin.md).
//!
//! Only SHA-256 of the key is stored. A fast, unsalted hash is right here —
//! unlike for passwords — because the key carries 256 bits from a CSPRNG:
//! there is no dictionary to try, so slowing each guess buys nothing, and an
//! unsalted digest lets [`find_key`] look the key up by index.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use subtle::ConstantTimeEq;

use crate::ports::{Clock, Random, Sql, StoreError};

mod holder;
#[cfg(test)]
mod key_tests;
mod manage;
mod scope;
mod store;

pub use holder::{
    authorize, check_key, find_key, record_use, KeyCheck, KeyHolder, KeyRefused, KEY_SCOPE,
    LAST_USED_GRANULARITY_SECONDS, MESSAGES,
};
pub use manage::{get_key, list_keys, revoke_key, KeyInfo};
pub use scope::{parse_scope_list, Scope, ScopeListError, Scopes};

/// Prefix of keys for issuers and partner apps.
pub const ISSUER_KEY_PREFIX: &str = "iss";
/// Prefix of registered kiosks' keys.
pub const KIOSK_KEY_PREFIX: &str = "ksk";

const KEY_BYTES: usize = 32;
/// base64url without padding of 32 bytes.
const KEY_BODY_CHARS: usize = 43;
/// How much of the random part the display prefix reveals: 48 of 256 bits,
/// enough to tell keys apart in a list, far too little to help a guess.
const DISPLAY_BODY_CHARS: usize = 8;

/// What is stored about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHash {
    /// Lowercase hex SHA-256 of the whole plaintext key.
    pub hash: String,
    /// Non-secret start of the key for display, e.g. `iss_Ab3dEf9h`.
    pub display_prefix: String,
}

/// A new key: the plaintext to show once, and what to store.
pub fn generate(rng: &dyn Random, prefix: &str) -> (String, KeyHash) {
    let mut bytes = [0u8; KEY_BYTES];
    rng.fill(&mut bytes);
    let body = URL_SAFE_NO_PAD.encode(bytes);
    let plaintext = format!("{prefix}_{body}");
    let display_prefix = format!("{prefix}_{}", &body[..DISPLAY_BODY_CHARS.min(body.len())]);
    let hash = hash_key(&plaintext);
    (
        plaintext,
        KeyHash {
            hash,
            display_prefix,
        },
    )
}

/// Lowercase hex SHA-256 of a plaintext key.
pub fn hash_key(plaintext: &str) -> String {
    crate::hex::sha256_hex(plaintext.as_bytes())
}

/// Whether `plaintext` has the shape of a key with `prefix` (cheap check
/// before any hashing or database work).
pub fn is_well_formed(plaintext: &str, prefix: &str) -> bool {
    let Some(body) = plaintext
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('_'))
    else {
        return false;
    };
    body.len() == KEY_BODY_CHARS
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Compares a presented key against a stored hash in constant time.
pub fn key_matches(plaintext: &str, stored_hash: &str) -> bool {
    hash_key(plaintext)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// An issuer agency or partner app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// Its id.
    pub id: i64,
    /// Its code (`[a-z0-9_-]`).
    pub code: String,
    /// Its display name.
    pub name: String,
    /// Non-secret display prefix of its key.
    pub key_prefix: String,
    /// When it was created (Unix seconds).
    pub created_at: i64,
    /// When it was revoked (Unix seconds); `None` while active.
    pub revoked_at: Option<i64>,
}

/// The active issuer holding this key, if it may push documents (scope
/// `documents`); `None` for unknown, revoked and out-of-scope keys alike.
/// Routes that must answer 403 for out-of-scope keys use [`check_key`].
pub fn find_issuer_by_key(sql: &dyn Sql, plaintext: &str) -> Result<Option<Issuer>, StoreError> {
    Ok(find_key(sql, plaintext)?
        .filter(|holder| holder.allows(Scope::Documents))
        .map(|holder| holder.to_issuer()))
}

/// Revokes an issuer's key; `false` if there was no active issuer `code`.
pub fn revoke_issuer(sql: &dyn Sql, clock: &dyn Clock, code: &str) -> Result<bool, StoreError> {
    Ok(revoke_key(sql, clock, code)?.is_some_and(|(_, changed)| changed))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::testing::TestRandom;

    #[test]
    fn generated_key_has_prefix_43_char_body_and_matches_its_hash() {
        let (key, stored) = generate(&TestRandom::new(1), ISSUER_KEY_PREFIX);
        assert!(key.starts_with("iss_"));
        assert_eq!(key.len(), 4 + 43);
        assert!(is_well_formed(&key, ISSUER_KEY_PREFIX));
        assert_eq!(stored.hash, hash_key(&key));
        assert_eq!(stored.hash.len(), 64);
        assert_eq!(stored.display_prefix, key[..12]);
        assert!(key_matches(&key, &stored.hash));
        assert!(!key_matches(&format!("{key}x"), &stored.hash));
    }

    #[test]
    fn keys_differ_between_calls() {
        let rng = TestRandom::new(1);
        assert_ne!(generate(&rng, "iss").0, generate(&rng, "iss").0);
    }

    #[test]
    fn malformed_keys_are_not_well_formed() {
        let (key, _) = generate(&TestRandom::new(2), ISSUER_KEY_PREFIX);
        for bad in [
            "",
            "iss_",
            &key[..key.len() - 1],
            &format!("{key}A"),
            &key.replacen("iss_", "isx_", 1),
            &key.replacen("iss_", "iss-", 1),
            &format!("iss_{}", "+".repeat(43)),
        ] {
            assert!(!is_well_formed(bad, ISSUER_KEY_PREFIX), "{bad}");
        }
    }
}
