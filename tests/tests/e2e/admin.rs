//! Administration end to end (SPEC §13, §6.1, §14): the admin API behind
//! `admin_token`, officials made by admin logging in by one-time code,
//! officials verifying citizens, API keys with scopes (issuer, Open311
//! partner, kiosk; list, revoke), deactivating officials, the audit chain
//! under a login burst and against tampering, and the demo seeder run twice.

use std::sync::Arc;

use e2e::{parallel, root, Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
use serde_json::{json, Value};

fn start() -> Host {
    HostBuilder::app().start()
}

fn admin_post(host: &Host, path: &str, body: &Value) -> Resp {
    host.post_json_auth(path, ADMIN_TOKEN, body)
}

/// Opens the app's SQLite file the way an operator (or an attacker with
/// file access) would.
fn db(host: &Host) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(host.state_dir.join("sqlite_db.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    conn
}

fn outbox_path(phone: &str) -> String {
    format!("/api/v1/dev/outbox?phone={}", phone.replace('+', "%2B"))
}

/// Logs `phone` in by one-time code through the dev outbox, as a person at
/// a kiosk would: returns (session token, citizen).
fn login(host: &Host, phone: &str) -> (String, Value) {
    let started = host.post_json(
        "/api/v1/auth/otp",
        &json!({"phone": phone, "channel": "sms"}),
    );
    assert_eq!(started.status, 202, "{}", started.text());
    let challenge_id = started.json()["challenge_id"].as_str().unwrap().to_owned();
    let outbox = host.get(&outbox_path(phone));
    assert_eq!(outbox.status, 200, "{}", outbox.text());
    let code = outbox.json()["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = host.post_json(
        "/api/v1/auth/verify",
        &json!({"challenge_id": challenge_id, "code": code}),
    );
    assert_eq!(done.status, 200, "{}", done.text());
    let body = done.json();
    (
        body["token"].as_str().unwrap().to_owned(),
        body["citizen"].clone(),
    )
}

fn unit(host: &Host, code: &str, name: &str) {
    let r = admin_post(
        host,
        "/api/v1/admin/units",
        &json!({"code": code, "name": name}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

fn official(host: &Host, phone: &str, unit: &str) -> Resp {
    admin_post(
        host,
        "/api/v1/admin/officials",
        &json!({"phone": phone, "full_name": "Trần Thị Bình", "unit": unit}),
    )
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

#[test]
fn every_admin_route_refuses_a_missing_or_wrong_token() {
    let host = start();
    let wrong = [
        None,
        Some(format!("Bearer {ADMIN_TOKEN}x")),
        Some(format!("Bearer {}", &ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1])),
        Some(format!("Basic {ADMIN_TOKEN}")),
        Some(ADMIN_TOKEN.to_owned()),
    ];
    for (method, path, body) in admin_routes() {
        for auth in &wrong {
            let mut rb = host.request(method.clone(), path);
            if !body.is_null() {
                rb = rb.json(&body);
            }
            if let Some(a) = auth {
                rb = rb.header("authorization", a);
            }
            let r = host.send(rb);
            assert_eq!(
                (r.status, r.error_code().as_str()),
                (401, "unauthorized"),
                "{method} {path} with {auth:?}"
            );
        }
    }
    // The routes that act on something existing refuse before looking.
    for path in [
        "/api/v1/admin/keys/so-tp/revoke",
        "/api/v1/admin/officials/%2B84905000001/deactivate",
    ] {
        assert_eq!(host.post_json(path, &json!({})).status, 401, "{path}");
        assert_eq!(
            host.post_json_auth(path, "wrong", &json!({})).status,
            401,
            "{path}"
        );
    }
    // Unknown admin paths answer 401 too, so the admin surface cannot be mapped.
    assert_eq!(host.get("/api/v1/admin/nothing-here").status, 401);
    assert_eq!(
        host.get_auth("/api/v1/admin/nothing-here", ADMIN_TOKEN)
            .status,
        404
    );

    // None of the refused requests wrote anything: with the token, every
    // create still succeeds the first time.
    for (method, path, body) in admin_routes() {
        let mut rb = host.request(method.clone(), path).bearer_auth(ADMIN_TOKEN);
        if !body.is_null() {
            rb = rb.json(&body);
        }
        let r = host.send(rb);
        let want = if method == Method::GET { 200 } else { 201 };
        assert_eq!(r.status, want, "{method} {path}: {}", r.text());
    }
}

#[test]
fn units_are_validated_normalised_and_unique() {
    let host = start();
    // "Hải Châu" typed with combining marks (NFD), with stray spaces.
    let nfd = "  UBND quận Ha\u{309}i Châu ";
    let r = admin_post(
        &host,
        "/api/v1/admin/units",
        &json!({"code": "ubnd-hai-chau", "name": nfd}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    assert_eq!(body["code"], "ubnd-hai-chau");
    assert_eq!(body["name"], "UBND quận Hải Châu");
    assert!(
        body["created_at"].as_str().unwrap().ends_with("+07:00"),
        "{body}"
    );

    let dup = admin_post(
        &host,
        "/api/v1/admin/units",
        &json!({"code": "ubnd-hai-chau", "name": "Khác"}),
    );
    assert_eq!((dup.status, dup.error_code().as_str()), (409, "conflict"));
    assert!(
        dup.json()["error"]["fields"].get("code").is_some(),
        "{}",
        dup.text()
    );

    let cases = [
        (json!({"code": "UBND", "name": "X"}), "code", "format"),
        (json!({"code": "a", "name": "X"}), "code", "too_short"),
        (
            json!({"code": "x".repeat(41), "name": "X"}),
            "code",
            "too_long",
        ),
        (json!({"name": "X"}), "code", "required"),
        (json!({"code": "so-x", "name": "   "}), "name", "required"),
        (json!({"code": "so-x"}), "name", "required"),
        (
            json!({"code": "so-x", "name": "a\u{7}b"}),
            "name",
            "control_characters",
        ),
        (
            json!({"code": "so-x", "name": "ẵ".repeat(201)}),
            "name",
            "too_long",
        ),
    ];
    for (input, field, reason) in cases {
        let r = admin_post(&host, "/api/v1/admin/units", &input);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (422, "validation_failed"),
            "{input}: {}",
            r.text()
        );
        assert_eq!(r.json()["error"]["fields"][field], reason, "{input}");
    }
    let wrong_type = admin_post(
        &host,
        "/api/v1/admin/units",
        &json!({"code": 7, "name": "X"}),
    );
    assert_eq!(wrong_type.status, 422);
    assert!(wrong_type.json()["error"]["fields"].get("code").is_some());

    let garbage = host.send(
        host.request(Method::POST, "/api/v1/admin/units")
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "application/json")
            .body("{\"code\":"),
    );
    assert_eq!(garbage.status, 400);
    let form = host.send(
        host.request(Method::POST, "/api/v1/admin/units")
            .bearer_auth(ADMIN_TOKEN)
            .body("code=x"),
    );
    assert_eq!(form.status, 415);
    let wrong_method = host.get_auth("/api/v1/admin/units", ADMIN_TOKEN);
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow").as_deref(), Some("POST"));

    let count: i64 = db(&host)
        .query_row("SELECT count(*) FROM units", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1, "refused requests must not create units");
}

#[test]
fn services_and_categories_belong_to_an_existing_unit() {
    let host = start();
    let service = json!({
        "code": "kham-noi", "name": "Khám nội tổng quát", "kind": "health",
        "unit": "benh-vien-da-nang", "address": "124 Hải Phòng, Hải Châu",
    });
    let category = json!({"code": "environment", "name": "Môi trường", "unit": "so-tnmt"});

    let r = admin_post(&host, "/api/v1/admin/services", &service);
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["unit"].as_str()),
        (422, Some("unknown_value")),
        "{}",
        r.text()
    );
    let r = admin_post(&host, "/api/v1/admin/feedback-categories", &category);
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["unit"].as_str()),
        (422, Some("unknown_value")),
        "{}",
        r.text()
    );

    unit(&host, "benh-vien-da-nang", "Bệnh viện Đà Nẵng");
    unit(&host, "so-tnmt", "Sở Tài nguyên và Môi trường");

    let mut bad_kind = service.clone();
    bad_kind["kind"] = json!("hospital");
    let r = admin_post(&host, "/api/v1/admin/services", &bad_kind);
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["kind"].as_str()),
        (422, Some("unknown_value"))
    );
    let mut no_address = service.clone();
    no_address["address"] = json!(" ");
    let r = admin_post(&host, "/api/v1/admin/services", &no_address);
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["address"].as_str()),
        (422, Some("required"))
    );

    let r = admin_post(&host, "/api/v1/admin/services", &service);
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    assert_eq!(
        (
            &body["code"],
            &body["kind"],
            &body["unit"],
            &body["address"]
        ),
        (
            &json!("kham-noi"),
            &json!("health"),
            &json!("benh-vien-da-nang"),
            &json!("124 Hải Phòng, Hải Châu")
        )
    );
    assert_eq!(
        admin_post(&host, "/api/v1/admin/services", &service).status,
        409
    );

    let r = admin_post(&host, "/api/v1/admin/feedback-categories", &category);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        (&r.json()["name"], &r.json()["unit"]),
        (&json!("Môi trường"), &json!("so-tnmt"))
    );
    assert_eq!(
        admin_post(&host, "/api/v1/admin/feedback-categories", &category).status,
        409
    );

    let actions: Vec<String> = db(&host)
        .prepare("SELECT action FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        actions,
        [
            "unit_created",
            "unit_created",
            "service_created",
            "feedback_category_created"
        ]
    );
}

