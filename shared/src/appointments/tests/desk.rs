//! The desk: fulfilled after arrival, no-show after the slot ends, day lists.

use super::support::*;
use crate::appointments::desk::{get_for_unit, list_day, mark};
use crate::appointments::mine::{list_mine, Which};
use crate::appointments::{book, check_in, ApptError, BookRequest, Desk, Status};

#[test]
fn arrivals_are_fulfilled_and_absentees_marked_noshow_after_the_slot() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 5);
    let (a, b) = (citizen(w.ports(), 1), citizen(w.ports(), 2));
    let req = BookRequest {
        slot_id: &slot.id,
        note: None,
        idempotency_key: None,
    };
    let came = book(w.ports(), &a, &req).unwrap().booking;
    let absent = book(w.ports(), &b, &req).unwrap().booking;

    w.clock.set(slot.starts_at);
    assert_eq!(
        mark(w.ports(), UNIT, &came.id, Status::Fulfilled).err(),
        Some(ApptError::InvalidStatus {
            status: Status::Booked
        })
    );
    check_in(w.ports(), Desk::Kiosk, &came.ticket_code).unwrap();
    let (done, changed) = mark(w.ports(), UNIT, &came.id, Status::Fulfilled).unwrap();
    assert_eq!(
        (done.status, changed, done.closed_at),
        (Status::Fulfilled, true, Some(slot.starts_at))
    );
    // Asking again changes nothing and is not an error.
    let (again, changed) = mark(w.ports(), UNIT, &came.id, Status::Fulfilled).unwrap();
    assert_eq!((again.status, changed), (Status::Fulfilled, false));

    assert_eq!(
        mark(w.ports(), UNIT, &absent.id, Status::Noshow).err(),
        Some(ApptError::SlotNotEnded {
            ends_at: slot.ends_at
        })
    );
    w.clock.set(slot.ends_at);
    assert_eq!(
        mark(w.ports(), UNIT, &absent.id, Status::Noshow)
            .unwrap()
            .0
            .status,
        Status::Noshow
    );
    assert_eq!(
        remaining(&w, &slot.id),
        3,
        "a no-show does not give the past seat back"
    );

    assert_eq!(
        mark(w.ports(), "trung-tam-hcc", &absent.id, Status::Noshow).err(),
        Some(ApptError::AppointmentNotFound)
    );
    assert!(matches!(
        mark(w.ports(), UNIT, &absent.id, Status::Cancelled).err(),
        Some(ApptError::Invalid { .. })
    ));
    assert_eq!(
        get_for_unit(&w.db, "trung-tam-hcc", &came.id).err(),
        Some(ApptError::AppointmentNotFound)
    );
}

#[test]
fn day_and_personal_lists_page_in_order() {
    let w = world();
    let s = slots(w.ports(), day(CLINIC, "2026-12-01", "08:00", "10:00"));
    let tomorrow = one_slot(w.ports(), CLINIC, "2026-12-02", "08:00", 2);
    let mut ids = vec![];
    for (n, slot) in s.iter().enumerate() {
        let who = citizen(w.ports(), n as u32);
        ids.push(
            book(
                w.ports(),
                &who,
                &BookRequest {
                    slot_id: &slot.id,
                    note: None,
                    idempotency_key: None,
                },
            )
            .unwrap()
            .booking
            .id,
        );
    }
    let first = list_day(&w.db, CLINIC, "2026-12-01", None, 2).unwrap();
    let key = (first[1].slot.starts_at, first[1].id.clone());
    let rest = list_day(&w.db, CLINIC, "2026-12-01", Some(key), 10).unwrap();
    let got: Vec<String> = first.iter().chain(&rest).map(|b| b.id.clone()).collect();
    assert_eq!(got, ids);

    let me = citizen(w.ports(), 0);
    let later = book(
        w.ports(),
        &me,
        &BookRequest {
            slot_id: &tomorrow.id,
            note: None,
            idempotency_key: None,
        },
    )
    .unwrap()
    .booking;
    let all = list_mine(&w.db, &me, Which::All, None, 10).unwrap();
    assert_eq!(
        all.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        [later.id.as_str(), ids[0].as_str()]
    );
    let upcoming = list_mine(&w.db, &me, Which::Upcoming { now: s[0].ends_at }, None, 10).unwrap();
    assert_eq!(
        upcoming.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        [later.id.as_str()]
    );
}
