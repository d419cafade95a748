//! Booking: seats, one booking per local day, idempotency, prefill.

use super::support::*;
use crate::appointments::booking::clean_note;
use crate::appointments::{book, cancel, get_own_booking, ticket, ApptError, BookRequest, Status};

fn req(slot_id: &str) -> BookRequest<'_> {
    BookRequest {
        slot_id,
        note: None,
        idempotency_key: None,
    }
}

#[test]
fn booking_takes_a_seat_and_copies_the_profile() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 3);
    let who = citizen(w.ports(), 1);
    w.db.raw(&format!(
        "UPDATE citizens SET id_number = '048090001234' WHERE id = '{who}'"
    ));
    let nfd_note: String =
        unicode_normalization::UnicodeNormalization::nfd("  Đau đầu  ").collect();
    let out = book(
        w.ports(),
        &who,
        &BookRequest {
            note: Some(&nfd_note),
            ..req(&slot.id)
        },
    )
    .unwrap();
    let b = out.booking;
    assert!(!out.replayed);
    assert_eq!(b.status, Status::Booked);
    assert_eq!(b.slot.id, slot.id);
    assert_eq!(b.slot.remaining, 2);
    assert_eq!(remaining(&w, &slot.id), 2);
    assert_eq!(b.service.code, CLINIC);
    assert_eq!(b.full_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(b.phone, "+84905100001");
    assert_eq!(b.id_number.as_deref(), Some("048090001234"));
    assert_eq!(b.note.as_deref(), Some("Đau đầu"), "trimmed and NFC");
    assert_eq!(
        ticket::normalize(&b.ticket_code).as_deref(),
        Some(b.ticket_code.as_str())
    );
}

#[test]
fn the_last_seat_goes_once_then_the_slot_is_full() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 1);
    let (a, b) = (citizen(w.ports(), 1), citizen(w.ports(), 2));
    book(w.ports(), &a, &req(&slot.id)).unwrap();
    assert_eq!(
        book(w.ports(), &b, &req(&slot.id)).err(),
        Some(ApptError::SlotFull {
            slot_id: slot.id.clone()
        })
    );
    assert_eq!(remaining(&w, &slot.id), 0);
}

#[test]
fn one_active_booking_per_service_and_local_day() {
    let w = world();
    let s = slots(w.ports(), day(CLINIC, "2026-12-01", "08:00", "09:00"));
    let other = one_slot(w.ports(), OTHER_CLINIC, "2026-12-01", "08:00", 2);
    let next_day = one_slot(w.ports(), CLINIC, "2026-12-02", "08:00", 2);
    let who = citizen(w.ports(), 1);
    let first = book(w.ports(), &who, &req(&s[0].id)).unwrap().booking;
    assert_eq!(
        book(w.ports(), &who, &req(&s[1].id)).err(),
        Some(ApptError::AlreadyBooked {
            appointment_id: first.id.clone(),
            date: "2026-12-01".into()
        })
    );
    assert_eq!(
        remaining(&w, &s[1].id),
        2,
        "a refused booking takes no seat"
    );
    // Another service the same day, or the same service another day, is fine.
    book(w.ports(), &who, &req(&other.id)).unwrap();
    book(w.ports(), &who, &req(&next_day.id)).unwrap();
    // Cancelling frees the day.
    cancel(w.ports(), &who, &first.id).unwrap();
    book(w.ports(), &who, &req(&s[1].id)).unwrap();
}

#[test]
fn the_day_is_the_local_day_not_the_utc_one() {
    let w = world();
    // 06:30 +07:00 is 23:30Z the day before; 23:30 +07:00 is 16:30Z.
    let early = one_slot(w.ports(), CLINIC, "2026-12-01", "06:30", 2);
    let late = one_slot(w.ports(), CLINIC, "2026-12-01", "23:30", 2);
    // 00:30 +07:00 on the 2nd is 17:30Z on the 1st: same UTC day as `late`.
    let after_midnight = one_slot(w.ports(), CLINIC, "2026-12-02", "00:30", 2);
    assert_eq!(
        (late.local_date.as_str(), after_midnight.local_date.as_str()),
        ("2026-12-01", "2026-12-02")
    );

    let a = citizen(w.ports(), 1);
    book(w.ports(), &a, &req(&late.id)).unwrap();
    book(w.ports(), &a, &req(&after_midnight.id)).unwrap();

    let b = citizen(w.ports(), 2);
    book(w.ports(), &b, &req(&early.id)).unwrap();
    let refused = book(w.ports(), &b, &req(&late.id)).err();
    assert!(
        matches!(refused, Some(ApptError::AlreadyBooked { ref date, .. }) if date == "2026-12-01"),
        "{refused:?}"
    );
}