#[test]
fn issuer_key_is_shown_once_and_stored_only_as_a_hash() {
    let host = start();
    let r = admin_post(
        &host,
        "/api/v1/admin/issuers",
        &json!({"code": "so-tu-phap", "name": "Sở Tư pháp"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let body = r.json();
    let key = body["api_key"].as_str().unwrap().to_owned();
    let prefix = body["key_prefix"].as_str().unwrap();
    assert!(key.starts_with("iss_") && key.len() == 47, "{key}");
    assert!(
        key.starts_with(prefix) && prefix.len() < key.len() / 2,
        "{prefix}"
    );
    assert_eq!(
        (&body["code"], &body["name"]),
        (&json!("so-tu-phap"), &json!("Sở Tư pháp"))
    );
    assert!(body["id"].is_i64());

    // A second create of the same code does not hand out another key.
    let again = admin_post(
        &host,
        "/api/v1/admin/issuers",
        &json!({"code": "so-tu-phap", "name": "Khác"}),
    );
    assert_eq!(again.status, 409);
    assert!(!again.text().contains("iss_"), "{}", again.text());

    let conn = db(&host);
    let rows: Vec<Vec<String>> = conn
        .prepare("SELECT * FROM issuers")
        .unwrap()
        .query_map([], |r| {
            Ok((0..r.as_ref().column_count())
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                    other => format!("{other:?}"),
                })
                .collect())
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 1);
    let secret_body = &key[4..];
    for cell in &rows[0] {
        assert!(
            !cell.contains(secret_body),
            "plaintext key stored in issuers: {cell}"
        );
    }
    let hash: String = conn
        .query_row("SELECT key_hash FROM issuers", [], |r| r.get(0))
        .unwrap();
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );

    let audit: String = conn
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'issuer_created'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        audit.contains(prefix) && !audit.contains(secret_body),
        "{audit}"
    );
    assert!(!host.log().contains(secret_body), "the key reached the log");
}

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

    let accounts: i64 = db(&host)
        .query_row("SELECT count(*) FROM citizens", [], |r| r.get(0))
        .unwrap();
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
    let (actor, subject, detail): (String, String, String) = db(&host)
        .query_row(
            "SELECT actor, subject, detail FROM audit_log WHERE action = 'role_changed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
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
        .prepare("SELECT detail FROM audit_log WHERE action = 'role_changed' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|d| serde_json::from_str(&d.unwrap()).unwrap())
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

    let (actor, subject): (String, String) = db(&host)
        .query_row(
            "SELECT actor, subject FROM audit_log WHERE action = 'citizen_verified' ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        actor,
        format!("official:{}", official_account["id"].as_str().unwrap())
    );
    assert_eq!(subject, citizen_id);
}

#[test]
fn audit_chain_holds_under_a_login_burst_and_detects_an_edited_entry() {
    const CITIZENS: usize = 10;
    let host = Arc::new(start());
    let h = host.clone();
    let logins = parallel(CITIZENS, move |i| login(&h, &format!("+849055500{i:02}")));
    assert_eq!(logins.len(), CITIZENS);

    let report = host.get_auth("/api/v1/admin/audit/verify", ADMIN_TOKEN);
    assert_eq!(report.status, 200, "{}", report.text());
    let report = report.json();
    assert_eq!(report["ok"], true, "{report}");
    let entries = report["entries"].as_u64().unwrap();
    assert!(entries >= CITIZENS as u64, "{report}");
    assert_eq!(report["first_bad_seq"], Value::Null);
    assert_eq!(report["head_hash"].as_str().unwrap().len(), 64);

    // An attacker with file access drops the append-only triggers and
    // rewrites one entry in the middle of the chain.
    let target = i64::try_from(entries / 2).unwrap().max(1);
    let conn = db(&host);
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE audit_log SET actor = 'citizen:someone-else' WHERE seq = ?1",
            [target],
        )
        .unwrap();
    assert_eq!(changed, 1);

    let report = host
        .get_auth("/api/v1/admin/audit/verify", ADMIN_TOKEN)
        .json();
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_bad_seq"], target, "{report}");
    assert_eq!(report["head_hash"], Value::Null);
}

