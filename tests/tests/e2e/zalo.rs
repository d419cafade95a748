//! The Zalo OA chat-bot end to end (docs/zalo.md): signed webhook deliveries sent
//! to the real component, and the OA API and ZNS played by a loopback fake
//! that records what the bot sent.

use e2e::admin::{category, official_login, service, unit};
use e2e::db::db;
use e2e::fake_server::{FakeServer, Recorded};
use e2e::session::{login, outbox_code};
use e2e::time::{local_date, now_ms};
use e2e::zalo::{post, sign, text_event, ACCESS_TOKEN, APP_ID, OA_SECRET, TEMPLATE_ID, ZALO_OK};
use e2e::{Host, HostBuilder, Method};
use serde_json::{json, Value};

/// The app with its Zalo API at `zalo`.
fn with_zalo(zalo: &FakeServer) -> HostBuilder {
    e2e::zalo::with_zalo(HostBuilder::app(), zalo)
}

/// Sends `text` as `user`, correctly signed; asserts it was handled.
fn say(host: &Host, user: &str, msg_id: &str, text: &str) {
    let (body, ts) = text_event(user, msg_id, text);
    let resp = post(host, &body, Some(&sign(&body, &ts, OA_SECRET)));
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["status"], "ok", "{}", resp.text());
}

/// The OA messages the fake received, as (user id, text).
fn replies(zalo: &FakeServer) -> Vec<(String, String)> {
    zalo.requests()
        .iter()
        .filter(|r| r.path == "/v3.0/oa/message/cs")
        .map(|r| {
            let b = r.json();
            (
                b["recipient"]["user_id"].as_str().unwrap().to_owned(),
                b["message"]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The texts sent to `user` from the `skip`-th reply on.
fn texts_to(zalo: &FakeServer, user: &str, skip: usize) -> Vec<String> {
    replies(zalo)
        .into_iter()
        .filter(|(u, _)| u == user)
        .skip(skip)
        .map(|(_, t)| t)
        .collect()
}

fn zns_messages(zalo: &FakeServer) -> Vec<Recorded> {
    zalo.requests()
        .into_iter()
        .filter(|r| r.path == "/message/template")
        .collect()
}

fn linked_phone(host: &Host, user: &str) -> Option<String> {
    db(host)
        .rows(
            "SELECT phone FROM citizens WHERE zalo_user_id = ?1",
            e2e::params![user],
        )
        .first()
        .map(|r| r.text(0))
}

// ---- signature -------------------------------------------------------------

#[test]
fn a_correctly_signed_event_is_accepted_and_answered_through_the_oa_api() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).start();
    say(&host, "1001", "sig-ok", "trợ giúp");
    let sent: Vec<Recorded> = zalo.requests();
    assert_eq!(sent.len(), 1);
    let reply = &sent[0];
    assert_eq!(
        (reply.method.as_str(), reply.path.as_str()),
        ("POST", "/v3.0/oa/message/cs")
    );
    assert_eq!(reply.header("access_token"), Some(ACCESS_TOKEN));
    let body = reply.json();
    assert_eq!(body["recipient"]["user_id"], "1001");
    let text = body["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("đăng ký") && text.contains("lịch hẹn") && text.contains("phản ánh"),
        "{text}"
    );
}

#[test]
fn tampered_wrongly_signed_unsigned_and_stale_events_are_refused() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).start();
    let (body, ts) = text_event("1002", "sig-bad", "trợ giúp");
    let good = sign(&body, &ts, OA_SECRET);

    // One changed byte in the body.
    let mut changed = body.clone();
    let at = changed.windows(4).position(|w| w == b"1002").unwrap();
    changed[at + 3] = b'3';
    let r = post(&host, &changed, Some(&good));
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"));
    // Signed with another secret.
    assert_eq!(
        post(&host, &body, Some(&sign(&body, &ts, "not-the-oa-secret"))).status,
        401
    );
    // No header at all, or one without `mac=`.
    assert_eq!(post(&host, &body, None).status, 401);
    assert_eq!(
        post(&host, &body, Some(good.trim_start_matches("mac="))).status,
        401
    );
    // Correctly signed, but from six minutes ago (or ahead).
    for skew in [-360_000, 360_000] {
        let ts = (now_ms() + skew).to_string();
        let stale = json!({"app_id": APP_ID, "event_name": "user_send_text", "sender": {"id": "1002"},
                           "message": {"text": "trợ giúp", "msg_id": format!("stale{skew}")}, "timestamp": ts})
            .to_string()
            .into_bytes();
        assert_eq!(
            post(&host, &stale, Some(&sign(&stale, &ts, OA_SECRET))).status,
            401,
            "{skew}"
        );
    }
    assert!(
        zalo.requests().is_empty(),
        "refused events must not be answered"
    );
    // The genuine one still goes through: refusals claimed nothing.
    assert_eq!(post(&host, &body, Some(&good)).json()["status"], "ok");
    assert_eq!(replies(&zalo).len(), 1);
}

