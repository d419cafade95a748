//! Behaviour of the bot as a Zalo user and an operator would notice it.

use serde_json::json;

use super::conversation::PHONE_WAIT_SECONDS;
use super::event::{authenticate, EventKind, Refusal, WebhookKeys};
use super::signature::signature_header;
use super::split::MAX_MESSAGE_CHARS;
use super::test_support::*;
use super::texts;
use super::webhook::{receive, Received, WebhookError};
use crate::identity::{find_by_zalo_user, get_account};
use crate::testing::FakeHttp;
use crate::testing::{remove_db, temp_db_path, MapSettings, TestDb, T0};

fn keys() -> WebhookKeys {
    WebhookKeys {
        app_id: APP_ID.into(),
        oa_secret: OA_SECRET.into(),
    }
}

// ---- signature and freshness -------------------------------------------

#[test]
fn a_correctly_signed_fresh_event_is_accepted() {
    let (body, header) = text_delivery("m1", "trợ giúp", T0 * 1000);
    let event = authenticate(&keys(), &body, Some(&header), T0).unwrap();
    assert_eq!(event.kind, EventKind::Text("trợ giúp".into()));
    assert_eq!(event.user_id.as_deref(), Some(USER));
    assert_eq!(event.dedupe_key, "msg:m1");
}

#[test]
fn tampering_wrong_secret_or_missing_header_is_refused() {
    let (body, header) = text_delivery("m1", "lịch hẹn", T0 * 1000);
    let mut changed = body.clone();
    let at = changed.iter().position(|&b| b == b'm').unwrap();
    changed[at] = b'n';
    assert_eq!(
        authenticate(&keys(), &changed, Some(&header), T0),
        Err(Refusal::BadSignature)
    );
    let wrong = WebhookKeys {
        oa_secret: "not-the-secret".into(),
        ..keys()
    };
    assert_eq!(
        authenticate(&wrong, &body, Some(&header), T0),
        Err(Refusal::BadSignature)
    );
    assert_eq!(
        authenticate(&keys(), &body, None, T0),
        Err(Refusal::MissingSignature)
    );
    assert_eq!(
        authenticate(&keys(), b"not json", Some(&header), T0),
        Err(Refusal::Unreadable)
    );
}

#[test]
fn events_more_than_five_minutes_off_are_refused() {
    for skew in [-301, 301, -86_400] {
        let (body, header) = text_delivery("m1", "x", (T0 + skew) * 1000);
        assert_eq!(
            authenticate(&keys(), &body, Some(&header), T0),
            Err(Refusal::Stale),
            "{skew}"
        );
    }
    for skew in [-300, 0, 299] {
        let (body, header) = text_delivery("m1", "x", (T0 + skew) * 1000);
        assert!(
            authenticate(&keys(), &body, Some(&header), T0).is_ok(),
            "{skew}"
        );
    }
}

#[test]
fn the_raw_bytes_are_hashed_not_reserialised_json() {
    // Odd spacing and key order, escaped characters: any re-serialisation
    // would produce different bytes.
    let ts = (T0 * 1000).to_string();
    let body = format!(
        "{{ \"timestamp\" :\"{ts}\",\n  \"message\":{{\"msg_id\":\"m9\" , \"text\":\"l\\u1ecbch h\\u1eb9n\"}},\
         \"event_name\":\"user_send_text\",   \"sender\":{{\"id\":\"{USER}\"}}, \"app_id\":\"{APP_ID}\"}}"
    );
    let header = signature_header(APP_ID, body.as_bytes(), &ts, OA_SECRET);
    let event = authenticate(&keys(), body.as_bytes(), Some(&header), T0).unwrap();
    assert_eq!(event.kind, EventKind::Text("lịch hẹn".into()));
    let reserialised =
        serde_json::to_vec(&serde_json::from_str::<serde_json::Value>(&body).unwrap()).unwrap();
    assert_eq!(
        authenticate(&keys(), &reserialised, Some(&header), T0),
        Err(Refusal::BadSignature)
    );
}

