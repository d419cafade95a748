//! Administration end to end (docs/admin.md, docs/identity.md): the admin API behind
//! `admin_token`, officials made by admin logging in by one-time code,
//! officials verifying citizens, API keys with scopes (issuer, Open311
//! partner, kiosk; list, revoke), deactivating officials, the audit chain
//! under a login burst and against tampering, and the demo seeder run twice.

use std::sync::Arc;

use e2e::admin::{post as admin_post, unit};
use e2e::db::db;
use e2e::encode::form;
use e2e::{parallel, session, Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
use serde_json::{json, Value};

fn start() -> Host {
    HostBuilder::app().start()
}

/// Logs `phone` in by one-time code through the dev outbox, as a person at
/// a kiosk would: returns (session token, citizen).
fn login(host: &Host, phone: &str) -> (String, Value) {
    let body = session::verified(host, phone, "web");
    (
        body["token"].as_str().unwrap().to_owned(),
        body["citizen"].clone(),
    )
}

fn official(host: &Host, phone: &str, unit: &str) -> Resp {
    e2e::admin::official(host, phone, "Trần Thị Bình", unit)
}

/// Every admin route with a body it would accept.
fn admin_routes() -> Vec<(Method, &'static str, Value)> {
    vec![
        (
            Method::POST,
            "/api/v1/admin/units",
            json!({"code": "so-yte", "name": "Sở Y tế"}),
        ),
        (
            Method::POST,
            "/api/v1/admin/officials",
            json!({"phone": "0905000001", "full_name": "A", "unit": "so-yte"}),
        ),
        (
            Method::POST,
            "/api/v1/admin/issuers",
            json!({"code": "so-tp", "name": "Sở Tư pháp"}),
        ),
        (
            Method::POST,
            "/api/v1/admin/kiosks",
            json!({"code": "kiosk-01", "name": "Kiosk", "unit": "so-yte"}),
        ),
        (Method::GET, "/api/v1/admin/keys", Value::Null),
        (
            Method::POST,
            "/api/v1/admin/services",
            json!({"code": "kham-noi", "name": "Khám nội", "kind": "health", "unit": "so-yte", "address": "124 Hải Phòng"}),
        ),
        (
            Method::POST,
            "/api/v1/admin/feedback-categories",
            json!({"code": "health", "name": "Y tế", "unit": "so-yte"}),
        ),
        (Method::GET, "/api/v1/admin/audit/verify", Value::Null),
    ]
}

// ---------------------------------------------------------------------------
// API keys: scopes, kiosks, list, revoke; deactivating officials
// ---------------------------------------------------------------------------

/// A new key from `POST /api/v1/admin/issuers` with these scopes (`None`:
/// the field left out).
fn issuer_key(host: &Host, code: &str, scopes: Option<&[&str]>) -> String {
    let mut body = json!({"code": code, "name": "Đối tác"});
    if let Some(s) = scopes {
        body["scopes"] = json!(s);
    }
    e2e::admin::issuer_key(host, &body)
}

/// A document push naming a citizen by phone.
fn push_by_phone(host: &Host, key: &str, phone: &str) -> Resp {
    host.post_json_auth(
        "/api/v1/issuer/documents",
        key,
        &json!({
            "citizen": {"phone": phone},
            "type": "birth_certificate",
            "title": "Giấy khai sinh",
            // "%PDF-1.4\n%%EOF\n"
            "content_base64": "JVBERi0xLjQKJSVFT0YK",
            "content_type": "application/pdf",
            "issued_at": "1990-05-20",
            "external_id": "HS-001",
        }),
    )
}

/// The feedback category Open311 posts go to (service `environment`).
fn environment_category(host: &Host) {
    unit(host, "so-tnmt", "Sở Tài nguyên và Môi trường");
    e2e::admin::category(host, "environment", "Môi trường", "so-tnmt");
}

/// `POST /open311/v2/requests.json` with this key and extra fields.
fn open311_post(host: &Host, key: &str, extra: &[(&str, &str)]) -> Resp {
    let mut pairs = vec![
        ("api_key", key),
        ("service_code", "environment"),
        ("lat", "16.071234"),
        ("long", "108.224567"),
        ("description", "Cây xanh đổ chắn ngang đường Bạch Đằng."),
    ];
    pairs.extend_from_slice(extra);
    host.post_form(
        "/open311/v2/requests.json",
        "application/x-www-form-urlencoded",
        form(&pairs),
    )
}

fn audit_details(host: &Host, action: &str) -> Vec<(String, Option<String>, Value)> {
    e2e::db::audit(host, action, None)
}

mod audit_seed;
mod catalogue;
mod keys;
mod officials;
