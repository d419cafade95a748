//! Administration end to end (SPEC §13, §6.1, §14): the admin API behind
//! `admin_token`, officials made by admin logging in by one-time code,
//! officials verifying citizens, the audit chain under a login burst and
//! against tampering, and the demo seeder run twice.
#![allow(clippy::unwrap_used, clippy::panic)]

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
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    conn
}

fn outbox_path(phone: &str) -> String {
    format!("/api/v1/dev/outbox?phone={}", phone.replace('+', "%2B"))
}

/// Logs `phone` in by one-time code through the dev outbox, as a person at
/// a kiosk would: returns (session token, citizen).
fn login(host: &Host, phone: &str) -> (String, Value) {
    let started = host.post_json("/api/v1/auth/otp", &json!({"phone": phone, "channel": "sms"}));
    assert_eq!(started.status, 202, "{}", started.text());
    let challenge_id = started.json()["challenge_id"].as_str().unwrap().to_owned();
    let outbox = host.get(&outbox_path(phone));
    assert_eq!(outbox.status, 200, "{}", outbox.text());
    let code = outbox.json()["items"][0]["code"].as_str().unwrap().to_owned();
    let done = host.post_json("/api/v1/auth/verify", &json!({"challenge_id": challenge_id, "code": code}));
    assert_eq!(done.status, 200, "{}", done.text());
    let body = done.json();
    (body["token"].as_str().unwrap().to_owned(), body["citizen"].clone())
}

fn unit(host: &Host, code: &str, name: &str) {
    let r = admin_post(host, "/api/v1/admin/units", &json!({"code": code, "name": name}));
    assert_eq!(r.status, 201, "{}", r.text());
}

fn official(host: &Host, phone: &str, unit: &str) -> Resp {
    admin_post(host, "/api/v1/admin/officials", &json!({"phone": phone, "full_name": "Trần Thị Bình", "unit": unit}))
}

