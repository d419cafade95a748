//! Settings parsing: bad values fall back to the SPEC defaults.

use crate::identity::{Client, OtpPolicy, SessionPolicy};
use crate::testing::MapSettings;

#[test]
fn defaults_are_the_spec_numbers() {
    let p = OtpPolicy::from_settings(&MapSettings::default());
    assert_eq!(
        (
            p.ttl_seconds,
            p.max_attempts,
            p.resend_seconds,
            p.phone_hourly,
            p.phone_daily
        ),
        (300, 5, 60, 5, 10)
    );
    assert_eq!(
        (p.ip_hourly, p.lockout_failures, p.lockout_seconds),
        (30, 20, 900)
    );
    let web = SessionPolicy::for_client(&MapSettings::default(), Client::Web);
    let kiosk = SessionPolicy::for_client(&MapSettings::default(), Client::Kiosk);
    assert_eq!((web.idle_seconds, web.absolute_seconds), (1_800, 43_200));
    assert_eq!((kiosk.idle_seconds, kiosk.absolute_seconds), (300, 1_800));
}

#[test]
fn bad_values_fall_back_to_defaults_and_good_ones_apply() {
    let s = MapSettings::default()
        .with("otp_ttl_seconds", "abc")
        .with("otp_max_attempts", "0")
        .with("otp_resend_seconds", "-5")
        .with("otp_phone_hourly", "")
        .with("otp_phone_daily", "1e3")
        .with("otp_ip_hourly", " 45 ")
        .with("otp_lockout_failures", "99999999999")
        .with("otp_lockout_seconds", "120");
    let p = OtpPolicy::from_settings(&s);
    assert_eq!(
        (
            p.ttl_seconds,
            p.max_attempts,
            p.resend_seconds,
            p.phone_hourly,
            p.phone_daily
        ),
        (300, 5, 60, 5, 10)
    );
    assert_eq!(
        (p.ip_hourly, p.lockout_failures, p.lockout_seconds),
        (45, 20, 120)
    );
    let zero_cooldown = MapSettings::default().with("otp_resend_seconds", "0");
    assert_eq!(OtpPolicy::from_settings(&zero_cooldown).resend_seconds, 0);
}
