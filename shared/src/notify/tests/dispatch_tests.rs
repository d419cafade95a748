//! Delivery: what each citizen receives, when, on which channel, and that
//! nothing is lost or sent twice when providers fail or dispatchers race.

use std::sync::{Arc, Barrier};

use super::providers::{self, Answer, Providers, OA, SMS, ZNS};
use crate::identity::{create_session, Client};
use crate::notify::dispatch::{self, DispatchPorts, Report, MAX_ATTEMPTS};
use crate::notify::send::Senders;
use crate::ports::Clock;
use crate::testing::{remove_db, temp_db_path, MapSettings, TestDb, World, T0};

fn world() -> World {
    World::with_settings(providers::settings())
}

fn run(w: &World, p: &Providers) -> Report {
    let ports = DispatchPorts {
        sql: &w.db,
        clock: &w.clock,
        random: &w.random,
        http: p,
    };
    dispatch::run(&ports, &providers::senders(), None, 20).unwrap()
}

/// A citizen with a linked Zalo account and one security notice (a login
/// from a kiosk after the web sign-up).
fn alerted(w: &World, phone: &str, zalo: Option<&str>) -> String {
    let who = w.citizen(phone, "Trương Văn Lực");
    if let Some(user) = zalo {
        w.db.raw(&format!(
            "UPDATE citizens SET zalo_user_id = '{user}' WHERE id = '{who}'"
        ));
    }
    create_session(w.ports(), &who, Client::Web).unwrap();
    create_session(w.ports(), &who, Client::Kiosk).unwrap();
    who
}

/// An ordinary notice (a document issued), which goes by Zalo only.
fn ordinary(w: &World, who: &str) {
    w.db.raw(&format!(
        "INSERT INTO notifications (account_id, kind, ref_id, subject, detail, created_at, due_at) \
         VALUES ('{who}', 'document_issued', 'doc_1', 'Giấy khai sinh', 'birth_certificate', {t}, {t})",
        t = w.clock.now()
    ));
}

fn status(w: &World, route: &str) -> Vec<String> {
    let n = w.db.scalar(&format!(
        "SELECT count(*) FROM notification_deliveries WHERE channel = '{route}' AND status = 'sent'"
    ));
    let f = w.db.scalar(&format!(
        "SELECT count(*) FROM notification_deliveries WHERE channel = '{route}' AND status = 'failed'"
    ));
    vec![format!("sent {n}"), format!("failed {f}")]
}

#[test]
fn a_provider_that_is_down_leaves_the_notice_pending_and_a_later_run_sends_it_once() {
    let w = world();
    let p = Providers::new();
    alerted(&w, "0905444111", Some("zalo-1"));
    p.set(ZNS, Answer::Down);
    let first = run(&w, &p);
    assert_eq!((first.claimed, first.sent, first.later), (1, 0, 1));
    // Not due again yet: nothing is claimed, nothing sent.
    assert_eq!(run(&w, &p).claimed, 0);
    p.set(ZNS, Answer::Ok);
    w.clock.advance(61);
    let second = run(&w, &p);
    assert_eq!((second.claimed, second.sent), (1, 1));
    assert_eq!(run(&w, &p).claimed, 0);
    let zns = p.to(ZNS);
    assert_eq!(zns.len(), 2, "one failed try and one delivery");
    assert_eq!(
        zns[0]["tracking_id"], zns[1]["tracking_id"],
        "the same tracking id both times"
    );
    assert_eq!(
        p.count(SMS),
        0,
        "no fallback while Zalo only failed for now"
    );
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM notification_attempts"),
        2,
        "both attempts recorded"
    );
}

