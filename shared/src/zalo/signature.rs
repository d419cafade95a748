//! The `X-ZEvent-Signature` check of Zalo OA webhooks (docs/zalo.md).
//!
//! Zalo signs each event as `mac=` + lowercase hex SHA-256 of
//! `app_id + raw body + timestamp + OA secret key`, where `timestamp` is the
//! event's own `timestamp` field (milliseconds) as written in the body. The
//! hash covers the bytes exactly as received: re-serialising the JSON would
//! change whitespace or key order and break it.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::hex;

/// Lowercase hex SHA-256 over `app_id + body + timestamp + oa_secret`.
pub fn event_mac(app_id: &str, body: &[u8], timestamp: &str, oa_secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(body);
    h.update(timestamp.as_bytes());
    h.update(oa_secret.as_bytes());
    hex::encode(&h.finalize())
}

/// The header value Zalo sends for this event: `mac=<hex>`.
pub fn signature_header(app_id: &str, body: &[u8], timestamp: &str, oa_secret: &str) -> String {
    format!("mac={}", event_mac(app_id, body, timestamp, oa_secret))
}

/// Whether `header` (the `X-ZEvent-Signature` value) signs `body`. The
/// comparison takes the same time wherever the first wrong digit is, so the
/// expected MAC cannot be found one digit at a time.
pub fn signature_matches(
    header: &str,
    app_id: &str,
    body: &[u8],
    timestamp: &str,
    oa_secret: &str,
) -> bool {
    let Some(given) = header.trim().strip_prefix("mac=") else {
        return false;
    };
    let given = given.trim().to_ascii_lowercase();
    let expected = event_mac(app_id, body, timestamp, oa_secret);
    // Lengths are public (always 64 for a real MAC); only contents are compared
    // in constant time.
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"app_id":"123","event_name":"follow","timestamp":"1700000000000"}"#;

    #[test]
    fn mac_is_sha256_of_the_four_parts_in_order() {
        let joined = [b"123".as_slice(), BODY, b"1700000000000", b"s3cret"].concat();
        let expected = hex::encode(&Sha256::digest(&joined));
        assert_eq!(event_mac("123", BODY, "1700000000000", "s3cret"), expected);
        assert_eq!(expected.len(), 64);
        assert!(expected
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }

    #[test]
    fn accepts_its_own_header_and_uppercase_hex() {
        let header = signature_header("123", BODY, "1700000000000", "s3cret");
        assert!(signature_matches(
            &header,
            "123",
            BODY,
            "1700000000000",
            "s3cret"
        ));
        let upper = format!("mac={}", header[4..].to_ascii_uppercase());
        assert!(signature_matches(
            &upper,
            "123",
            BODY,
            "1700000000000",
            "s3cret"
        ));
    }

    #[test]
    fn refuses_any_change() {
        let header = signature_header("123", BODY, "1700000000000", "s3cret");
        let mut body = BODY.to_vec();
        body[10] ^= 1;
        assert!(!signature_matches(
            &header,
            "123",
            &body,
            "1700000000000",
            "s3cret"
        ));
        assert!(!signature_matches(
            &header,
            "124",
            BODY,
            "1700000000000",
            "s3cret"
        ));
        assert!(!signature_matches(
            &header,
            "123",
            BODY,
            "1700000000001",
            "s3cret"
        ));
        assert!(!signature_matches(
            &header,
            "123",
            BODY,
            "1700000000000",
            "other"
        ));
        for bad in [
            "",
            "mac=",
            &header[4..],
            "sha256=abc",
            &format!("{header}0"),
            "mac=zz",
        ] {
            assert!(
                !signature_matches(bad, "123", BODY, "1700000000000", "s3cret"),
                "{bad}"
            );
        }
    }
}