/// The seeder binary that `scripts/run` uses.
fn demo_seed_bin() -> std::path::PathBuf {
    let bin = root().join("target/release/demo-seed");
    assert!(
        bin.exists(),
        "{} is missing: cargo build --release -p demo-seed",
        bin.display()
    );
    bin
}

fn run_seed(host: &Host, state: &std::path::Path) -> String {
    let out = std::process::Command::new(demo_seed_bin())
        .args([
            "--url",
            &host.url,
            "--admin-token",
            ADMIN_TOKEN,
            "--state-dir",
        ])
        .arg(state)
        .env_remove("SPIN_VARIABLE_ADMIN_TOKEN")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "demo-seed failed:\n{text}");
    text
}

#[test]
fn demo_seed_fills_the_app_once_and_keeps_the_issuer_key_private() {
    let host = start();
    let state = tempfile::tempdir().unwrap();
    let first = run_seed(&host, state.path());

    let key_file = state.path().join("demo-issuer-key");
    let key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file must be private");
    }
    assert!(key.starts_with("iss_"), "{key}");
    assert!(
        !first.contains(&key) && !first.contains(ADMIN_TOKEN),
        "a secret was printed:\n{first}"
    );
    for shown in [
        "/kiosk/",
        "/api/v1/health",
        "/api/v1/openapi.json",
        "+84905123456",
        "+84905000001",
        "+84905000002",
        "%2B84905123456",
    ] {
        assert!(first.contains(shown), "{shown} missing from:\n{first}");
    }

    let conn = db(&host);
    let prefix: String = conn
        .query_row("SELECT key_prefix FROM issuers", [], |r| r.get(0))
        .unwrap();
    assert!(
        key.starts_with(&prefix),
        "the saved key is not the issuer's"
    );
    let categories: Vec<(String, String)> = conn
        .prepare("SELECT name, unit_code FROM feedback_categories ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let names: Vec<&str> = categories.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Dịch vụ công",
            "Giao thông",
            "Giáo dục",
            "Khác",
            "Môi trường",
            "Trật tự đô thị",
            "Y tế"
        ]
    );
    let officials: Vec<(String, String)> = conn
        .prepare("SELECT phone, unit_code FROM citizens WHERE role = 'official' ORDER BY phone")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        officials,
        [
            ("+84905000001".to_owned(), "ubnd-hai-chau".to_owned()),
            ("+84905000002".to_owned(), "benh-vien-da-nang".to_owned()),
            ("+84905000003".to_owned(), "trung-tam-hcc".to_owned()),
        ]
    );
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM services ORDER BY kind")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kinds, ["health", "public_service"]);
    let citizen: (String, String, String) = conn
        .query_row(
            "SELECT full_name, role, level FROM citizens WHERE phone = '+84905123456'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        citizen,
        (
            "Nguyễn Văn An".to_owned(),
            "citizen".to_owned(),
            "provisional".to_owned()
        )
    );
    // The demo official can log in straight away.
    assert_eq!(login(&host, "+84905000001").1["role"], "official");

    let count = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row(
            "SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM services) \
             + (SELECT count(*) FROM feedback_categories) + (SELECT count(*) FROM issuers) \
             + (SELECT count(*) FROM citizens)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = count(&conn);
    let second = run_seed(&host, state.path());
    assert!(second.contains("already there"), "{second}");
    assert_eq!(count(&conn), before, "a second run must not add anything");
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap().trim(),
        key,
        "the saved key must survive a re-run"
    );
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
    let r = admin_post(host, "/api/v1/admin/issuers", &body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["api_key"].as_str().unwrap().to_owned()
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

/// Percent-encodes a form value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The feedback category Open311 posts go to (service `environment`).
fn environment_category(host: &Host) {
    unit(host, "so-tnmt", "Sở Tài nguyên và Môi trường");
    let body = json!({"code": "environment", "name": "Môi trường", "unit": "so-tnmt"});
    assert_eq!(
        admin_post(host, "/api/v1/admin/feedback-categories", &body).status,
        201
    );
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
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    host.send(
        host.request(Method::POST, "/open311/v2/requests.json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
}

fn audit_details(host: &Host, action: &str) -> Vec<(String, Option<String>, Value)> {
    db(host)
        .prepare("SELECT actor, subject, detail FROM audit_log WHERE action = ?1 ORDER BY seq")
        .unwrap()
        .query_map([action], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?))
        })
        .unwrap()
        .map(|r| {
            let (actor, subject, detail) = r.unwrap();
            (actor, subject, serde_json::from_str(&detail).unwrap())
        })
        .collect()
}