/// Every admin route with a body it would accept.
fn admin_routes() -> Vec<(Method, &'static str, Value)> {
    vec![
        (Method::POST, "/api/v1/admin/units", json!({"code": "so-yte", "name": "Sở Y tế"})),
        (Method::POST, "/api/v1/admin/officials", json!({"phone": "0905000001", "full_name": "A", "unit": "so-yte"})),
        (Method::POST, "/api/v1/admin/issuers", json!({"code": "so-tp", "name": "Sở Tư pháp"})),
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
            assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"), "{method} {path} with {auth:?}");
        }
    }
    // Unknown admin paths answer 401 too, so the admin surface cannot be mapped.
    assert_eq!(host.get("/api/v1/admin/nothing-here").status, 401);
    assert_eq!(host.get_auth("/api/v1/admin/nothing-here", ADMIN_TOKEN).status, 404);

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
    let r = admin_post(&host, "/api/v1/admin/units", &json!({"code": "ubnd-hai-chau", "name": nfd}));
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    assert_eq!(body["code"], "ubnd-hai-chau");
    assert_eq!(body["name"], "UBND quận Hải Châu");
    assert!(body["created_at"].as_str().unwrap().ends_with("+07:00"), "{body}");

    let dup = admin_post(&host, "/api/v1/admin/units", &json!({"code": "ubnd-hai-chau", "name": "Khác"}));
    assert_eq!((dup.status, dup.error_code().as_str()), (409, "conflict"));
    assert!(dup.json()["error"]["fields"].get("code").is_some(), "{}", dup.text());

    let cases = [
        (json!({"code": "UBND", "name": "X"}), "code", "format"),
        (json!({"code": "a", "name": "X"}), "code", "too_short"),
        (json!({"code": "x".repeat(41), "name": "X"}), "code", "too_long"),
        (json!({"name": "X"}), "code", "required"),
        (json!({"code": "so-x", "name": "   "}), "name", "required"),
        (json!({"code": "so-x"}), "name", "required"),
        (json!({"code": "so-x", "name": "a\u{7}b"}), "name", "control_characters"),
        (json!({"code": "so-x", "name": "ẵ".repeat(201)}), "name", "too_long"),
    ];
    for (input, field, reason) in cases {
        let r = admin_post(&host, "/api/v1/admin/units", &input);
        assert_eq!((r.status, r.error_code().as_str()), (422, "validation_failed"), "{input}: {}", r.text());
        assert_eq!(r.json()["error"]["fields"][field], reason, "{input}");
    }
    let wrong_type = admin_post(&host, "/api/v1/admin/units", &json!({"code": 7, "name": "X"}));
    assert_eq!(wrong_type.status, 422);
    assert!(wrong_type.json()["error"]["fields"].get("code").is_some());

    let garbage = host.send(
        host.request(Method::POST, "/api/v1/admin/units")
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "application/json")
            .body("{\"code\":"),
    );
    assert_eq!(garbage.status, 400);
    let form = host.send(host.request(Method::POST, "/api/v1/admin/units").bearer_auth(ADMIN_TOKEN).body("code=x"));
    assert_eq!(form.status, 415);
    let wrong_method = host.get_auth("/api/v1/admin/units", ADMIN_TOKEN);
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow").as_deref(), Some("POST"));

    let count: i64 = db(&host).query_row("SELECT count(*) FROM units", [], |r| r.get(0)).unwrap();
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
    assert_eq!((r.status, r.json()["error"]["fields"]["unit"].as_str()), (422, Some("unknown_value")), "{}", r.text());
    let r = admin_post(&host, "/api/v1/admin/feedback-categories", &category);
    assert_eq!((r.status, r.json()["error"]["fields"]["unit"].as_str()), (422, Some("unknown_value")), "{}", r.text());

    unit(&host, "benh-vien-da-nang", "Bệnh viện Đà Nẵng");
    unit(&host, "so-tnmt", "Sở Tài nguyên và Môi trường");

    let mut bad_kind = service.clone();
    bad_kind["kind"] = json!("hospital");
    let r = admin_post(&host, "/api/v1/admin/services", &bad_kind);
    assert_eq!((r.status, r.json()["error"]["fields"]["kind"].as_str()), (422, Some("unknown_value")));
    let mut no_address = service.clone();
    no_address["address"] = json!(" ");
    let r = admin_post(&host, "/api/v1/admin/services", &no_address);
    assert_eq!((r.status, r.json()["error"]["fields"]["address"].as_str()), (422, Some("required")));

    let r = admin_post(&host, "/api/v1/admin/services", &service);
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    assert_eq!(
        (&body["code"], &body["kind"], &body["unit"], &body["address"]),
        (&json!("kham-noi"), &json!("health"), &json!("benh-vien-da-nang"), &json!("124 Hải Phòng, Hải Châu"))
    );
    assert_eq!(admin_post(&host, "/api/v1/admin/services", &service).status, 409);

    let r = admin_post(&host, "/api/v1/admin/feedback-categories", &category);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!((&r.json()["name"], &r.json()["unit"]), (&json!("Môi trường"), &json!("so-tnmt")));
    assert_eq!(admin_post(&host, "/api/v1/admin/feedback-categories", &category).status, 409);

    let actions: Vec<String> = db(&host)
        .prepare("SELECT action FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(actions, ["unit_created", "unit_created", "service_created", "feedback_category_created"]);
}

