//! Delivery through the real gateways (loopback fakes of eSMS and Zalo ZNS): sign-up by SMS and by ZNS, provider failures, the outbox outside dev mode.

use super::*;

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
