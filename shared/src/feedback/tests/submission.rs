//! Submission: validation, tracking codes, quotas and concurrency.

use std::sync::Arc;

use crate::feedback::test_support::{draft, seed, world, world_on_file};
use crate::feedback::tracking::{format, parse, year_of};
use crate::feedback::validate::{validate, CONTENT_MAX_CHARS, TITLE_MAX_CHARS};
use crate::feedback::{find, submit, FeedbackError, FeedbackPolicy, Submitter};
use crate::ports::{Clock, Sql};
use crate::testing::{remove_db, temp_db_path, MapSettings, TestDb, World};

fn problems(e: FeedbackError) -> Vec<(&'static str, &'static str)> {
    match e {
        FeedbackError::Invalid(p) => p,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

const ANON: Submitter<'static> = Submitter::Anonymous {
    client_ip: Some("203.0.113.7"),
};

#[test]
fn a_valid_draft_is_normalised_and_trimmed() {
    let mut d = draft("environment");
    // "Hải Châu" typed with combining marks, padded with spaces.
    d.title = "  Ha\u{309}i Châu ngập nước  ".into();
    d.content = "Dòng 1\r\nDòng 2\rDòng 3\t!".into();
    d.location.address = Some("   ".into());
    let v = validate(&d).unwrap();
    assert_eq!(v.report.title, "Hải Châu ngập nước");
    assert_eq!(v.report.content, "Dòng 1\nDòng 2\nDòng 3\t!");
    assert_eq!(v.report.address, None, "a blank address is no address");
}

#[test]
fn length_limits_count_characters_not_bytes() {
    // "ệ" is 3 bytes in UTF-8: 4,000 of them are 12,000 bytes and still fit.
    let mut d = draft("environment");
    d.content = "ệ".repeat(CONTENT_MAX_CHARS);
    assert_eq!(d.content.len(), 12_000);
    assert_eq!(validate(&d).unwrap().report.content.chars().count(), 4_000);

    d.content = "ệ".repeat(CONTENT_MAX_CHARS + 1);
    assert_eq!(
        problems(validate(&d).unwrap_err()),
        vec![("content", "too_long")]
    );

    // The same letter decomposed (e + dot below + circumflex: 3 code points)
    // is one character after NFC, so 4,000 of them fit too.
    d.content = "e\u{323}\u{302}".repeat(CONTENT_MAX_CHARS);
    assert_eq!(d.content.chars().count(), 12_000);
    assert_eq!(
        validate(&d).unwrap().report.content,
        "ệ".repeat(CONTENT_MAX_CHARS)
    );

    let mut d = draft("environment");
    d.title = "Đ".repeat(TITLE_MAX_CHARS);
    assert!(validate(&d).is_ok());
    d.title = "Đ".repeat(TITLE_MAX_CHARS + 1);
    assert_eq!(
        problems(validate(&d).unwrap_err()),
        vec![("title", "too_long")]
    );
}

#[test]
fn empty_and_control_text_is_refused() {
    let mut d = draft("environment");
    d.title = " \t ".into();
    d.content = String::new();
    assert_eq!(
        problems(validate(&d).unwrap_err()),
        vec![("title", "required"), ("content", "required")]
    );
    let mut d = draft("environment");
    d.title = "Dòng 1\nDòng 2".into();
    d.content = "ok\u{0}".into();
    assert_eq!(
        problems(validate(&d).unwrap_err()),
        vec![
            ("title", "control_characters"),
            ("content", "control_characters")
        ]
    );
}

#[test]
fn coordinates_must_be_real_and_in_range() {
    for (lat, lng) in [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0), (16.05, 108.2)] {
        let mut d = draft("environment");
        d.location.lat = lat;
        d.location.lng = lng;
        assert!(validate(&d).is_ok(), "{lat},{lng}");
    }
    let cases = [
        (90.000_001, 108.0, vec![("location.lat", "out_of_range")]),
        (-91.0, 108.0, vec![("location.lat", "out_of_range")]),
        (16.0, 180.5, vec![("location.lng", "out_of_range")]),
        (16.0, -1_000.0, vec![("location.lng", "out_of_range")]),
        (f64::NAN, 108.0, vec![("location.lat", "not_a_number")]),
        (16.0, f64::INFINITY, vec![("location.lng", "not_a_number")]),
        (
            f64::NEG_INFINITY,
            f64::NAN,
            vec![
                ("location.lat", "not_a_number"),
                ("location.lng", "not_a_number"),
            ],
        ),
    ];
    for (lat, lng, want) in cases {
        let mut d = draft("environment");
        d.location.lat = lat;
        d.location.lng = lng;
        assert_eq!(problems(validate(&d).unwrap_err()), want, "{lat},{lng}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut d = draft("");
    d.title = String::new();
    d.location.lat = 200.0;
    d.location.address = Some("a\u{7}".into());
    assert_eq!(
        problems(validate(&d).unwrap_err()),
        vec![
            ("category", "required"),
            ("title", "required"),
            ("location.lat", "out_of_range"),
            ("location.address", "control_characters"),
        ]
    );
}

#[test]
fn unknown_categories_are_refused_and_nothing_is_stored() {
    let w = world();
    let policy = FeedbackPolicy::default();
    for code in ["noise", "ENVIRONMENT", "x", "môi-trường"] {
        let d = draft(code);
        let err = validate(&d)
            .and_then(|v| submit(w.ports(), &policy, ANON, &v))
            .unwrap_err();
        assert_eq!(problems(err), vec![("category", "unknown_value")], "{code}");
    }
    assert_eq!(count(&w, "SELECT count(*) FROM feedback"), 0);
}

fn count(w: &World, sql: &str) -> i64 {
    w.db.execute(sql, &[]).unwrap().rows[0][0].as_i64().unwrap()
}

#[test]
fn tracking_codes_are_sequential_per_city_year() {
    let w = world();
    let policy = FeedbackPolicy::default();
    let citizen = w.citizen("0905123456", "Nguyễn Văn An");
    let who = Submitter::Citizen {
        account_id: &citizen,
    };
    let v = validate(&draft("environment")).unwrap();
    let a = submit(w.ports(), &policy, who, &v).unwrap();
    let b = submit(w.ports(), &policy, who, &v).unwrap();
    assert_eq!(a.tracking_code, "PA-2026-000001");
    assert_eq!(b.tracking_code, "PA-2026-000002");
    assert_eq!(a.unit_code, "so-tnmt");
    assert!(a.id.starts_with("fb_") && a.id != b.id);

    // 2026-12-31T17:30:00Z is already 00:30 on 1 January 2027 in Đà Nẵng.
    w.clock.set(1_798_738_200);
    assert_eq!(year_of(w.clock.now()), 2027);
    let c = submit(w.ports(), &policy, who, &v).unwrap();
    assert_eq!(c.tracking_code, "PA-2027-000001");

    let stored = find(&w.db, &a.tracking_code).unwrap().unwrap();
    assert_eq!(stored.id, a.id);
    assert_eq!(
        find(&w.db, &a.id).unwrap().unwrap().tracking_code,
        a.tracking_code
    );
    assert_eq!(find(&w.db, "PA-2026-999999").unwrap(), None);
}

#[test]
fn tracking_code_format_round_trips() {
    assert_eq!(format(2026, 123), "PA-2026-000123");
    assert_eq!(parse("PA-2026-000123"), Some((2026, 123)));
    assert_eq!(format(2026, 1_234_567), "PA-2026-1234567");
    for bad in [
        "PA-2026-123",
        "PA-26-000123",
        "pa-2026-000123",
        "PA-2026-00012a",
        "fb_abc",
        "",
    ] {
        assert_eq!(parse(bad), None, "{bad}");
    }
}

#[test]
fn anonymous_senders_have_a_stricter_quota_per_address() {
    let w = world();
    let policy = FeedbackPolicy::default();
    assert!(policy.anonymous_ip_hourly < policy.citizen_hourly);
    let v = validate(&draft("traffic")).unwrap();
    for _ in 0..policy.anonymous_ip_hourly {
        submit(w.ports(), &policy, ANON, &v).unwrap();
        w.clock.advance(60);
    }
    let refused = submit(w.ports(), &policy, ANON, &v).unwrap_err();
    // The first of the five was sent 5 minutes ago: room again in 55.
    assert_eq!(refused, FeedbackError::RateLimited { retry_after: 3_300 });

    // Another address, and a logged-in citizen from the same one, are fine.
    let other = Submitter::Anonymous {
        client_ip: Some("198.51.100.9"),
    };
    assert!(submit(w.ports(), &policy, other, &v).is_ok());
    let citizen = w.citizen("0905123456", "Nguyễn Văn An");
    assert!(submit(
        w.ports(),
        &policy,
        Submitter::Citizen {
            account_id: &citizen
        },
        &v
    )
    .is_ok());

    w.clock.advance(3_300);
    assert!(
        submit(w.ports(), &policy, ANON, &v).is_ok(),
        "the oldest left the window"
    );
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM feedback WHERE quota_key = 'ip:203.0.113.7'"
        ),
        6
    );
}

