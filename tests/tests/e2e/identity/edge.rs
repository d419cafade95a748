//! Edge behaviour: errors in English when asked, malformed requests, security events audited without secrets, sign-up names.

use super::*;

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
        host.delete_auth(&format!("/api/v1/auth/sessions/{other}"), &second)
            .status,
        204
    );
    assert_eq!(
        host.post_json_auth("/api/v1/auth/logout", &second, &json!({}))
            .status,
        204
    );

    let rows: Vec<(String, String, Option<String>, String)> = db(&host)
        .rows(
            "SELECT actor, action, subject, detail FROM audit_log ORDER BY seq",
            &[],
        )
        .into_iter()
        .map(|r| (r.text(0), r.text(1), r.opt_text(2), r.text(3)))
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