#[test]
fn keys_are_refused_outside_their_scopes() {
    let host = start();
    environment_category(&host);
    let partner = issuer_key(&host, "app-311", Some(&["open311"]));
    let agency = issuer_key(&host, "so-tu-phap", Some(&["documents"]));
    let default = issuer_key(&host, "so-tp-2", None);
    let both = issuer_key(&host, "both", Some(&["documents", "open311"]));
    login(&host, "+84905123456");

    // An Open311 partner key pushes no documents: 403 `key_scope`, the same
    // whether or not the phone has an account (no enumeration).
    let known = push_by_phone(&host, &partner, "+84905123456");
    let unknown = push_by_phone(&host, &partner, "+84905999888");
    assert_eq!(
        (known.status, known.error_code().as_str()),
        (403, "key_scope"),
        "{}",
        known.text()
    );
    assert_eq!(
        (known.status, known.text()),
        (unknown.status, unknown.text())
    );
    let count: i64 = db(&host)
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
    let revoke = host.post_json_auth(
        "/api/v1/issuer/documents/doc_x/revoke",
        &partner,
        &json!({}),
    );
    assert_eq!(
        (revoke.status, revoke.error_code().as_str()),
        (403, "key_scope")
    );

    // A documents key posts no Open311 requests: 403 in the GeoReport format.
    for key in [&agency, &default] {
        let r = open311_post(&host, key, &[]);
        assert_eq!(r.status, 403, "{}", r.text());
        let body = r.json();
        assert_eq!(body[0]["code"], 403, "{body}");
        assert!(
            body[0]["description"]
                .as_str()
                .unwrap()
                .contains("key_scope"),
            "{body}"
        );
    }
    let feedback: i64 = db(&host)
        .query_row("SELECT count(*) FROM feedback", [], |r| r.get(0))
        .unwrap();
    assert_eq!(feedback, 0);

    // Each key in its own scope, and a key given both.
    assert_eq!(open311_post(&host, &partner, &[]).status, 201);
    assert_eq!(open311_post(&host, &both, &[]).status, 201);
    for key in [&agency, &default, &both] {
        // Authenticated: the push reaches the citizen lookup (an unknown phone).
        let r = push_by_phone(&host, key, "+84905999888");
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (404, "citizen_not_found"),
            "{}",
            r.text()
        );
    }

    // Scope lists are checked at creation.
    for (scopes, reason) in [
        (json!(["admin"]), "unknown_value"),
        (json!(["kiosk"]), "unknown_value"),
        (json!([]), "required"),
    ] {
        let r = admin_post(
            &host,
            "/api/v1/admin/issuers",
            &json!({"code": "x-bad", "name": "X", "scopes": scopes}),
        );
        assert_eq!(
            (r.status, r.json()["error"]["fields"]["scopes"].as_str()),
            (422, Some(reason)),
            "{scopes}: {}",
            r.text()
        );
    }
    let r = admin_post(
        &host,
        "/api/v1/admin/issuers",
        &json!({"code": "x-bad", "name": "X", "scopes": "documents"}),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let created: Vec<Value> = audit_details(&host, "issuer_created")
        .into_iter()
        .map(|(_, _, d)| d)
        .collect();
    let scopes: Vec<&Value> = created.iter().map(|d| &d["scopes"]).collect();
    assert_eq!(
        scopes,
        [
            &json!(["open311"]),
            &json!(["documents"]),
            &json!(["documents"]),
            &json!(["documents", "open311"])
        ]
    );
}