#[test]
fn issuer_key_is_shown_once_and_stored_only_as_a_hash() {
    let host = start();
    let r = admin_post(&host, "/api/v1/admin/issuers", &json!({"code": "so-tu-phap", "name": "Sở Tư pháp"}));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let body = r.json();
    let key = body["api_key"].as_str().unwrap().to_owned();
    let prefix = body["key_prefix"].as_str().unwrap();
    assert!(key.starts_with("iss_") && key.len() == 47, "{key}");
    assert!(key.starts_with(prefix) && prefix.len() < key.len() / 2, "{prefix}");
    assert_eq!((&body["code"], &body["name"]), (&json!("so-tu-phap"), &json!("Sở Tư pháp")));
    assert!(body["id"].is_i64());

    // A second create of the same code does not hand out another key.
    let again = admin_post(&host, "/api/v1/admin/issuers", &json!({"code": "so-tu-phap", "name": "Khác"}));
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
        assert!(!cell.contains(secret_body), "plaintext key stored in issuers: {cell}");
    }
    let hash: String = conn.query_row("SELECT key_hash FROM issuers", [], |r| r.get(0)).unwrap();
    assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");

    let audit: String = conn
        .query_row("SELECT detail FROM audit_log WHERE action = 'issuer_created'", [], |r| r.get(0))
        .unwrap();
    assert!(audit.contains(prefix) && !audit.contains(secret_body), "{audit}");
    assert!(!host.log().contains(secret_body), "the key reached the log");
}

#[test]
fn officials_need_a_valid_phone_and_an_existing_unit() {
    let host = start();
    let bad_phone = official(&host, "0236 3822 123", "ubnd-hai-chau"); // a landline
    assert_eq!((bad_phone.status, bad_phone.error_code().as_str()), (422, "invalid_phone"));
    assert!(bad_phone.json()["error"]["fields"].get("phone").is_some());

    let unknown_unit = official(&host, "0905000001", "ubnd-hai-chau");
    assert_eq!(unknown_unit.status, 422, "{}", unknown_unit.text());
    assert_eq!(unknown_unit.json()["error"]["fields"]["unit"], "unknown_value");
    let no_name = admin_post(
        &host,
        "/api/v1/admin/officials",
        &json!({"phone": "0905000001", "full_name": " ", "unit": "ubnd-hai-chau"}),
    );
    assert_eq!((no_name.status, no_name.json()["error"]["fields"]["full_name"].as_str()), (422, Some("required")));

    let accounts: i64 = db(&host).query_row("SELECT count(*) FROM citizens", [], |r| r.get(0)).unwrap();
    assert_eq!(accounts, 0, "refused requests must not create accounts");
}