#[test]
fn the_raw_body_is_hashed_not_reserialised_json() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).start();
    let ts = now_ms().to_string();
    // Unusual whitespace, key order and escapes: re-serialising would change the bytes.
    let body = format!(
        "{{\n  \"timestamp\" : \"{ts}\",\t\"message\" :{{ \"text\":\"tr\\u1ee3 gi\\u00fap\" ,\"msg_id\":\"raw-1\"}},\n\
         \"sender\":{{\"id\":\"1003\"}} , \"event_name\":\"user_send_text\",\"app_id\":\"{APP_ID}\"   }}"
    )
    .into_bytes();
    let resp = post(&host, &body, Some(&sign(&body, &ts, OA_SECRET)));
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(texts_to(&zalo, "1003", 0).len(), 1);
    // The same event, compacted, does not match the signature of the original bytes.
    let compact = serde_json::to_vec(&serde_json::from_slice::<Value>(&body).unwrap()).unwrap();
    assert_eq!(
        post(&host, &compact, Some(&sign(&body, &ts, OA_SECRET))).status,
        401
    );
}

// ---- at most once -------------------------------------------------------------

#[test]
fn replays_of_one_msg_id_get_one_reply_also_in_parallel() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).start();
    let (body, ts) = text_event("1004", "replay-seq", "trợ giúp");
    let sig = sign(&body, &ts, OA_SECRET);
    let statuses: Vec<Value> = (0..3)
        .map(|_| post(&host, &body, Some(&sig)).json()["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        vec![json!("ok"), json!("duplicate"), json!("duplicate")]
    );
    assert_eq!(texts_to(&zalo, "1004", 0).len(), 1);

    let host = std::sync::Arc::new(host);
    let (body, ts) = text_event("1005", "replay-par", "trợ giúp");
    let sig = sign(&body, &ts, OA_SECRET);
    let h = host.clone();
    let results = e2e::parallel(20, move |_| {
        let r = post(&h, &body, Some(&sig));
        (
            r.status,
            r.json()["status"].as_str().unwrap_or_default().to_owned(),
        )
    });
    assert!(results.iter().all(|(s, _)| *s == 200), "{results:?}");
    assert_eq!(
        results.iter().filter(|(_, st)| st == "ok").count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        texts_to(&zalo, "1005", 0).len(),
        1,
        "exactly one reply for twenty deliveries"
    );
}

#[test]
fn a_failed_reply_never_fails_the_webhook() {
    let zalo = FakeServer::start(500, r#"{"error":-32,"message":"Internal"}"#);
    let host = with_zalo(&zalo).start();
    say(&host, "1006", "fail-1", "trợ giúp");
    assert_eq!(replies(&zalo).len(), 1, "the reply was attempted");
    // Nothing listening at all.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let host = HostBuilder::app()
        .var("zalo_app_id", APP_ID)
        .var("zalo_oa_secret", OA_SECRET)
        .var("zalo_api_base", &origin)
        .var("zalo_access_token", ACCESS_TOKEN)
        .start();
    say(&host, "1006", "fail-2", "trợ giúp");
}

#[test]
fn a_hanging_oa_api_costs_the_reply_not_the_webhook() {
    // Accepts connections (the kernel's backlog) but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", silent.local_addr().unwrap());
    let host = HostBuilder::app()
        .var("zalo_app_id", APP_ID)
        .var("zalo_oa_secret", OA_SECRET)
        .var("zalo_api_base", &origin)
        .var("zalo_access_token", ACCESS_TOKEN)
        .start();
    let started = std::time::Instant::now();
    say(&host, "1013", "hang-1", "trợ giúp");
    // The runtime's own limit for outbound calls is 30 s; the bot gives up
    // after about one so Zalo gets its answer in time.
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(5),
        "webhook took {took:?}"
    );
    drop(silent);
}

