//! Seats under real concurrency: threads with their own connections to one
//! SQLite file, as requests on several edge-host processes would be.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use super::support::*;
use crate::appointments::{book, cancel, reschedule, ApptError, BookRequest, Slot};
use crate::testing::{remove_db, temp_db_path, TestDb};

/// A migrated database file with the services and `citizens` citizens.
struct Shared {
    path: PathBuf,
    citizens: Vec<String>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        remove_db(&self.path);
    }
}

fn shared(tag: &str, citizens: u32) -> Shared {
    let path = temp_db_path(&format!("appt-{tag}"));
    drop(TestDb::create_file(&path));
    let w = file_world(&path, 1);
    seed_services(w.ports());
    let citizens = (0..citizens).map(|n| citizen(w.ports(), n)).collect();
    Shared { path, citizens }
}

/// Runs `f(i)` on `n` threads at once, each with its own connection.
fn race<T: Send + 'static>(
    path: &Path,
    n: usize,
    f: impl Fn(usize, &crate::testing::World) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (f, barrier, path) = (f.clone(), barrier.clone(), path.to_path_buf());
            std::thread::spawn(move || {
                let w = file_world(&path, 1_000 + i as u64);
                barrier.wait();
                f(i, &w)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Seats taken = bookings holding them, for every slot.
fn assert_seats_add_up(path: &Path) {
    let w = file_world(path, 9);
    let off = w.db.scalar(
        "SELECT count(*) FROM appointment_slots s WHERE s.capacity - s.remaining != \
         (SELECT count(*) FROM appointments a WHERE a.slot_id = s.id AND a.status <> 'cancelled')",
    );
    assert_eq!(
        off, 0,
        "a slot's remaining seats disagree with its bookings"
    );
}

/// One slot at `day clock`; both also seed the ids, so slots differ.
fn slot(path: &Path, day: &'static str, clock: &'static str, capacity: i64) -> Slot {
    let seed = day
        .bytes()
        .chain(clock.bytes())
        .fold(0u64, |h, b| h.wrapping_mul(31) + u64::from(b));
    one_slot(file_world(path, seed).ports(), CLINIC, day, clock, capacity)
}

#[test]
fn parallel_bookings_never_exceed_capacity() {
    let s = shared("capacity", 40);
    // Different days, so the same citizens may try both.
    let one = slot(&s.path, "2026-12-01", "08:00", 1);
    let five = slot(&s.path, "2026-12-02", "08:00", 5);
    for (slot, winners) in [(one, 1), (five, 5)] {
        let citizens = s.citizens.clone();
        let slot_id = slot.id.clone();
        let results = race(&s.path, 40, move |i, w| {
            book(
                w.ports(),
                &citizens[i],
                &BookRequest {
                    slot_id: &slot_id,
                    note: None,
                    idempotency_key: None,
                },
            )
        });
        let ok = results.iter().filter(|r| r.is_ok()).count();
        let full = results
            .iter()
            .filter(|r| matches!(r, Err(ApptError::SlotFull { .. })))
            .count();
        assert_eq!((ok, full), (winners, 40 - winners), "{results:?}");
        assert_eq!(
            file_world(&s.path, 3).db.scalar(&format!(
                "SELECT remaining FROM appointment_slots WHERE id = '{}'",
                slot.id
            )),
            0
        );
    }
    assert_seats_add_up(&s.path);
}

#[test]
fn parallel_retries_with_one_key_make_one_booking() {
    let s = shared("idem", 1);
    let one = slot(&s.path, "2026-12-01", "08:00", 3);
    let who = s.citizens[0].clone();
    let slot_id = one.id.clone();
    let results = race(&s.path, 12, move |_, w| {
        book(
            w.ports(),
            &who,
            &BookRequest {
                slot_id: &slot_id,
                note: None,
                idempotency_key: Some("retry-7"),
            },
        )
        .map(|o| o.booking.id)
    });
    let ids: std::collections::BTreeSet<String> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        file_world(&s.path, 3)
            .db
            .scalar("SELECT count(*) FROM appointments"),
        1
    );
    assert_seats_add_up(&s.path);
}

#[test]
fn parallel_cancels_return_one_seat() {
    let s = shared("cancel", 1);
    let one = slot(&s.path, "2026-12-01", "08:00", 2);
    let who = s.citizens[0].clone();
    let id = book(
        file_world(&s.path, 4).ports(),
        &who,
        &BookRequest {
            slot_id: &one.id,
            note: None,
            idempotency_key: None,
        },
    )
    .unwrap()
    .booking
    .id;
    let results = race(&s.path, 10, move |_, w| {
        cancel(w.ports(), &who, &id).map(|b| b.status)
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        file_world(&s.path, 3).db.scalar(&format!(
            "SELECT remaining FROM appointment_slots WHERE id = '{}'",
            one.id
        )),
        2
    );
    assert_seats_add_up(&s.path);
}

#[test]
fn reschedules_and_bookings_racing_for_the_last_seats_keep_the_count() {
    let s = shared("move", 20);
    let from = slot(&s.path, "2026-12-01", "08:00", 10);
    let to = slot(&s.path, "2026-12-01", "09:00", 5);
    // Citizens 0–9 hold seats at 08:00 and all try to move to 09:00 while
    // citizens 10–19 try to book 09:00 directly: 5 seats for 20 requests.
    let w = file_world(&s.path, 5);
    let held: Vec<String> = s.citizens[..10]
        .iter()
        .map(|c| {
            book(
                w.ports(),
                c,
                &BookRequest {
                    slot_id: &from.id,
                    note: None,
                    idempotency_key: None,
                },
            )
            .unwrap()
            .booking
            .id
        })
        .collect();
    let citizens = s.citizens.clone();
    let (to_id, from_id) = (to.id.clone(), from.id.clone());
    let results = race(&s.path, 20, move |i, w| {
        let who = &citizens[i];
        if i < 10 {
            reschedule(w.ports(), who, &held[i], &to_id).map(|b| b.slot.id)
        } else {
            book(
                w.ports(),
                who,
                &BookRequest {
                    slot_id: &to_id,
                    note: None,
                    idempotency_key: None,
                },
            )
            .map(|o| o.booking.slot.id)
        }
    });
    let landed = results
        .iter()
        .filter(|r| r.as_deref() == Ok(to.id.as_str()))
        .count();
    assert_eq!(landed, 5, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(ApptError::SlotFull { .. }))),
        "{results:?}"
    );
    let check = file_world(&s.path, 6);
    let moved = results[..10].iter().filter(|r| r.is_ok()).count() as i64;
    assert_eq!(
        check.db.scalar(&format!(
            "SELECT remaining FROM appointment_slots WHERE id = '{to_id}'",
            to_id = to.id
        )),
        0
    );
    assert_eq!(
        check.db.scalar(&format!(
            "SELECT remaining FROM appointment_slots WHERE id = '{from_id}'"
        )),
        moved
    );
    assert_seats_add_up(&s.path);
}