#[test]
fn a_refusal_hands_what_must_arrive_to_sms_and_fails_what_may_not() {
    let w = world();
    let p = Providers::new();
    let who = alerted(&w, "0905444222", Some("zalo-2"));
    ordinary(&w, &who);
    p.set(ZNS, Answer::Refuse);
    let report = run(&w, &p);
    assert_eq!((report.claimed, report.sent, report.failed), (2, 1, 1));
    assert_eq!(p.count(ZNS), 2);
    let sms = p.to(SMS);
    assert_eq!(sms.len(), 1, "only the security notice falls back to SMS");
    assert!(sms[0]["Content"]
        .as_str()
        .unwrap()
        .starts_with("Đăng nhập từ thiết bị mới: "));
    assert_eq!(sms[0]["Phone"], "0905444222");
    assert_eq!(status(&w, "zalo_zns"), vec!["sent 0", "failed 2"]);
    assert_eq!(status(&w, "sms"), vec!["sent 1", "failed 0"]);
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM notifications WHERE dispatch = 'failed'"),
        1
    );
    // Nothing is tried again.
    w.clock.advance(7200);
    assert_eq!(run(&w, &p).claimed, 0);
}

#[test]
fn within_the_48_hour_window_zalo_gets_a_free_oa_message_and_after_it_a_template() {
    let w = world();
    let p = Providers::new();
    alerted(&w, "0905444333", Some("zalo-3"));
    alerted(&w, "0905444444", Some("zalo-4"));
    let now = w.clock.now();
    w.db.raw(&format!(
        "INSERT INTO zalo_interactions (zalo_user_id, last_at) VALUES ('zalo-3', {}), ('zalo-4', {})",
        now - 3600,
        now - 49 * 3600
    ));
    let report = run(&w, &p);
    assert_eq!(report.sent, 2);
    let oa = p.to(OA);
    assert_eq!(oa.len(), 1);
    assert_eq!(oa[0]["recipient"]["user_id"], "zalo-3");
    let zns = p.to(ZNS);
    assert_eq!(zns.len(), 1);
    assert_eq!(zns[0]["phone"], "84905444444");
    assert_eq!(zns[0]["template_id"], "777");
}

#[test]
fn quiet_hours_hold_back_ordinary_notices_till_morning_but_not_security_ones() {
    let w = world();
    let p = Providers::new();
    // 23:05 local.
    w.clock.set(T0 + 9 * 3600);
    let who = alerted(&w, "0905444555", Some("zalo-5"));
    ordinary(&w, &who);
    let night = run(&w, &p);
    assert_eq!((night.sent, night.later), (1, 1));
    assert_eq!(p.count(ZNS), 0, "Zalo takes no template messages at night");
    assert_eq!(
        p.count(SMS),
        1,
        "the security notice goes by SMS right away"
    );
    // 05:59 the next day: still quiet.
    w.clock.set(T0 + 9 * 3600 + 6 * 3600 + 54 * 60);
    assert_eq!(run(&w, &p).claimed, 0);
    // 06:00: delivered by Zalo.
    w.clock.advance(60);
    let morning = run(&w, &p);
    assert_eq!((morning.claimed, morning.sent), (1, 1));
    assert_eq!(p.count(ZNS), 1);
}

#[test]
fn a_channel_that_keeps_failing_is_given_up_and_the_next_one_takes_over() {
    let w = world();
    let p = Providers::new();
    alerted(&w, "0905444666", Some("zalo-6"));
    p.set(ZNS, Answer::Timeout);
    for _ in 0..MAX_ATTEMPTS - 1 {
        let r = run(&w, &p);
        assert_eq!((r.claimed, r.later), (1, 1));
        w.clock.advance(3600);
    }
    assert_eq!(p.count(SMS), 0);
    let last = run(&w, &p);
    assert_eq!(last.sent, 1);
    assert_eq!(p.count(ZNS) as i64, MAX_ATTEMPTS);
    assert_eq!(p.count(SMS), 1);
}

