//! Notices end to end (docs/notifications.md): the `notify` component served
//! by edge-host. A change made through another component's API lands in the
//! citizen's inbox once; the dispatcher delivers it by SMS through a fake
//! gateway, keeps it when the gateway fails and sends it once when it is
//! back, also when dispatch runs on several nodes at once.

use std::collections::BTreeSet;
use std::sync::Arc;

use e2e::admin::{official_login, service, unit};
use e2e::db::db;
use e2e::fake_server::FakeServer;
use e2e::session::{login, login_as};
use e2e::time::local_date;
use e2e::{parallel, Host, HostBuilder, Method};
use serde_json::{json, Value};

const SECRET: &str = "dispatch-secret-for-the-tests-0123456789";
const ACCEPTED: &str = r#"{"CodeResult":"100","SMSID":"1"}"#;

/// The app with an SMS gateway (the fake) for notices; Zalo is left
/// unconfigured, so what must arrive goes by SMS.
fn app(sms: &FakeServer) -> HostBuilder {
    HostBuilder::app()
        .var("otp_ip_hourly", "1000")
        // Each citizen logs in again from another client at once.
        .var("otp_resend_seconds", "0")
        .var("dispatch_secret", SECRET)
        .var("sms_gateway_url", &format!("{}/send", sms.origin()))
        .var("sms_gateway_host", &sms.origin())
        .var("sms_api_key", "AK")
        .var("sms_secret_key", "SK")
}