#[test]
fn an_official_made_by_admin_logs_in_with_role_official() {
    let host = start();
    unit(&host, "ubnd-hai-chau", "UBND quận Hải Châu");
    let r = official(&host, "0905 000 001", "ubnd-hai-chau");
    assert_eq!(r.status, 201, "{}", r.text());
    let made = r.json();
    assert_eq!((&made["phone"], &made["role"], &made["unit"]), (&json!("+84905000001"), &json!("official"), &json!("ubnd-hai-chau")));

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
    assert_eq!((actor.as_str(), subject.as_str()), ("admin", made["id"].as_str().unwrap()));
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
    let verify_path = format!("/api/v1/officials/citizens/{}/verify", other["id"].as_str().unwrap());
    assert_eq!(host.post_json_auth(&verify_path, &token, &json!({})).status, 403);

    assert_eq!(official(&host, "+84905000003", "ubnd-hai-chau").status, 201);
    // Same session: the new role applies without logging in again.
    let r = host.post_json_auth(&verify_path, &token, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    // Moving to another unit is a change too, recorded with where it came from.
    assert_eq!(official(&host, "+84905000003", "benh-vien-da-nang").status, 201);

    let details: Vec<Value> = db(&host)
        .prepare("SELECT detail FROM audit_log WHERE action = 'role_changed' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|d| serde_json::from_str(&d.unwrap()).unwrap())
        .collect();
    assert_eq!(details.len(), 2);
    assert_eq!((&details[0]["previous_role"], &details[0]["unit"]), (&json!("citizen"), &json!("ubnd-hai-chau")));
    assert_eq!(
        (&details[1]["previous_role"], &details[1]["previous_unit"], &details[1]["unit"]),
        (&json!("official"), &json!("ubnd-hai-chau"), &json!("benh-vien-da-nang"))
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
    assert_eq!((anonymous.status, anonymous.error_code().as_str()), (401, "unauthorized"));
    assert_eq!(host.post_json_auth(&path, "not-a-session", &json!({})).status, 401);
    for token in [&citizen_token, &other_token] {
        let r = host.post_json_auth(&path, token, &json!({}));
        assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
    }
    // Officials do not confirm their own identity.
    let own = format!("/api/v1/officials/citizens/{}/verify", official_account["id"].as_str().unwrap());
    assert_eq!(host.post_json_auth(&own, &official_token, &json!({})).status, 403);

    let unknown = host.post_json_auth("/api/v1/officials/citizens/cit_nobody/verify", &official_token, &json!({}));
    assert_eq!((unknown.status, unknown.error_code().as_str()), (404, "citizen_not_found"));

    let r = host.post_json_auth(&path, &official_token, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!((&r.json()["id"], &r.json()["level"]), (&json!(citizen_id), &json!("verified")));
    // Idempotent.
    assert_eq!(host.post_json_auth(&path, &official_token, &json!({})).json()["level"], "verified");

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
    assert_eq!(actor, format!("official:{}", official_account["id"].as_str().unwrap()));
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
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    let changed = conn
        .execute("UPDATE audit_log SET actor = 'citizen:someone-else' WHERE seq = ?1", [target])
        .unwrap();
    assert_eq!(changed, 1);

    let report = host.get_auth("/api/v1/admin/audit/verify", ADMIN_TOKEN).json();
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_bad_seq"], target, "{report}");
    assert_eq!(report["head_hash"], Value::Null);
}

/// The seeder binary that `scripts/run` uses.
fn demo_seed_bin() -> std::path::PathBuf {
    let bin = root().join("target/release/demo-seed");
    assert!(bin.exists(), "{} is missing: cargo build --release -p demo-seed", bin.display());
    bin
}

fn run_seed(host: &Host, state: &std::path::Path) -> String {
    let out = std::process::Command::new(demo_seed_bin())
        .args(["--url", &host.url, "--admin-token", ADMIN_TOKEN, "--state-dir"])
        .arg(state)
        .env_remove("SPIN_VARIABLE_ADMIN_TOKEN")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "demo-seed failed:\n{text}");
    text
}

#[test]
fn demo_seed_fills_the_app_once_and_keeps_the_issuer_key_private() {
    let host = start();
    let state = tempfile::tempdir().unwrap();
    let first = run_seed(&host, state.path());

    let key_file = state.path().join("demo-issuer-key");
    let key = std::fs::read_to_string(&key_file).unwrap().trim().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file must be private");
    }
    assert!(key.starts_with("iss_"), "{key}");
    assert!(!first.contains(&key) && !first.contains(ADMIN_TOKEN), "a secret was printed:\n{first}");
    for shown in ["/kiosk/", "/api/v1/health", "/api/v1/openapi.json", "+84905123456", "+84905000001", "+84905000002", "%2B84905123456"] {
        assert!(first.contains(shown), "{shown} missing from:\n{first}");
    }

    let conn = db(&host);
    let prefix: String = conn.query_row("SELECT key_prefix FROM issuers", [], |r| r.get(0)).unwrap();
    assert!(key.starts_with(&prefix), "the saved key is not the issuer's");
    let categories: Vec<(String, String)> = conn
        .prepare("SELECT name, unit_code FROM feedback_categories ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let names: Vec<&str> = categories.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Dịch vụ công", "Giao thông", "Giáo dục", "Khác", "Môi trường", "Trật tự đô thị", "Y tế"]);
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
        .query_row("SELECT full_name, role, level FROM citizens WHERE phone = '+84905123456'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(citizen, ("Nguyễn Văn An".to_owned(), "citizen".to_owned(), "provisional".to_owned()));
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
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim(), key, "the saved key must survive a re-run");
}