#[test]
fn without_zalo_or_any_provider_a_notice_stays_in_the_app_only() {
    let w = World::with_settings(MapSettings::default());
    let p = Providers::new();
    alerted(&w, "0905444777", None);
    let ports = DispatchPorts {
        sql: &w.db,
        clock: &w.clock,
        random: &w.random,
        http: &p,
    };
    let none = Senders::from_settings(&MapSettings::default());
    let r = dispatch::run(&ports, &none, None, 20).unwrap();
    assert_eq!((r.claimed, r.in_app_only), (1, 1));
    assert!(p.sent.lock().unwrap().is_empty());
}

#[test]
fn dispatchers_racing_on_separate_connections_send_each_notice_once() {
    const CITIZENS: usize = 24;
    const DISPATCHERS: usize = 4;
    let path = temp_db_path("notify-race");
    drop(TestDb::create_file(&path));
    let setup = World::on(TestDb::file(&path), providers::settings(), 1);
    for i in 0..CITIZENS {
        alerted(
            &setup,
            &format!("0905{:06}", 555_000 + i),
            Some(&format!("zalo-r{i}")),
        );
    }
    let providers = Arc::new(Providers::new());
    let barrier = Arc::new(Barrier::new(DISPATCHERS));
    let handles: Vec<_> = (0..DISPATCHERS)
        .map(|i| {
            let (p, barrier, path) = (providers.clone(), barrier.clone(), path.clone());
            std::thread::spawn(move || {
                let w = World::on(TestDb::file(&path), providers::settings(), 100 + i as u64);
                barrier.wait();
                let mut sent = 0;
                loop {
                    let ports = DispatchPorts {
                        sql: &w.db,
                        clock: &w.clock,
                        random: &w.random,
                        http: p.as_ref(),
                    };
                    let r = dispatch::run(&ports, &providers::senders(), None, 5).unwrap();
                    sent += r.sent;
                    if r.claimed == 0 {
                        break sent;
                    }
                }
            })
        })
        .collect();
    let sent: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sent, CITIZENS as u64);
    let mut ids: Vec<String> = providers
        .to(ZNS)
        .iter()
        .map(|b| b["tracking_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), CITIZENS, "one message per notice");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), CITIZENS, "no notice sent twice");
    drop(setup);
    remove_db(&path);
}

#[test]
fn notices_and_their_records_older_than_a_year_are_purged_by_the_scheduled_run() {
    let w = world();
    let p = Providers::new();
    alerted(&w, "0905444888", Some("zalo-8"));
    assert_eq!(run(&w, &p).sent, 1);
    let rows = |w: &World| {
        (
            w.db.scalar("SELECT count(*) FROM notifications"),
            w.db.scalar("SELECT count(*) FROM notification_attempts"),
            w.db.scalar("SELECT count(*) FROM notification_deliveries"),
        )
    };
    assert_eq!(rows(&w), (1, 1, 1));
    w.clock.advance(364 * 86_400);
    run(&w, &p);
    assert_eq!(rows(&w), (1, 1, 1), "kept for a year");
    w.clock.advance(2 * 86_400);
    run(&w, &p);
    assert_eq!(rows(&w), (0, 0, 0));
}

#[test]
fn an_extreme_alert_does_not_wait_for_the_morning_a_moderate_one_does() {
    let w = world();
    let p = Providers::new();
    w.clock.set(T0 + 9 * 3600); // 23:05 local
    let who = w.citizen("0905444999", "Ngô Thị Hạnh");
    for (n, severity) in [(1, "Extreme"), (2, "Moderate")] {
        w.db.raw(&format!(
            "INSERT INTO notifications (account_id, kind, ref_id, subject, detail, note, created_at, due_at) \
             VALUES ('{who}', 'alert', 'al_{n}', 'Lũ quét', '{severity}', 'Sơ tán ngay.', {t}, {t})",
            t = w.clock.now()
        ));
    }
    let night = run(&w, &p);
    assert_eq!((night.sent, night.later), (1, 1), "{night:?}");
    let sms = p.to(SMS);
    assert_eq!(sms.len(), 1);
    assert!(sms[0]["Content"]
        .as_str()
        .unwrap()
        .starts_with("Lũ quét: Sơ tán ngay."));
}
