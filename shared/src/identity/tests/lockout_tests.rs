//! The per-(phone, network) lock after consecutive failures across challenges.

use super::helpers::{phone, start, verify, wrong};
use crate::identity::OtpError;
use crate::phone::Phone;
use crate::testing::{MapSettings, World};

/// Enough quota to reach the lock; the cooldown stays on.
fn world() -> World {
    World::with_settings(
        MapSettings::default()
            .with("otp_phone_hourly", "100")
            .with("otp_phone_daily", "100")
            .with("otp_phone_total_15min", "100")
            .with("otp_phone_total_daily", "100"),
    )
}

/// Fails `n` times on fresh challenges (5 per challenge), returning the
/// result of the last try and the last challenge (id, code).
fn fail(w: &World, p: &Phone, n: u32) -> (Result<(), OtpError>, String, String) {
    let mut last = Ok(());
    let (mut id, mut code) = (String::new(), String::new());
    for i in 0..n {
        if i % 5 == 0 {
            w.clock.advance(61);
            (id, code) = start(w, p).unwrap();
        }
        last = verify(w, &id, &wrong(&code)).map(|_| ());
    }
    (last, id, code)
}

#[test]
fn twenty_consecutive_failures_across_challenges_lock_the_phone() {
    let w = world();
    let p = phone(1);
    let (nineteenth, _, _) = fail(&w, &p, 19);
    assert!(matches!(nineteenth, Err(OtpError::Invalid { .. })));
    // A new code does not reset the count: one more failure locks.
    w.clock.advance(61);
    let (id, code) = start(&w, &p).unwrap();
    assert_eq!(
        verify(&w, &id, &wrong(&code)),
        Err(OtpError::PhoneLocked { retry_after: 900 })
    );

    w.clock.advance(100);
    assert_eq!(
        start(&w, &p),
        Err(OtpError::PhoneLocked { retry_after: 800 })
    );
    // The still-valid challenge refuses even the right code while locked,
    // without using up one of its tries.
    w.clock.advance(-99);
    assert_eq!(
        verify(&w, &id, &code),
        Err(OtpError::PhoneLocked { retry_after: 899 })
    );
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT attempts FROM otp_challenges WHERE id = '{id}'"
        )),
        1
    );
    // Other phones are not affected.
    start(&w, &phone(2)).unwrap();
}

#[test]
fn a_correct_code_resets_the_failure_count() {
    let w = world();
    let p = phone(1);
    let _ = fail(&w, &p, 19);
    w.clock.advance(61);
    let (id, code) = start(&w, &p).unwrap();
    verify(&w, &id, &code).unwrap();
    let (nineteenth, _, _) = fail(&w, &p, 19);
    assert!(matches!(nineteenth, Err(OtpError::Invalid { .. })));
    let (twentieth, _, _) = fail(&w, &p, 1);
    assert!(matches!(twentieth, Err(OtpError::PhoneLocked { .. })));
}

#[test]
fn the_lock_ends_after_fifteen_minutes_and_counting_starts_over() {
    let w = world();
    let p = phone(1);
    let (locked, id, code) = fail(&w, &p, 20);
    assert_eq!(locked, Err(OtpError::PhoneLocked { retry_after: 900 }));
    w.clock.advance(899);
    assert_eq!(start(&w, &p), Err(OtpError::PhoneLocked { retry_after: 1 }));
    w.clock.advance(1);
    assert!(matches!(verify(&w, &id, &code), Err(OtpError::Expired)));
    let (id, code) = start(&w, &p).unwrap();
    assert_eq!(
        verify(&w, &id, &wrong(&code)),
        Err(OtpError::Invalid { attempts_left: 4 })
    );
    let (still_open, _, _) = fail(&w, &p, 18);
    assert!(
        matches!(still_open, Err(OtpError::Invalid { .. })),
        "{still_open:?}"
    );
    let (locked_again, _, _) = fail(&w, &p, 1);
    assert!(matches!(locked_again, Err(OtpError::PhoneLocked { .. })));
}

#[test]
fn lockout_numbers_come_from_settings() {
    let w = World::with_settings(
        MapSettings::default()
            .with("otp_lockout_failures", "3")
            .with("otp_lockout_seconds", "60"),
    );
    let p = phone(1);
    let (id, code) = start(&w, &p).unwrap();
    verify(&w, &id, &wrong(&code)).unwrap_err();
    verify(&w, &id, &wrong(&code)).unwrap_err();
    assert_eq!(
        verify(&w, &id, &wrong(&code)),
        Err(OtpError::PhoneLocked { retry_after: 60 })
    );
}
