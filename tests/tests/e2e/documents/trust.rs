//! Identity trust: a declared CCCD routes nothing until its owner is verified by an official.

use super::*;

#[test]
fn a_squatted_cccd_routes_nothing_until_the_owner_is_verified() {
    let host = HostBuilder::app().start();
    let key = issuer_key(&host, "bhxh");

    // The squatter declares the owner's number: an ordinary 200, a claim.
    let squatter = login(&host, SQUATTER);
    let squatter_id = host.get_auth("/api/v1/me", &squatter).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = patch_me(
        &host,
        &squatter,
        &json!({"full_name": "Kẻ Mạo Danh", "id_number": OWNER_NUMBER}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (
            r.json()["id_number"].as_str(),
            r.json()["id_number_status"].as_str()
        ),
        (Some(OWNER_NUMBER), Some("declared"))
    );

    // The agency pushes by that number: exactly the answer for nobody.
    let claimed = push(
        &host,
        &key,
        json!({"id_number": OWNER_NUMBER}),
        "BHYT-2026-1",
        &pdf("bhyt"),
    );
    let nobody = push(
        &host,
        &key,
        json!({"id_number": "001001001001"}),
        "BHYT-2026-2",
        &pdf("x"),
    );
    assert_eq!(
        (claimed.status, claimed.error_code().as_str()),
        (404, "citizen_not_found"),
        "{}",
        claimed.text()
    );
    assert_eq!(claimed.json()["error"], nobody.json()["error"]);
    assert!(vault_ids(&host, &squatter).is_empty());
    // The squatter's own code does not carry the number either.
    assert!(qr_png(&host, &squatter).starts_with("|KE MAO DANH||CDS|"));

    // The owner signs up later and declares the same number: no 409.
    let owner = login(&host, CITIZEN_A);
    let r = patch_me(
        &host,
        &owner,
        &json!({"full_name": "Đặng Thị Ánh Tuyết", "id_number": OWNER_NUMBER}),
    );
    assert_eq!(
        (r.status, r.json()["id_number_status"].as_str()),
        (200, Some("declared")),
        "{}",
        r.text()
    );

    // An official checks the owner's card and verifies them.
    let off = official(&host);
    let v = verify_citizen(&host, &off, &owner);
    assert_eq!(v.status, 200, "{}", v.text());
    assert_eq!(
        (
            v.json()["level"].as_str(),
            v.json()["masked_id_number"].as_str()
        ),
        (Some("verified"), Some("******012345"))
    );
    let me = host.get_auth("/api/v1/me", &owner).json();
    assert_eq!(
        (me["id_number"].as_str(), me["id_number_status"].as_str()),
        (Some(OWNER_NUMBER), Some("verified"))
    );

    // The agency's retry now reaches the owner, and only the owner.
    let delivered = push(
        &host,
        &key,
        json!({"id_number": OWNER_NUMBER}),
        "BHYT-2026-1",
        &pdf("bhyt"),
    );
    assert_eq!(delivered.status, 201, "{}", delivered.text());
    assert_eq!(
        vault_ids(&host, &owner),
        vec![delivered.json()["id"].as_str().unwrap().to_owned()]
    );
    assert!(vault_ids(&host, &squatter).is_empty());

    // The squatter's claim is gone, and that was audited (masked).
    let me = host.get_auth("/api/v1/me", &squatter).json();
    assert_eq!(
        (
            me["id_number"].clone(),
            me["id_number_status"].clone(),
            me["level"].as_str()
        ),
        (Value::Null, Value::Null, Some("provisional"))
    );
    let cleared = audit_about(&host, "id_number_claim_cleared", &squatter_id);
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    assert!(cleared[0].0.starts_with("official:"), "{cleared:?}");
    assert_eq!(cleared[0].1["masked_id_number"], "******012345");
    assert!(
        !cleared[0].1.to_string().contains(OWNER_NUMBER),
        "the full number is not in the log"
    );

    // Claiming it again and asking an official: 409, nothing changes.
    assert_eq!(
        patch_me(&host, &squatter, &json!({"id_number": OWNER_NUMBER})).status,
        200
    );
    let refused = verify_citizen(&host, &off, &squatter);
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (409, "id_number_taken"),
        "{}",
        refused.text()
    );
    let me = host.get_auth("/api/v1/me", &squatter).json();
    assert_eq!(
        (me["level"].as_str(), me["id_number_status"].as_str()),
        (Some("provisional"), Some("declared"))
    );
    assert_eq!(
        audit_about(&host, "citizen_verification_refused", &squatter_id).len(),
        1
    );
}

