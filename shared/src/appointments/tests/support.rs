//! Appointments' fixtures on the one test world ([`crate::testing`]):
//! services, officials, citizens and slots.

use crate::admin::{create_service, create_unit, NewService};
use crate::appointments::local_date::{parse_clock, LocalDate};
use crate::appointments::{create_schedule, list_slots, ScheduleRequest, Slot, SlotFilter};
use crate::identity::{find_or_create_by_phone, Ports};
use crate::phone::Phone;
use crate::testing::{MapSettings, TestDb, World, T0};

/// The unit running the clinic.
pub const UNIT: &str = "benh-vien-da-nang";
/// The account id of the unit's official.
pub const OFFICIAL: &str = "cit_official";
/// A service of [`UNIT`].
pub const CLINIC: &str = "kham-noi";
/// Another service of [`UNIT`].
pub const OTHER_CLINIC: &str = "kham-nhi";

/// The test "now" (2026-11-29T14:05:00+07:00, a Sunday) is `T0`; slots go
/// on the following days.
pub const NOW: i64 = T0;

/// `2026-12-01` → its [`LocalDate`].
pub fn date(s: &str) -> LocalDate {
    LocalDate::parse(s).unwrap()
}

/// `2026-12-01 08:30` +07:00 → Unix seconds.
pub fn at(day: &str, clock: &str) -> i64 {
    date(day).at(parse_clock(clock).unwrap())
}

/// An in-memory world with two clinics of [`UNIT`].
pub fn world() -> World {
    let w = World::new();
    seed_services(w.ports());
    w
}

/// The units and the two clinics of [`UNIT`].
pub fn seed_services(ports: Ports<'_>) {
    create_unit(ports.sql, ports.clock, UNIT, "Bệnh viện Đà Nẵng").unwrap();
    create_unit(
        ports.sql,
        ports.clock,
        "trung-tam-hcc",
        "Trung tâm Hành chính công",
    )
    .unwrap();
    for (code, name, kind, unit) in [
        (CLINIC, "Khám nội tổng quát", "health", UNIT),
        (OTHER_CLINIC, "Khám nhi", "health", UNIT),
        (
            "cap-cccd",
            "Cấp, đổi thẻ Căn cước công dân",
            "public_service",
            "trung-tam-hcc",
        ),
    ] {
        let new = NewService {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            unit: unit.into(),
            address: "124 Hải Phòng, Hải Châu, Đà Nẵng".into(),
        };
        create_service(ports.sql, ports.clock, &new).unwrap();
    }
}

/// A citizen with a profile; returns the account id.
pub fn citizen(ports: Ports<'_>, n: u32) -> String {
    let phone = Phone::parse(&format!("0905{:06}", 100_000 + n)).unwrap();
    let (account, _) = find_or_create_by_phone(ports, &phone, Some("Nguyễn Văn An")).unwrap();
    account.id
}

/// A schedule request for one service on one day.
pub fn day(
    service: &'static str,
    day: &'static str,
    start: &'static str,
    end: &'static str,
) -> ScheduleRequest<'static> {
    ScheduleRequest {
        service_code: service,
        date_from: day,
        date_to: day,
        day_start: start,
        day_end: end,
        interval_minutes: 30,
        capacity: 2,
    }
}

/// Creates slots as the clinic's official and returns the service's future
/// slots in time order.
pub fn slots(ports: Ports<'_>, req: ScheduleRequest<'_>) -> Vec<Slot> {
    create_schedule(ports, OFFICIAL, UNIT, &req).unwrap();
    let filter = SlotFilter {
        service: Some(req.service_code.to_owned()),
        ..SlotFilter::default()
    };
    list_slots(ports.sql, ports.clock.now(), &filter, None, 100).unwrap()
}

/// One slot of `capacity` at `day clock`.
pub fn one_slot(
    ports: Ports<'_>,
    service: &'static str,
    day_s: &'static str,
    clock: &'static str,
    capacity: i64,
) -> Slot {
    let start = parse_clock(clock).unwrap();
    let end = format!("{:02}:{:02}", (start + 30) / 60, (start + 30) % 60);
    let req = ScheduleRequest {
        capacity,
        day_end: &end,
        ..day(service, day_s, clock, "24:00")
    };
    slots(ports, req)
        .into_iter()
        .find(|s| s.starts_at == at(day_s, clock))
        .unwrap()
}

/// Books `slot_id` for `who`; the booking's id.
pub fn try_book(
    w: &World,
    who: &str,
    slot_id: &str,
) -> Result<String, crate::appointments::ApptError> {
    let req = crate::appointments::BookRequest {
        slot_id,
        note: None,
        idempotency_key: None,
    };
    crate::appointments::book(w.ports(), who, &req).map(|b| b.booking.id)
}

/// The stored `remaining` of a slot.
pub fn remaining(w: &World, slot_id: &str) -> i64 {
    w.db.scalar(&format!(
        "SELECT remaining FROM appointment_slots WHERE id = '{slot_id}'"
    ))
}

/// A world on a shared database file, as another process would open it.
pub fn file_world(path: &std::path::Path, seed: u64) -> World {
    World::on(TestDb::file(path), MapSettings::default(), seed)
}