fn dispatch(host: &Host) -> Value {
    let r = host.post_json_auth("/api/v1/internal/dispatch", SECRET, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn inbox(host: &Host, token: &str, query: &str) -> Value {
    let r = host.get_auth(&format!("/api/v1/me/notifications{query}"), token);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    r.json()
}

fn kinds(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// A citizen who signed up on the web and then logged in at a kiosk: one
/// security notice. Returns the web session.
fn logged_in_at_a_kiosk(host: &Host, phone: &str) -> String {
    let web = login(host, phone);
    login_as(host, phone, "kiosk");
    web
}

/// What the gateway received, by `RequestId`.
fn request_ids(sms: &FakeServer) -> Vec<String> {
    sms.requests()
        .iter()
        .map(|r| {
            r.json()["RequestId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Makes every pending notice due now, as if the backoff had passed.
fn time_passes(host: &Host) {
    db(host).run(
        "UPDATE notifications SET due_at = 0 WHERE dispatch = 'pending'",
        &[],
    );
}

#[test]
fn a_login_from_a_new_client_reaches_the_inbox_and_the_phone_once_even_after_the_gateway_failed() {
    let sms = FakeServer::start(500, "down");
    let host = app(&sms).start();
    let me = logged_in_at_a_kiosk(&host, "+84913000001");
    let list = inbox(&host, &me, "");
    assert_eq!(kinds(&list), vec!["security_login"]);
    assert_eq!(list["unread_count"], 1);
    assert_eq!(list["items"][0]["title"], "Đăng nhập từ thiết bị mới");
    assert_eq!(list["items"][0]["link"], "/api/v1/auth/sessions");

    let failed = dispatch(&host);
    assert_eq!(
        (failed["sent"].as_u64(), failed["later"].as_u64()),
        (Some(0), Some(1)),
        "{failed}"
    );
    assert_eq!(sms.requests().len(), 1);
    // Not due yet: the next run sends nothing.
    assert_eq!(dispatch(&host)["claimed"], 0);

    sms.set_reply(200, ACCEPTED);
    time_passes(&host);
    assert_eq!(dispatch(&host)["sent"], 1);
    time_passes(&host);
    assert_eq!(
        dispatch(&host)["claimed"],
        0,
        "delivered notices are not sent again"
    );
    let ids = request_ids(&sms);
    assert_eq!(ids.len(), 2);
    assert_eq!(
        ids[0], ids[1],
        "the retry carries the same RequestId for the gateway to de-duplicate"
    );
    let sent = sms.requests()[1].json();
    assert_eq!(sent["Phone"], "0913000001");
    assert!(
        sent["Content"].as_str().unwrap().contains("kiosk"),
        "{sent}"
    );
    // The inbox is unchanged by delivery.
    assert_eq!(inbox(&host, &me, "")["unread_count"], 1);
}

#[test]
fn dispatch_fired_in_parallel_on_every_node_sends_each_notice_once() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = Arc::new(app(&sms).start());
    let h = host.clone();
    parallel(16, move |i| {
        logged_in_at_a_kiosk(&h, &format!("+849130010{i:02}"))
    });
    let h = host.clone();
    let reports = parallel(8, move |_| dispatch(&h));
    let sent: u64 = reports.iter().map(|r| r["sent"].as_u64().unwrap()).sum();
    // Whatever one round left to another run is sent by the next.
    let rest = dispatch(&host)["sent"].as_u64().unwrap();
    assert_eq!(sent + rest, 16, "{reports:?}");
    let ids = request_ids(&sms);
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        (ids.len(), unique.len()),
        (16, 16),
        "each notice sent once: {ids:?}"
    );
}

#[test]
fn dispatch_needs_its_own_secret() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = app(&sms).start();
    let none = host.send(host.request(Method::POST, "/api/v1/internal/dispatch"));
    assert_eq!(none.status, 401);
    for wrong in ["nope", e2e::ADMIN_TOKEN] {
        let r = host.post_json_auth("/api/v1/internal/dispatch", wrong, &json!({}));
        assert_eq!(r.status, 401, "{wrong}");
    }
    let unset = HostBuilder::app().start();
    let r = unset.post_json_auth("/api/v1/internal/dispatch", SECRET, &json!({}));
    assert_eq!(r.status, 401, "an unset secret lets no one in");
}

#[test]
fn reading_deleting_and_other_peoples_notices() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = app(&sms).start();
    let me = logged_in_at_a_kiosk(&host, "+84913002001");
    login_as(&host, "+84913002001", "zalo");
    let other = logged_in_at_a_kiosk(&host, "+84913002002");
    let list = inbox(&host, &me, "?limit=1");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let cursor = list["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let second = inbox(&host, &me, &format!("?limit=1&cursor={cursor}"));
    assert_eq!(second["next_cursor"], Value::Null);
    let newest = list["items"][0]["id"].as_str().unwrap().to_owned();
    let older = second["items"][0]["id"].as_str().unwrap().to_owned();
    assert_ne!(newest, older);

    // Someone else's notice is not found, whatever they do with it.
    let theirs = format!("/api/v1/me/notifications/{newest}");
    assert_eq!(host.get_auth(&theirs, &other).status, 404);
    assert_eq!(
        host.get_auth(&theirs, &other).error_code(),
        "notification_not_found"
    );
    assert_eq!(host.delete_auth(&theirs, &other).status, 404);
    assert_eq!(
        host.post_json_auth(&format!("{theirs}/read"), &other, &json!({}))
            .status,
        404
    );
    assert_eq!(
        host.get_auth("/api/v1/me/notifications/x1", &me).status,
        404
    );
    assert_eq!(host.get(&theirs).status, 401);

    let read = host.post_json_auth(&format!("{theirs}/read"), &me, &json!({}));
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json()["read"], true);
    let unread = inbox(&host, &me, "?unread=true");
    assert_eq!(unread["unread_count"], 1);
    assert_eq!(unread["items"][0]["id"], older.as_str());
    let bad = host.get_auth("/api/v1/me/notifications?unread=maybe", &me);
    assert_eq!(
        (bad.status, bad.error_code()),
        (422, "validation_failed".into())
    );

    assert_eq!(host.delete_auth(&theirs, &me).status, 204);
    assert_eq!(host.get_auth(&theirs, &me).status, 404);
    let all = host.post_json_auth("/api/v1/me/notifications/read-all", &me, &json!({}));
    assert_eq!(all.json()["marked"], 1);
    assert_eq!(inbox(&host, &me, "")["unread_count"], 0);
    // The other citizen's inbox is untouched.
    assert_eq!(inbox(&host, &other, "")["unread_count"], 1);
}

#[test]
fn settings_change_whole_or_not_at_all_and_choose_the_language_of_the_inbox() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = app(&sms).start();
    let me = logged_in_at_a_kiosk(&host, "+84913003001");
    let path = "/api/v1/me/notification-settings";
    let start = host.get_auth(path, &me);
    assert_eq!(start.status, 200);
    assert_eq!(start.json()["language"], "vi");
    assert_eq!(
        start.json()["quiet_hours"],
        json!({"start": "22:00", "end": "06:00"})
    );

    for (bad, field) in [
        (
            json!({"language": "en", "channels": {"security_login": []}}),
            "channels.security_login",
        ),
        (json!({"language": "fr"}), "language"),
        (
            json!({"quiet_hours": {"start": "25:00", "end": "06:00"}}),
            "quiet_hours.start",
        ),
        (
            json!({"channels": {"appointment_booked": ["pigeon"]}}),
            "channels.appointment_booked",
        ),
    ] {
        let r = host.patch_json(path, Some(&me), &bad);
        assert_eq!(r.status, 422, "{bad}: {}", r.text());
        assert!(
            r.json()["error"]["fields"].get(field).is_some(),
            "{bad}: {}",
            r.text()
        );
    }
    let unknown = host.patch_json(path, Some(&me), &json!({"colour": "red"}));
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (422, "validation_failed".into())
    );
    let broken = host.send(
        host.request(Method::PATCH, path)
            .bearer_auth(&me)
            .header("content-type", "application/json")
            .body("{\"language\": "),
    );
    assert_eq!(broken.status, 400);
    assert_eq!(
        host.get_auth(path, &me).json(),
        start.json(),
        "nothing changed"
    );

    let changed = host.patch_json(
        path,
        Some(&me),
        &json!({"language": "en", "quiet_hours": {"start": "21:00", "end": "07:30"},
                "channels": {"appointment_booked": ["in_app", "sms"]}}),
    );
    assert_eq!(changed.status, 200, "{}", changed.text());
    let now = host.get_auth(path, &me).json();
    assert_eq!(
        now["quiet_hours"],
        json!({"start": "21:00", "end": "07:30"})
    );
    let booked = now["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "appointment_booked")
        .unwrap();
    assert_eq!(booked["channels"], json!(["in_app", "sms"]));
    // The inbox is now in English, whatever the browser asks for.
    assert_eq!(
        inbox(&host, &me, "")["items"][0]["title"],
        "Login from a new device"
    );
}

#[test]
fn a_booking_made_moved_and_cancelled_through_the_api_is_three_notices() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = app(&sms).start();
    unit(&host, "benh-vien-da-nang", "Bệnh viện Đà Nẵng");
    service(
        &host,
        "kham-noi",
        "Khám nội tổng quát",
        "health",
        "benh-vien-da-nang",
        "124 Hải Phòng",
    );
    let doctor = official_login(&host, "+84905000002", "Lê Văn Cường", "benh-vien-da-nang");
    let day = local_date(2);
    let made = host.post_json_auth(
        "/api/v1/appointments/slots",
        &doctor,
        &json!({"service_code": "kham-noi", "date_from": day, "date_to": day,
                "day_start": "08:00", "day_end": "09:00", "interval_minutes": 30, "capacity": 1}),
    );
    assert!(matches!(made.status, 200 | 201), "{}", made.text());
    let slots = host.get(&format!(
        "/api/v1/appointments/slots?service=kham-noi&from={day}&to={day}"
    ));
    let ids: Vec<String> = slots.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    let (me, rival) = (login(&host, "+84913004001"), login(&host, "+84913004002"));
    let booked = host.post_json_auth("/api/v1/appointments", &me, &json!({"slot_id": ids[0]}));
    assert_eq!(booked.status, 201, "{}", booked.text());
    // The rival's booking of the same full slot is refused and tells them nothing.
    let refused = host.post_json_auth("/api/v1/appointments", &rival, &json!({"slot_id": ids[0]}));
    assert_eq!(refused.status, 409);
    let id = booked.json()["id"].as_str().unwrap().to_owned();
    let moved = host.post_json_auth(
        &format!("/api/v1/appointments/{id}/reschedule"),
        &me,
        &json!({"slot_id": ids[1]}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text());
    for _ in 0..2 {
        assert_eq!(
            host.delete_auth(&format!("/api/v1/appointments/{id}"), &me)
                .status,
            200
        );
    }
    let list = inbox(&host, &me, "");
    assert_eq!(
        kinds(&list),
        vec![
            "appointment_cancelled",
            "appointment_rescheduled",
            "appointment_booked"
        ]
    );
    let body = list["items"][2]["body"].as_str().unwrap();
    assert!(body.starts_with("Khám nội tổng quát, lúc 08:00 "), "{body}");
    assert_eq!(
        list["items"][2]["link"],
        format!("/api/v1/appointments/{id}")
    );
    assert!(kinds(&inbox(&host, &rival, "")).is_empty());
    // A booking notice goes by Zalo only by default: with no Zalo account
    // linked it stays in the app.
    let report = dispatch(&host);
    assert_eq!(report["in_app_only"], 3, "{report}");
    assert!(sms.requests().is_empty());
}

/// The citizen asks for SMS on `kind` too.
fn sms_for(host: &Host, token: &str, kind: &str) {
    let r = host.patch_json(
        "/api/v1/me/notification-settings",
        Some(token),
        &json!({"channels": {kind: ["in_app", "sms"]}, "quiet_hours": {"start": "00:00", "end": "00:00"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn a_feedback_answer_and_an_issued_document_reach_the_phone_right_after_the_change() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = app(&sms).start();
    unit(&host, "so-tnmt", "Sở Tài nguyên và Môi trường");
    e2e::admin::category(&host, "environment", "Môi trường", "so-tnmt");
    let officer = official_login(&host, "+84905000001", "Trần Thị Bình", "so-tnmt");
    let me = login(&host, "+84913005001");
    sms_for(&host, &me, "feedback_status");
    sms_for(&host, &me, "document_issued");

    let filed = host.post_json_auth(
        "/api/v1/feedback",
        &me,
        &json!({"category": "environment", "title": "Rác thải ùn ứ trên vỉa hè",
                "content": "Rác không được thu gom ba ngày nay.",
                "location": {"lat": 16.0678, "lng": 108.2203, "address": "K45 Lê Duẩn, Hải Châu"}}),
    );
    assert_eq!(filed.status, 201, "{}", filed.text());
    let id = filed.json()["id"].as_str().unwrap().to_owned();
    let answer = "Đã thu gom xong trong sáng nay.";
    for (status, response) in [
        ("in_progress", "Đã chuyển đội thu gom."),
        ("resolved", answer),
    ] {
        let changed = host.patch_json(
            &format!("/api/v1/feedback/{id}"),
            Some(&officer),
            &json!({"status": status, "response": response}),
        );
        assert_eq!(changed.status, 200, "{}", changed.text());
    }
    // No dispatch call: each change sent its own.
    let sent: Vec<Value> = sms.requests().iter().map(|r| r.json()).collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    let text = sent[1]["Content"].as_str().unwrap();
    assert!(
        text.contains("đã giải quyết") && text.contains(answer),
        "{text}"
    );
    assert!(sent[0]["Content"].as_str().unwrap().contains("đang xử lý"));
    // The rating request is in the app (it goes by Zalo only by default).
    assert_eq!(
        kinds(&inbox(&host, &me, "")),
        vec!["feedback_rate", "feedback_status", "feedback_status"]
    );

    let key = e2e::admin::issuer_key(&host, &json!({"code": "so-tu-phap", "name": "Sở Tư pháp"}));
    let push = || {
        host.post_json_auth(
            "/api/v1/issuer/documents",
            &key,
            &json!({"citizen": {"phone": "+84913005001"}, "type": "birth_certificate",
                    "title": "Giấy khai sinh", "content_base64": "JVBERi0xLjQK",
                    "content_type": "application/pdf", "issued_at": "1990-05-20", "external_id": "KS-1"}),
        )
    };
    let pushed = push();
    assert_eq!(pushed.status, 201, "{}", pushed.text());
    // A retry of the same push is not a second document, nor a second notice.
    let again = push();
    assert_eq!(again.status, 200, "{}", again.text());
    let sent = sms.requests();
    assert_eq!(
        sent.len(),
        3,
        "one SMS for the document, none for the retry"
    );
    let text = sent[2].json()["Content"].as_str().unwrap().to_owned();
    assert!(text.contains("Giấy khai sinh"), "{text}");
    let now = kinds(&inbox(&host, &me, ""));
    assert_eq!(
        (now[0].as_str(), now.len()),
        ("document_issued", 4),
        "{now:?}"
    );
}

#[test]
fn the_demo_citizen_finds_notices_of_their_documents_and_reports() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = app(&sms).start();
    let state = tempfile::tempdir().unwrap();
    e2e::seed::run_seed(&host, state.path());
    let me = login(&host, "+84905123456");
    let all = kinds(&inbox(&host, &me, "?limit=100"));
    for kind in ["document_issued", "feedback_status", "feedback_rate"] {
        assert!(all.iter().any(|k| k == kind), "no {kind} in {all:?}");
    }
    // Seeding twice adds no notice: every step found its change made.
    let before = all.len();
    e2e::seed::run_seed(&host, state.path());
    assert_eq!(kinds(&inbox(&host, &me, "?limit=100")).len(), before);
}

#[test]
fn a_refused_status_change_a_share_opened_and_a_revoked_document_are_one_notice_each() {
    let sms = FakeServer::start(200, ACCEPTED);
    let host = app(&sms).start();
    unit(&host, "so-tnmt", "Sở Tài nguyên và Môi trường");
    e2e::admin::category(&host, "environment", "Môi trường", "so-tnmt");
    let officer = official_login(&host, "+84905000001", "Trần Thị Bình", "so-tnmt");
    let me = login(&host, "+84913007001");

    let filed = host.post_json_auth(
        "/api/v1/feedback",
        &me,
        &json!({"category": "environment", "title": "Cây đổ chắn đường",
                "content": "Cây đổ sau mưa lớn trên đường Trần Phú.",
                "location": {"lat": 16.07, "lng": 108.22, "address": "Trần Phú, Hải Châu"}}),
    );
    assert_eq!(filed.status, 201, "{}", filed.text());
    let id = filed.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/feedback/{id}");
    let answer = "Đội cây xanh sẽ đến trong chiều nay.";
    let moved = host.patch_json(
        &path,
        Some(&officer),
        &json!({"status": "in_progress", "response": answer}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text());
    // The same change again is refused and is no news.
    let again = host.patch_json(
        &path,
        Some(&officer),
        &json!({"status": "in_progress", "response": answer}),
    );
    assert_eq!(again.status, 409, "{}", again.text());
    let list = inbox(&host, &me, "");
    assert_eq!(kinds(&list), vec!["feedback_status"]);
    assert!(
        list["items"][0]["body"].as_str().unwrap().contains(answer),
        "{list}"
    );

    let key = e2e::admin::issuer_key(&host, &json!({"code": "so-tu-phap", "name": "Sở Tư pháp"}));
    let pushed = host.post_json_auth(
        "/api/v1/issuer/documents",
        &key,
        &json!({"citizen": {"phone": "+84913007001"}, "type": "birth_certificate",
                "title": "Giấy khai sinh", "content_base64": "JVBERi0xLjQK",
                "content_type": "application/pdf", "issued_at": "1990-05-20", "external_id": "KS-7"}),
    );
    assert_eq!(pushed.status, 201, "{}", pushed.text());
    let doc = pushed.json()["id"].as_str().unwrap().to_owned();
    let share = host.post_json_auth(
        &format!("/api/v1/documents/{doc}/shares"),
        &me,
        &json!({"purpose": "Nộp hồ sơ nhập học", "max_uses": 2}),
    );
    assert_eq!(share.status, 201, "{}", share.text());
    let token = share.json()["token"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        host.get(&format!("/api/v1/shared/{token}"));
    }
    let revoked = host.post_json_auth(
        &format!("/api/v1/issuer/documents/{doc}/revoke"),
        &key,
        &json!({}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    host.post_json_auth(
        &format!("/api/v1/issuer/documents/{doc}/revoke"),
        &key,
        &json!({}),
    );
    let now = kinds(&inbox(&host, &me, ""));
    assert_eq!(
        now[..4],
        [
            "document_revoked",
            "share_used",
            "share_used",
            "document_issued"
        ],
        "two uses of a two-use link, one revocation: {now:?}"
    );
    let shown = &inbox(&host, &me, "")["items"][1];
    assert!(
        shown["body"]
            .as_str()
            .unwrap()
            .contains("Nộp hồ sơ nhập học"),
        "{shown}"
    );
}
