//! Verifying codes: tries, expiry, single use and binding.

use super::helpers::{phone, request, start, start_req, verify, wrong};
use crate::identity::{challenge_phone, Client, OtpError, Purpose};
use crate::testing::{MapSettings, World};

#[test]
fn the_right_code_verifies_and_reports_what_was_started() {
    let w = World::new();
    let mut req = request(phone(1));
    req.purpose = Purpose::Signup;
    req.client = Client::Kiosk;
    req.full_name = Some("  Nguye\u{302}\u{303}n Văn A ".into()); // decomposed ễ
    let (started, msg) = start_req(&w, &req).unwrap();
    let v = verify(&w, &started.challenge_id, &msg.code).unwrap();
    assert_eq!(v.phone.as_e164(), "+84900000001");
    assert_eq!((v.purpose, v.client), (Purpose::Signup, Client::Kiosk));
    assert_eq!(v.full_name.as_deref(), Some("Nguyễn Văn A"));
    assert_eq!(v.challenge_id, started.challenge_id);
}

#[test]
fn wrong_codes_count_down_then_even_the_right_code_is_exhausted() {
    let w = World::new();
    let (id, code) = start(&w, &phone(1)).unwrap();
    for left in [4, 3, 2, 1, 0] {
        assert_eq!(
            verify(&w, &id, &wrong(&code)),
            Err(OtpError::Invalid {
                attempts_left: left
            })
        );
    }
    assert_eq!(verify(&w, &id, &code), Err(OtpError::Exhausted));
}

#[test]
fn malformed_codes_use_up_tries_too() {
    let w = World::new();
    let (id, code) = start(&w, &phone(1)).unwrap();
    for (bad, left) in [
        ("12345", 4),
        ("abcdef", 3),
        ("", 2),
        ("1234567", 1),
        (" ", 0),
    ] {
        assert_eq!(
            verify(&w, &id, bad),
            Err(OtpError::Invalid {
                attempts_left: left
            }),
            "{bad:?}"
        );
    }
    assert_eq!(verify(&w, &id, &code), Err(OtpError::Exhausted));
}

#[test]
fn surrounding_whitespace_is_forgiven() {
    let w = World::new();
    let (id, code) = start(&w, &phone(1)).unwrap();
    verify(&w, &id, &format!(" {code}\n")).unwrap();
}

#[test]
fn a_code_is_valid_for_five_minutes() {
    let w = World::with_settings(MapSettings::default().with("otp_resend_seconds", "0"));
    let (late, late_code) = start(&w, &phone(1)).unwrap();
    let (ok, ok_code) = start(&w, &phone(2)).unwrap();
    w.clock.advance(299);
    verify(&w, &ok, &ok_code).unwrap();
    w.clock.advance(1);
    assert_eq!(verify(&w, &late, &late_code), Err(OtpError::Expired));
    assert_eq!(
        verify(&w, &late, &wrong(&late_code)),
        Err(OtpError::Expired)
    );
}

#[test]
fn a_used_code_cannot_be_used_again() {
    let w = World::new();
    let (id, code) = start(&w, &phone(1)).unwrap();
    verify(&w, &id, &code).unwrap();
    assert_eq!(verify(&w, &id, &code), Err(OtpError::Expired));
}

#[test]
fn a_code_only_works_on_the_challenge_that_created_it() {
    let w = World::new();
    let (a, code_a) = start(&w, &phone(1)).unwrap();
    w.clock.advance(60);
    let (b, code_b) = start(&w, &phone(1)).unwrap();
    if code_a != code_b {
        assert_eq!(
            verify(&w, &b, &code_a),
            Err(OtpError::Invalid { attempts_left: 4 })
        );
    }
    // Same phone, both alive: each code still opens only its own challenge.
    verify(&w, &a, &code_a).unwrap();
    verify(&w, &b, &code_b).unwrap();
}

#[test]
fn a_code_is_bound_even_when_two_challenges_share_the_code() {
    // Force equal codes: the MAC still differs because it covers the id.
    let w = World::new();
    let (a, code) = start(&w, &phone(1)).unwrap();
    let (b, _) = start(&w, &phone(2)).unwrap();
    let mac_of = |id: &str| {
        w.db.scalar(&format!(
            "SELECT length(code_mac) FROM otp_challenges WHERE id = '{id}'"
        ))
    };
    assert_eq!((mac_of(&a), mac_of(&b)), (32, 32));
    w.db.raw(&format!(
        "UPDATE otp_challenges SET code_mac = (SELECT code_mac FROM otp_challenges WHERE id = '{a}') \
         WHERE id = '{b}'"
    ));
    // b now stores a's MAC (computed over a's id), so a's code fails on b.
    assert_eq!(
        verify(&w, &b, &code),
        Err(OtpError::Invalid { attempts_left: 4 })
    );
    verify(&w, &a, &code).unwrap();
}

#[test]
fn unknown_or_garbage_challenge_ids_are_unknown() {
    let w = World::new();
    for id in [
        "otp_AAAAAAAAAAAAAAAAAAAAAA",
        "",
        "x",
        "otp_'; DROP TABLE citizens; --",
        &"a".repeat(10_000),
    ] {
        assert_eq!(
            verify(&w, id, "123456"),
            Err(OtpError::UnknownChallenge),
            "{id:.20}"
        );
    }
    assert_eq!(challenge_phone(w.ports(), "otp_nope").unwrap(), None);
}

#[test]
fn the_phone_of_a_challenge_can_be_looked_up_for_auditing() {
    let w = World::new();
    let (id, _) = start(&w, &phone(3)).unwrap();
    assert_eq!(
        challenge_phone(w.ports(), &id).unwrap().as_deref(),
        Some("+84900000003")
    );
}

#[test]
fn changing_the_pepper_invalidates_outstanding_codes() {
    let w = World::new();
    let (id, code) = start(&w, &phone(1)).unwrap();
    let rotated = World {
        settings: MapSettings::default().with("otp_pepper", "new-pepper"),
        ..w
    };
    assert_eq!(
        verify(&rotated, &id, &code),
        Err(OtpError::Invalid { attempts_left: 4 })
    );
}