#[test]
fn one_citizens_parallel_bookings_of_one_day_make_one_booking() {
    let s = shared("one-a-day", 1);
    let early = slot(&s.path, "2026-12-01", "08:00", 5);
    let late = slot(&s.path, "2026-12-01", "10:00", 5);
    let who = s.citizens[0].clone();
    let (a, b) = (early.id.clone(), late.id.clone());
    let results = race(&s.path, 20, move |i, w| {
        let slot_id = if i % 2 == 0 { &a } else { &b };
        book(
            w.ports(),
            &who,
            &BookRequest {
                slot_id,
                note: None,
                idempotency_key: None,
            },
        )
        .map(|o| o.booking.id)
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(ApptError::AlreadyBooked { .. }))),
        "{results:?}"
    );
    let check = file_world(&s.path, 3);
    assert_eq!(
        check
            .db
            .scalar("SELECT count(*) FROM appointments WHERE status = 'booked'"),
        1
    );
    assert_eq!(
        check
            .db
            .scalar("SELECT sum(capacity - remaining) FROM appointment_slots"),
        1
    );
    assert_seats_add_up(&s.path);
}

#[test]
fn parallel_kiosk_guesses_stop_at_the_allowance() {
    let s = shared("kiosk", 0);
    let results = race(&s.path, 40, |i, w| {
        crate::appointments::kiosk::kiosk_check_in(
            w.ports(),
            "kiosk-net:198.51.100.9",
            &format!("ZZ{i:06}"),
        )
        .map(|b| b.id)
    });
    let failed = results
        .iter()
        .filter(|r| matches!(r, Err(ApptError::CheckinFailed)))
        .count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Err(ApptError::RateLimited { .. })))
        .count();
    assert_eq!(
        (failed, limited),
        (
            crate::appointments::kiosk::DEFAULT_FAILURES_PER_HOUR as usize,
            10
        ),
        "{results:?}"
    );
    assert_eq!(
        file_world(&s.path, 3)
            .db
            .scalar("SELECT count(*) FROM checkin_attempts"),
        crate::appointments::kiosk::DEFAULT_FAILURES_PER_HOUR
    );
}