// ---- conversation ---------------------------------------------------------------

#[test]
fn follow_is_welcomed_with_help() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).start();
    let ts = now_ms().to_string();
    let body = json!({"app_id": APP_ID, "oa_id": "388613280878808645", "event_name": "follow",
                      "follower": {"id": "1007"}, "user_id_by_app": "5521", "source": "oa_profile", "timestamp": ts})
        .to_string()
        .into_bytes();
    let sig = sign(&body, &ts, OA_SECRET);
    assert_eq!(post(&host, &body, Some(&sig)).json()["status"], "ok");
    assert_eq!(post(&host, &body, Some(&sig)).json()["status"], "duplicate");
    let texts = texts_to(&zalo, "1007", 0);
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].starts_with("Chào mừng") && texts[0].contains("trợ giúp"),
        "{}",
        texts[0]
    );
}

#[test]
fn commands_are_understood_with_and_without_diacritics() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).start();
    let sends = [
        ("đăng ký", "dang ky"),
        ("ĐĂNG KÝ", "Đăng kí"),
        ("lịch hẹn", "lich hen"),
        ("trợ giúp", "TRO GIUP"),
        ("phản ánh", "phan anh"),
    ];
    for (i, (with, without)) in sends.iter().enumerate() {
        say(&host, "1008", &format!("dia-{i}-a"), with);
        say(&host, "1008", &format!("dia-{i}-b"), without);
    }
    let texts = texts_to(&zalo, "1008", 0);
    assert_eq!(texts.len(), 10, "{texts:?}");
    for pair in texts.chunks(2) {
        assert_eq!(pair[0], pair[1]);
    }
    assert!(texts[0].contains("số điện thoại"), "{}", texts[0]);
    assert!(texts[4].contains("chưa liên kết"), "{}", texts[4]);
    assert!(texts[6].contains("Các lệnh"), "{}", texts[6]);
    // Unknown text gets a short help, not silence.
    say(&host, "1008", "dia-cancel", "hủy");
    say(&host, "1008", "dia-x", "xin chào");
    let last = texts_to(&zalo, "1008", 11);
    assert!(
        last[0].starts_with("Xin lỗi") && last[0].contains("trợ giúp"),
        "{last:?}"
    );
}

#[test]
fn full_sign_up_conversation_over_zns_creates_and_links_the_citizen() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).var("dev_mode", "false").start();
    let user = "1009";

    say(&host, user, "su-1", "Đăng ký");
    assert!(texts_to(&zalo, user, 0)[0].contains("số điện thoại"));
    say(&host, user, "su-2", "0905 123 456");

    let zns = zns_messages(&zalo);
    assert_eq!(zns.len(), 1, "one OTP template message");
    assert_eq!(zns[0].header("access_token"), Some(ACCESS_TOKEN));
    let zns_body = zns[0].json();
    assert_eq!(zns_body["phone"], "84905123456");
    assert_eq!(zns_body["template_id"], TEMPLATE_ID);
    let code = zns_body["template_data"]["otp"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    let prompt = &texts_to(&zalo, user, 1)[0];
    assert!(
        prompt.contains("0905***456") && !prompt.contains(&code),
        "{prompt}"
    );
    assert_eq!(linked_phone(&host, user), None);

    say(&host, user, "su-3", &code);
    let done = &texts_to(&zalo, user, 2)[0];
    assert!(done.starts_with("Đăng ký thành công!"), "{done}");
    assert_eq!(linked_phone(&host, user).as_deref(), Some("+84905123456"));
    let row = db(&host).row(
        "SELECT level, role FROM citizens WHERE phone = '+84905123456'",
        &[],
    );
    let (level, role) = (row.text(0), row.text(1));
    assert_eq!((level.as_str(), role.as_str()), ("provisional", "citizen"));
    let linked = db(&host).int(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'zalo_linked'",
        &[],
    );
    assert_eq!(linked, 1);

    // Linked now: the citizen's commands work.
    say(&host, user, "su-4", "lich hen");
    assert_eq!(
        texts_to(&zalo, user, 3)[0],
        "Bạn không có lịch hẹn nào sắp tới."
    );
}

