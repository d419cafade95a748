//! Every change a citizen should hear about writes exactly one notice, in
//! the statement that made the change; a change that did not happen writes
//! none.

use crate::appointments::tests::support::*;
use crate::appointments::{cancel, reschedule};
use crate::identity::{create_session, Client};
use crate::lang::Lang;
use crate::notify::inbox::{list, notice_json};
use crate::notify::Kind;
use crate::pagination::Page;
use crate::testing::World;

fn kinds(w: &World, who: &str) -> Vec<Kind> {
    let page = list(&w.db, who, &Page::default(), false).unwrap();
    page.page.items.iter().map(|n| n.kind).collect()
}

#[test]
fn booking_moving_and_cancelling_each_write_one_notice_naming_the_service_and_time() {
    let w = world();
    let first = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 2);
    let later = one_slot(w.ports(), CLINIC, "2026-12-01", "09:00", 2);
    let who = citizen(w.ports(), 1);
    let id = try_book(&w, &who, &first.id).unwrap();
    assert_eq!(kinds(&w, &who), vec![Kind::AppointmentBooked]);

    let inbox = list(&w.db, &who, &Page::default(), false).unwrap();
    let shown = notice_json(&inbox.page.items[0], Lang::Vi);
    assert_eq!(shown["title"], "Đã đặt lịch hẹn");
    let body = shown["body"].as_str().unwrap();
    assert!(
        body.starts_with("Khám nội tổng quát, lúc 08:00 01/12/2026."),
        "{body}"
    );
    assert_eq!(shown["link"], format!("/api/v1/appointments/{id}"));
    assert_eq!(inbox.unread, 1);

    reschedule(w.ports(), &who, &id, &later.id).unwrap();
    cancel(w.ports(), &who, &id).unwrap();
    // Cancelling again changes nothing and says nothing.
    cancel(w.ports(), &who, &id).unwrap();
    assert_eq!(
        kinds(&w, &who),
        vec![
            Kind::AppointmentCancelled,
            Kind::AppointmentRescheduled,
            Kind::AppointmentBooked
        ]
    );
    let inbox = list(&w.db, &who, &Page::default(), false).unwrap();
    let moved = notice_json(&inbox.page.items[1], Lang::En);
    assert!(
        moved["body"]
            .as_str()
            .unwrap()
            .contains("new time 09:00 01/12/2026"),
        "{moved}"
    );
}

#[test]
fn a_booking_that_was_refused_writes_no_notice() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 1);
    let first = citizen(w.ports(), 1);
    let second = citizen(w.ports(), 2);
    try_book(&w, &first, &slot.id).unwrap();
    assert!(try_book(&w, &second, &slot.id).is_err(), "the slot is full");
    assert_eq!(kinds(&w, &second), Vec::<Kind>::new());
    assert_eq!(kinds(&w, &first), vec![Kind::AppointmentBooked]);
}

#[test]
fn a_login_from_a_client_the_account_never_used_is_a_security_notice_once() {
    let w = World::new();
    let who = w.citizen("0905111222", "Lê Văn Tâm");
    // The first session (the sign-up) is not news, nor is the same client again.
    create_session(w.ports(), &who, Client::Web).unwrap();
    create_session(w.ports(), &who, Client::Web).unwrap();
    assert_eq!(kinds(&w, &who), Vec::<Kind>::new());
    create_session(w.ports(), &who, Client::Kiosk).unwrap();
    create_session(w.ports(), &who, Client::Kiosk).unwrap();
    assert_eq!(kinds(&w, &who), vec![Kind::SecurityLogin]);
    let inbox = list(&w.db, &who, &Page::default(), false).unwrap();
    let shown = notice_json(&inbox.page.items[0], Lang::Vi);
    assert_eq!(shown["title"], "Đăng nhập từ thiết bị mới");
    assert!(shown["body"].as_str().unwrap().contains("kiosk"), "{shown}");
    // Another account's logins are not in this inbox.
    let other = w.citizen("0905111333", "Lê Thị Mai");
    create_session(w.ports(), &other, Client::Web).unwrap();
    create_session(w.ports(), &other, Client::Zalo).unwrap();
    assert_eq!(kinds(&w, &who), vec![Kind::SecurityLogin]);
    assert_eq!(kinds(&w, &other), vec![Kind::SecurityLogin]);
}

#[test]
fn the_reminder_and_the_check_in_notice_are_written_once_per_slot() {
    use crate::notify::schedule::write_due;
    // NOW is Sunday 2026-11-29 14:05 local; the slots are on Monday.
    let w = world();
    let morning = one_slot(w.ports(), CLINIC, "2026-11-30", "08:00", 2);
    let noon = one_slot(w.ports(), CLINIC, "2026-11-30", "12:00", 2);
    let day_after = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 2);
    let who = citizen(w.ports(), 1);
    let other = citizen(w.ports(), 2);
    let id = try_book(&w, &who, &morning.id).unwrap();
    try_book(&w, &other, &day_after.id).unwrap();

    assert_eq!(write_due(&w.db, NOW).unwrap(), 1);
    assert_eq!(
        write_due(&w.db, NOW).unwrap(),
        0,
        "once, however often it runs"
    );
    assert_eq!(kinds(&w, &who)[0], Kind::AppointmentReminder);
    assert!(
        !kinds(&w, &other).contains(&Kind::AppointmentReminder),
        "not tomorrow"
    );
    let inbox = list(&w.db, &who, &Page::default(), false).unwrap();
    let shown = notice_json(&inbox.page.items[0], Lang::Vi);
    assert!(
        shown["body"].as_str().unwrap().contains("08:00 30/11/2026"),
        "{shown}"
    );

    // Moved to noon: reminded of the new slot too.
    reschedule(w.ports(), &who, &id, &noon.id).unwrap();
    assert_eq!(write_due(&w.db, NOW).unwrap(), 1);

    // The check-in window opens 30 minutes before the start. (On Monday
    // the other citizen's Tuesday booking is "tomorrow": reminded then.)
    let before = noon.starts_at - 31 * 60;
    write_due(&w.db, before).unwrap();
    assert_eq!(kinds(&w, &other)[0], Kind::AppointmentReminder);
    assert_eq!(write_due(&w.db, before + 60).unwrap(), 1);
    assert_eq!(write_due(&w.db, noon.starts_at).unwrap(), 0);
    assert_eq!(kinds(&w, &who)[0], Kind::CheckinOpen);
    // A cancelled booking is neither reminded nor called.
    cancel(w.ports(), &who, &id).unwrap();
    let count = |k: &str| {
        w.db.scalar(&format!(
            "SELECT count(*) FROM notifications WHERE kind = '{k}' AND account_id = '{who}'"
        ))
    };
    assert_eq!(
        (count("appointment_reminder"), count("checkin_open")),
        (2, 1)
    );
}
