//! Every admin route behind the token; units, services and feedback categories validated and unique; issuer keys shown once.

use super::*;

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

    let count = db(&host).int("SELECT count(*) FROM units", &[]);
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
        .rows("SELECT action FROM audit_log ORDER BY seq", &[])
        .iter()
        .map(|r| r.text(0))
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
        .rows("SELECT * FROM issuers", &[])
        .into_iter()
        .map(|r| {
            r.0.into_iter()
                .map(|v| match v {
                    cds_shared::ports::SqlValue::Text(t) => t,
                    cds_shared::ports::SqlValue::Blob(b) => {
                        String::from_utf8_lossy(&b).into_owned()
                    }
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 1);
    let secret_body = &key[4..];
    for cell in &rows[0] {
        assert!(
            !cell.contains(secret_body),
            "plaintext key stored in issuers: {cell}"
        );
    }
    let hash = conn.text("SELECT key_hash FROM issuers", &[]);
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );

    let audit = conn.text(
        "SELECT detail FROM audit_log WHERE action = 'issuer_created'",
        &[],
    );
    assert!(
        audit.contains(prefix) && !audit.contains(secret_body),
        "{audit}"
    );
    assert!(!host.log().contains(secret_body), "the key reached the log");
}
