//! The administrator of the test app: the admin API behind `admin_token`,
//! used to set up units, services, feedback categories, officials, issuers
//! and kiosks before a test exercises them.
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::{session, Host, Resp, ADMIN_TOKEN};

/// `POST path` with the admin token: the raw answer.
pub fn post(host: &Host, path: &str, body: &Value) -> Resp {
    host.post_json_auth(path, ADMIN_TOKEN, body)
}

/// `POST path` with the admin token, which must create (201); the body.
pub fn create(host: &Host, path: &str, body: &Value) -> Value {
    let r = post(host, path, body);
    assert_eq!(r.status, 201, "{path}: {}", r.text());
    r.json()
}

/// Creates the unit `code`.
pub fn unit(host: &Host, code: &str, name: &str) {
    create(
        host,
        "/api/v1/admin/units",
        &json!({"code": code, "name": name}),
    );
}

/// Creates the unit `code` unless it exists already (201 or 409).
pub fn unit_once(host: &Host, code: &str, name: &str) {
    let r = post(
        host,
        "/api/v1/admin/units",
        &json!({"code": code, "name": name}),
    );
    assert!(r.status == 201 || r.status == 409, "{}", r.text());
}

/// Creates the feedback category `code`, handled by `unit`.
pub fn category(host: &Host, code: &str, name: &str, unit: &str) {
    create(
        host,
        "/api/v1/admin/feedback-categories",
        &json!({"code": code, "name": name, "unit": unit}),
    );
}

/// Creates the bookable service `code` (`kind` `health` or `public_service`)
/// of `unit`.
pub fn service(host: &Host, code: &str, name: &str, kind: &str, unit: &str, address: &str) {
    create(
        host,
        "/api/v1/admin/services",
        &json!({"code": code, "name": name, "kind": kind, "unit": unit, "address": address}),
    );
}

/// `POST /api/v1/admin/officials`: the raw answer.
pub fn official(host: &Host, phone: &str, full_name: &str, unit: &str) -> Resp {
    post(
        host,
        "/api/v1/admin/officials",
        &json!({"phone": phone, "full_name": full_name, "unit": unit}),
    )
}

/// Makes `phone` an official of `unit` (a new account, 201, or a citizen
/// promoted, 200) and logs them in on the web; the session token.
pub fn official_login(host: &Host, phone: &str, full_name: &str, unit: &str) -> String {
    let r = official(host, phone, full_name, unit);
    assert!(r.status == 201 || r.status == 200, "{}", r.text());
    session::login(host, phone)
}

/// A new API key from `POST /api/v1/admin/issuers` with this body.
pub fn issuer_key(host: &Host, body: &Value) -> String {
    create(host, "/api/v1/admin/issuers", body)["api_key"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A new kiosk key from `POST /api/v1/admin/kiosks` with this body.
pub fn kiosk_key(host: &Host, body: &Value) -> String {
    create(host, "/api/v1/admin/kiosks", body)["api_key"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `GET /api/v1/admin/audit/verify` must find the whole hash chain intact:
/// after a storm of parallel writes (across nodes on PostgreSQL), no entry
/// was lost, reordered or forked.
pub fn assert_audit_chain_verifies(host: &Host) {
    // From genesis, trusting no checkpoint an earlier check left.
    let r = host.get_auth("/api/v1/admin/audit/verify?full=true", ADMIN_TOKEN);
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["complete"], true, "{report}");
    assert_eq!(report["first_bad_seq"], Value::Null, "{report}");
}
