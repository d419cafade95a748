//! Official alerts end to end (docs/alerts.md): an official with the
//! `alerts` role publishes a CAP 1.2 alert through the notify component;
//! exactly the citizens whose address is in its wards find it in their
//! inbox; the public feed, the CAP document and its index show it;
//! updates and cancels follow CAP's `msgType`; roles are enforced; bad
//! input is refused whole and stores nothing; racing changes across nodes
//! store one message per version.

use std::collections::BTreeSet;
use std::sync::Arc;

use e2e::admin::{self, official_login, unit};
use e2e::db::db;
use e2e::fake_server::FakeServer;
use e2e::session::login;
use e2e::{parallel, Host, HostBuilder, Method};
use serde_json::{json, Value};

fn app() -> HostBuilder {
    HostBuilder::app().var("otp_ip_hourly", "1000")
}

/// An official of the civil-defence unit holding the alerts role; their
/// session token.
fn publisher(host: &Host, phone: &str) -> String {
    unit(host, "pctt", "Ban Chỉ huy Phòng chống thiên tai");
    let token = official_login(host, phone, "Lê Văn Cường", "pctt");
    let r = admin::post(
        host,
        "/api/v1/admin/alert-publishers",
        &json!({"phone": phone}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["role"], "alerts");
    token
}

/// A citizen living at `address`; their session token.
fn resident(host: &Host, phone: &str, address: &str) -> String {
    let token = login(host, phone);
    let r = host.patch_json("/api/v1/me", Some(&token), &json!({"address": address}));
    assert_eq!(r.status, 200, "{}", r.text());
    token
}

/// `hours` from now, as RFC 3339 in Đà Nẵng's time.
fn in_hours(hours: i64) -> String {
    cds_shared::local_time::rfc3339_vn(e2e::time::now() + hours * 3600)
}

fn flood(areas: &[&str]) -> Value {
    json!({
        "category": "Met",
        "event": "Ngập lụt",
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Likely",
        "expires": in_hours(24),
        "headline": "Cảnh báo ngập lụt",
        "description": "Mưa lớn, nước sông Hàn dâng cao.",
        "instruction": "Di chuyển xe và tài sản lên cao.",
        "areas": areas,
    })
}

fn publish(host: &Host, token: &str, body: &Value) -> Value {
    let r = host.post_json_auth("/api/v1/officials/alerts", token, body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

/// The titles of the alert notices in the citizen's inbox about `alert`.
fn alert_titles(host: &Host, token: &str, alert: &str) -> Vec<String> {
    let r = host.get_auth("/api/v1/me/notifications?limit=100", token);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "alert" && n["link"] == format!("/api/v1/alerts/{alert}"))
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

fn feed_ids(host: &Host, query: &str) -> BTreeSet<String> {
    let r = host.get(&format!("/api/v1/alerts{query}"));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_alert_reaches_exactly_the_citizens_of_its_wards_and_everyone_can_read_it() {
    let host = app().start();
    let official = publisher(&host, "0905700001");
    let inside = [
        resident(
            &host,
            "0905700011",
            "12 Lê Duẩn, phường Thạch Thang, quận Hải Châu",
        ),
        resident(
            &host,
            "0905700012",
            "5 Quang Trung, P.Thach Thang, Q.Hai Chau",
        ),
        resident(
            &host,
            "0905700013",
            "Phường Hòa Cường Bắc, Hải Châu, Đà Nẵng",
        ),
    ];
    let outside = [
        resident(
            &host,
            "0905700021",
            "9 Bạch Đằng, phường Hải Châu 1, quận Hải Châu",
        ),
        resident(&host, "0905700022", "An Hải Bắc, Sơn Trà"),
        login(&host, "0905700023"),
    ];
    let alert = publish(&host, &official, &flood(&["thach-thang", "hoa-cuong-bac"]));
    let id = alert["id"].as_str().unwrap();
    assert_eq!(alert["msg_type"], "Alert");
    assert_eq!(alert["identifier"], format!("{id}.1"));
    assert_eq!(alert["areas"][0]["name"], "Thạch Thang");
    for token in &inside {
        assert_eq!(alert_titles(&host, token, id), vec!["Cảnh báo ngập lụt"]);
    }
    for token in &outside {
        assert!(alert_titles(&host, token, id).is_empty());
    }
    let notices = db(&host).int(
        "SELECT count(*) FROM notifications WHERE kind = 'alert' AND ref_id = ?1",
        &[id.into()],
    );
    assert_eq!(notices, 3, "one notice per citizen of the wards, none else");

    // The public feed, by area: the ward, its district and the city see it.
    for area in ["", "?area=thach-thang", "?area=hai-chau", "?area=da-nang"] {
        assert!(feed_ids(&host, area).contains(id), "{area}");
    }
    assert!(!feed_ids(&host, "?area=son-tra").contains(id));
    let r = host.get("/api/v1/alerts?area=gotham");
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["fields"]["area"], "unknown area");

    let one = host.get(&format!("/api/v1/alerts/{id}"));
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["active"], true);
    let cap = host.get(&format!("/api/v1/alerts/{id}.cap.xml"));
    assert_eq!(cap.status, 200);
    assert!(cap
        .header("content-type")
        .unwrap()
        .starts_with("application/cap+xml"));
    let text = cap.text();
    assert!(text.contains("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"));
    assert!(text.contains(&format!("<identifier>{id}.1</identifier>")));
    assert!(text.contains("<severity>Severe</severity>"));
    let index = host.get("/api/v1/alerts.cap.xml?area=hai-chau");
    assert_eq!(index.status, 200);
    assert!(index
        .text()
        .contains(&format!("/api/v1/alerts/{id}.cap.xml</link>")));
    let areas = host.get("/api/v1/alerts/areas").json();
    assert_eq!(areas["items"][0]["name"], "Đà Nẵng");
    assert_eq!(host.get("/api/v1/alerts/al_0000000000000000").status, 404);
    assert_eq!(
        host.get("/api/v1/alerts/al_0000000000000000.cap.xml")
            .status,
        404
    );
}

#[test]
fn updates_and_cancels_follow_cap_msg_type() {
    let host = app().start();
    let official = publisher(&host, "0905710001");
    let citizen = resident(
        &host,
        "0905710011",
        "Tổ 5, phường Hòa Minh, quận Liên Chiểu",
    );
    let alert = publish(&host, &official, &flood(&["lien-chieu"]));
    let id = alert["id"].as_str().unwrap();

    let r = host.post_json_auth(
        &format!("/api/v1/officials/alerts/{id}/update"),
        &official,
        &json!({"severity": "Extreme", "headline": "Ngập sâu 1 m"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let update = r.json();
    assert_eq!(update["msg_type"], "Update");
    assert_eq!(update["version"], 2);
    assert_eq!(update["references"], format!("{id}.1"));
    assert_eq!(update["event"], "Ngập lụt");
    assert_eq!(
        alert_titles(&host, &citizen, id),
        vec!["Cập nhật: Ngập sâu 1 m", "Cảnh báo ngập lụt"],
        "newest first"
    );
    let feed = host.get("/api/v1/alerts?area=hoa-minh").json();
    assert_eq!(feed["items"].as_array().unwrap().len(), 1);
    assert_eq!(feed["items"][0]["severity"], "Extreme");
    let cap = host.get(&format!("/api/v1/alerts/{id}.cap.xml")).text();
    assert!(cap.contains("<msgType>Update</msgType>"));
    assert!(cap.contains(&format!(",{id}.1,")), "{cap}");

    let r = host.post_json_auth(
        &format!("/api/v1/officials/alerts/{id}/cancel"),
        &official,
        &json!({"reason": "Nước đã rút."}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["msg_type"], "Cancel");
    assert_eq!(alert_titles(&host, &citizen, id)[0], "Đã hủy: Ngập sâu 1 m");
    assert!(
        !feed_ids(&host, "").contains(id),
        "a cancelled alert leaves the feed"
    );
    let one = host.get(&format!("/api/v1/alerts/{id}")).json();
    assert_eq!(one["msg_type"], "Cancel");
    assert_eq!(one["active"], false);
    assert_eq!(one["history"].as_array().unwrap().len(), 3);
    let cap = host.get(&format!("/api/v1/alerts/{id}.cap.xml")).text();
    assert!(cap.contains("<msgType>Cancel</msgType>"));

    for action in ["update", "cancel"] {
        let r = host.post_json_auth(
            &format!("/api/v1/officials/alerts/{id}/{action}"),
            &official,
            &json!({}),
        );
        assert_eq!(r.status, 409, "{action}: {}", r.text());
        assert_eq!(r.error_code(), "alert_cancelled");
    }
    assert_eq!(alert_titles(&host, &citizen, id).len(), 3);
    // A cancel without a body is fine too.
    let other = publish(&host, &official, &flood(&["lien-chieu"]));
    let r = host.send(
        host.request(
            Method::POST,
            &format!(
                "/api/v1/officials/alerts/{}/cancel",
                other["id"].as_str().unwrap()
            ),
        )
        .bearer_auth(&official),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

#[test]
fn only_officials_the_admin_gave_the_alerts_role_may_publish() {
    let host = app().start();
    let body = flood(&["hai-chau"]);
    let r = host.post_json("/api/v1/officials/alerts", &body);
    assert_eq!(r.status, 401);
    let citizen = login(&host, "0905720011");
    let r = host.post_json_auth("/api/v1/officials/alerts", &citizen, &body);
    assert_eq!(r.status, 403);
    assert_eq!(r.error_code(), "forbidden");
    unit(&host, "pctt", "Ban Chỉ huy Phòng chống thiên tai");
    let official = official_login(&host, "0905720001", "Lê Văn Cường", "pctt");
    let r = host.post_json_auth("/api/v1/officials/alerts", &official, &body);
    assert_eq!(r.status, 403);
    assert_eq!(r.error_code(), "not_alert_publisher");

    // Only the admin grants, and only to officials.
    let r = host.post_json_auth(
        "/api/v1/admin/alert-publishers",
        &official,
        &json!({"phone": "0905720001"}),
    );
    assert_eq!(r.status, 401);
    let r = admin::post(
        &host,
        "/api/v1/admin/alert-publishers",
        &json!({"phone": "0905720011"}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.error_code(), "official_not_found");
    let r = admin::post(
        &host,
        "/api/v1/admin/alert-publishers",
        &json!({"phone": "12"}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.error_code(), "invalid_phone");
    for _ in 0..2 {
        let r = admin::post(
            &host,
            "/api/v1/admin/alert-publishers",
            &json!({"phone": "0905720001"}),
        );
        assert_eq!(r.status, 200, "granting twice is harmless: {}", r.text());
    }
    let list = host.get_auth("/api/v1/admin/alert-publishers", e2e::ADMIN_TOKEN);
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);
    let alert = publish(&host, &official, &body);

    let r = host.delete_auth(
        "/api/v1/admin/alert-publishers/%2B84905720001",
        e2e::ADMIN_TOKEN,
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let r = host.post_json_auth(
        &format!(
            "/api/v1/officials/alerts/{}/update",
            alert["id"].as_str().unwrap()
        ),
        &official,
        &json!({"headline": "x"}),
    );
    assert_eq!(r.status, 403, "taking the role back applies at once");
    assert_eq!(r.error_code(), "not_alert_publisher");
}

#[test]
fn bad_input_is_422_naming_each_field_and_stores_nothing() {
    let host = app().start();
    let official = publisher(&host, "0905730001");
    resident(&host, "0905730011", "Thạch Thang, Hải Châu");
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({}),
            vec![
                "areas",
                "category",
                "certainty",
                "description",
                "event",
                "expires",
                "headline",
                "severity",
                "urgency",
            ],
        ),
        (
            json!({"category": "met", "severity": "Catastrophic", "status": "Draft", "areas": ["gotham"],
                   "event": "Lũ", "urgency": "Immediate", "certainty": "Likely", "expires": in_hours(2),
                   "headline": "x", "description": "y"}),
            vec!["areas", "category", "severity", "status"],
        ),
        (
            {
                let mut b = flood(&["hai-chau"]);
                b["expires"] = json!("2020-01-01T00:00:00+07:00");
                b
            },
            vec!["expires"],
        ),
        (
            {
                let mut b = flood(&["hai-chau"]);
                b["effective"] = json!("soon");
                b["headline"] = json!("x".repeat(161));
                b
            },
            vec!["effective", "headline"],
        ),
        (json!({"areas": "hai-chau"}), vec!["areas"]),
        (
            {
                let mut b = flood(&["hai-chau"]);
                b["colour"] = json!("red");
                b
            },
            vec![],
        ),
    ];
    for (body, fields) in cases {
        let r = host.post_json_auth("/api/v1/officials/alerts", &official, &body);
        assert_eq!(r.status, 422, "{body}: {}", r.text());
        if !fields.is_empty() {
            let got: BTreeSet<String> = r.json()["error"]["fields"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            let want: BTreeSet<String> = fields.iter().map(|f| (*f).to_owned()).collect();
            assert_eq!(got, want, "{body}");
        }
    }
    let r = host.send(
        host.request(Method::POST, "/api/v1/officials/alerts")
            .bearer_auth(&official)
            .header("content-type", "text/plain")
            .body("hello"),
    );
    assert_eq!(r.status, 415);
    let r = host.send(
        host.request(Method::POST, "/api/v1/officials/alerts")
            .bearer_auth(&official)
            .header("content-type", "application/json")
            .body("[1,2]"),
    );
    assert_eq!(r.status, 422);
    let d = db(&host);
    assert_eq!(d.int("SELECT count(*) FROM alerts", &[]), 0);
    assert_eq!(
        d.int(
            "SELECT count(*) FROM notifications WHERE kind = 'alert'",
            &[]
        ),
        0
    );

    // A good alert, then a bad update of it: the alert is as it was.
    let alert = publish(&host, &official, &flood(&["hai-chau"]));
    let id = alert["id"].as_str().unwrap();
    let r = host.post_json_auth(
        &format!("/api/v1/officials/alerts/{id}/update"),
        &official,
        &json!({"urgency": "Soon", "areas": []}),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(
        host.get(&format!("/api/v1/alerts/{id}")).json()["version"],
        1
    );
    assert_eq!(
        d.int(
            "SELECT count(*) FROM notifications WHERE kind = 'alert'",
            &[]
        ),
        1
    );
    let r = host.post_json_auth(
        "/api/v1/officials/alerts/not-an-id/update",
        &official,
        &json!({}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.error_code(), "alert_not_found");
}

#[test]
fn parallel_changes_across_nodes_store_one_message_per_version() {
    let host = Arc::new(app().start());
    let official = publisher(&host, "0905740001");
    let citizen = resident(&host, "0905740011", "Mân Thái, Sơn Trà");
    let alert = publish(&host, &official, &flood(&["son-tra"]));
    let id = alert["id"].as_str().unwrap().to_owned();
    let statuses = {
        let (host, official, id) = (host.clone(), official.clone(), id.clone());
        parallel(8, move |i| {
            let (action, body) = if i % 4 == 0 {
                ("cancel", json!({"reason": format!("Hủy {i}")}))
            } else {
                ("update", json!({"headline": format!("Cập nhật {i}")}))
            };
            host.post_json_auth(
                &format!("/api/v1/officials/alerts/{id}/{action}"),
                &official,
                &body,
            )
            .status
        })
    };
    let won = statuses.iter().filter(|s| **s == 201).count();
    assert!(won >= 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let history = host.get(&format!("/api/v1/alerts/{id}")).json()["history"]
        .as_array()
        .unwrap()
        .len();
    let accepted = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(history, accepted + 1, "{statuses:?}");
    assert_eq!(
        alert_titles(&host, &citizen, &id).len(),
        history,
        "one notice per message"
    );
}

#[test]
fn the_demo_seed_publishes_an_active_flood_alert_for_the_demo_citizens_district_once() {
    // The citizen logs in right after the seeder signed them up.
    let host = app().var("otp_resend_seconds", "0").start();
    let state = tempfile::tempdir().unwrap();
    let out = e2e::seed::run_seed(&host, state.path());
    assert!(out.contains("flood alert for Hải Châu: published"), "{out}");
    let feed = host.get("/api/v1/alerts?area=hai-chau").json();
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{feed}");
    assert_eq!(items[0]["event"], "Ngập lụt");
    assert_eq!(items[0]["areas"][0]["code"], "hai-chau");
    assert_eq!(items[0]["active"], true);
    // The demo citizen lives in Thạch Thang, Hải Châu: the notice is theirs.
    let citizen = login(&host, "+84905123456");
    let id = items[0]["id"].as_str().unwrap();
    assert_eq!(
        alert_titles(&host, &citizen, id),
        vec!["Cảnh báo ngập lụt tại quận Hải Châu"]
    );
    let again = e2e::seed::run_seed(&host, state.path());
    assert!(
        again.contains("flood alert for Hải Châu: already there"),
        "{again}"
    );
    assert_eq!(
        host.get("/api/v1/alerts").json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_notices_go_out_by_sms_the_most_severe_first() {
    const SECRET: &str = "dispatch-secret-for-the-tests-0123456789";
    let sms = FakeServer::start(200, r#"{"CodeResult":"100","SMSID":"1"}"#);
    let host = app()
        .var("dispatch_secret", SECRET)
        .var("sms_gateway_url", &format!("{}/send", sms.origin()))
        .var("sms_gateway_host", &sms.origin())
        .var("sms_api_key", "AK")
        .var("sms_secret_key", "SK")
        .start();
    let official = publisher(&host, "0905750001");
    let citizen = resident(&host, "0905750011", "Hòa Xuân, Cẩm Lệ");
    // No quiet hours, so the test means the same at any time of day.
    let r = host.patch_json(
        "/api/v1/me/notification-settings",
        Some(&citizen),
        &json!({"quiet_hours": {"start": "00:00", "end": "00:00"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let mut first = flood(&["hoa-xuan"]);
    first["severity"] = json!("Minor");
    first["headline"] = json!("Triều cường nhẹ");
    publish(&host, &official, &first);
    let mut second = flood(&["cam-le"]);
    second["severity"] = json!("Extreme");
    second["headline"] = json!("Lũ quét khẩn cấp");
    publish(&host, &official, &second);

    let r = host.post_json_auth("/api/v1/internal/dispatch", SECRET, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    let texts: Vec<String> = sms
        .requests()
        .iter()
        .map(|q| q.json()["Content"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].contains("Lũ quét khẩn cấp"), "{texts:?}");
    assert!(texts[1].contains("Triều cường nhẹ"), "{texts:?}");
}