#[test]
fn open311_answers_are_the_same_for_known_and_unknown_phones() {
    let host = start();
    environment_category(&host);
    let partner = issuer_key(&host, "app-311", Some(&["open311"]));
    login(&host, "+84905123456");
    let known = open311_post(
        &host,
        &partner,
        &[("phone", "0905123456"), ("email", "an@example.com")],
    );
    let unknown = open311_post(
        &host,
        &partner,
        &[("phone", "0905999888"), ("email", "nobody@example.com")],
    );
    assert_eq!(
        (known.status, unknown.status),
        (201, 201),
        "{} / {}",
        known.text(),
        unknown.text()
    );
    // The same answer but for the tracking code each request gets.
    let strip = |r: &Resp| {
        let body = r.json();
        let id = body[0]["service_request_id"].as_str().unwrap().to_owned();
        r.text().replace(&id, "PA-XXXX-XXXXXX")
    };
    assert_eq!(strip(&known), strip(&unknown));
    // Nothing was tied to the known citizen.
    let owned: i64 = db(&host)
        .query_row(
            "SELECT count(*) FROM feedback WHERE owner_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(owned, 0);
}

/// The `Sql` port over the app's own database file, to call the shared
/// domain exactly as a component does.
struct FileSql(rusqlite::Connection);

impl cds_shared::ports::Sql for FileSql {
    fn execute(
        &self,
        statement: &str,
        params: &[cds_shared::ports::SqlValue],
    ) -> Result<cds_shared::ports::SqlRows, cds_shared::ports::StoreError> {
        use cds_shared::ports::SqlValue as V;
        use rusqlite::types::{Value as R, ValueRef};
        let fail = |e: rusqlite::Error| cds_shared::ports::StoreError::Unavailable(e.to_string());
        let mut stmt = self.0.prepare(statement).map_err(fail)?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let values: Vec<R> = params
            .iter()
            .map(|v| match v {
                V::Integer(i) => R::Integer(*i),
                V::Real(f) => R::Real(*f),
                V::Text(t) => R::Text(t.clone()),
                V::Blob(b) => R::Blob(b.clone()),
                V::Null => R::Null,
            })
            .collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values.iter()))
            .map_err(fail)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(fail)? {
            out.push(
                (0..columns.len())
                    .map(|i| match row.get_ref(i).unwrap() {
                        ValueRef::Integer(i) => V::Integer(i),
                        ValueRef::Real(f) => V::Real(f),
                        ValueRef::Text(t) => V::Text(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => V::Blob(b.to_vec()),
                        ValueRef::Null => V::Null,
                    })
                    .collect(),
            );
        }
        Ok(cds_shared::ports::SqlRows { columns, rows: out })
    }
}

