//! Feedback and complaints end to end (docs/feedback.md): submission and its
//! validation, tracking codes under 100 parallel submissions, the
//! officials' workflow and unit scoping, the redacted public views, ratings
//! and statistics, and an Open311 GeoReport v2 round trip as a partner app
//! would do it.

use std::collections::HashSet;
use std::sync::Arc;

use e2e::admin::{category, official_login, unit};
use e2e::db::db;
use e2e::encode::{enc, form};
use e2e::session::{login, outbox_code};
use e2e::{parallel, Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

const CITIZEN: &str = "+84905123456";
const CITIZEN_NAME: &str = "Nguyễn Văn An";
const OTHER_CITIZEN: &str = "+84987654321";
const ENV_OFFICIAL: &str = "+84905000001";
const ENV_OFFICIAL_2: &str = "+84905000003";
const TRAFFIC_OFFICIAL: &str = "+84905000002";

/// A host with the units and categories the tests use: `environment`
/// handled by so-tnmt, `traffic` by so-gtvt.
fn start(builder: HostBuilder) -> Host {
    let host = builder.start();
    unit(&host, "so-tnmt", "Sở Tài nguyên và Môi trường");
    unit(&host, "so-gtvt", "Sở Giao thông Vận tải");
    category(&host, "environment", "Môi trường", "so-tnmt");
    category(&host, "traffic", "Giao thông", "so-gtvt");
    host
}

/// Signs a named citizen up; (token, account id).
fn signup(host: &Host, phone: &str, full_name: &str) -> (String, String) {
    let body = json!({"phone": phone, "channel": "sms", "full_name": full_name});
    let started = host.post_json("/api/v1/signup", &body);
    assert_eq!(started.status, 202, "{}", started.text());
    let challenge_id = started.json()["challenge_id"].as_str().unwrap().to_owned();
    let code = outbox_code(host, phone);
    let done = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(done.status, 201, "{}", done.text());
    let b = done.json();
    (
        b["session"]["token"].as_str().unwrap().to_owned(),
        b["citizen"]["id"].as_str().unwrap().to_owned(),
    )
}

/// Makes `phone` an official of `unit` and logs them in; the token.
fn official(host: &Host, phone: &str, unit: &str) -> String {
    official_login(host, phone, "Trần Thị Bình", unit)
}

fn item(category: &str) -> Value {
    json!({
        "category": category,
        "title": "Rác thải ùn ứ trên vỉa hè",
        "content": "Rác không được thu gom ba ngày nay, bốc mùi hôi.",
        "location": {"lat": 16.067_812, "lng": 108.220_345, "address": "K45/12 Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng"},
    })
}

fn submit(host: &Host, token: Option<&str>, body: &Value) -> Resp {
    match token {
        Some(t) => host.post_json_auth("/api/v1/feedback", t, body),
        None => host.post_json("/api/v1/feedback", body),
    }
}

/// Submits and returns the 201 body.
fn submitted(host: &Host, token: Option<&str>, body: &Value) -> Value {
    let r = submit(host, token, body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn patch(host: &Host, token: Option<&str>, id: &str, body: &Value) -> Resp {
    host.patch_json(&format!("/api/v1/feedback/{id}"), token, body)
}

fn set_status(host: &Host, token: &str, id: &str, status: &str) -> Resp {
    patch(
        host,
        Some(token),
        id,
        &json!({"status": status, "response": "Đã kiểm tra và xử lý tại hiện trường."}),
    )
}

/// `PA-<4 digits>-<6 digits>`.
fn is_tracking_code(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 14
        && s.starts_with("PA-")
        && b[7] == b'-'
        && b[3..7].iter().chain(&b[8..]).all(u8::is_ascii_digit)
}

/// POSTs a form the way GeoReport clients do.
fn post_form(host: &Host, path: &str, body: String) -> Resp {
    host.post_form(
        path,
        "application/x-www-form-urlencoded; charset=utf-8",
        body,
    )
}

mod open311;
mod privacy;
mod ratings;
mod submission;
mod workflow;
