//! Login, one-time codes and their limits: wrong, malformed, expired and used codes under parallel guesses; resend cooldown, per-phone, per-address and lockout caps; identical answers for known and unknown phones.

use super::*;

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
fn a_thousand_parallel_wrong_guesses_evaluate_at_most_five() {
    // On the PostgreSQL setup the guesses are spread over every node.
    let host = Arc::new(HostBuilder::app().start());
    let id = challenge(&host, PHONE);
    let code = latest_code(&host, PHONE);
    let (h, cid, c) = (host.clone(), id.clone(), code.clone());
    let answers = parallel(1000, move |i| {
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
    assert_audit_chain_verifies(&host);
}

#[test]
fn parallel_code_requests_for_one_phone_never_exceed_its_quotas() {
    // The resend cooldown: of 40 requests at once, one sends a code.
    let host = Arc::new(HostBuilder::app().var("otp_ip_hourly", "1000").start());
    let h = host.clone();
    let statuses = parallel(40, move |_| {
        let r = request_login(&h, PHONE);
        (r.status, r.error_code())
    });
    let sent = statuses.iter().filter(|s| s.0 == 202).count();
    assert_eq!(sent, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| s.0 == 202 || *s == (429, "rate_limited".to_owned())),
        "{statuses:?}"
    );
    assert_audit_chain_verifies(&host);
    drop(host);

    // The hourly cap: of 40 requests at once, three send a code.
    let host = Arc::new(
        HostBuilder::app()
            .var("otp_ip_hourly", "1000")
            .var("otp_resend_seconds", "0")
            .var("otp_phone_hourly", "3")
            .start(),
    );
    let h = host.clone();
    let statuses = parallel(40, move |_| {
        let r = request_login(&h, PHONE);
        (r.status, r.error_code())
    });
    let sent = statuses.iter().filter(|s| s.0 == 202).count();
    assert_eq!(sent, 3, "{statuses:?}");
    let r = host.get(&session::outbox_path(PHONE));
    assert_eq!(
        r.json()["items"].as_array().unwrap().len(),
        3,
        "{}",
        r.text()
    );
    assert_audit_chain_verifies(&host);
}

#[test]
fn parallel_code_requests_from_one_address_never_exceed_its_quota() {
    let host = Arc::new(HostBuilder::app().var("otp_ip_hourly", "5").start());
    let h = host.clone();
    let statuses = parallel(40, move |i| {
        let r = request_login(&h, &format!("0905{:06}", 100 + i));
        (r.status, r.error_code())
    });
    let sent = statuses.iter().filter(|s| s.0 == 202).count();
    assert_eq!(sent, 5, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| s.0 == 202 || *s == (429, "rate_limited".to_owned())),
        "{statuses:?}"
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
    let db = db(&host);
    db.run(
        "INSERT INTO otp_challenges (id, phone, channel, purpose, client, code_mac, attempts, created_at, expires_at) \
         VALUES ('otp_zalolinkzalolinkzalo00', ?1, 'zalo', 'zalo_link', 'zalo', ?4, 0, ?2, ?3)",
        e2e::params![PHONE_E164, now(), now() + 300, vec![0u8]],
    );
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
    let attempts = db.int(
        "SELECT attempts FROM otp_challenges WHERE id = 'otp_zalolinkzalolinkzalo00'",
        &[],
    );
    assert_eq!(attempts, 0, "no try of the chat-bot's challenge was spent");
}