#[test]
fn anonymous_ipv6_senders_share_the_quota_of_their_slash_64() {
    let w = world();
    let policy = FeedbackPolicy {
        citizen_hourly: 20,
        anonymous_ip_hourly: 2,
        partner_hourly: 500,
    };
    let v = validate(&draft("traffic")).unwrap();
    let host = |ip: &'static str| Submitter::Anonymous {
        client_ip: Some(ip),
    };
    assert!(submit(w.ports(), &policy, host("2001:db8:7:1::1"), &v).is_ok());
    assert!(submit(w.ports(), &policy, host("2001:db8:7:1:ffff::2"), &v).is_ok());
    // A third address in the same /64 is the same sender.
    let refused = submit(w.ports(), &policy, host("2001:db8:7:1::3"), &v).unwrap_err();
    assert!(
        matches!(refused, FeedbackError::RateLimited { .. }),
        "{refused:?}"
    );
    // The neighbouring /64 is somebody else; IPv4-mapped counts as IPv4.
    assert!(submit(w.ports(), &policy, host("2001:db8:7:2::1"), &v).is_ok());
    assert!(submit(w.ports(), &policy, host("198.51.100.4"), &v).is_ok());
    assert!(submit(w.ports(), &policy, host("::ffff:198.51.100.4"), &v).is_ok());
    let mapped = submit(w.ports(), &policy, host("::ffff:198.51.100.4"), &v).unwrap_err();
    assert!(
        matches!(mapped, FeedbackError::RateLimited { .. }),
        "{mapped:?}"
    );
}