#[test]
fn a_kiosk_key_is_shown_once_and_recognised_as_a_kiosk() {
    use cds_shared::apikey::{find_key, Scope};
    let host = start();
    let unknown_unit = admin_post(
        &host,
        "/api/v1/admin/kiosks",
        &json!({"code": "kiosk-hc-01", "name": "Kiosk", "unit": "ubnd-hai-chau"}),
    );
    assert_eq!(
        (
            unknown_unit.status,
            unknown_unit.json()["error"]["fields"]["unit"].as_str()
        ),
        (422, Some("unknown_value"))
    );
    unit(&host, "ubnd-hai-chau", "UBND quận Hải Châu");
    let r = admin_post(
        &host,
        "/api/v1/admin/kiosks",
        &json!({"code": "kiosk-hc-01", "name": "Kiosk UBND Hải Châu", "unit": "ubnd-hai-chau"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let body = r.json();
    let key = body["api_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("ksk_") && key.len() == 47, "{key}");
    assert_eq!(
        (&body["scopes"], &body["unit"]),
        (&json!(["kiosk"]), &json!("ubnd-hai-chau"))
    );
    assert!(key.starts_with(body["key_prefix"].as_str().unwrap()));
    let again = admin_post(
        &host,
        "/api/v1/admin/kiosks",
        &json!({"code": "kiosk-hc-01", "name": "Khác"}),
    );
    assert_eq!(again.status, 409);
    assert!(!again.text().contains("ksk_"));
    // A kiosk without a unit.
    assert_eq!(
        admin_post(
            &host,
            "/api/v1/admin/kiosks",
            &json!({"code": "kiosk-02", "name": "Kiosk 2"})
        )
        .status,
        201
    );

    // The shared lookup the auth and sign-up components use finds it, with
    // its scope and unit, in the app's own database.
    let sql = FileSql(db(&host));
    let holder = find_key(&sql, &key).unwrap().unwrap();
    assert_eq!(
        (holder.code.as_str(), holder.unit_code.as_deref()),
        ("kiosk-hc-01", Some("ubnd-hai-chau"))
    );
    assert!(holder.scopes.contains(Scope::Kiosk) && !holder.scopes.contains(Scope::Documents));
    assert_eq!(find_key(&sql, &format!("{}A", &key[..46])).unwrap(), None);

    // A kiosk key is real but pushes no documents and posts no Open311.
    let push = push_by_phone(&host, &key, "+84905123456");
    assert_eq!(
        (push.status, push.error_code().as_str()),
        (403, "key_scope")
    );
    assert_eq!(open311_post(&host, &key, &[]).status, 403);

    let secret = &key[4..];
    let (_, _, detail) = audit_details(&host, "kiosk_created").remove(0);
    assert_eq!(
        (&detail["code"], &detail["unit"]),
        (&json!("kiosk-hc-01"), &json!("ubnd-hai-chau"))
    );
    assert!(!detail.to_string().contains(secret) && !host.log().contains(secret));
}

#[test]
fn the_key_list_shows_prefix_scopes_and_use_but_never_the_key() {
    let host = start();
    unit(&host, "trung-tam-hcc", "Trung tâm Hành chính công");
    let agency = issuer_key(&host, "so-tu-phap", None);
    let partner = issuer_key(&host, "app-311", Some(&["open311"]));
    let kiosk = admin_post(
        &host,
        "/api/v1/admin/kiosks",
        &json!({"code": "kiosk-hcc", "name": "Kiosk", "unit": "trung-tam-hcc"}),
    );
    let kiosk = kiosk.json()["api_key"].as_str().unwrap().to_owned();
    // The agency's key is used; the partner's is tried out of scope.
    assert_eq!(push_by_phone(&host, &agency, "+84905999888").status, 404);
    assert_eq!(push_by_phone(&host, &partner, "+84905999888").status, 403);

    let r = host.get_auth("/api/v1/admin/keys", ADMIN_TOKEN);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let text = r.text();
    let conn = db(&host);
    for key in [&agency, &partner, &kiosk] {
        assert!(!text.contains(&key[4..]), "a key in the list: {text}");
        let hash: String = conn
            .query_row(
                "SELECT key_hash FROM issuers WHERE key_prefix = ?1",
                [&key[..12]],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!text.contains(&hash), "a hash in the list: {text}");
    }
    let body = r.json();
    assert_eq!(body["next_cursor"], Value::Null);
    let items = body["items"].as_array().unwrap();
    let codes: Vec<&str> = items.iter().map(|k| k["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["kiosk-hcc", "app-311", "so-tu-phap"],
        "newest first"
    );
    let by = |code: &str| items.iter().find(|k| k["code"] == code).unwrap().clone();
    let (a, p, k) = (by("so-tu-phap"), by("app-311"), by("kiosk-hcc"));
    assert_eq!(a["key_prefix"].as_str(), Some(&agency[..12]));
    assert_eq!(
        (&a["scopes"], &p["scopes"], &k["scopes"]),
        (
            &json!(["documents"]),
            &json!(["open311"]),
            &json!(["kiosk"])
        )
    );
    assert_eq!(k["unit"], "trung-tam-hcc");
    for item in [&a, &p] {
        assert!(
            item["created_at"].as_str().unwrap().ends_with("+07:00"),
            "{item}"
        );
        assert!(
            item["last_used_at"].as_str().unwrap().ends_with("+07:00"),
            "used: {item}"
        );
        assert_eq!(item["revoked_at"], Value::Null);
    }
    assert_eq!(k["last_used_at"], Value::Null, "never used");

    // Pages of one, following the cursor.
    let mut seen = Vec::new();
    let mut path = "/api/v1/admin/keys?limit=1".to_owned();
    loop {
        let page = host.get_auth(&path, ADMIN_TOKEN).json();
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
        seen.push(page["items"][0]["code"].as_str().unwrap().to_owned());
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/admin/keys?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, codes);
    assert_eq!(
        host.get_auth("/api/v1/admin/keys?limit=zero", ADMIN_TOKEN)
            .status,
        422
    );
}

#[test]
fn a_revoked_key_is_refused_at_once_and_revoking_is_idempotent() {
    let host = start();
    environment_category(&host);
    let agency = issuer_key(&host, "so-tu-phap", None);
    let partner = issuer_key(&host, "app-311", Some(&["open311"]));
    assert_eq!(
        push_by_phone(&host, &agency, "+84905999888").status,
        404,
        "works before"
    );
    assert_eq!(
        open311_post(&host, &partner, &[]).status,
        201,
        "works before"
    );

    for code in ["so-tu-phap", "app-311"] {
        let r = admin_post(
            &host,
            &format!("/api/v1/admin/keys/{code}/revoke"),
            &json!({}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.json()["revoked_at"].as_str().unwrap().ends_with("+07:00"));
    }
    let r = push_by_phone(&host, &agency, "+84905999888");
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"));
    assert_eq!(open311_post(&host, &partner, &[]).status, 403);

    let first =
        host.get_auth("/api/v1/admin/keys", ADMIN_TOKEN).json()["items"][1]["revoked_at"].clone();
    let again = admin_post(&host, "/api/v1/admin/keys/so-tu-phap/revoke", &json!({}));
    assert_eq!((again.status, &again.json()["revoked_at"]), (200, &first));
    let missing = admin_post(&host, "/api/v1/admin/keys/nobody/revoke", &json!({}));
    assert_eq!(
        (missing.status, missing.error_code().as_str()),
        (404, "key_not_found")
    );
    assert_eq!(
        host.get_auth("/api/v1/admin/keys/so-tu-phap/revoke", ADMIN_TOKEN)
            .status,
        405
    );

    let revoked: Vec<Value> = audit_details(&host, "key_revoked")
        .into_iter()
        .map(|(a, _, d)| json!([a, d["code"]]))
        .collect();
    assert_eq!(
        revoked,
        [json!(["admin", "so-tu-phap"]), json!(["admin", "app-311"])],
        "one entry per revocation"
    );
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
