//! Appointments end to end (docs/appointments.md): the `appointments` component served by
//! edge-host — never overbooked under real parallel requests (also across
//! two edge-host processes on one state dir), idempotent retries, cancel and
//! reschedule, one booking per local day, bulk schedules in +07:00 days,
//! QR tickets and check-in.

use std::collections::BTreeSet;
use std::sync::Arc;

use e2e::admin::{official_login, service, unit};
use e2e::db::db;
use e2e::session::{login, login_as, outbox_path};
use e2e::time::{local, local_date, local_end, now};
use e2e::{parallel, Host, HostBuilder, Method, Resp};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const CLINIC: &str = "kham-noi";
const OTHER_CLINIC: &str = "kham-nhi";
const COUNTER: &str = "cap-cccd";
const HOSPITAL: &str = "benh-vien-da-nang";
const CENTRE: &str = "trung-tam-hcc";
const DOCTOR_DESK: &str = "+84905000002";
const COUNTER_DESK: &str = "+84905000003";

/// The app in dev mode; every test logs many people in from 127.0.0.1.
fn app() -> HostBuilder {
    HostBuilder::app().var("otp_ip_hourly", "1000")
}

/// The local date `n` days from today.
fn day(n: i64) -> String {
    local_date(n)
}

/// `n` citizens (phones +8491…), logged in in parallel.
fn citizens(host: &Arc<Host>, first: usize, n: usize) -> Vec<String> {
    let h = host.clone();
    parallel(n, move |i| login(&h, &format!("+8491{:07}", first + i)))
}

/// Units, services and the two desk officials; returns their tokens
/// (clinic, counter).
fn desks(host: &Host) -> (String, String) {
    unit(host, HOSPITAL, "Bệnh viện Đà Nẵng");
    unit(host, CENTRE, "Trung tâm Hành chính công");
    for (code, name, kind, unit) in [
        (CLINIC, "Khám nội tổng quát", "health", HOSPITAL),
        (OTHER_CLINIC, "Khám nhi", "health", HOSPITAL),
        (
            COUNTER,
            "Cấp, đổi thẻ Căn cước công dân",
            "public_service",
            CENTRE,
        ),
    ] {
        service(host, code, name, kind, unit, "124 Hải Phòng, Hải Châu");
    }
    (
        official_login(host, DOCTOR_DESK, "Lê Văn Cường", HOSPITAL),
        official_login(host, COUNTER_DESK, "Phạm Thị Dung", CENTRE),
    )
}

/// `POST /api/v1/appointments/slots` for one local day.
// The request's seven fields, named at each call as the API names them.
#[allow(clippy::too_many_arguments)]
fn schedule(
    host: &Host,
    token: &str,
    service: &str,
    date: &str,
    start: &str,
    end: &str,
    interval: u32,
    capacity: u32,
) -> Resp {
    host.post_json_auth(
        "/api/v1/appointments/slots",
        token,
        &json!({
            "service_code": service, "date_from": date, "date_to": date,
            "day_start": start, "day_end": end, "interval_minutes": interval, "capacity": capacity,
        }),
    )
}

/// The future slots of a service on a local date.
fn slots_on(host: &Host, service: &str, date: &str) -> Vec<Value> {
    let r = host.get(&format!(
        "/api/v1/appointments/slots?service={service}&from={date}&to={date}&limit=100"
    ));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

/// Creates one slot `start`–`end` on `date` and returns it.
fn slot(
    host: &Host,
    official: &str,
    service: &str,
    date: &str,
    start: &str,
    end: &str,
    capacity: u32,
) -> Value {
    let minutes = |t: &str| t[..2].parse::<u32>().unwrap() * 60 + t[3..].parse::<u32>().unwrap();
    let r = schedule(
        host,
        official,
        service,
        date,
        start,
        end,
        minutes(end) - minutes(start),
        capacity,
    );
    assert!(matches!(r.status, 200 | 201), "{}", r.text());
    slots_on(host, service, date)
        .into_iter()
        .find(|s| s["starts_at"] == format!("{date}T{start}:00+07:00"))
        .unwrap_or_else(|| panic!("no slot {date} {start}"))
}

/// A slot's `remaining`, as listed.
fn remaining(host: &Host, slot: &Value) -> i64 {
    let list = slots_on(
        host,
        slot["service_code"].as_str().unwrap(),
        slot["date"].as_str().unwrap(),
    );
    list.iter().find(|s| s["id"] == slot["id"]).unwrap()["remaining"]
        .as_i64()
        .unwrap()
}

fn book(host: &Host, token: &str, slot_id: &str) -> Resp {
    host.post_json_auth("/api/v1/appointments", token, &json!({"slot_id": slot_id}))
}

fn delete(host: &Host, token: &str, path: &str) -> Resp {
    host.delete_auth(path, token)
}

/// Every slot's taken seats equal the bookings holding them.
fn assert_seats_add_up(host: &Host) {
    let off = db(host).int(
        "SELECT count(*) FROM appointment_slots s WHERE s.capacity - s.remaining != \
         (SELECT count(*) FROM appointments a WHERE a.slot_id = s.id AND a.status <> 'cancelled')",
        &[],
    );
    assert_eq!(off, 0, "seats and bookings disagree");
}

/// Statuses and error codes of parallel answers, counted.
fn tally(answers: &[(u16, String)]) -> std::collections::BTreeMap<(u16, String), usize> {
    let mut m = std::collections::BTreeMap::new();
    for a in answers {
        *m.entry(a.clone()).or_default() += 1;
    }
    m
}

mod booking;
mod check_in;
mod node_loss;
mod schedules;
mod seats;
