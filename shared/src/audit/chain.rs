//! How an audit entry is hashed — the part an auditor needs to recompute.
//!
//! # Encoding (version `cds-audit-v1`)
//!
//! Every field is written as a *netstring*: the field's length in bytes as
//! ASCII decimal, `:`, the UTF-8 bytes, `,` (e.g. `"login"` → `5:login,`).
//! The message is the concatenation, in this order, of:
//!
//! 1. `12:cds-audit-v1,` (the version tag)
//! 2. `prev_hash` — 64 lowercase hex chars; `"0"×64` for the first entry
//! 3. `seq` — decimal, no sign or leading zeros (first entry is `1`)
//! 4. `at` — Unix seconds, decimal (`-` sign if ever negative)
//! 5. `actor`
//! 6. `action`
//! 7. `subject` — a netstring, or the single byte `~` when the column is
//!    NULL (a netstring always starts with a digit, so `~` is unambiguous and
//!    distinct from the empty string `0:,`)
//! 8. `detail` — the stored text of the `detail` column, as is
//!
//! `hash` = lowercase hex of SHA-256(message). Because the length of every
//! field is part of the message, no two different entries encode the same.
//!
//! `detail` is stored as canonical JSON (see [`canonical_json`]): objects
//! with keys sorted by their UTF-8 bytes, no insignificant whitespace,
//! strings and numbers as serde_json writes them. The hash is over the stored
//! text, so an auditor never has to re-canonicalise.

use serde_json::Value;

use crate::hex;

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const VERSION_TAG: &str = "cds-audit-v1";

/// The hashed fields of one entry, borrowed from wherever they live.
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    /// The previous row's hash (the genesis hash for the first).
    pub prev_hash: &'a str,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened (Unix seconds).
    pub at: i64,
    /// Who acted (see [`Actor`](crate::audit::Actor)).
    pub actor: &'a str,
    /// What happened (one of [`action`](crate::audit::action)).
    pub action: &'a str,
    /// The citizen the event is about, if any.
    pub subject: Option<&'a str>,
    /// Details (never secrets).
    pub detail: &'a str,
}

/// Appends `field` as a netstring (`<len>:<bytes>,`); also the framing of
/// the checkpoint MAC's input (`checkpoint.rs`).
pub(super) fn netstring(out: &mut Vec<u8>, field: &[u8]) {
    out.extend_from_slice(field.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(field);
    out.push(b',');
}

/// The exact bytes that are hashed (see the module docs).
pub fn encode(input: &HashInput<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + input.detail.len());
    netstring(&mut out, VERSION_TAG.as_bytes());
    netstring(&mut out, input.prev_hash.as_bytes());
    netstring(&mut out, input.seq.to_string().as_bytes());
    netstring(&mut out, input.at.to_string().as_bytes());
    netstring(&mut out, input.actor.as_bytes());
    netstring(&mut out, input.action.as_bytes());
    match input.subject {
        Some(s) => netstring(&mut out, s.as_bytes()),
        None => out.push(b'~'),
    }
    netstring(&mut out, input.detail.as_bytes());
    out
}

/// Lowercase hex SHA-256 of [`encode`].
pub fn entry_hash(input: &HashInput<'_>) -> String {
    hex::sha256_hex(&encode(input))
}

/// Canonical JSON text: keys sorted bytewise at every depth, no whitespace.
///
/// Written by hand rather than relying on serde_json's default `BTreeMap`,
/// because any crate in a build enabling serde_json's `preserve_order`
/// feature would silently change the order — and with it every hash.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&mut out, value);
    out
}

fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(out, v);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, v);
            }
            out.push(']');
        }
        // Scalars: serde_json's own compact rendering.
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;
    use sha2::{Digest, Sha256};

    #[test]
    fn encoding_is_length_prefixed_in_documented_order() {
        let bytes = encode(&HashInput {
            prev_hash: GENESIS_HASH,
            seq: 1,
            at: 1_700_000_000,
            actor: "citizen:42",
            action: "login",
            subject: Some("42"),
            detail: "{}",
        });
        let expected = format!(
            "12:cds-audit-v1,64:{GENESIS_HASH},1:1,10:1700000000,10:citizen:42,5:login,2:42,2:{{}},"
        );
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    }

    #[test]
    fn null_subject_differs_from_empty_subject() {
        let base = HashInput {
            prev_hash: GENESIS_HASH,
            seq: 1,
            at: 0,
            actor: "admin",
            action: "x",
            subject: None,
            detail: "{}",
        };
        let empty = HashInput {
            subject: Some(""),
            ..base
        };
        assert_ne!(entry_hash(&base), entry_hash(&empty));
        assert!(String::from_utf8(encode(&base))
            .unwrap()
            .contains(",~2:{},"));
    }

    #[test]
    fn hash_is_sha256_hex_of_encoding() {
        let input = HashInput {
            prev_hash: GENESIS_HASH,
            seq: 7,
            at: 5,
            actor: "a",
            action: "b",
            subject: None,
            detail: "{}",
        };
        let h = entry_hash(&input);
        assert_eq!(h.len(), 64);
        assert!(h
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        let expected = Sha256::digest(encode(&input));
        assert_eq!(h, hex::encode(&expected));
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_without_spaces() {
        let v = json!({"b": 1, "a": {"z": [true, null, {"y": "ế", "x": 1.5}], "c": "q\""}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":"q\"","z":[true,null,{"x":1.5,"y":"ế"}]},"b":1}"#
        );
    }
}