#[test]
fn two_provisional_claims_then_one_verification() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    let b = login(&host, CITIZEN_B);
    for t in [&a, &b] {
        let r = patch_me(&host, t, &json!({"id_number": "048 190 012 345"}));
        assert_eq!(
            (r.status, r.json()["id_number_status"].as_str()),
            (200, Some("declared")),
            "{}",
            r.text()
        );
    }
    let off = official(&host);
    let v = verify_citizen(&host, &off, &b);
    assert_eq!(v.status, 200, "{}", v.text());

    let mb = host.get_auth("/api/v1/me", &b).json();
    assert_eq!(
        (
            mb["level"].as_str(),
            mb["id_number"].as_str(),
            mb["id_number_status"].as_str()
        ),
        (Some("verified"), Some(OWNER_NUMBER), Some("verified"))
    );
    let ma = host.get_auth("/api/v1/me", &a).json();
    assert_eq!(
        (ma["level"].as_str(), ma["id_number"].clone()),
        (Some("provisional"), Value::Null)
    );
    assert!(ma["missing"]
        .as_array()
        .unwrap()
        .contains(&json!("id_number")));

    let key = issuer_key(&host, "so-tu-phap");
    let r = push(
        &host,
        &key,
        json!({"id_number": OWNER_NUMBER}),
        "KS-1",
        &pdf("ks"),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(vault_ids(&host, &b).len(), 1);
    assert!(vault_ids(&host, &a).is_empty());
    // Verifying B again changes nothing.
    assert_eq!(verify_citizen(&host, &off, &b).status, 200);
}

#[test]
fn pushes_by_phone_and_an_unverified_citizens_code_say_what_is_confirmed() {
    let host = HostBuilder::app().start();
    let a = login(&host, CITIZEN_A);
    full_profile(&host, &a);
    let key = issuer_key(&host, "bhxh");
    // Phone and number together must match one account (here: A's own claim).
    let r = push(
        &host,
        &key,
        json!({"phone": CITIZEN_A, "id_number": "048190012345"}),
        "P-1",
        &pdf("1"),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = push(
        &host,
        &key,
        json!({"phone": CITIZEN_A, "id_number": "001090012345"}),
        "P-2",
        &pdf("2"),
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "citizen_not_found")
    );
    let r = push(&host, &key, json!({}), "P-3", &pdf("3"));
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["citizen"].as_str()),
        (422, Some("give_phone_or_id_number"))
    );
    assert_eq!(vault_ids(&host, &a).len(), 1);

    // A provisional citizen's code is genuine, but the official is told the
    // data is declared, not confirmed.
    let off = official(&host);
    let code = qr_png(&host, &a);
    assert!(
        code.starts_with("|DANG THI ANH TUYET|1990-05-17|CDS|"),
        "{code}"
    );
    let v = verify_qr(&host, &off, &code);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["citizen"]["confirmed"], false);
    assert_eq!(v["citizen"]["level"], "provisional");
    assert_eq!(v["citizen"]["id_number_status"], "declared");
    assert_eq!(v["citizen"]["masked_id_number"], "******012345");
    assert!(
        v["notice"]
            .as_str()
            .unwrap()
            .contains("chưa được cán bộ xác minh"),
        "{v}"
    );
    let en = host.send(
        host.request(Method::POST, "/api/v1/officials/verify-qr")
            .bearer_auth(&off)
            .header("accept-language", "en")
            .json(&json!({"payload": code})),
    );
    assert!(
        en.json()["notice"]
            .as_str()
            .unwrap()
            .contains("no official has verified"),
        "{}",
        en.text()
    );
}