#[test]
fn the_bot_applies_the_same_code_limits_as_the_api() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo)
        .var("dev_mode", "false")
        .var("otp_phone_total_15min", "2")
        .start();
    let user = "1010";
    say(&host, user, "lim-1", "dang ky");
    say(&host, user, "lim-2", "0905 000 111");
    // Asking again within the resend cooldown is refused, with the wait.
    say(&host, user, "lim-3", "dang ky");
    say(&host, user, "lim-4", "0905000111");
    let refused = &texts_to(&zalo, user, 3)[0];
    assert!(refused.contains("quá nhiều lần"), "{refused}");
    assert_eq!(zns_messages(&zalo).len(), 1);
    // The cooldown is per (phone, network) (docs/identity.md, "Code requests
    // and limits"): the login API, another network, is not held to it...
    let r = host.post_json(
        "/api/v1/auth/otp",
        &json!({"phone": "0905000111", "channel": "zalo"}),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    // ...but both count in the phone's all-networks budget (two unused codes
    // here), so another Zalo user asking for that phone is refused.
    say(&host, "2020", "lim-5", "dang ky");
    say(&host, "2020", "lim-6", "0905000111");
    let refused = &texts_to(&zalo, "2020", 1)[0];
    assert!(refused.contains("quá nhiều lần"), "{refused}");
    let r = host.post_json(
        "/api/v1/auth/otp",
        &json!({"phone": "0905000111", "channel": "zalo"}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
}

// ---- appointments ------------------------------------------------------------------

/// Links `user` to `phone` through the bot in dev mode (code from the outbox).
fn link_in_dev_mode(host: &Host, user: &str, phone_e164: &str) {
    say(host, user, &format!("{user}-l1"), "đăng ký");
    say(host, user, &format!("{user}-l2"), phone_e164);
    let code = outbox_code(host, phone_e164);
    say(host, user, &format!("{user}-l3"), &code);
    assert_eq!(linked_phone(host, user).as_deref(), Some(phone_e164));
}

/// Books `n` appointments (one a day from tomorrow) for `citizen_phone`
/// through the appointments API, as an official and the citizen would.
/// Returns the bookings as (id, ticket code), soonest first.
fn book_through_the_api(host: &Host, citizen_phone: &str, n: i64) -> Vec<(String, String)> {
    unit(host, "so-y-te", "Sở Y tế Đà Nẵng");
    service(
        host,
        "bv-dn-noi",
        "Khám nội tổng quát — Bệnh viện Đà Nẵng",
        "health",
        "so-y-te",
        "124 Hải Phòng, Thạch Thang, Hải Châu, Đà Nẵng",
    );
    let official = official_login(host, "0905999000", "Cán bộ Sở Y tế", "so-y-te");
    let schedule = json!({"service_code": "bv-dn-noi", "date_from": local_date(1), "date_to": local_date(n),
                          "day_start": "08:00", "day_end": "08:30", "interval_minutes": 30, "capacity": 5});
    let r = host.post_json_auth("/api/v1/appointments/slots", &official, &schedule);
    assert_eq!(r.status, 201, "{}", r.text());
    let slots = host.get(&format!(
        "/api/v1/appointments/slots?service=bv-dn-noi&limit=100&from={}",
        local_date(1)
    ));
    let slot_ids: Vec<String> = slots.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(slot_ids.len() as i64, n, "{}", slots.text());
    let citizen = login(host, citizen_phone);
    slot_ids
        .iter()
        .map(|slot| {
            let r =
                host.post_json_auth("/api/v1/appointments", &citizen, &json!({"slot_id": slot}));
            assert_eq!(r.status, 201, "{}", r.text());
            let b = r.json();
            (
                b["id"].as_str().unwrap().to_owned(),
                b["ticket_code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_long_appointment_list_is_split_into_replies_within_2000_characters() {
    let zalo = FakeServer::start(200, ZALO_OK);
    // Codes for one phone back to back (link, then login) without the cooldown.
    let host = with_zalo(&zalo).var("otp_resend_seconds", "0").start();
    let user = "1011";
    link_in_dev_mode(&host, user, "+84905222333");
    // Seeded through the appointments API: 60 bookings, one a day; the
    // first is then cancelled and must not be listed.
    let bookings = book_through_the_api(&host, "+84905222333", 60);
    let citizen = login(&host, "+84905222333");
    let r = host.send(
        host.request(
            Method::DELETE,
            &format!("/api/v1/appointments/{}", bookings[0].0),
        )
        .bearer_auth(&citizen),
    );
    assert!(r.status == 200 || r.status == 204, "{}", r.text());

    let before = texts_to(&zalo, user, 0).len();
    say(&host, user, "ap-list", "Lịch hẹn");
    let parts = texts_to(&zalo, user, before);
    assert!(parts.len() >= 2, "{} parts", parts.len());
    for p in &parts {
        assert!(
            p.chars().count() <= 2_000,
            "{} characters",
            p.chars().count()
        );
    }
    let all = parts.join("\n");
    assert!(
        all.starts_with("Bạn có 59 lịch hẹn sắp tới:"),
        "{}",
        all.chars().take(80).collect::<String>()
    );
    for (_, ticket) in &bookings[1..] {
        assert_eq!(
            all.matches(&format!("mã vé {ticket}")).count(),
            1,
            "ticket {ticket}"
        );
    }
    assert!(
        !all.contains(&bookings[0].1),
        "a cancelled booking is not upcoming"
    );
    // No line was cut across two messages, and they come soonest first.
    let tickets: Vec<&str> = parts
        .iter()
        .flat_map(|p| p.lines())
        .filter(|l| !l.starts_with("Bạn có"))
        .map(|l| {
            assert!(l.starts_with("• "), "{l}");
            l.rsplit("mã vé ").next().unwrap()
        })
        .collect();
    let expected: Vec<&str> = bookings[1..].iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(tickets, expected);
}

// ---- feedback -----------------------------------------------------------------------

#[test]
fn feedback_sent_in_the_chat_is_filed_and_answered_with_its_tracking_code() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo).start();
    unit(&host, "trung-tam-hcc", "Trung tâm Hành chính công");
    category(&host, "other", "Khác", "trung-tam-hcc");
    let user = "1012";
    // Not linked yet: nothing is filed.
    say(&host, user, "fb-0", "phản ánh Rác chưa được thu gom");
    assert!(texts_to(&zalo, user, 0)[0].contains("chưa liên kết"));
    link_in_dev_mode(&host, user, "+84905444555");
    let before = texts_to(&zalo, user, 0).len();
    say(
        &host,
        user,
        "fb-1",
        "Phan anh: Đèn đường trên đường Bạch Đằng bị hỏng từ tối qua",
    );
    let answer = &texts_to(&zalo, user, before)[0];
    let code = answer
        .split_whitespace()
        .find(|w| w.starts_with("PA-"))
        .unwrap_or_else(|| panic!("no tracking code in {answer}"))
        .trim_end_matches('.')
        .to_owned();
    let row = db(&host).row(
        "SELECT c.phone, f.content FROM feedback f JOIN citizens c ON c.id = f.owner_id WHERE f.tracking_code = ?1",
        e2e::params![code.as_str()],
    );
    let (owner_phone, content) = (row.text(0), row.text(1));
    assert_eq!(owner_phone, "+84905444555");
    assert_eq!(content, "Đèn đường trên đường Bạch Đằng bị hỏng từ tối qua");
}

#[test]
fn without_an_oa_secret_the_webhook_is_not_configured_not_a_store_outage() {
    // The default app has no zalo_app_id / zalo_oa_secret.
    let host = HostBuilder::app().start();
    let (body, ts) = text_event("8001", "m-unconfigured", "trợ giúp");
    let resp = post(&host, &body, Some(&sign(&body, &ts, "")));
    assert_eq!(resp.status, 503, "{}", resp.text());
    assert_eq!(resp.error_code(), "not_configured");
    let app_only = HostBuilder::app().var("zalo_app_id", APP_ID).start();
    let resp = post(&app_only, &body, Some(&sign(&body, &ts, "")));
    assert_eq!(
        (resp.status, resp.error_code()),
        (503, "not_configured".to_owned())
    );
    assert_eq!(resp.json()["error"]["fields"]["setting"], "zalo_oa_secret");
}

// ---- notices -----------------------------------------------------------------------

const DISPATCH_SECRET: &str = "dispatch-secret-for-the-zalo-tests-0123456789";

fn dispatch(host: &Host) -> Value {
    let r = host.post_json_auth("/api/v1/internal/dispatch", DISPATCH_SECRET, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[test]
fn notices_are_listed_in_the_chat_and_reach_zalo_by_oa_message_inside_the_window_else_by_zns() {
    let zalo = FakeServer::start(200, ZALO_OK);
    let host = with_zalo(&zalo)
        .var("otp_resend_seconds", "0")
        .var("zalo_notice_template_id", "777001")
        .var("dispatch_secret", DISPATCH_SECRET)
        .start();
    let (user, phone) = ("u-notices-1", "+84913006001");
    link_in_dev_mode(&host, user, phone);
    // A login on the web, then at a kiosk: one security notice.
    login(&host, phone);
    e2e::session::login_as(&host, phone, "kiosk");

    let before = texts_to(&zalo, user, 0).len();
    say(&host, user, "m-notices-1", "thong bao");
    let listed = texts_to(&zalo, user, before).join("\n");
    assert!(listed.contains("Đăng nhập từ thiết bị mới"), "{listed}");

    // The user just wrote to the OA: the notice goes as a free OA message.
    let zns_before = zns_messages(&zalo).len();
    let sent_before = replies(&zalo).len();
    let report = dispatch(&host);
    assert!(report["sent"].as_u64().unwrap() >= 1, "{report}");
    let new: Vec<(String, String)> = replies(&zalo).split_off(sent_before);
    assert!(
        new.iter()
            .any(|(u, t)| u == user && t.starts_with("Đăng nhập từ thiết bị mới")),
        "{new:?}"
    );
    assert_eq!(
        zns_messages(&zalo).len(),
        zns_before,
        "no template inside the window"
    );

    // Two days later (the window closed) the next notice is a ZNS template.
    db(&host).run(
        "UPDATE zalo_interactions SET last_at = last_at - 49 * 3600 WHERE zalo_user_id = ?1",
        &[user.into()],
    );
    e2e::session::login_as(&host, phone, "zalo");
    let report = dispatch(&host);
    let templates: Vec<Value> = zns_messages(&zalo)
        .iter()
        .map(|r| r.json())
        .filter(|b| b["template_id"] == "777001")
        .collect();
    let hour = (now_ms() / 1000 + 7 * 3600) % 86_400 / 3600;
    if (6..22).contains(&hour) {
        assert_eq!(report["sent"], 1, "{report}");
        assert_eq!(templates.len(), 1, "{templates:?}");
        assert_eq!(templates[0]["phone"], "84913006001");
        let title = templates[0]["template_data"]["title"].as_str().unwrap();
        assert!(title.starts_with("Đăng nhập"), "{title}");
    } else {
        // From 22:00 to 06:00 Zalo takes no templates; with no SMS gateway
        // configured the security notice waits for the morning.
        assert_eq!(
            (report["sent"].as_u64(), report["later"].as_u64()),
            (Some(0), Some(1)),
            "{report}"
        );
        assert!(templates.is_empty(), "{templates:?}");
    }
}
