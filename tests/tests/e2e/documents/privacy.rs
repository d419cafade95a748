//! A citizen never sees another citizen's data; the profile validated, normalised and given once.

use super::*;

#[test]
fn a_citizen_never_sees_another_citizens_data() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let b = login(&host, CITIZEN_B);
    let key = issuer_key(&host, "so-tu-phap");
    let issued = push(&host, &key, json!({"phone": CITIZEN_A}), "KS-A", &pdf("a"));
    assert_eq!(issued.status, 201, "{}", issued.text());
    let issued_id = issued.json()["id"].as_str().unwrap().to_owned();
    let up = upload(
        &host,
        &a,
        "other",
        "Ảnh hộ chiếu",
        "application/pdf",
        pdf("mine"),
    );
    assert_eq!(up.status, 201, "{}", up.text());
    let upload_id = up.json()["id"].as_str().unwrap().to_owned();
    let link = share(&host, &a, &issued_id, &json!({"purpose": "Nộp hồ sơ"}));
    let token = link["token"].as_str().unwrap().to_owned();
    assert_eq!(
        host.get(&path_of(link["url"].as_str().unwrap())).status,
        200
    );

    // Everything that names A's things answers 404 to B, as if it did not exist.
    let probes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/documents/{issued_id}"), None),
        (
            Method::GET,
            format!("/api/v1/documents/{issued_id}/content"),
            None,
        ),
        (Method::GET, format!("/api/v1/documents/{upload_id}"), None),
        (
            Method::GET,
            format!("/api/v1/documents/{upload_id}/content"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/documents/{upload_id}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/documents/{issued_id}/shares"),
            Some(json!({"purpose": "x"})),
        ),
        (Method::DELETE, format!("/api/v1/shares/{token}"), None),
    ];
    for (method, path, body) in &probes {
        let mut rb = host.request(method.clone(), path).bearer_auth(&b);
        if let Some(body) = body {
            rb = rb.json(body);
        }
        let r = host.send(rb);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (404, "not_found"),
            "{method} {path}: {}",
            r.text()
        );
    }
    // B's lists and log hold nothing of A's.
    let docs = host.get_auth("/api/v1/documents", &b).json();
    assert_eq!(docs["items"], json!([]));
    assert_eq!(
        host.get_auth("/api/v1/shares", &b).json()["items"],
        json!([])
    );
    assert_eq!(
        host.get_auth("/api/v1/me/access-log", &b).json()["items"],
        json!([])
    );
    let me_b = host.get_auth("/api/v1/me", &b).json();
    assert_eq!(me_b["phone"], CITIZEN_B);
    let qa = host.get_auth("/api/v1/me/qr?format=json", &a).json();
    let qb = host.get_auth("/api/v1/me/qr?format=json", &b).json();
    assert_ne!(qa["qid"], qb["qid"]);
    // B's attempts changed nothing of A's.
    assert_eq!(
        host.get_auth(&format!("/api/v1/documents/{upload_id}"), &a)
            .status,
        200
    );
    assert_eq!(
        host.get(&path_of(link["url"].as_str().unwrap())).status,
        200
    );
    assert_eq!(
        host.get_auth("/api/v1/documents", &a).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        host.get_auth("/api/v1/me/access-log", &a).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // And without a token every citizen route is 401.
    let mut routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/me".into(), None),
        (
            Method::PATCH,
            "/api/v1/me".into(),
            Some(json!({"address": "x"})),
        ),
        (Method::GET, "/api/v1/me/qr".into(), None),
        (Method::POST, "/api/v1/me/qr/rotate".into(), None),
        (Method::GET, "/api/v1/me/access-log".into(), None),
        (Method::GET, "/api/v1/documents".into(), None),
        (Method::POST, "/api/v1/documents?title=x".into(), None),
        (Method::GET, "/api/v1/shares".into(), None),
        (
            Method::POST,
            "/api/v1/officials/verify-qr".into(),
            Some(json!({"payload": "x"})),
        ),
        (
            Method::POST,
            "/api/v1/issuer/documents".into(),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/v1/issuer/documents/{issued_id}/revoke"),
            None,
        ),
    ];
    routes.extend(probes);
    for (method, path, body) in routes {
        let mut rb = host.request(method.clone(), &path);
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let r = host.send(rb);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "unauthorized"),
            "{method} {path}: {}",
            r.text()
        );
    }
}

#[test]
fn the_profile_is_validated_normalised_and_given_once() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let b = login(&host, CITIZEN_B);
    let fresh = host.get_auth("/api/v1/me", &a).json();
    assert_eq!(
        fresh["missing"],
        json!([
            "full_name",
            "date_of_birth",
            "gender",
            "id_number",
            "address"
        ])
    );
    // Typed with combining marks (NFD) and stray spaces; stored NFC.
    let r = patch_me(
        &host,
        &a,
        &json!({"full_name": "  Nguye\u{302}\u{303}n  Văn An", "date_of_birth": "1990-05-17", "gender": "male",
                "id_number": "048 190 012 345", "address": "12 Ha\u{309}i Phòng, Đà Nẵng"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let me = host.get_auth("/api/v1/me", &a).json();
    assert_eq!(me["full_name"], "Nguyễn Văn An");
    assert_eq!(me["id_number"], "048190012345");
    assert_eq!(me["id_number_status"], "declared");
    assert_eq!(me["address"], "12 Hải Phòng, Đà Nẵng");
    assert_eq!(me["missing"], json!([]));

    let bad = patch_me(
        &host,
        &b,
        &json!({"date_of_birth": "1990-02-30", "id_number": "12345", "gender": "robot"}),
    );
    assert_eq!(
        (bad.status, bad.error_code().as_str()),
        (422, "validation_failed")
    );
    let fields = bad.json()["error"]["fields"].clone();
    assert_eq!(fields["date_of_birth"], "must_be_a_real_date_yyyy_mm_dd");
    assert_eq!(fields["id_number"], "must_be_12_digits");
    assert_eq!(fields["gender"], "one_of_male_female_other");
    // Another account declaring the same number learns nothing: the same 200
    // as for a number nobody has (it is only a claim until an official
    // confirms it).
    let same = patch_me(&host, &b, &json!({"id_number": "048190012345"}));
    let free = patch_me(&host, &b, &json!({"id_number": "048190099999"}));
    assert_eq!(
        (same.status, free.status),
        (200, 200),
        "{} {}",
        same.text(),
        free.text()
    );
    assert_eq!(same.json()["id_number_status"], "declared");
    assert_eq!(free.json()["id_number_status"], "declared");
    let sneaky = patch_me(&host, &b, &json!({"level": "verified"}));
    assert_eq!(sneaky.status, 422);
    assert_eq!(
        host.get_auth("/api/v1/me", &b).json()["level"],
        "provisional"
    );
}
