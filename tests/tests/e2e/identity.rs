//! Sign-up, login and sessions end to end (SPEC §5, §6, §14): the `signup`
//! and `auth` components served by edge-host, with loopback fakes standing in
//! for the eSMS and Zalo ZNS gateways.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use e2e::fake_server::FakeServer;
use e2e::{parallel, Host, HostBuilder, Method, Resp};
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
    let r = host.get(&format!("/api/v1/dev/outbox?phone={phone}"));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["items"][0]["code"].as_str().unwrap().to_owned()
}

fn verify(host: &Host, challenge_id: &str, code: &str) -> Resp {
    host.post_json(
        "/api/v1/auth/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    )
}

/// Logs `phone` in through the outbox; the 200 body.
fn login(host: &Host, phone: &str) -> Value {
    let id = challenge(host, phone);
    let r = verify(host, &id, &latest_code(host, phone));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
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

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `2026-11-29T14:05:00+07:00` → Unix seconds; panics on any other shape, so
/// it also checks the format SPEC §4 asks for.
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

// ---------------------------------------------------------------------------
// Delivery through the real gateways (loopback fakes)
// ---------------------------------------------------------------------------

#[test]
fn signup_by_sms_posts_an_esms_request_and_creates_a_provisional_citizen() {
    let sms = FakeServer::start(200, ESMS_ACCEPTED);
    let host = with_sms_gateway(&sms)
        .var("otp_resend_seconds", "0")
        .start();

    // Decomposed (NFD) Vietnamese, as some phone keyboards send it.
    let nfd_name = "Nguye\u{302}\u{303}n Va\u{306}n An";
    let r = host.post_json(
        "/api/v1/signup",
        &json!({"phone": "+84 905 123 456", "channel": "sms", "full_name": nfd_name}),
    );
    assert_eq!(
        r.status,
        202,
        "{}\n{:?}\n{}",
        r.text(),
        sms.requests(),
        host.log()
    );
    let started = r.json();
    assert_eq!(started["channel"], "sms");
    assert_eq!(started["expires_in"], 300);
    assert_eq!(started["resend_after"], 0);
    let challenge_id = started["challenge_id"].as_str().unwrap().to_owned();

    let sent = sms.requests();
    assert_eq!(sent.len(), 1);
    let req = &sent[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/sms");
    assert!(
        req.header("content-type")
            .unwrap()
            .starts_with("application/json"),
        "{req:?}"
    );
    let body = req.json();
    assert_eq!(body["ApiKey"], "AK-test-key");
    assert_eq!(body["SecretKey"], "SK-test-secret");
    assert_eq!(body["Phone"], "0905123456");
    assert_eq!(body["Brandname"], "DANANG");
    assert_eq!(body["SmsType"], "2");
    let tracking = body["RequestId"].as_str().unwrap();
    assert!(
        tracking.starts_with("trk_") && !tracking.contains(&challenge_id),
        "{tracking}"
    );
    let code = six_digits(body["Content"].as_str().unwrap());

    let r = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let created = r.json();
    let citizen = &created["citizen"];
    assert!(citizen["id"].as_str().unwrap().starts_with("cit_"));
    assert_eq!(citizen["phone"], PHONE_E164);
    assert_eq!(citizen["level"], "provisional");
    assert_eq!(citizen["role"], "citizen");
    assert_eq!(
        citizen["full_name"], "Nguy\u{1ec5}n V\u{103}n An",
        "stored NFC"
    );
    let expires = unix_of(created["session"]["expires_at"].as_str().unwrap());
    assert!(
        expires > now() + 25 * 60 && expires <= now() + 30 * 60,
        "30 min idle web session"
    );
    let token = created["session"]["token"].as_str().unwrap();
    assert_eq!(host.get_auth("/api/v1/auth/sessions", token).status, 200);

    // Signing up again with the same phone is a login: same shape, 200, same
    // account, and the name given this time does not overwrite the first.
    let r = host.post_json(
        "/api/v1/signup",
        &json!({"phone": PHONE, "channel": "sms", "full_name": "Khác"}),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let again_id = r.json()["challenge_id"].as_str().unwrap().to_owned();
    let code = six_digits(sms.requests()[1].json()["Content"].as_str().unwrap());
    let r = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": again_id, "code": code}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let again = r.json();
    assert_eq!(again["citizen"]["id"], citizen["id"]);
    assert_eq!(again["citizen"]["full_name"], citizen["full_name"]);
    assert!(again["session"]["token"].is_string());
}

#[test]
fn signup_by_zalo_sends_a_zns_template_message() {
    let zalo = FakeServer::start(200, ZNS_ACCEPTED);
    let host = with_zalo(&zalo).start();

    let r = host.post_json(
        "/api/v1/signup",
        &json!({"phone": "090-512-3456", "channel": "zalo"}),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["channel"], "zalo");
    let challenge_id = r.json()["challenge_id"].as_str().unwrap().to_owned();

    let sent = zalo.requests();
    assert_eq!(sent.len(), 1, "{sent:?}\n{}", host.log());
    let req = &sent[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/message/template");
    assert_eq!(req.header("access_token"), Some("zalo-oa-access-token"));
    assert!(
        req.header("content-type")
            .unwrap()
            .starts_with("application/json"),
        "{req:?}"
    );
    let body = req.json();
    assert_eq!(body["phone"], "84905123456");
    assert_eq!(body["template_id"], "312456");
    assert!(body["tracking_id"].as_str().unwrap().starts_with("trk_"));
    let code = body["template_data"]["otp"].as_str().unwrap().to_owned();
    assert_eq!(six_digits(&code), code);

    let r = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["citizen"]["phone"], PHONE_E164);
    assert_eq!(r.json()["citizen"]["full_name"], Value::Null);
}

#[test]
fn provider_failures_are_502_and_charge_no_quota() {
    let sms = FakeServer::start(200, r#"{"CodeResult":"99","ErrorMessage":"Unknown error"}"#);
    let zalo = FakeServer::start(200, r#"{"error":-124,"message":"Access token is invalid"}"#);
    // Default 60 s cooldown: a charged failure would make the retry rate_limited.
    let host = with_sms_gateway(&sms)
        .var("zalo_api_base", &zalo.origin())
        .var("zalo_access_token", "zalo-oa-access-token")
        .var("zalo_otp_template_id", "312456")
        .start();

    let refused = request_login(&host, PHONE);
    assert_eq!(
        (refused.status, refused.error_code()),
        (502, "delivery_failed".into()),
        "{}",
        refused.text()
    );
    for secret in ["AK-test-key", "SK-test-secret", "Unknown error"] {
        assert!(!refused.text().contains(secret), "{}", refused.text());
    }

    sms.set_reply(500, r#"{"CodeResult":"100"}"#);
    let broken = request_login(&host, PHONE);
    assert_eq!(
        (broken.status, broken.error_code()),
        (502, "delivery_failed".into()),
        "{}",
        broken.text()
    );

    sms.set_reply(200, ESMS_ACCEPTED);
    let ok = request_login(&host, PHONE);
    assert_eq!(
        ok.status,
        202,
        "not charged for the failures: {}",
        ok.text()
    );
    assert_eq!(sms.requests().len(), 3);

    let zalo_login = || {
        host.post_json(
            "/api/v1/auth/otp",
            &json!({"phone": OTHER_PHONE, "channel": "zalo"}),
        )
    };
    let refused = zalo_login();
    assert_eq!(
        (refused.status, refused.error_code()),
        (502, "delivery_failed".into()),
        "{}",
        refused.text()
    );
    assert!(!refused.text().contains("zalo-oa-access-token"));
    zalo.set_reply(200, ZNS_ACCEPTED);
    let ok = zalo_login();
    assert_eq!(ok.status, 202, "{}", ok.text());
    assert_eq!(zalo.requests().len(), 2);
    assert!(!host.log().contains("SK-test-secret") && !host.log().contains("zalo-oa-access-token"));
}

#[test]
fn without_dev_mode_the_outbox_is_404_and_never_used() {
    // No SMS keys configured: the code must not silently go to the outbox.
    let host = HostBuilder::app().var("dev_mode", "false").start();
    let r = request_login(&host, PHONE);
    assert_eq!(
        (r.status, r.error_code()),
        (503, "store_unavailable".into()),
        "{}",
        r.text()
    );
    assert!(
        !r.text().contains("sms_api_key"),
        "setting names stay in the log: {}",
        r.text()
    );

    for method in [Method::GET, Method::POST, Method::DELETE] {
        let r =
            host.send(host.request(method.clone(), &format!("/api/v1/dev/outbox?phone={PHONE}")));
        assert_eq!(r.status, 404, "{method}: {}", r.text());
        assert_eq!(r.error_code(), "not_found");
        assert!(r.header("x-request-id").is_some());
    }
}

// ---------------------------------------------------------------------------
// Login, codes and their limits
// ---------------------------------------------------------------------------

#[test]
fn login_through_the_dev_outbox() {
    let host = HostBuilder::app().start();
    let r = request_login(&host, PHONE);
    assert_eq!(r.status, 202, "{}", r.text());
    let started = r.json();
    assert!(started["challenge_id"]
        .as_str()
        .unwrap()
        .starts_with("otp_"));
    assert_eq!(
        started,
        json!({"challenge_id": started["challenge_id"], "channel": "sms", "expires_in": 300, "resend_after": 60})
    );

    let outbox = host
        .get(&format!("/api/v1/dev/outbox?phone={PHONE_E164}"))
        .json();
    let items = outbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["phone"], PHONE_E164);
    assert_eq!(item["channel"], "sms");
    let code = item["code"].as_str().unwrap();
    assert_eq!(six_digits(item["text"].as_str().unwrap()), code);
    assert!((unix_of(item["sent_at"].as_str().unwrap()) - now()).abs() < 60);

    let r = verify(&host, started["challenge_id"].as_str().unwrap(), code);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let body = r.json();
    assert_eq!(body["citizen"]["phone"], PHONE_E164);
    assert_eq!(
        body["citizen"]["level"], "provisional",
        "a first login creates the account"
    );
    assert_eq!(body["citizen"]["role"], "citizen");
    assert!(
        token_of(&body).len() >= 43,
        "≥ 256 bits of randomness in base64url"
    );
    assert!(unix_of(body["expires_at"].as_str().unwrap()) > now());
    assert_eq!(
        host.get_auth("/api/v1/auth/sessions", &token_of(&body))
            .status,
        200
    );
    assert!(
        !host.log().contains(code) && !host.log().contains(&token_of(&body)),
        "no secrets in logs"
    );
}

#[test]
fn wrong_codes_count_down_then_the_challenge_is_exhausted() {
    let host = HostBuilder::app().start();
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    for (n, left) in [4, 3, 2, 1, 0].into_iter().enumerate() {
        let r = verify(&host, &id, &wrong_code(&code, n));
        assert_eq!(
            (r.status, r.error_code()),
            (401, "otp_invalid".into()),
            "{}",
            r.text()
        );
        assert_eq!(error_field(&r, "attempts_left"), left);
    }
    let r = verify(&host, &id, &code);
    assert_eq!(
        (r.status, r.error_code()),
        (429, "otp_exhausted".into()),
        "even the right code: {}",
        r.text()
    );
}

#[test]
fn malformed_codes_use_a_try_and_unknown_challenges_are_404() {
    let host = HostBuilder::app().start();
    let id = challenge(&host, PHONE);
    let r = verify(&host, &id, "12a45");
    assert_eq!(
        (r.status, error_field(&r, "attempts_left")),
        (401, json!(4)),
        "{}",
        r.text()
    );
    let r = verify(&host, "otp_AAAAAAAAAAAAAAAAAAAAAA", "123456");
    assert_eq!(
        (r.status, r.error_code()),
        (404, "unknown_challenge".into())
    );
    let r = verify(&host, &"x".repeat(5000), "123456");
    assert_eq!(
        (r.status, r.error_code()),
        (404, "unknown_challenge".into())
    );
}

#[test]
fn an_expired_code_is_gone() {
    // A validity of 0 s: the code has expired by the time anyone types it.
    let host = HostBuilder::app().var("otp_ttl_seconds", "0").start();
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    let r = verify(&host, &id, &code);
    assert_eq!(
        (r.status, r.error_code()),
        (410, "otp_expired".into()),
        "{}",
        r.text()
    );
}

#[test]
fn a_used_code_cannot_be_used_again() {
    let host = HostBuilder::app().start();
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    assert_eq!(verify(&host, &id, &code).status, 200);
    let r = verify(&host, &id, &code);
    assert_eq!(
        (r.status, r.error_code()),
        (410, "otp_expired".into()),
        "{}",
        r.text()
    );
    let r = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": id, "code": code}),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (410, "otp_expired".into()),
        "{}",
        r.text()
    );
}

#[test]
fn two_hundred_parallel_wrong_guesses_evaluate_at_most_five() {
    let host = Arc::new(HostBuilder::app().start());
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    let (h, cid, c) = (host.clone(), id.clone(), code.clone());
    let answers = parallel(200, move |i| {
        let r = verify(&h, &cid, &wrong_code(&c, i));
        (r.status, r.error_code())
    });
    let invalid = answers.iter().filter(|a| a.1 == "otp_invalid").count();
    assert!(
        (1..=5).contains(&invalid),
        "{invalid} wrong codes were evaluated"
    );
    assert!(
        answers
            .iter()
            .all(|a| *a == (401, "otp_invalid".into()) || *a == (429, "otp_exhausted".into())),
        "{answers:?}"
    );
    let r = verify(&host, &id, &code);
    assert_eq!(
        (r.status, r.error_code()),
        (429, "otp_exhausted".into()),
        "{}",
        r.text()
    );
}

#[test]
fn fifty_parallel_right_codes_open_exactly_one_session() {
    let host = Arc::new(HostBuilder::app().start());
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    let h = host.clone();
    let answers = parallel(50, move |_| {
        let r = verify(&h, &id, &code);
        (
            r.status,
            if r.status == 200 {
                token_of(&r.json())
            } else {
                r.error_code()
            },
        )
    });
    let winners: Vec<_> = answers.iter().filter(|a| a.0 == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    assert!(
        answers.iter().all(|a| matches!(a.0, 200 | 410 | 429)),
        "{answers:?}"
    );
    let sessions = host.get_auth("/api/v1/auth/sessions", &winners[0].1).json();
    assert_eq!(sessions["items"].as_array().unwrap().len(), 1, "{sessions}");
}

#[test]
fn resending_too_soon_is_rate_limited_with_retry_after() {
    let host = HostBuilder::app().start();
    challenge(&host, PHONE);
    let r = request_login(&host, PHONE);
    assert_eq!(
        (r.status, r.error_code()),
        (429, "rate_limited".into()),
        "{}",
        r.text()
    );
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(error_field(&r, "retry_after"), retry);
    // The cooldown is per phone.
    assert_eq!(request_login(&host, OTHER_PHONE).status, 202);
}

#[test]
fn per_phone_hourly_and_daily_caps() {
    let hourly = HostBuilder::app()
        .var("otp_resend_seconds", "0")
        .var("otp_phone_hourly", "2")
        .var("otp_phone_daily", "10")
        .start();
    challenge(&hourly, PHONE);
    challenge(&hourly, PHONE);
    let r = request_login(&hourly, PHONE);
    assert_eq!(
        (r.status, r.error_code()),
        (429, "rate_limited".into()),
        "{}",
        r.text()
    );
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (3_000..=3_600).contains(&retry),
        "until the first code leaves the hour: {retry}"
    );
    // Sign-up draws on the same per-phone quota.
    let r = hourly.post_json("/api/v1/signup", &json!({"phone": PHONE, "channel": "sms"}));
    assert_eq!(r.error_code(), "rate_limited");
    drop(hourly);

    let daily = HostBuilder::app()
        .var("otp_resend_seconds", "0")
        .var("otp_phone_hourly", "10")
        .var("otp_phone_daily", "3")
        .start();
    for _ in 0..3 {
        challenge(&daily, PHONE);
    }
    let r = request_login(&daily, PHONE);
    assert_eq!(
        (r.status, r.error_code()),
        (429, "rate_limited".into()),
        "{}",
        r.text()
    );
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(
        retry > 3_600 && retry <= 86_400,
        "until the first code leaves the day: {retry}"
    );
}

#[test]
fn per_ip_hourly_cap() {
    let host = HostBuilder::app().var("otp_ip_hourly", "3").start();
    for phone in ["0905000001", "0905000002", "0905000003"] {
        challenge(&host, phone);
    }
    let r = request_login(&host, "0905000004");
    assert_eq!(
        (r.status, r.error_code()),
        (429, "rate_limited".into()),
        "{}",
        r.text()
    );
    assert!(r.header("retry-after").is_some());
}

#[test]
fn twenty_consecutive_failures_lock_the_phone() {
    let host = HostBuilder::app()
        .var("otp_resend_seconds", "0")
        .var("otp_phone_hourly", "100")
        .var("otp_phone_daily", "100")
        .start();
    let mut last = None;
    for round in 0..4 {
        let id = challenge(&host, PHONE);
        let code = latest_code(&host, PHONE);
        for n in 0..5 {
            let r = verify(&host, &id, &wrong_code(&code, n));
            if round * 5 + n < 19 {
                assert_eq!(
                    r.error_code(),
                    "otp_invalid",
                    "failure {}: {}",
                    round * 5 + n + 1,
                    r.text()
                );
            }
            last = Some((r, id.clone(), code.clone()));
        }
    }
    let (r, id, code) = last.unwrap();
    assert_eq!(
        (r.status, r.error_code()),
        (429, "phone_locked".into()),
        "20th failure: {}",
        r.text()
    );
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((890..=900).contains(&retry), "{retry}");

    // Locked: no new code, and not even a right code is accepted.
    let r = request_login(&host, PHONE);
    assert_eq!(
        (r.status, r.error_code()),
        (429, "phone_locked".into()),
        "{}",
        r.text()
    );
    let r = verify(&host, &id, &code);
    assert_eq!(r.error_code(), "phone_locked");
    // Other phones are not affected.
    login(&host, OTHER_PHONE);
}

#[test]
fn known_and_unknown_phones_get_identical_answers() {
    let host = HostBuilder::app().var("otp_resend_seconds", "0").start();
    login(&host, PHONE); // now PHONE has an account; OTHER_PHONE has none
    for (path, body) in [
        ("/api/v1/auth/otp", json!({"channel": "sms"})),
        (
            "/api/v1/signup",
            json!({"channel": "sms", "full_name": "Trần Thị B"}),
        ),
    ] {
        let answer = |phone: &str| {
            let mut b = body.clone();
            b["phone"] = json!(phone);
            let r = host.post_json(path, &b);
            let mut json = r.json();
            assert!(json["challenge_id"].as_str().unwrap().starts_with("otp_"));
            json["challenge_id"] = json!("…");
            let mut headers: Vec<String> = r.headers.keys().map(|k| k.to_string()).collect();
            headers.sort();
            (r.status, json, headers)
        };
        assert_eq!(answer(PHONE), answer(OTHER_PHONE), "{path}");
    }
}

#[test]
fn zalo_link_challenges_are_not_accepted_for_web_login() {
    let host = HostBuilder::app().start();
    challenge(&host, PHONE); // runs the migrations' tables through a real request
                             // The chat-bot's challenges come from the zalo component; write one as it would.
    let db = rusqlite::Connection::open(host.state_dir.join("sqlite_db.db")).unwrap();
    db.execute(
        "INSERT INTO otp_challenges (id, phone, channel, purpose, client, code_mac, attempts, created_at, expires_at) \
         VALUES ('otp_zalolinkzalolinkzalo00', ?1, 'zalo', 'zalo_link', 'zalo', x'00', 0, ?2, ?3)",
        rusqlite::params![PHONE_E164, now(), now() + 300],
    )
    .unwrap();
    for path in ["/api/v1/auth/verify", "/api/v1/signup/verify"] {
        let r = host.post_json(
            path,
            &json!({"challenge_id": "otp_zalolinkzalolinkzalo00", "code": "123456"}),
        );
        assert_eq!(
            (r.status, r.error_code()),
            (404, "unknown_challenge".into()),
            "{path}: {}",
            r.text()
        );
    }
    let attempts: i64 = db
        .query_row(
            "SELECT attempts FROM otp_challenges WHERE id = 'otp_zalolinkzalolinkzalo00'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(attempts, 0, "no try of the chat-bot's challenge was spent");
}

// ---------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------

#[test]
fn sessions_can_be_listed_revoked_and_logged_out() {
    let host = HostBuilder::app().var("otp_resend_seconds", "0").start();
    let first = token_of(&login(&host, PHONE));
    let second = token_of(&login(&host, PHONE));

    let list = host.get_auth("/api/v1/auth/sessions", &first);
    assert_eq!(list.status, 200, "{}", list.text());
    let list = list.json();
    assert_eq!(list["next_cursor"], Value::Null);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let current: Vec<_> = items.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["client"], "web");
    assert!(
        !list.to_string().contains(&first) && !list.to_string().contains(&second),
        "never lists tokens"
    );
    let other_id = items.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Paging: one per page, the cursor leads to the other one.
    let page = host
        .get_auth("/api/v1/auth/sessions?limit=1", &first)
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = host
        .get_auth(
            &format!("/api/v1/auth/sessions?limit=1&cursor={cursor}"),
            &first,
        )
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_ne!(rest["items"][0]["id"], page["items"][0]["id"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    // Another citizen cannot see or revoke them.
    let stranger = token_of(&login(&host, OTHER_PHONE));
    let theirs = host.send(
        host.request(Method::DELETE, &format!("/api/v1/auth/sessions/{other_id}"))
            .bearer_auth(&stranger),
    );
    assert_eq!(
        (theirs.status, theirs.error_code()),
        (404, "not_found".into()),
        "{}",
        theirs.text()
    );
    assert_eq!(
        host.get_auth("/api/v1/auth/sessions", &second).status,
        200,
        "still alive"
    );

    let revoke = host.send(
        host.request(Method::DELETE, &format!("/api/v1/auth/sessions/{other_id}"))
            .bearer_auth(&first),
    );
    assert_eq!(revoke.status, 204, "{}", revoke.text());
    let r = host.get_auth("/api/v1/auth/sessions", &second);
    assert_eq!((r.status, r.error_code()), (401, "unauthorized".into()));
    let again = host.send(
        host.request(Method::DELETE, &format!("/api/v1/auth/sessions/{other_id}"))
            .bearer_auth(&first),
    );
    assert_eq!(again.status, 404);
    assert_eq!(
        host.get_auth("/api/v1/auth/sessions", &first).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let out = host.post_json_auth("/api/v1/auth/logout", &first, &json!({}));
    assert_eq!(out.status, 204, "{}", out.text());
    let r = host.get_auth("/api/v1/auth/sessions", &first);
    assert_eq!((r.status, r.error_code()), (401, "unauthorized".into()));
    assert_eq!(
        host.post_json_auth("/api/v1/auth/logout", &first, &json!({}))
            .status,
        401
    );
    assert_eq!(
        host.send(host.request(Method::POST, "/api/v1/auth/logout"))
            .status,
        401
    );
    assert_eq!(host.get("/api/v1/auth/sessions").status, 401);
}

#[test]
fn kiosk_login_gets_a_short_session() {
    let host = HostBuilder::app().start();
    let r = host.post_json(
        "/api/v1/auth/otp",
        &json!({"phone": PHONE, "channel": "sms", "client": "kiosk"}),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["challenge_id"].as_str().unwrap().to_owned();
    let r = verify(&host, &id, &latest_code(&host, PHONE));
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let expires = unix_of(body["expires_at"].as_str().unwrap());
    assert!(
        expires <= now() + 5 * 60 && expires > now() + 4 * 60,
        "5 min idle: {}",
        body["expires_at"]
    );
    let list = host
        .get_auth("/api/v1/auth/sessions", &token_of(&body))
        .json();
    let session = &list["items"][0];
    assert_eq!(session["client"], "kiosk");
    assert!(unix_of(session["absolute_expires_at"].as_str().unwrap()) <= now() + 30 * 60);
}

// ---------------------------------------------------------------------------
// Several edge nodes on one database
// ---------------------------------------------------------------------------

#[test]
fn limits_hold_across_two_hosts_on_one_state_dir() {
    let state = tempfile::tempdir().unwrap();
    let node = || {
        HostBuilder::app()
            .var("otp_resend_seconds", "0")
            .var("otp_phone_hourly", "3")
            .state_dir(state.path())
            .start()
    };
    let (a, b) = (Arc::new(node()), Arc::new(node()));

    // Per-phone cap: 3 codes per hour, whichever node is asked.
    let id = challenge(&a, PHONE);
    challenge(&b, PHONE);
    let last = challenge(&a, PHONE);
    let r = request_login(&b, PHONE);
    assert_eq!(
        (r.status, r.error_code()),
        (429, "rate_limited".into()),
        "{}",
        r.text()
    );
    assert_eq!(latest_code(&b, PHONE), latest_code(&a, PHONE));

    // The 5-try limit: parallel wrong guesses split across both nodes.
    let code = latest_code(&a, PHONE);
    let (ha, hb, cid, c) = (a.clone(), b.clone(), last.clone(), code.clone());
    let answers = parallel(60, move |i| {
        let host = if i % 2 == 0 { &ha } else { &hb };
        let r = verify(host, &cid, &wrong_code(&c, i));
        (r.status, r.error_code())
    });
    let invalid = answers.iter().filter(|a| a.1 == "otp_invalid").count();
    assert!(
        (1..=5).contains(&invalid),
        "{invalid} evaluated: {answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|a| a.1 == "otp_invalid" || a.1 == "otp_exhausted"),
        "{answers:?}"
    );
    assert_eq!(verify(&b, &last, &code).error_code(), "otp_exhausted");
    // An older challenge of the phone is still good on the other node.
    let older = latest_code_for(&a, PHONE, 2);
    assert_eq!(verify(&b, &id, &older).status, 200);
}

/// The `nth` newest code in the outbox (0 = newest).
fn latest_code_for(host: &Host, phone: &str, nth: usize) -> String {
    let r = host.get(&format!("/api/v1/dev/outbox?phone={phone}"));
    r.json()["items"][nth]["code"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------
// Edge behaviour: errors, language, audit
// ---------------------------------------------------------------------------

#[test]
fn errors_speak_english_when_asked() {
    let host = HostBuilder::app().start();
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    let en = host.send(
        host.request(Method::POST, "/api/v1/auth/verify")
            .header("accept-language", "en-US,en;q=0.9")
            .json(&json!({"challenge_id": id, "code": wrong_code(&code, 0)})),
    );
    assert_eq!(
        en.json()["error"]["message"],
        "The verification code is incorrect."
    );
    let vi = verify(&host, &id, &wrong_code(&code, 1));
    assert_eq!(vi.json()["error"]["message"], "Mã xác thực không đúng.");
    let bad_phone = host.send(
        host.request(Method::POST, "/api/v1/signup")
            .header("accept-language", "en")
            .json(&json!({"phone": "0236 3822 123", "channel": "sms"})),
    );
    assert_eq!(
        (bad_phone.status, bad_phone.error_code()),
        (422, "invalid_phone".into())
    );
    assert!(bad_phone.json()["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid phone number"));
}

#[test]
fn malformed_requests_get_spec_errors() {
    let host = HostBuilder::app().start();
    let r = host.post_json(
        "/api/v1/auth/otp",
        &json!({"phone": PHONE, "channel": "fax"}),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (422, "validation_failed".into())
    );
    assert!(error_field(&r, "channel").is_string());
    let r = host.post_json("/api/v1/signup", &json!({"phone": PHONE}));
    assert!(error_field(&r, "channel").is_string(), "{}", r.text());
    let r = host.post_json(
        "/api/v1/signup",
        &json!({"phone": PHONE, "channel": "sms", "full_name": "A\u{7}B"}),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (422, "validation_failed".into())
    );
    let r = host.send(
        host.request(Method::POST, "/api/v1/auth/otp")
            .header("content-type", "text/plain")
            .body("{}"),
    );
    assert_eq!(r.status, 415);
    let r = host.send(
        host.request(Method::POST, "/api/v1/auth/verify")
            .header("content-type", "application/json")
            .body("{"),
    );
    assert_eq!((r.status, r.error_code()), (400, "bad_request".into()));
    let r = host.get("/api/v1/auth/otp");
    assert_eq!(
        (r.status, r.header("allow").as_deref()),
        (405, Some("POST"))
    );
    let r = host.get("/api/v1/auth/nothing-here");
    assert_eq!((r.status, r.error_code()), (404, "not_found".into()));
    let r = host.get("/api/v1/dev/outbox");
    assert_eq!(
        (r.status, r.error_code()),
        (422, "validation_failed".into())
    );
    let r = host.get("/api/v1/dev/outbox?phone=12");
    assert_eq!((r.status, r.error_code()), (422, "invalid_phone".into()));
}

#[test]
fn security_events_are_audited_without_secrets() {
    let host = HostBuilder::app().var("otp_resend_seconds", "0").start();
    let first = login(&host, PHONE);
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    assert_eq!(verify(&host, &id, &wrong_code(&code, 0)).status, 401);
    let second = token_of(&verify(&host, &id, &code).json());
    let sessions = host.get_auth("/api/v1/auth/sessions", &second).json();
    let other = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .clone();
    let other = other.as_str().unwrap();
    assert_eq!(
        host.send(
            host.request(Method::DELETE, &format!("/api/v1/auth/sessions/{other}"))
                .bearer_auth(&second)
        )
        .status,
        204
    );
    assert_eq!(
        host.post_json_auth("/api/v1/auth/logout", &second, &json!({}))
            .status,
        204
    );

    let db = rusqlite::Connection::open(host.state_dir.join("sqlite_db.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT actor, action, subject, detail FROM audit_log ORDER BY seq")
        .unwrap();
    let rows: Vec<(String, String, Option<String>, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let actions: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        actions,
        [
            "signup",
            "login",
            "otp_failed",
            "login",
            "session_revoked",
            "logout"
        ],
        "{rows:?}"
    );
    let citizen = first["citizen"]["id"].as_str().unwrap();
    assert!(
        rows.iter().all(|r| r.2.as_deref() == Some(citizen)),
        "every entry is about the citizen: {rows:?}"
    );
    let failed: Value = serde_json::from_str(&rows[2].3).unwrap();
    assert_eq!(failed["attempts_left"], 4);
    assert_eq!(failed["phone"], "+8490*****56");
    let everything = format!("{rows:?}");
    for secret in [
        code.as_str(),
        &token_of(&first),
        &second,
        PHONE_E164,
        "905123456",
    ] {
        assert!(!everything.contains(secret), "{secret} in the audit log");
    }
}

#[test]
fn signup_names_follow_the_profile_rule_before_any_code_is_sent() {
    let host = HostBuilder::app().start();
    for bad in ["An|Binh", "Nguyễn Văn 2", "<b>An</b>"] {
        let r = host.post_json(
            "/api/v1/signup",
            &json!({"phone": PHONE, "channel": "sms", "full_name": bad}),
        );
        assert_eq!(
            (r.status, r.error_code()),
            (422, "validation_failed".into()),
            "{bad}: {}",
            r.text()
        );
        assert!(
            error_field(&r, "full_name").is_string(),
            "{bad}: {}",
            r.text()
        );
    }
    // No code went out for any of them.
    let outbox = host.get(&e2e::session::outbox_path(PHONE_E164)).json();
    assert_eq!(outbox["items"], json!([]));
    // The same name the profile accepts is accepted here, and it is what the
    // profile then shows.
    let r = host.post_json(
        "/api/v1/signup",
        &json!({"phone": PHONE, "channel": "sms", "full_name": "  Nguyễn  Văn An "}),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["challenge_id"].as_str().unwrap().to_owned();
    let code = e2e::session::outbox_code(&host, PHONE_E164);
    let done = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": id, "code": code}),
    );
    assert_eq!(done.status, 201, "{}", done.text());
    assert_eq!(done.json()["citizen"]["full_name"], "Nguyễn Văn An");
}
