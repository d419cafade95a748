//! Sign-up, login and sessions end to end (docs/identity.md): the `signup`
//! and `auth` components served by edge-host, with loopback fakes standing in
//! for the eSMS and Zalo ZNS gateways.

use std::sync::Arc;

use e2e::admin::assert_audit_chain_verifies;
use e2e::db::db;
use e2e::fake_server::FakeServer;
use e2e::time::now;
use e2e::{parallel, session, Host, HostBuilder, Method, Resp};
use serde_json::{json, Value};

const PHONE: &str = "0905123456";
const PHONE_E164: &str = "+84905123456";
const OTHER_PHONE: &str = "0935111222";

const ESMS_ACCEPTED: &str = r#"{"CodeResult":"100","CountRegenerate":0,"SMSID":"b7a1"}"#;
const ZNS_ACCEPTED: &str = r#"{"error":0,"message":"Success","data":{"msg_id":"a1b2"}}"#;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The app in production mode with its SMS gateway pointed at `sms`.
fn with_sms_gateway(sms: &FakeServer) -> HostBuilder {
    HostBuilder::app()
        .var("dev_mode", "false")
        .var("sms_gateway_url", &format!("{}/sms", sms.origin()))
        .var("sms_gateway_host", &sms.origin())
        .var("sms_api_key", "AK-test-key")
        .var("sms_secret_key", "SK-test-secret")
        .var("sms_brandname", "DANANG")
}

/// The app in production mode with Zalo ZNS pointed at `zalo`.
fn with_zalo(zalo: &FakeServer) -> HostBuilder {
    HostBuilder::app()
        .var("dev_mode", "false")
        .var("zalo_api_base", &zalo.origin())
        .var("zalo_access_token", "zalo-oa-access-token")
        .var("zalo_otp_template_id", "312456")
}

fn request_login(host: &Host, phone: &str) -> Resp {
    host.post_json(
        "/api/v1/auth/otp",
        &json!({"phone": phone, "channel": "sms"}),
    )
}

/// Starts a login and returns the challenge id.
fn challenge(host: &Host, phone: &str) -> String {
    let r = request_login(host, phone);
    assert_eq!(r.status, 202, "{}", r.text());
    r.json()["challenge_id"].as_str().unwrap().to_owned()
}

/// The newest code the dev outbox holds for `phone`.
fn latest_code(host: &Host, phone: &str) -> String {
    session::outbox_code(host, phone)
}

fn verify(host: &Host, challenge_id: &str, code: &str) -> Resp {
    host.post_json(
        "/api/v1/auth/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    )
}

/// Logs `phone` in through the outbox; the 200 body.
fn login(host: &Host, phone: &str) -> Value {
    session::verified(host, phone, "web")
}

fn token_of(body: &Value) -> String {
    body["token"].as_str().unwrap().to_owned()
}

/// A six-digit code that is not `code` (the `n`-th such).
fn wrong_code(code: &str, n: usize) -> String {
    let c: usize = code.parse().unwrap();
    format!("{:06}", (c + 1 + n) % 1_000_000)
}

/// The only run of exactly six digits in an SMS text.
fn six_digits(text: &str) -> String {
    let runs: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| r.len() == 6)
        .collect();
    assert_eq!(runs.len(), 1, "one code in {text:?}");
    runs[0].to_owned()
}

/// `2026-11-29T14:05:00+07:00` → Unix seconds; panics on any other shape, so
/// it also checks the format docs/api.md asks for.
fn unix_of(rfc3339: &str) -> i64 {
    let b = rfc3339.as_bytes();
    assert!(
        rfc3339.len() == 25 && rfc3339.ends_with("+07:00") && b[10] == b'T',
        "{rfc3339}"
    );
    let n = |from: usize, to: usize| rfc3339[from..to].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let days = cds_shared::civil::days_from_civil(y, m as u32, d as u32);
    days * 86_400 + n(11, 13) * 3_600 + n(14, 16) * 60 + n(17, 19) - 7 * 3_600
}

fn error_field(r: &Resp, field: &str) -> Value {
    r.json()["error"]["fields"][field].clone()
}

mod codes;
mod delivery;
mod edge;
mod sessions;
