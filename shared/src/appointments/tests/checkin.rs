//! Check-in by ticket within [start − 30 min, start + 15 min], on a fake clock.

use super::support::*;
use crate::appointments::{
    book, cancel, check_in, ApptError, BookRequest, Booking, Desk, Status, Window,
};
use crate::testing::World;

fn booked(w: &World, n: u32, clock: &'static str) -> Booking {
    let slot = one_slot(w.ports(), CLINIC, "2026-12-01", clock, 5);
    let who = citizen(w.ports(), n);
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
}

const DESK: Desk<'static> = Desk::Official { unit: UNIT };

#[test]
fn the_window_includes_both_edges() {
    let start = at("2026-12-01", "08:00");
    let w = Window::around(start);
    assert_eq!((w.opens_at, w.closes_at), (start - 1_800, start + 900));
    assert!(w.contains(start - 1_800) && w.contains(start) && w.contains(start + 900));
    assert!(!w.contains(start - 1_801) && !w.contains(start + 901));
}

#[test]
fn checking_in_opens_thirty_minutes_before_the_start() {
    let w = world();
    let b = booked(&w, 1, "08:00");
    let start = b.slot.starts_at;
    w.clock.set(start - 1_801);
    assert_eq!(
        check_in(w.ports(), DESK, &b.ticket_code).err(),
        Some(ApptError::OutsideCheckinWindow {
            starts_at: start,
            opens_at: start - 1_800,
            closes_at: start + 900
        })
    );
    w.clock.set(start - 1_800);
    let arrived = check_in(w.ports(), DESK, &b.ticket_code.to_lowercase()).unwrap();
    assert_eq!(
        (arrived.status, arrived.arrived_at),
        (Status::Arrived, Some(start - 1_800))
    );
    assert_eq!(
        check_in(w.ports(), DESK, &b.ticket_code).err(),
        Some(ApptError::AlreadyCheckedIn)
    );
}

#[test]
fn checking_in_closes_fifteen_minutes_after_the_start() {
    let w = world();
    let on_time = booked(&w, 1, "08:00");
    let late = booked(&w, 2, "08:00");
    let start = on_time.slot.starts_at;
    w.clock.set(start + 900);
    assert_eq!(
        check_in(w.ports(), Desk::Kiosk, &on_time.ticket_code)
            .unwrap()
            .status,
        Status::Arrived
    );
    w.clock.set(start + 901);
    assert!(matches!(
        check_in(w.ports(), Desk::Kiosk, &late.ticket_code).err(),
        Some(ApptError::OutsideCheckinWindow { closes_at, .. }) if closes_at == start + 900
    ));
}

#[test]
fn officials_check_in_only_their_units_tickets_kiosks_any() {
    let w = world();
    let b = booked(&w, 1, "08:00");
    w.clock.set(b.slot.starts_at);
    let elsewhere = Desk::Official {
        unit: "trung-tam-hcc",
    };
    assert_eq!(
        check_in(w.ports(), elsewhere, &b.ticket_code).err(),
        Some(ApptError::TicketNotFound)
    );
    assert_eq!(
        check_in(w.ports(), Desk::Kiosk, &b.ticket_code)
            .unwrap()
            .status,
        Status::Arrived
    );
}

#[test]
fn unknown_malformed_and_cancelled_tickets_are_refused() {
    let w = world();
    let b = booked(&w, 1, "08:00");
    cancel(w.ports(), &b.citizen_id, &b.id).unwrap();
    w.clock.set(b.slot.starts_at);
    assert_eq!(
        check_in(w.ports(), DESK, &b.ticket_code).err(),
        Some(ApptError::InvalidStatus {
            status: Status::Cancelled
        })
    );
    assert_eq!(
        check_in(w.ports(), DESK, "22222222").err(),
        Some(ApptError::TicketNotFound)
    );
    assert!(matches!(
        check_in(w.ports(), DESK, "0OIL").err(),
        Some(ApptError::Invalid {
            field: "ticket_code",
            ..
        })
    ));
}

// --- Kiosk check-in: one answer for every refusal, an allowance per client. ---

use crate::appointments::kiosk::{kiosk_check_in, DEFAULT_FAILURES_PER_HOUR, WINDOW_SECONDS};

#[test]
fn a_kiosk_gets_one_answer_whatever_the_reason() {
    let w = world();
    let cancelled = booked(&w, 1, "08:00");
    cancel(w.ports(), &cancelled.citizen_id, &cancelled.id).unwrap();
    let early = booked(&w, 2, "10:00");
    let arrived = booked(&w, 3, "08:00");
    w.clock.set(cancelled.slot.starts_at);
    kiosk_check_in(w.ports(), "198.51.100.7", &arrived.ticket_code).unwrap();
    for code in [
        cancelled.ticket_code.as_str(),
        early.ticket_code.as_str(),
        arrived.ticket_code.as_str(),
        "22222222",
        "0OIL",
    ] {
        assert_eq!(
            kiosk_check_in(w.ports(), "198.51.100.7", code).err(),
            Some(ApptError::CheckinFailed),
            "{code}"
        );
    }
    // An official at a desk still learns why.
    assert_eq!(
        check_in(w.ports(), DESK, &arrived.ticket_code).err(),
        Some(ApptError::AlreadyCheckedIn)
    );
}

#[test]
fn failed_kiosk_attempts_are_limited_per_client_and_successes_do_not_count() {
    use crate::testing::MapSettings;
    let w =
        World::with_settings(MapSettings::default().with("checkin_kiosk_failures_per_hour", "2"));
    seed_services(w.ports());
    let tickets: Vec<Booking> = (1..=5).map(|n| booked(&w, n, "08:00")).collect();
    w.clock.set(tickets[0].slot.starts_at - 600);
    let guesser = "203.0.113.9";
    for _ in 0..2 {
        assert_eq!(
            kiosk_check_in(w.ports(), guesser, "22222222").err(),
            Some(ApptError::CheckinFailed)
        );
    }
    // Even a real code is refused now, with the time until the oldest
    // attempt leaves the hour.
    assert_eq!(
        kiosk_check_in(w.ports(), guesser, &tickets[0].ticket_code).err(),
        Some(ApptError::RateLimited {
            retry_after: WINDOW_SECONDS as u64
        })
    );
    // Another client is not affected, and its successes never use up its
    // allowance: four check-ins, then it still has two failures to spend.
    let centre = "192.0.2.1";
    for b in &tickets[1..] {
        assert_eq!(
            kiosk_check_in(w.ports(), centre, &b.ticket_code)
                .unwrap()
                .status,
            Status::Arrived
        );
    }
    for _ in 0..2 {
        assert_eq!(
            kiosk_check_in(w.ports(), centre, "22222222").err(),
            Some(ApptError::CheckinFailed)
        );
    }
    assert!(matches!(
        kiosk_check_in(w.ports(), centre, "22222222").err(),
        Some(ApptError::RateLimited { .. })
    ));
    // An hour after its first failure the guesser may try again (and is
    // told no, not "wait").
    w.clock.advance(WINDOW_SECONDS);
    assert_eq!(
        kiosk_check_in(w.ports(), guesser, "22222222").err(),
        Some(ApptError::CheckinFailed)
    );
}

#[test]
fn the_allowance_is_a_setting() {
    use crate::testing::MapSettings;
    let s = MapSettings::default().with("checkin_kiosk_failures_per_hour", "2");
    assert_eq!(crate::appointments::kiosk::allowance(&s), 2);
    assert_eq!(
        crate::appointments::kiosk::allowance(&MapSettings::default()),
        DEFAULT_FAILURES_PER_HOUR
    );
}
