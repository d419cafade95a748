//! Sessions listed, revoked and logged out; kiosk sessions; limits holding across two edge nodes on one database.

use super::*;

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
    let theirs = host.delete_auth(&format!("/api/v1/auth/sessions/{other_id}"), &stranger);
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

    let revoke = host.delete_auth(&format!("/api/v1/auth/sessions/{other_id}"), &first);
    assert_eq!(revoke.status, 204, "{}", revoke.text());
    let r = host.get_auth("/api/v1/auth/sessions", &second);
    assert_eq!((r.status, r.error_code()), (401, "unauthorized".into()));
    let again = host.delete_auth(&format!("/api/v1/auth/sessions/{other_id}"), &first);
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
    let r = host.get(&session::outbox_path(phone));
    r.json()["items"][nth]["code"].as_str().unwrap().to_owned()
}
