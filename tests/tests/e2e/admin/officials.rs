//! Officials made or promoted by admin, logging in and verifying citizens; deactivation taking their sessions and rights at once.

use super::*;

#[test]
fn officials_need_a_valid_phone_and_an_existing_unit() {
    let host = start();
    let bad_phone = official(&host, "0236 3822 123", "ubnd-hai-chau"); // a landline
    assert_eq!(
        (bad_phone.status, bad_phone.error_code().as_str()),
        (422, "invalid_phone")
    );
    assert!(bad_phone.json()["error"]["fields"].get("phone").is_some());

    let unknown_unit = official(&host, "0905000001", "ubnd-hai-chau");
    assert_eq!(unknown_unit.status, 422, "{}", unknown_unit.text());
    assert_eq!(
        unknown_unit.json()["error"]["fields"]["unit"],
        "unknown_value"
    );
    let no_name = admin_post(
        &host,
        "/api/v1/admin/officials",
        &json!({"phone": "0905000001", "full_name": " ", "unit": "ubnd-hai-chau"}),
    );
    assert_eq!(
        (
            no_name.status,
            no_name.json()["error"]["fields"]["full_name"].as_str()
        ),
        (422, Some("required"))
    );

    let accounts = db(&host).int("SELECT count(*) FROM citizens", &[]);
    assert_eq!(accounts, 0, "refused requests must not create accounts");
}

#[test]
fn an_official_made_by_admin_logs_in_with_role_official() {
    let host = start();
    unit(&host, "ubnd-hai-chau", "UBND quận Hải Châu");
    let r = official(&host, "0905 000 001", "ubnd-hai-chau");
    assert_eq!(r.status, 201, "{}", r.text());
    let made = r.json();
    assert_eq!(
        (&made["phone"], &made["role"], &made["unit"]),
        (
            &json!("+84905000001"),
            &json!("official"),
            &json!("ubnd-hai-chau")
        )
    );

    let (_, citizen) = login(&host, "+84905000001");
    assert_eq!(citizen["role"], "official", "{citizen}");
    assert_eq!(citizen["id"], made["id"]);
    assert_eq!(citizen["full_name"], "Trần Thị Bình");

    // Repeating the same request changes nothing.
    let replay = official(&host, "+84905000001", "ubnd-hai-chau");
    assert_eq!(replay.status, 200, "{}", replay.text());

    // The change is audited with a masked phone and the role and unit moves.
    let row = db(&host).row(
        "SELECT actor, subject, detail FROM audit_log WHERE action = 'role_changed'",
        &[],
    );
    let (actor, subject, detail) = (row.text(0), row.text(1), row.json(2));
    assert_eq!(
        (actor.as_str(), subject.as_str()),
        ("admin", made["id"].as_str().unwrap())
    );
    assert_eq!(detail["role"], "official");
    assert_eq!(detail["unit"], "ubnd-hai-chau");
    assert_eq!(detail["previous_role"], Value::Null);
    assert_eq!(detail["phone"], "+8490*****01");
}

