//! Bulk schedules: idempotent, in local days, only by the service's unit;
//! listing only future slots.

use super::support::*;
use crate::appointments::schedule::plan;
use crate::appointments::{
    create_schedule, list_slots, ApptError, ScheduleOutcome, ScheduleRequest, SlotFilter,
};
use crate::identity::rfc3339_vn;

#[test]
fn a_week_of_opening_hours_becomes_slots_on_each_local_day() {
    let req = ScheduleRequest {
        date_to: "2026-12-07",
        ..day(CLINIC, "2026-12-01", "07:30", "11:30")
    };
    let p = plan(&req).unwrap();
    assert_eq!(p.len(), 7 * 8);
    assert_eq!(rfc3339_vn(p[0].starts_at), "2026-12-01T07:30:00+07:00");
    assert_eq!(rfc3339_vn(p[0].ends_at), "2026-12-01T08:00:00+07:00");
    assert_eq!(rfc3339_vn(p[7].starts_at), "2026-12-01T11:00:00+07:00");
    assert_eq!(rfc3339_vn(p[55].ends_at), "2026-12-07T11:30:00+07:00");
    assert!(p
        .iter()
        .all(|s| crate::appointments::local_date::LocalDate::of_instant(s.starts_at) == s.date));
}

#[test]
fn a_slot_at_half_past_eleven_at_night_belongs_to_that_local_day() {
    let w = world();
    let out = create_schedule(
        w.ports(),
        OFFICIAL,
        UNIT,
        &day(CLINIC, "2026-12-01", "23:00", "24:00"),
    )
    .unwrap();
    assert_eq!(
        out,
        ScheduleOutcome {
            created: 2,
            existing: 0,
            past: 0
        }
    );
    let s = list_slots(&w.db, NOW, &SlotFilter::default(), None, 10).unwrap();
    let shown: Vec<(String, String, &str)> = s
        .iter()
        .map(|s| {
            (
                rfc3339_vn(s.starts_at),
                rfc3339_vn(s.ends_at),
                s.local_date.as_str(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "2026-12-01T23:00:00+07:00".into(),
                "2026-12-01T23:30:00+07:00".into(),
                "2026-12-01"
            ),
            (
                "2026-12-01T23:30:00+07:00".into(),
                "2026-12-02T00:00:00+07:00".into(),
                "2026-12-01"
            ),
        ]
    );
    // Asking for the local day 2026-12-01 finds both, 2026-12-02 neither.
    let d1 = SlotFilter {
        from: Some(date("2026-12-01").start()),
        to: Some(date("2026-12-02").start()),
        ..SlotFilter::default()
    };
    assert_eq!(list_slots(&w.db, NOW, &d1, None, 10).unwrap().len(), 2);
    let d2 = SlotFilter {
        from: Some(date("2026-12-02").start()),
        to: Some(date("2026-12-03").start()),
        ..SlotFilter::default()
    };
    assert!(list_slots(&w.db, NOW, &d2, None, 10).unwrap().is_empty());
}

#[test]
fn running_the_same_schedule_twice_creates_nothing_new() {
    let w = world();
    let req = ScheduleRequest {
        date_to: "2026-12-03",
        ..day(CLINIC, "2026-12-01", "08:00", "11:00")
    };
    assert_eq!(
        create_schedule(w.ports(), OFFICIAL, UNIT, &req).unwrap(),
        ScheduleOutcome {
            created: 18,
            existing: 0,
            past: 0
        }
    );
    assert_eq!(
        create_schedule(w.ports(), OFFICIAL, UNIT, &req).unwrap(),
        ScheduleOutcome {
            created: 0,
            existing: 18,
            past: 0
        }
    );
    // A wider range adds only the missing day.
    let wider = ScheduleRequest {
        date_to: "2026-12-04",
        ..req
    };
    assert_eq!(
        create_schedule(w.ports(), OFFICIAL, UNIT, &wider).unwrap(),
        ScheduleOutcome {
            created: 6,
            existing: 18,
            past: 0
        }
    );
    assert_eq!(w.db.scalar("SELECT count(*) FROM appointment_slots"), 24);
}

#[test]
fn slots_that_would_start_in_the_past_are_not_made() {
    let w = world();
    // "Now" is 2026-11-29 14:05: the 13:00–14:00 slots are over; 14:00 has started.
    let out = create_schedule(
        w.ports(),
        OFFICIAL,
        UNIT,
        &day(CLINIC, "2026-11-29", "13:00", "16:00"),
    )
    .unwrap();
    assert_eq!(
        out,
        ScheduleOutcome {
            created: 3,
            existing: 0,
            past: 3
        }
    );
}

#[test]
fn only_officials_of_the_services_unit_may_create_its_slots() {
    let w = world();
    let req = day("cap-cccd", "2026-12-01", "08:00", "09:00");
    assert_eq!(
        create_schedule(w.ports(), OFFICIAL, UNIT, &req).err(),
        Some(ApptError::Forbidden)
    );
    assert_eq!(w.db.scalar("SELECT count(*) FROM appointment_slots"), 0);
    assert_eq!(
        create_schedule(w.ports(), "cit_hcc", "trung-tam-hcc", &req)
            .unwrap()
            .created,
        2
    );
    let unknown = day("khong-co", "2026-12-01", "08:00", "09:00");
    assert_eq!(
        create_schedule(w.ports(), OFFICIAL, UNIT, &unknown).err(),
        Some(ApptError::Invalid {
            field: "service_code",
            reason: "unknown_value"
        })
    );
}

#[test]
fn schedule_requests_are_validated_field_by_field() {
    let base = day(CLINIC, "2026-12-01", "08:00", "11:00");
    let cases: Vec<(ScheduleRequest<'_>, &str)> = vec![
        (
            ScheduleRequest {
                date_from: "2026-12-32",
                ..base
            },
            "date_from",
        ),
        (
            ScheduleRequest {
                date_to: "01/12/2026",
                ..base
            },
            "date_to",
        ),
        (
            ScheduleRequest {
                date_to: "2026-11-30",
                ..base
            },
            "date_to",
        ),
        (
            ScheduleRequest {
                date_to: "2027-02-01",
                ..base
            },
            "date_to",
        ),
        (
            ScheduleRequest {
                day_start: "8:00",
                ..base
            },
            "day_start",
        ),
        (
            ScheduleRequest {
                day_end: "24:30",
                ..base
            },
            "day_end",
        ),
        (
            ScheduleRequest {
                day_end: "08:00",
                ..base
            },
            "day_end",
        ),
        (
            ScheduleRequest {
                interval_minutes: 4,
                ..base
            },
            "interval_minutes",
        ),
        (
            ScheduleRequest {
                interval_minutes: 721,
                ..base
            },
            "interval_minutes",
        ),
        (
            ScheduleRequest {
                interval_minutes: 240,
                ..base
            },
            "interval_minutes",
        ),
        (
            ScheduleRequest {
                capacity: 0,
                ..base
            },
            "capacity",
        ),
        (
            ScheduleRequest {
                capacity: 1_001,
                ..base
            },
            "capacity",
        ),
        (
            ScheduleRequest {
                date_to: "2027-01-31",
                day_start: "00:00",
                day_end: "24:00",
                interval_minutes: 30,
                ..base
            },
            "interval_minutes",
        ),
    ];
    for (req, field) in cases {
        match plan(&req) {
            Err(ApptError::Invalid { field: f, .. }) => assert_eq!(f, field, "{req:?}"),
            other => panic!("{req:?} → {other:?}"),
        }
    }
    assert_eq!(
        plan(&ScheduleRequest {
            date_to: "2027-01-31",
            ..base
        })
        .unwrap()
        .len(),
        62 * 6
    );
}

#[test]
fn listing_shows_only_future_slots_a_page_at_a_time() {
    let w = world();
    create_schedule(
        w.ports(),
        OFFICIAL,
        UNIT,
        &day(CLINIC, "2026-12-01", "08:00", "10:00"),
    )
    .unwrap();
    create_schedule(
        w.ports(),
        OFFICIAL,
        UNIT,
        &day(OTHER_CLINIC, "2026-12-01", "08:00", "09:00"),
    )
    .unwrap();
    let clinic = SlotFilter {
        service: Some(CLINIC.into()),
        ..SlotFilter::default()
    };
    let page1 = list_slots(&w.db, NOW, &clinic, None, 3).unwrap();
    let key = page1.last().map(|s| (s.starts_at, s.id.clone()));
    let page2 = list_slots(&w.db, NOW, &clinic, key, 3).unwrap();
    let starts: Vec<String> = page1
        .iter()
        .chain(&page2)
        .map(|s| rfc3339_vn(s.starts_at)[11..16].to_owned())
        .collect();
    assert_eq!(starts, ["08:00", "08:30", "09:00", "09:30"]);
    assert!(page1.iter().chain(&page2).all(|s| s.service_code == CLINIC));

    // At 08:30 the 08:00 and 08:30 slots have started: no longer listed.
    let later = at("2026-12-01", "08:30");
    let left = list_slots(&w.db, later, &clinic, None, 10).unwrap();
    assert_eq!(
        left.iter()
            .map(|s| rfc3339_vn(s.starts_at)[11..16].to_owned())
            .collect::<Vec<_>>(),
        ["09:00", "09:30"]
    );
    // A `from` in the past is lifted to now.
    let from_past = SlotFilter {
        from: Some(0),
        ..clinic.clone()
    };
    assert_eq!(
        list_slots(&w.db, later, &from_past, None, 10)
            .unwrap()
            .len(),
        2
    );
}