#[test]
fn follow_events_are_read_and_keyed_by_their_body() {
    let ts = (T0 * 1000).to_string();
    let body = json!({"app_id": APP_ID, "event_name": "follow", "follower": {"id": USER}, "timestamp": ts}).to_string();
    let header = signature_header(APP_ID, body.as_bytes(), &ts, OA_SECRET);
    let event = authenticate(&keys(), body.as_bytes(), Some(&header), T0).unwrap();
    assert_eq!(
        (event.kind, event.user_id.as_deref()),
        (EventKind::Follow, Some(USER))
    );
    assert!(event.dedupe_key.starts_with("body:") && event.dedupe_key.len() == 5 + 64);
}

// ---- the webhook as a whole ---------------------------------------------

#[test]
fn a_redelivered_message_is_acknowledged_and_not_answered_again() {
    let w = BotWorld::new();
    let reply_http = FakeHttp::answering(200, r#"{"error":0}"#);
    let (body, header) = text_delivery("m-dup", "trợ giúp", T0 * 1000);
    let first = receive(w.ports(), &reply_http, &body, Some(&header)).unwrap();
    assert!(
        matches!(first, Received::Handled(ref h) if h.replies_sent == 1),
        "{first:?}"
    );
    for _ in 0..3 {
        assert_eq!(
            receive(w.ports(), &reply_http, &body, Some(&header)).unwrap(),
            Received::Duplicate
        );
    }
    assert_eq!(reply_http.sent.borrow().len(), 1);
}

#[test]
fn parallel_redeliveries_on_separate_connections_are_claimed_once() {
    let path = temp_db_path("zalo-dedupe");
    drop(TestDb::create_file(&path));
    TestDb::file(&path).raw(crate::testing::MIGRATION_0007);
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                super::dedupe::claim(&TestDb::file(&path), "msg:same", T0).unwrap()
            })
        })
        .collect();
    let wins = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|&won| won)
        .count();
    remove_db(&path);
    assert_eq!(wins, 1);
}

