//! The redacted public views: never the sender's phone or name; CCCD numbers, e-mails and phones redacted in any spelling.

use super::*;

// ---------------------------------------------------------------- privacy

#[test]
fn public_views_never_contain_the_senders_phone_or_name() {
    let host = start(HostBuilder::app());
    let (citizen, account_id) = signup(&host, CITIZEN, CITIZEN_NAME);
    let env = official(&host, ENV_OFFICIAL, "so-tnmt");
    let mut body = item("environment");
    body["content"] = json!("Rác ùn ứ trước nhà. Cần thì gọi 0905 123 456.");
    let named = submitted(&host, Some(&citizen), &body);
    let id = named["id"].as_str().unwrap().to_owned();
    let code = named["tracking_code"].as_str().unwrap().to_owned();
    let mut secret = item("environment");
    secret["anonymous"] = json!(true);
    let anon_id = submitted(&host, Some(&citizen), &secret)["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let leaks = [
        "+84905123456",
        "84905123456",
        "0905123456",
        "0905 123 456",
        CITIZEN_NAME,
        account_id.as_str(),
        "K45/12",
    ];
    let assert_clean = |what: &str, r: &Resp| {
        assert_eq!(r.status, 200, "{what}: {}", r.text());
        let text = r.text();
        for leak in leaks {
            assert!(!text.contains(leak), "{what} leaks {leak:?}: {text}");
        }
    };
    let stranger = login(&host, OTHER_CITIZEN);
    assert_clean("public list", &host.get("/api/v1/feedback"));
    assert_clean(
        "filtered list",
        &host.get("/api/v1/feedback?category=environment&status=received"),
    );
    assert_clean("public item", &host.get(&format!("/api/v1/feedback/{id}")));
    assert_clean(
        "item by tracking code",
        &host.get(&format!("/api/v1/feedback/{code}")),
    );
    assert_clean(
        "item seen by another citizen",
        &host.get_auth(&format!("/api/v1/feedback/{id}"), &stranger),
    );
    assert_clean("open311 list", &host.get("/open311/v2/requests.json"));
    assert_clean(
        "open311 item",
        &host.get(&format!("/open311/v2/requests/{code}.json")),
    );
    let public = host.get(&format!("/api/v1/feedback/{id}")).json();
    assert_eq!(
        public["location"]["address"],
        "Lê Duẩn, Hải Châu 1, Hải Châu, Đà Nẵng"
    );
    assert_eq!(public["location"]["lat"], 16.068);
    assert!(
        public.get("sender").is_none() && public.get("owner_id").is_none(),
        "{public}"
    );

    // The owner and the handling official do see who sent it (unless the
    // owner chose to stay anonymous towards officials).
    let own = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &citizen)
        .text();
    assert!(
        own.contains("+84905123456") && own.contains(CITIZEN_NAME),
        "{own}"
    );
    let handled = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &env)
        .text();
    assert!(
        handled.contains("+84905123456") && handled.contains(CITIZEN_NAME),
        "{handled}"
    );
    let anon = host.get_auth(&format!("/api/v1/feedback/{anon_id}"), &env);
    assert_eq!(anon.status, 200);
    assert!(
        !anon.text().contains("+84905123456") && !anon.text().contains(CITIZEN_NAME),
        "{}",
        anon.text()
    );
    assert_eq!(anon.json()["anonymous"], true);
}

#[test]
fn public_views_redact_cccd_numbers_emails_and_phones_in_any_spelling() {
    let host = start(HostBuilder::app());
    let (citizen, _) = signup(&host, CITIZEN, CITIZEN_NAME);
    let env = official(&host, ENV_OFFICIAL, "so-tnmt");
    let mut body = item("environment");
    body["title"] = json!("Rác ùn ứ, liên hệ an.nguyen@example.vn");
    body["content"] = json!(
        "CCCD của tôi 048 095 000 123 (hoặc 048095000123, 048.095.000.123). \
         Gọi 84 905 123 456, (+84) 905-123-456 hoặc 0 9 0 5 1 2 3 4 5 6; mail an (at) example.vn."
    );
    let created = submitted(&host, Some(&citizen), &body);
    let id = created["id"].as_str().unwrap().to_owned();
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let reply = json!({
        "status": "in_progress",
        "response": "Đã liên hệ anh qua 0905.123.456 và an.nguyen@example.vn, CCCD 048-095-000-123.",
    });
    let r = patch(&host, Some(&env), &id, &reply);
    assert_eq!(r.status, 200, "{}", r.text());

    let leaks = [
        "048 095 000 123",
        "048095000123",
        "048.095.000.123",
        "048-095-000-123",
        "an.nguyen@example.vn",
        "example.vn",
        "84 905 123 456",
        "905-123-456",
        "0 9 0 5",
        "0905.123.456",
    ];
    for path in [
        format!("/api/v1/feedback/{id}"),
        "/api/v1/feedback".to_owned(),
        format!("/open311/v2/requests/{code}.json"),
    ] {
        let r = host.get(&path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let text = r.text();
        for leak in leaks {
            assert!(!text.contains(leak), "{path} leaks {leak:?}: {text}");
        }
    }
    let public = host.get(&format!("/api/v1/feedback/{id}")).json();
    assert_eq!(public["title"], "Rác ùn ứ, liên hệ ***");
    // The owner still sees what they wrote.
    let own = host
        .get_auth(&format!("/api/v1/feedback/{id}"), &citizen)
        .text();
    assert!(
        own.contains("048 095 000 123") && own.contains("an.nguyen@example.vn"),
        "{own}"
    );
}
