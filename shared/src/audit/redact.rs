//! Keeping secrets and full phone numbers out of the audit log.
//!
//! The log is read back by citizens (their access log) and auditors, and it
//! can never be edited, so a secret written once would stay forever.
//! Callers must pass masked phones ([`mask_phone`]) and never tokens, OTP
//! codes or keys; [`redact_secrets`] is a last line of defence for the
//! obvious key names, not a licence to pass secrets.

use serde_json::Value;

/// Object keys whose values are replaced by `"[redacted]"` wherever they
/// appear in `detail`. Matched case-insensitively.
const SECRET_KEYS: &[&str] = &[
    "token",
    "session_token",
    "access_token",
    "refresh_token",
    "otp",
    "otp_code",
    "secret",
    "secret_key",
    "api_key",
    "apikey",
    "password",
    "pepper",
    "authorization",
];

/// What a secret-looking value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Replaces the values of secret-looking keys, at any depth.
pub fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let lower = k.to_ascii_lowercase();
                if SECRET_KEYS.contains(&lower.as_str()) {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    redact_secrets(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// `+84905123456` → `+8490*****56`: enough for a person to recognise their
/// own number, not enough to dial it. Anything shorter than 8 characters is
/// masked entirely.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head = 5.min(chars.len());
    let tail = 2;
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_keys_are_redacted_at_any_depth() {
        let mut v =
            json!({"Token": "abc", "n": {"otp": "123456", "ok": 1}, "l": [{"api_key": "k"}]});
        redact_secrets(&mut v);
        assert_eq!(
            v,
            json!({"Token": REDACTED, "n": {"otp": REDACTED, "ok": 1}, "l": [{"api_key": REDACTED}]})
        );
    }

    #[test]
    fn phone_mask_keeps_prefix_and_last_two_digits() {
        assert_eq!(mask_phone("+84905123456"), "+8490*****56");
        assert_eq!(mask_phone("123"), "***");
    }
}
