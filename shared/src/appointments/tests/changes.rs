//! Cancel and reschedule: seats move exactly once, or not at all.

use super::support::*;
use crate::appointments::{cancel, get_own_booking, reschedule, ApptError, Status};

fn book_slot(w: &crate::testing::World, who: &str, slot_id: &str) -> String {
    try_book(w, who, slot_id).unwrap()
}

#[test]
fn cancelling_returns_the_seat_once() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 2);
    let who = citizen(w.ports(), 1);
    let id = book_slot(&w, &who, &slot.id);
    assert_eq!(remaining(&w, &slot.id), 1);
    let cancelled = cancel(w.ports(), &who, &id).unwrap();
    assert_eq!(cancelled.status, Status::Cancelled);
    assert_eq!(cancelled.closed_at, Some(NOW));
    assert_eq!(remaining(&w, &slot.id), 2);
    // Again: the same answer, no second seat.
    assert_eq!(
        cancel(w.ports(), &who, &id).unwrap().status,
        Status::Cancelled
    );
    assert_eq!(remaining(&w, &slot.id), 2);
}

#[test]
fn a_started_slot_can_no_longer_be_cancelled() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 2);
    let who = citizen(w.ports(), 1);
    let id = book_slot(&w, &who, &slot.id);
    w.clock.set(slot.starts_at);
    assert_eq!(
        cancel(w.ports(), &who, &id).err(),
        Some(ApptError::SlotStarted {
            starts_at: slot.starts_at
        })
    );
    assert_eq!(
        get_own_booking(&w.db, &who, &id).unwrap().status,
        Status::Booked
    );
    assert_eq!(remaining(&w, &slot.id), 1);
}

#[test]
fn rescheduling_moves_the_seat_and_keeps_the_ticket() {
    let w = world();
    let s = slots(w.ports(), day(CLINIC, "2026-12-01", "08:00", "09:00"));
    let who = citizen(w.ports(), 1);
    let id = book_slot(&w, &who, &s[0].id);
    let before = get_own_booking(&w.db, &who, &id).unwrap();
    let moved = reschedule(w.ports(), &who, &id, &s[1].id).unwrap();
    assert_eq!(
        (moved.id.as_str(), moved.ticket_code.as_str()),
        (id.as_str(), before.ticket_code.as_str())
    );
    assert_eq!(moved.slot.id, s[1].id);
    assert_eq!((remaining(&w, &s[0].id), remaining(&w, &s[1].id)), (2, 1));
}

#[test]
fn rescheduling_into_a_full_slot_leaves_the_booking_as_it_was() {
    let w = world();
    let mine = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 2);
    let full = one_slot(w.ports(), CLINIC, "2026-12-02", "08:00", 1);
    let (me, other) = (citizen(w.ports(), 1), citizen(w.ports(), 2));
    let id = book_slot(&w, &me, &mine.id);
    book_slot(&w, &other, &full.id);
    assert_eq!(
        reschedule(w.ports(), &me, &id, &full.id).err(),
        Some(ApptError::SlotFull {
            slot_id: full.id.clone()
        })
    );
    let b = get_own_booking(&w.db, &me, &id).unwrap();
    assert_eq!(
        (b.slot.id.as_str(), b.status, b.slot.local_date.as_str()),
        (mine.id.as_str(), Status::Booked, "2026-12-01")
    );
    assert_eq!((remaining(&w, &mine.id), remaining(&w, &full.id)), (1, 0));
}

#[test]
fn rescheduling_respects_the_day_rule_the_service_and_time() {
    let w = world();
    let d1 = slots(w.ports(), day(CLINIC, "2026-12-01", "08:00", "09:00"));
    let d2 = one_slot(w.ports(), CLINIC, "2026-12-02", "08:00", 2);
    let other_service = one_slot(w.ports(), OTHER_CLINIC, "2026-12-03", "08:00", 2);
    let who = citizen(w.ports(), 1);
    let a = book_slot(&w, &who, &d1[0].id);
    let b = book_slot(&w, &who, &d2.id);
    assert_eq!(
        reschedule(w.ports(), &who, &b, &d1[1].id).err(),
        Some(ApptError::AlreadyBooked {
            appointment_id: a.clone(),
            date: "2026-12-01".into()
        })
    );
    assert!(matches!(
        reschedule(w.ports(), &who, &a, &other_service.id).err(),
        Some(ApptError::Invalid {
            field: "slot_id",
            ..
        })
    ));
    assert_eq!(
        reschedule(w.ports(), &who, &a, "slt_nope").err(),
        Some(ApptError::SlotNotFound)
    );
    // Within the same day is fine: the booking does not block itself.
    reschedule(w.ports(), &who, &a, &d1[1].id).unwrap();
    // Not once the booked slot has started, and not into a started slot.
    w.clock.set(d1[1].starts_at);
    assert_eq!(
        reschedule(w.ports(), &who, &a, &d1[0].id).err(),
        Some(ApptError::SlotStarted {
            starts_at: d1[1].starts_at
        })
    );
    assert_eq!(
        reschedule(w.ports(), &who, &b, &d1[0].id).err(),
        Some(ApptError::SlotPast {
            starts_at: d1[0].starts_at
        })
    );
    assert_eq!(
        (
            remaining(&w, &d1[0].id),
            remaining(&w, &d1[1].id),
            remaining(&w, &d2.id)
        ),
        (2, 1, 1)
    );
}

#[test]
fn cancelled_bookings_cannot_be_moved() {
    let w = world();
    let s = slots(w.ports(), day(CLINIC, "2026-12-01", "08:00", "09:00"));
    let who = citizen(w.ports(), 1);
    let id = book_slot(&w, &who, &s[0].id);
    cancel(w.ports(), &who, &id).unwrap();
    assert_eq!(
        reschedule(w.ports(), &who, &id, &s[1].id).err(),
        Some(ApptError::InvalidStatus {
            status: Status::Cancelled
        })
    );
    assert_eq!(remaining(&w, &s[1].id), 2);
    let stranger = citizen(w.ports(), 2);
    assert_eq!(
        reschedule(w.ports(), &stranger, &id, &s[1].id).err(),
        Some(ApptError::AppointmentNotFound)
    );
}
