//! Starting challenges: shape, storage, quotas and delivery failures.

use super::helpers::{phone, request, start, start_failing, start_req};
use crate::identity::code::code_mac;
use crate::identity::{
    find_or_create_by_phone, start_challenge, Channel, Origin, OtpError, OtpMessage,
};
use crate::ports::{Sql, SqlValue, StoreError};
use crate::testing::{MapSettings, TestDb, World, PEPPER, T0};

#[test]
fn start_answers_the_spec_shape_and_delivers_an_ascii_sms() {
    let w = World::new();
    let p = phone(1);
    let mut req = request(p.clone());
    req.channel = Channel::Zalo;
    let (started, msg) = start_req(&w, &req).unwrap();

    assert_eq!((started.expires_in, started.resend_after), (300, 60));
    assert_eq!(started.channel, Channel::Zalo);
    let id = &started.challenge_id;
    assert!(id.starts_with("otp_") && id.len() >= 4 + 22, "{id}");
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));

    assert_eq!(msg.phone_e164, "+84900000001");
    assert_eq!(msg.channel, Channel::Zalo);
    assert_eq!(msg.code.len(), 6);
    assert!(msg.text.is_ascii());
    assert!(
        msg.text.contains(&msg.code) && msg.text.contains("5 phut"),
        "{}",
        msg.text
    );
    assert!(!msg.tracking_id.contains(id.as_str()) && !msg.tracking_id.is_empty());
}

#[test]
fn challenge_ids_are_distinct_and_carry_128_bits() {
    let w = World::with_settings(
        MapSettings::default()
            .with("otp_resend_seconds", "0")
            .with("otp_phone_hourly", "1000")
            .with("otp_phone_daily", "1000")
            .with("otp_phone_total_15min", "1000")
            .with("otp_phone_total_daily", "1000")
            .with("otp_ip_hourly", "1000"),
    );
    let mut ids = std::collections::HashSet::new();
    for _ in 0..50 {
        let (id, _) = start(&w, &phone(1)).unwrap();
        // 22 base64url characters = 132 bits ≥ 128.
        assert_eq!(id.len(), 4 + 22);
        assert!(ids.insert(id));
    }
}

#[test]
fn stored_value_is_a_mac_bound_to_the_challenge_not_the_code() {
    let w = World::new();
    let (id, code) = start(&w, &phone(1)).unwrap();
    let rows = w.db.execute("SELECT * FROM otp_challenges", &[]).unwrap();
    assert_eq!(rows.rows.len(), 1);
    for v in &rows.rows[0] {
        match v {
            SqlValue::Text(t) => assert!(!t.contains(&code), "code stored in clear: {t}"),
            SqlValue::Blob(b) => assert!(!b.windows(6).any(|w| w == code.as_bytes())),
            SqlValue::Integer(i) => assert_ne!(i.to_string(), code.trim_start_matches('0')),
            _ => {}
        }
    }
    let mac = &rows.rows[0][rows.column("code_mac").unwrap()];
    assert_eq!(
        mac,
        &SqlValue::Blob(code_mac(PEPPER.as_bytes(), &id, &code).to_vec())
    );
}

#[test]
fn known_and_unknown_phones_get_the_same_answer() {
    let w = World::new();
    let known = phone(1);
    find_or_create_by_phone(w.ports(), &known, Some("Nguyễn Văn A")).unwrap();
    let (a, ma) = start_req(&w, &request(known)).unwrap();
    let (b, mb) = start_req(&w, &request(phone(2))).unwrap();
    assert_eq!(
        (a.channel, a.expires_in, a.resend_after),
        (b.channel, b.expires_in, b.resend_after)
    );
    assert_eq!(a.challenge_id.len(), b.challenge_id.len());
    assert_eq!(ma.text.replace(&ma.code, ""), mb.text.replace(&mb.code, ""));
}