#[test]
fn citizens_and_partners_have_their_own_quotas() {
    let w = world();
    let policy = FeedbackPolicy {
        citizen_hourly: 2,
        anonymous_ip_hourly: 1,
        partner_hourly: 3,
    };
    let v = validate(&draft("traffic")).unwrap();
    let citizen = w.citizen("0905123456", "Nguyễn Văn An");
    let who = Submitter::Citizen {
        account_id: &citizen,
    };
    submit(w.ports(), &policy, who, &v).unwrap();
    submit(w.ports(), &policy, who, &v).unwrap();
    assert!(matches!(
        submit(w.ports(), &policy, who, &v),
        Err(FeedbackError::RateLimited { .. })
    ));
    let partner = Submitter::Partner {
        issuer_code: "zalo-mini-app",
    };
    for _ in 0..3 {
        submit(w.ports(), &policy, partner, &v).unwrap();
    }
    assert!(matches!(
        submit(w.ports(), &policy, partner, &v),
        Err(FeedbackError::RateLimited { .. })
    ));
}

#[test]
fn quota_settings_are_read_with_safe_defaults() {
    let s = MapSettings::default()
        .with("feedback_citizen_hourly", " 7 ")
        .with("feedback_anonymous_ip_hourly", "0")
        .with("open311_partner_hourly", "lots");
    let p = FeedbackPolicy::from_settings(&s);
    assert_eq!(p.citizen_hourly, 7);
    assert_eq!(
        p.anonymous_ip_hourly,
        FeedbackPolicy::default().anonymous_ip_hourly
    );
    assert_eq!(p.partner_hourly, FeedbackPolicy::default().partner_hourly);
}

#[test]
fn parallel_submissions_get_distinct_gapless_codes() {
    let path = temp_db_path("feedback-parallel");
    let settings = || MapSettings::default();
    seed(&world_on_file(&path, 0, settings()));
    let path = Arc::new(path);
    let handles: Vec<_> = (0..16u64)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let w = World::on(TestDb::file(&path), settings(), 1_000 + t);
                let policy = FeedbackPolicy {
                    citizen_hourly: 1_000,
                    anonymous_ip_hourly: 1_000,
                    partner_hourly: 1_000,
                };
                let v = validate(&draft("environment")).unwrap();
                (0..8)
                    .map(|_| submit(w.ports(), &policy, ANON, &v).unwrap().tracking_code)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut codes: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    codes.sort();
    let want: Vec<String> = (1..=128).map(|n| format(2026, n)).collect();
    assert_eq!(codes, want);
    remove_db(&path);
}

#[test]
fn parallel_submissions_from_one_sender_stop_at_the_quota() {
    let path = temp_db_path("feedback-quota");
    seed(&world_on_file(&path, 0, MapSettings::default()));
    let path = Arc::new(path);
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let handles: Vec<_> = (0..16u64)
        .map(|t| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                let w = World::on(TestDb::file(&path), MapSettings::default(), 1_000 + t);
                let policy = FeedbackPolicy {
                    citizen_hourly: 5,
                    anonymous_ip_hourly: 5,
                    partner_hourly: 5,
                };
                let v = validate(&draft("environment")).unwrap();
                barrier.wait();
                submit(w.ports(), &policy, ANON, &v).map(|c| c.tracking_code)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut codes: Vec<String> = results.iter().filter_map(|r| r.clone().ok()).collect();
    codes.sort();
    assert_eq!(codes, (1..=5).map(|n| format(2026, n)).collect::<Vec<_>>());
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(FeedbackError::RateLimited { .. }))),
        "{results:?}"
    );
    let w = World::on(TestDb::file(&path), MapSettings::default(), 9);
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM feedback WHERE quota_key = 'ip:203.0.113.7'"),
        5
    );
    remove_db(&path);
}
