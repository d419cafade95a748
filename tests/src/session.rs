//! Logging people in for tests the way a person would: a one-time code
//! requested from the API and read back from the development outbox.
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::Host;

/// `/api/v1/dev/outbox?phone=%2B84…` — the `+` must be escaped in a query.
pub fn outbox_path(phone: &str) -> String {
    format!("/api/v1/dev/outbox?phone={}", phone.replace('+', "%2B"))
}

/// The newest one-time code the outbox holds for `phone`.
pub fn outbox_code(host: &Host, phone: &str) -> String {
    let r = host.get(&outbox_path(phone));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["items"][0]["code"].as_str().unwrap().to_owned()
}

/// Logs `phone` in with `client` (`web`, `kiosk`, `zalo`); the whole 200
/// body of `POST /api/v1/auth/verify` (token, expiry, citizen).
pub fn verified(host: &Host, phone: &str, client: &str) -> Value {
    let started = host.post_json(
        "/api/v1/auth/otp",
        &json!({"phone": phone, "channel": "sms", "client": client}),
    );
    assert_eq!(started.status, 202, "{}", started.text());
    let challenge_id = started.json()["challenge_id"].as_str().unwrap().to_owned();
    let code = outbox_code(host, phone);
    let done = host.post_json(
        "/api/v1/auth/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(done.status, 200, "{}", done.text());
    done.json()
}

/// Logs `phone` in with `client` (`web`, `kiosk`, `zalo`); the session token.
pub fn login_as(host: &Host, phone: &str, client: &str) -> String {
    verified(host, phone, client)["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Logs `phone` in on the web; the session token.
pub fn login(host: &Host, phone: &str) -> String {
    login_as(host, phone, "web")
}