#[test]
fn resend_within_cooldown_is_rate_limited_with_the_remaining_wait() {
    let w = World::new();
    let p = phone(1);
    start(&w, &p).unwrap();
    w.clock.advance(20);
    assert_eq!(
        start(&w, &p).unwrap_err(),
        OtpError::RateLimited { retry_after: 40 }
    );
    w.clock.advance(39);
    assert_eq!(
        start(&w, &p).unwrap_err(),
        OtpError::RateLimited { retry_after: 1 }
    );
    w.clock.advance(1);
    start(&w, &p).unwrap();
}

#[test]
fn a_phone_gets_at_most_five_codes_an_hour() {
    let w = World::new();
    let p = phone(1);
    for _ in 0..5 {
        start(&w, &p).unwrap();
        w.clock.advance(61);
    }
    // Now T0 + 305; the first code went out at T0, so room opens at T0 + 3600.
    assert_eq!(
        start(&w, &p).unwrap_err(),
        OtpError::RateLimited {
            retry_after: 3600 - 305
        }
    );
    w.clock.set(T0 + 3599);
    assert_eq!(
        start(&w, &p).unwrap_err(),
        OtpError::RateLimited { retry_after: 1 }
    );
    w.clock.set(T0 + 3600);
    start(&w, &p).unwrap();
}

#[test]
fn a_phone_gets_at_most_ten_codes_a_day() {
    let w = World::with_settings(MapSettings::default().with("otp_phone_hourly", "100"));
    let p = phone(1);
    for _ in 0..10 {
        start(&w, &p).unwrap();
        w.clock.advance(61);
    }
    assert_eq!(
        start(&w, &p).unwrap_err(),
        OtpError::RateLimited {
            retry_after: 86_400 - 610
        }
    );
    w.clock.set(T0 + 86_400);
    start(&w, &p).unwrap();
}

#[test]
fn one_client_ip_starts_at_most_thirty_challenges_an_hour() {
    let w = World::new();
    for n in 0..30 {
        start(&w, &phone(n)).unwrap();
        w.clock.advance(1);
    }
    assert_eq!(
        start(&w, &phone(99)).unwrap_err(),
        OtpError::RateLimited {
            retry_after: 3600 - 30
        }
    );
    let mut other_ip = request(phone(99));
    other_ip.origin = Origin::Network("198.51.100.1".into());
    start_req(&w, &other_ip).unwrap();
    // A host that names no address: those share one bucket of their own.
    let mut no_ip = request(phone(98));
    no_ip.origin = Origin::Network(String::new());
    start_req(&w, &no_ip).unwrap();
}

#[test]
fn failed_delivery_charges_nothing() {
    let w = World::new();
    let p = phone(1);
    for _ in 0..12 {
        assert!(matches!(
            start_failing(&w, &p),
            Err(OtpError::DeliveryFailed(_))
        ));
    }
    assert_eq!(w.db.scalar("SELECT count(*) FROM otp_challenges"), 0);
    // No cooldown, and none of the 12 counted towards the hourly/daily caps.
    start(&w, &p).unwrap();
}

#[test]
fn limits_come_from_settings() {
    let w = World::with_settings(
        MapSettings::default()
            .with("otp_resend_seconds", "5")
            .with("otp_ttl_seconds", "120"),
    );
    let (started, msg) = start_req(&w, &request(phone(1))).unwrap();
    assert_eq!((started.expires_in, started.resend_after), (120, 5));
    assert!(msg.text.contains("2 phut"));
    w.clock.advance(5);
    start(&w, &phone(1)).unwrap();
}

#[test]
fn without_a_pepper_no_code_is_issued_outside_dev_mode() {
    let w = World {
        settings: MapSettings::default(),
        ..World::on(TestDb::memory(), MapSettings::default(), 1)
    };
    let mut delivered = false;
    let r = start_challenge(w.ports(), &request(phone(1)), &mut |_: &OtpMessage| {
        delivered = true;
        Ok(())
    });
    assert!(matches!(
        r,
        Err(OtpError::Store(StoreError::Unavailable(_)))
    ));
    assert!(!delivered);

    let dev = World {
        settings: MapSettings::default().with("dev_mode", "true"),
        ..w
    };
    start(&dev, &phone(1)).unwrap();
}