#[test]
fn past_and_unknown_slots_cannot_be_booked() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-11-30", "08:00", 2);
    let who = citizen(w.ports(), 1);
    w.clock.set(slot.starts_at);
    assert_eq!(
        book(w.ports(), &who, &req(&slot.id)).err(),
        Some(ApptError::SlotPast {
            starts_at: slot.starts_at
        })
    );
    assert_eq!(remaining(&w, &slot.id), 2);
    assert_eq!(
        book(w.ports(), &who, &req("slt_nope")).err(),
        Some(ApptError::SlotNotFound)
    );
    assert!(matches!(
        book(w.ports(), &who, &req("")).err(),
        Some(ApptError::Invalid {
            field: "slot_id",
            ..
        })
    ));
}

#[test]
fn a_retry_with_the_same_idempotency_key_returns_the_same_booking() {
    let w = world();
    let s = slots(w.ports(), day(CLINIC, "2026-12-01", "08:00", "09:00"));
    let who = citizen(w.ports(), 1);
    let keyed = BookRequest {
        idempotency_key: Some("0b5e7c1e-9a47-4c55-9d7e-1f0b7e0c2a11"),
        ..req(&s[0].id)
    };
    let first = book(w.ports(), &who, &keyed).unwrap();
    let again = book(w.ports(), &who, &keyed).unwrap();
    assert!(again.replayed);
    assert_eq!(again.booking.id, first.booking.id);
    assert_eq!(again.booking.ticket_code, first.booking.ticket_code);
    assert_eq!(remaining(&w, &s[0].id), 1, "one seat for both");

    let other_slot = BookRequest {
        slot_id: &s[1].id,
        ..keyed
    };
    assert_eq!(
        book(w.ports(), &who, &other_slot).err(),
        Some(ApptError::IdempotencyKeyReused)
    );
    // The key is the citizen's own: someone else may use the same string.
    let someone = citizen(w.ports(), 2);
    assert!(!book(w.ports(), &someone, &keyed).unwrap().replayed);
    for bad in ["", "with space", "ký", &"k".repeat(256)] {
        let r = BookRequest {
            idempotency_key: Some(bad),
            ..req(&s[0].id)
        };
        assert!(
            matches!(
                book(w.ports(), &who, &r).err(),
                Some(ApptError::Invalid {
                    field: "idempotency_key",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn someone_elses_booking_is_not_found() {
    let w = world();
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", "08:00", 2);
    let (a, b) = (citizen(w.ports(), 1), citizen(w.ports(), 2));
    let mine = book(w.ports(), &a, &req(&slot.id)).unwrap().booking;
    assert_eq!(get_own_booking(&w.db, &a, &mine.id).unwrap().id, mine.id);
    assert_eq!(
        get_own_booking(&w.db, &b, &mine.id).err(),
        Some(ApptError::AppointmentNotFound)
    );
    assert_eq!(
        cancel(w.ports(), &b, &mine.id).err(),
        Some(ApptError::AppointmentNotFound)
    );
    assert_eq!(remaining(&w, &slot.id), 1);
}

#[test]
fn notes_are_trimmed_bounded_and_free_of_control_characters() {
    assert_eq!(clean_note(None), Ok(None));
    assert_eq!(clean_note(Some("   ")), Ok(None));
    assert_eq!(
        clean_note(Some("dòng 1\ndòng 2")),
        Ok(Some("dòng 1\ndòng 2".into()))
    );
    assert!(clean_note(Some("a\u{0}b")).is_err());
    assert!(clean_note(Some(&"ă".repeat(500))).is_ok());
    assert!(clean_note(Some(&"ă".repeat(501))).is_err());
}