#[test]
fn a_citizen_promoted_to_official_can_verify_at_once() {
    let host = start();
    unit(&host, "ubnd-hai-chau", "UBND quận Hải Châu");
    unit(&host, "benh-vien-da-nang", "Bệnh viện Đà Nẵng");
    let (token, before) = login(&host, "+84905000003");
    assert_eq!(before["role"], "citizen");
    let (_, other) = login(&host, "+84905000004");
    let verify_path = format!(
        "/api/v1/officials/citizens/{}/verify",
        other["id"].as_str().unwrap()
    );
    assert_eq!(
        host.post_json_auth(&verify_path, &token, &json!({})).status,
        403
    );

    assert_eq!(official(&host, "+84905000003", "ubnd-hai-chau").status, 201);
    // Same session: the new role applies without logging in again.
    let r = host.post_json_auth(&verify_path, &token, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    // Moving to another unit is a change too, recorded with where it came from.
    assert_eq!(
        official(&host, "+84905000003", "benh-vien-da-nang").status,
        201
    );

    let details: Vec<Value> = db(&host)
        .rows(
            "SELECT detail FROM audit_log WHERE action = 'role_changed' ORDER BY seq",
            &[],
        )
        .iter()
        .map(|r| r.json(0))
        .collect();
    assert_eq!(details.len(), 2);
    assert_eq!(
        (&details[0]["previous_role"], &details[0]["unit"]),
        (&json!("citizen"), &json!("ubnd-hai-chau"))
    );
    assert_eq!(
        (
            &details[1]["previous_role"],
            &details[1]["previous_unit"],
            &details[1]["unit"]
        ),
        (
            &json!("official"),
            &json!("ubnd-hai-chau"),
            &json!("benh-vien-da-nang")
        )
    );
}

#[test]
fn an_official_verifies_a_citizen_and_a_citizen_cannot() {
    // The citizen logs in twice; no resend cooldown between the two codes.
    let host = HostBuilder::app().var("otp_resend_seconds", "0").start();
    unit(&host, "trung-tam-hcc", "Trung tâm Hành chính công");
    assert_eq!(official(&host, "+84905000002", "trung-tam-hcc").status, 201);
    let (official_token, official_account) = login(&host, "+84905000002");
    let (citizen_token, citizen) = login(&host, "+84905123456");
    let (other_token, _) = login(&host, "+84905123457");
    assert_eq!(citizen["level"], "provisional");
    let citizen_id = citizen["id"].as_str().unwrap();
    let path = format!("/api/v1/officials/citizens/{citizen_id}/verify");

    let anonymous = host.post_json(&path, &json!({}));
    assert_eq!(
        (anonymous.status, anonymous.error_code().as_str()),
        (401, "unauthorized")
    );
    assert_eq!(
        host.post_json_auth(&path, "not-a-session", &json!({}))
            .status,
        401
    );
    for token in [&citizen_token, &other_token] {
        let r = host.post_json_auth(&path, token, &json!({}));
        assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
    }
    // Officials do not confirm their own identity.
    let own = format!(
        "/api/v1/officials/citizens/{}/verify",
        official_account["id"].as_str().unwrap()
    );
    assert_eq!(
        host.post_json_auth(&own, &official_token, &json!({}))
            .status,
        403
    );

    let unknown = host.post_json_auth(
        "/api/v1/officials/citizens/cit_nobody/verify",
        &official_token,
        &json!({}),
    );
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (404, "citizen_not_found")
    );

    let r = host.post_json_auth(&path, &official_token, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (&r.json()["id"], &r.json()["level"]),
        (&json!(citizen_id), &json!("verified"))
    );
    // Idempotent.
    assert_eq!(
        host.post_json_auth(&path, &official_token, &json!({}))
            .json()["level"],
        "verified"
    );

    // The citizen sees it on their next login.
    let (_, again) = login(&host, "+84905123456");
    assert_eq!(again["level"], "verified");

    let row = db(&host).row(
        "SELECT actor, subject FROM audit_log WHERE action = 'citizen_verified' ORDER BY seq LIMIT 1",
        &[],
    );
    let (actor, subject) = (row.text(0), row.text(1));
    assert_eq!(
        actor,
        format!("official:{}", official_account["id"].as_str().unwrap())
    );
    assert_eq!(subject, citizen_id);
}

#[test]
fn a_deactivated_official_loses_their_sessions_and_rights_at_once() {
    let host = HostBuilder::app().var("otp_resend_seconds", "0").start();
    unit(&host, "trung-tam-hcc", "Trung tâm Hành chính công");
    assert_eq!(official(&host, "+84905000002", "trung-tam-hcc").status, 201);
    let (token, account) = login(&host, "+84905000002");
    let (second_token, _) = login(&host, "+84905000002");
    let (_, citizen) = login(&host, "+84905123456");
    let verify = format!(
        "/api/v1/officials/citizens/{}/verify",
        citizen["id"].as_str().unwrap()
    );
    assert_eq!(
        host.post_json_auth(&verify, &token, &json!({})).status,
        200,
        "an official before"
    );

    let r = admin_post(
        &host,
        "/api/v1/admin/officials/%2B84905000002/deactivate",
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        (&body["role"], &body["unit"], &body["deactivated"]),
        (&json!("citizen"), &Value::Null, &json!(true))
    );
    assert_eq!(body["sessions_revoked"], 2);
    assert_eq!(body["id"], account["id"]);

    // Their tokens stop at once, on every route.
    for t in [&token, &second_token] {
        let r = host.post_json_auth(&verify, t, &json!({}));
        assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"));
        assert_eq!(host.get_auth("/api/v1/me", t).status, 401);
    }
    // They may still log in, as a citizen without official rights.
    let (fresh, again) = login(&host, "+84905000002");
    assert_eq!(again["role"], "citizen");
    assert_eq!(host.post_json_auth(&verify, &fresh, &json!({})).status, 403);

    // Idempotent, by id too: nothing changes, nobody is logged out.
    let path = format!(
        "/api/v1/admin/officials/{}/deactivate",
        account["id"].as_str().unwrap()
    );
    let replay = admin_post(&host, &path, &json!({}));
    assert_eq!(
        (
            replay.status,
            &replay.json()["deactivated"],
            &replay.json()["sessions_revoked"]
        ),
        (200, &json!(false), &json!(0))
    );
    assert_eq!(host.get_auth("/api/v1/me", &fresh).status, 200);
    for unknown in [
        "/api/v1/admin/officials/cit_nobody/deactivate",
        "/api/v1/admin/officials/0905999888/deactivate",
        "/api/v1/admin/officials/someone/deactivate",
    ] {
        let r = admin_post(&host, unknown, &json!({}));
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (404, "account_not_found"),
            "{unknown}"
        );
    }

    let entries = audit_details(&host, "official_deactivated");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (actor, subject, detail) = &entries[0];
    assert_eq!(
        (actor.as_str(), subject.as_deref()),
        ("admin", account["id"].as_str())
    );
    assert_eq!(
        (
            &detail["previous_unit"],
            &detail["sessions_revoked"],
            &detail["phone"]
        ),
        (&json!("trung-tam-hcc"), &json!(2), &json!("+8490*****02"))
    );
}
