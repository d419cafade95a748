//! API keys: scopes, Open311 answers that do not reveal phones, kiosk keys, the key list, revoking.

use super::*;

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
    let count = db(&host).int("SELECT count(*) FROM documents", &[]);
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
    let feedback = db(&host).int("SELECT count(*) FROM feedback", &[]);
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
    let owned = db(&host).int(
        "SELECT count(*) FROM feedback WHERE owner_id IS NOT NULL",
        &[],
    );
    assert_eq!(owned, 0);
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
    let sql = db(&host);
    let holder = find_key(&sql, &key).unwrap().unwrap();
    assert_eq!(
        (holder.code.as_str(), holder.unit_code.as_deref()),
        ("kiosk-hc-01", Some("ubnd-hai-chau"))
    );
    assert!(holder.scopes.contains(Scope::Kiosk) && !holder.scopes.contains(Scope::Documents));
    // The same key with its last character changed (to one it is not).
    let last = if key.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!("{}{last}", &key[..key.len() - 1]);
    assert_eq!(find_key(&sql, &tampered).unwrap(), None);

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
        let hash = conn.text(
            "SELECT key_hash FROM issuers WHERE key_prefix = ?1",
            e2e::params![&key[..12]],
        );
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