#[test]
fn a_failed_reply_does_not_fail_the_delivery() {
    let w = BotWorld::new();
    let reply_http = FakeHttp::failing("connection refused");
    let (body, header) = text_delivery("m-fail", "trợ giúp", T0 * 1000);
    match receive(w.ports(), &reply_http, &body, Some(&header)).unwrap() {
        Received::Handled(h) => {
            assert_eq!((h.replies, h.replies_sent), (1, 0));
            assert!(h.reply_error.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refused_deliveries_are_not_claimed() {
    let w = BotWorld::new();
    let reply_http = FakeHttp::answering(200, r#"{"error":0}"#);
    let (body, _) = text_delivery("m-bad", "trợ giúp", T0 * 1000);
    let forged = signature_header(APP_ID, &body, &(T0 * 1000).to_string(), "guess");
    assert_eq!(
        receive(w.ports(), &reply_http, &body, Some(&forged)).unwrap(),
        Received::Refused(Refusal::BadSignature)
    );
    assert_eq!(w.scalar("SELECT COUNT(*) FROM zalo_processed_events"), 0);
    assert!(reply_http.sent.borrow().is_empty());
}

#[test]
fn without_a_secret_nothing_is_accepted() {
    let w = BotWorld::with_settings(MapSettings::default().with("zalo_app_id", APP_ID));
    let (body, _) = text_delivery("m1", "x", T0 * 1000);
    let unsigned_secret = signature_header(APP_ID, &body, &(T0 * 1000).to_string(), "");
    let reply_http = FakeHttp::answering(200, r#"{"error":0}"#);
    assert_eq!(
        receive(w.ports(), &reply_http, &body, Some(&unsigned_secret)),
        Err(WebhookError::NotConfigured("zalo_oa_secret"))
    );
}

// ---- conversation ---------------------------------------------------------

#[test]
fn follow_is_welcomed_with_help() {
    let w = BotWorld::new();
    let event = super::event::Event {
        kind: EventKind::Follow,
        user_id: Some(USER.into()),
        timestamp_ms: T0 * 1000,
        dedupe_key: "body:x".into(),
    };
    let out = super::bot::handle(w.ports(), &event).unwrap();
    let reply = BotWorld::only_reply(&out);
    assert!(
        reply.starts_with(texts::WELCOME) && reply.contains("lịch hẹn"),
        "{reply}"
    );
}

#[test]
fn commands_work_with_and_without_diacritics() {
    let w = BotWorld::new();
    for text in ["trợ giúp", "tro giup", "TRỢ GIÚP"] {
        assert_eq!(BotWorld::only_reply(&w.say(text)), texts::HELP);
    }
    for text in ["lịch hẹn", "lich hen", "LỊCH HẸN"] {
        assert_eq!(BotWorld::only_reply(&w.say(text)), texts::NOT_LINKED);
    }
    for text in ["đăng ký", "dang ky", "ĐĂNG KÝ"] {
        assert_eq!(BotWorld::only_reply(&w.say(text)), texts::ASK_PHONE);
    }
    assert_eq!(BotWorld::only_reply(&w.say("hủy")), texts::CANCELLED);
    assert_eq!(
        BotWorld::only_reply(&w.say("huy")),
        texts::NOTHING_TO_CANCEL
    );
    assert_eq!(
        BotWorld::only_reply(&w.say("xin chào")),
        texts::NOT_UNDERSTOOD
    );
}

#[test]
fn sign_up_by_zns_code_creates_and_links_the_citizen() {
    let w = BotWorld::new();
    assert_eq!(BotWorld::only_reply(&w.say("Đăng ký")), texts::ASK_PHONE);
    assert_eq!(BotWorld::only_reply(&w.say("12345")), texts::INVALID_PHONE);
    let sent = w.say("0905 123 456");
    assert!(
        BotWorld::only_reply(&sent).contains("0905***456"),
        "{sent:?}"
    );
    {
        let requests = w.http.sent.borrow();
        let zns: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
        assert_eq!(requests[0].url, "https://zalo.test/message/template");
        assert_eq!(zns["phone"], "84905123456");
        assert_eq!(zns["template_id"], "312456");
    }
    let code = w.last_zns_code();
    // Chat that is not a code costs no try; a wrong code costs one.
    assert_eq!(BotWorld::only_reply(&w.say("mã là gì?")), texts::ASK_CODE);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(BotWorld::only_reply(&w.say(wrong)), texts::wrong_code(4));
    let done = w.say(&format!("{} {}", &code[..3], &code[3..]));
    assert!(
        BotWorld::only_reply(&done).starts_with("Đăng ký thành công!"),
        "{done:?}"
    );

    let account = find_by_zalo_user(w.id.ports(), USER).unwrap().unwrap();
    assert_eq!(account.phone_e164, "+84905123456");
    assert_eq!(
        w.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'zalo_linked'"),
        1
    );
    assert_eq!(
        w.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'signup'"),
        1
    );
    assert_eq!(
        w.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'otp_failed'"),
        1
    );
    // The conversation is over: the code typed again is just text.
    assert_eq!(BotWorld::only_reply(&w.say(&code)), texts::NOT_UNDERSTOOD);
}

#[test]
fn linking_an_existing_account_moves_the_zalo_user_to_it() {
    let w = BotWorld::new();
    let link = |phone: &str| {
        w.say("dang ky");
        w.say(phone);
        let code = w.last_zns_code();
        w.say(&code)
    };
    assert!(BotWorld::only_reply(&link("0905123456")).starts_with("Đăng ký thành công!"));
    let first = find_by_zalo_user(w.id.ports(), USER).unwrap().unwrap();
    assert!(BotWorld::only_reply(&link("0912345678")).starts_with("Đăng ký thành công!"));
    let second = find_by_zalo_user(w.id.ports(), USER).unwrap().unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(
        get_account(w.id.ports(), &first.id)
            .unwrap()
            .unwrap()
            .zalo_user_id,
        None
    );
    // Re-linking the first phone (after its resend cooldown) finds its
    // account instead of creating one.
    w.id.clock.advance(61);
    assert!(BotWorld::only_reply(&link("0905123456")).starts_with("Liên kết thành công!"));
    assert_eq!(w.scalar("SELECT COUNT(*) FROM citizens"), 2);
}

#[test]
fn five_wrong_codes_end_the_attempt_like_the_api() {
    let w = BotWorld::new();
    w.say("đăng ký");
    w.say("0905123456");
    let code = w.last_zns_code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        assert_eq!(BotWorld::only_reply(&w.say(wrong)), texts::wrong_code(left));
    }
    assert_eq!(BotWorld::only_reply(&w.say(wrong)), texts::CODE_EXHAUSTED);
    // The right code now is not a code any more: the conversation ended.
    assert_eq!(BotWorld::only_reply(&w.say(&code)), texts::NOT_UNDERSTOOD);
    assert!(find_by_zalo_user(w.id.ports(), USER).unwrap().is_none());
}

#[test]
fn resending_within_the_cooldown_is_refused_with_the_wait() {
    let w = BotWorld::new();
    w.say("đăng ký");
    w.say("0905123456");
    w.say("đăng ký");
    let again = w.say("0905123456");
    assert!(
        BotWorld::only_reply(&again).starts_with("Bạn đã yêu cầu mã quá nhiều lần"),
        "{again:?}"
    );
    assert_eq!(w.http.sent.borrow().len(), 1);
}

#[test]
fn one_zalo_user_cannot_send_codes_to_phone_after_phone() {
    let w = BotWorld::with_settings(settings().with("otp_ip_hourly", "2"));
    for phone in ["0905000001", "0905000002"] {
        w.say("đăng ký");
        assert!(BotWorld::only_reply(&w.say(phone)).starts_with("Mã xác thực"));
    }
    w.say("đăng ký");
    assert!(
        BotWorld::only_reply(&w.say("0905000003")).starts_with("Bạn đã yêu cầu mã quá nhiều lần")
    );
    // Another Zalo user is not affected.
    w.say_as("999", "đăng ký");
    assert!(BotWorld::only_reply(&w.say_as("999", "0905000004")).starts_with("Mã xác thực"));
}

#[test]
fn a_waiting_conversation_expires() {
    let w = BotWorld::new();
    w.say("đăng ký");
    w.id.clock.advance(PHONE_WAIT_SECONDS + 1);
    assert_eq!(
        BotWorld::only_reply(&w.say("0905123456")),
        texts::NOT_UNDERSTOOD
    );
    assert!(w.http.sent.borrow().is_empty());
}

#[test]
fn a_failed_zns_delivery_is_told_and_the_phone_can_be_sent_again() {
    let mut w = BotWorld::new();
    w.http = FakeHttp::answering(200, r#"{"error":-124,"message":"Access token is invalid"}"#);
    w.say("đăng ký");
    let out = w.say("0905123456");
    assert_eq!(BotWorld::only_reply(&out), texts::DELIVERY_FAILED);
    assert!(
        out.notes.iter().any(|n| n.contains("-124")),
        "{:?}",
        out.notes
    );
    w.http = FakeHttp::answering(200, r#"{"error":0}"#);
    // Not charged: no cooldown, and still waiting for the phone.
    assert!(BotWorld::only_reply(&w.say("0905123456")).starts_with("Mã xác thực"));
}

// ---- appointments -----------------------------------------------------------

fn linked_world() -> (BotWorld, String) {
    let w = BotWorld::new();
    w.say("đăng ký");
    w.say("0905123456");
    let code = w.last_zns_code();
    w.say(&code);
    let id = find_by_zalo_user(w.id.ports(), USER).unwrap().unwrap().id;
    (w, id)
}

/// Seeds a service and `n` bookings of `citizen`, one a day from tomorrow.
fn seed_bookings(w: &BotWorld, citizen: &str, n: i64, status: &str) {
    w.id.db.raw(
        "INSERT INTO services (code, name, kind, unit_code, address, created_at) \
         VALUES ('bv-dn-noi', 'Khám nội tổng quát — Bệnh viện Đà Nẵng', 'health', 'so-y-te', '124 Hải Phòng, Hải Châu', 0) \
         ON CONFLICT DO NOTHING",
    );
    for i in 0..n {
        // Statuses get distinct minutes: (service, start) is unique.
        let starts = T0 + 86_400 * (i + 1) + 60 * status.len() as i64;
        w.id.db.raw(&format!(
            "INSERT INTO appointment_slots (id, service_code, starts_at, ends_at, local_date, capacity, remaining, created_at) \
             VALUES ('slot_{status}_{i}', 'bv-dn-noi', {starts}, {end}, 'd{i}', 5, 4, 0); \
             INSERT INTO appointments (id, citizen_id, service_code, slot_id, local_date, status, ticket_code, phone, created_at, updated_at) \
             VALUES ('ap_{status}_{i}', '{citizen}', 'bv-dn-noi', 'slot_{status}_{i}', 'd{i}', '{status}', 'T{status}{i:04}', '+84905123456', 0, 0);",
            end = starts + 1_800
        ));
    }
}

#[test]
fn appointments_list_only_upcoming_active_ones() {
    let (w, citizen) = linked_world();
    assert_eq!(
        BotWorld::only_reply(&w.say("lich hen")),
        texts::NO_APPOINTMENTS
    );
    seed_bookings(&w, &citizen, 2, "booked");
    seed_bookings(&w, &citizen, 1, "cancelled");
    seed_bookings(&w, "cit_someone_else", 1, "arrived");
    let reply = w.say("Lịch hẹn").replies.join("\n");
    assert!(reply.starts_with(&texts::appointments_header(2)), "{reply}");
    assert!(reply.contains("mã vé Tbooked0000") && reply.contains("mã vé Tbooked0001"));
    assert!(!reply.contains("Tcancelled") && !reply.contains("Tarrived"));
    // Past ones drop off.
    w.id.clock.advance(86_400 + 3_600);
    assert_eq!(
        w.say("lịch hẹn")
            .replies
            .join("\n")
            .matches("mã vé")
            .count(),
        1
    );
}

#[test]
fn a_long_appointment_list_is_split_into_messages_within_the_limit() {
    let (w, citizen) = linked_world();
    seed_bookings(&w, &citizen, 60, "booked");
    let out = w.say("LỊCH HẸN");
    assert!(out.replies.len() >= 2, "{}", out.replies.len());
    for part in &out.replies {
        assert!(part.chars().count() <= MAX_MESSAGE_CHARS);
    }
    let all = out.replies.join("\n");
    for i in 0..60 {
        assert_eq!(
            all.matches(&format!("mã vé Tbooked{i:04}")).count(),
            1,
            "{i}"
        );
    }
}

// ---- feedback -----------------------------------------------------------------

#[test]
fn feedback_is_filed_for_the_linked_citizen_with_a_tracking_code() {
    let (w, citizen) = linked_world();
    w.id.db.raw(
        "INSERT INTO units (code, name, created_at) VALUES ('trung-tam-hcc', 'Trung tâm Hành chính công', 0); \
         INSERT INTO feedback_categories (code, name, unit_code, created_at) VALUES ('other', 'Khác', 'trung-tam-hcc', 0);",
    );
    assert_eq!(
        BotWorld::only_reply(&w.say("phản ánh")),
        texts::FEEDBACK_EMPTY
    );
    let reply = w.say("Phan anh: Đèn đường trên đường Bạch Đằng bị hỏng");
    let text = BotWorld::only_reply(&reply);
    let code = text
        .split_whitespace()
        .find(|t| t.starts_with("PA-"))
        .unwrap()
        .trim_end_matches('.');
    assert_eq!(code.len(), "PA-2026-000001".len(), "{text}");
    assert_eq!(
        w.scalar(&format!(
            "SELECT COUNT(*) FROM feedback WHERE owner_id = '{citizen}' AND tracking_code = '{code}' \
             AND category_code = 'other' AND content = 'Đèn đường trên đường Bạch Đằng bị hỏng'"
        )),
        1
    );
}

#[test]
fn feedback_needs_a_link_and_a_seeded_category() {
    let w = BotWorld::new();
    assert_eq!(
        BotWorld::only_reply(&w.say("phản ánh rác chưa thu gom")),
        texts::NOT_LINKED
    );
    let (w, _) = linked_world();
    let out = w.say("gop y nên có thêm xe buýt");
    assert_eq!(BotWorld::only_reply(&out), texts::FEEDBACK_UNAVAILABLE);
    assert!(
        out.notes.iter().any(|n| n.contains("other")),
        "{:?}",
        out.notes
    );
    assert_eq!(w.scalar("SELECT COUNT(*) FROM feedback"), 0);
}

#[test]
fn the_phones_linked_zalo_account_gets_a_code_when_strangers_spent_the_phones_budget() {
    use crate::identity::{start_challenge, Channel, Client, Origin, Purpose, StartRequest};
    let w = BotWorld::new();
    w.say("đăng ký");
    w.say("0905123456");
    w.say(&w.last_zns_code());
    assert!(find_by_zalo_user(w.id.ports(), USER).unwrap().is_some());
    // Strangers on ten networks take the phone's 15-minute budget.
    let phone = crate::phone::Phone::parse("0905123456").unwrap();
    for n in 0..10 {
        let req = StartRequest {
            phone: phone.clone(),
            channel: Channel::Sms,
            purpose: Purpose::Login,
            client: Client::Web,
            origin: Origin::Network(format!("198.51.100.{n}")),
            full_name: None,
        };
        start_challenge(
            w.id.ports(),
            &req,
            &mut |_: &crate::identity::OtpMessage| Ok(()),
        )
        .unwrap();
    }
    w.id.clock.advance(61);
    // Another Zalo account asking for that phone is a stranger too.
    w.say_as("999", "đăng ký");
    assert!(BotWorld::only_reply(&w.say_as("999", "0905123456"))
        .starts_with("Bạn đã yêu cầu mã quá nhiều lần"));
    // The phone's own linked account is not held to that budget.
    w.say("đăng ký");
    assert!(BotWorld::only_reply(&w.say("0905123456")).starts_with("Mã xác thực"));
}

#[test]
fn notices_lists_the_latest_five_newest_first_and_needs_a_link() {
    let w = BotWorld::new();
    assert_eq!(BotWorld::only_reply(&w.say("thông báo")), texts::NOT_LINKED);
    let (w, citizen) = linked_world();
    assert_eq!(BotWorld::only_reply(&w.say("thong bao")), texts::NO_NOTICES);
    seed_bookings(&w, &citizen, 7, "booked");
    let reply = w.say("THÔNG BÁO").replies.join("\n");
    assert!(reply.starts_with(&texts::notices_header(5)), "{reply}");
    assert_eq!(reply.matches("• Đã đặt lịch hẹn").count(), 5, "{reply}");
    // Newest first: the last booking's ticket comes before the earlier ones.
    let newest = reply.find("Tbooked0006").expect("the newest booking");
    let older = reply.find("Tbooked0002").expect("an older one");
    assert!(newest < older, "{reply}");
    assert!(!reply.contains("Tbooked0001"), "only five: {reply}");
}

#[test]
fn every_message_from_the_user_opens_the_window_and_time_never_goes_back() {
    let w = BotWorld::new();
    w.say("xin chào");
    let at = |w: &BotWorld| {
        w.scalar(&format!(
            "SELECT last_at FROM zalo_interactions WHERE zalo_user_id = '{USER}'"
        ))
    };
    assert_eq!(at(&w), T0);
    w.id.clock.advance(3_600);
    w.say("trợ giúp");
    assert_eq!(at(&w), T0 + 3_600);
    w.id.clock.set(T0);
    w.say("lịch hẹn");
    assert_eq!(
        at(&w),
        T0 + 3_600,
        "an older event does not shorten the window"
    );
}
