//! Appointments end to end (SPEC §9): the `appointments` component served by
//! edge-host — never overbooked under real parallel requests (also across
//! two edge-host processes on one state dir), idempotent retries, cancel and
//! reschedule, one booking per local day, bulk schedules in +07:00 days,
//! QR tickets and check-in.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cds_shared::appointments::local_date::LocalDate;
use e2e::session::{login, login_as, outbox_path};
use e2e::{parallel, Host, HostBuilder, Method, Resp, ADMIN_TOKEN};
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

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Local (+07:00) `YYYY-MM-DD` and `HH:MM` of an instant.
fn local(unix: i64) -> (String, String) {
    let secs = (unix + 7 * 3_600).rem_euclid(86_400);
    (
        LocalDate::of_instant(unix).to_string(),
        format!("{:02}:{:02}", secs / 3_600, secs % 3_600 / 60),
    )
}

/// The local date `n` days from today.
fn day(n: i64) -> String {
    local(now() + n * 86_400).0
}

/// `n` citizens (phones +8491…), logged in in parallel.
fn citizens(host: &Arc<Host>, first: usize, n: usize) -> Vec<String> {
    let h = host.clone();
    parallel(n, move |i| login(&h, &format!("+8491{:07}", first + i)))
}

fn admin(host: &Host, path: &str, body: Value) {
    let r = host.post_json_auth(path, ADMIN_TOKEN, &body);
    assert!(matches!(r.status, 200 | 201), "{path}: {}", r.text());
}

/// Units, services and the two desk officials; returns their tokens
/// (clinic, counter).
fn desks(host: &Host) -> (String, String) {
    admin(
        host,
        "/api/v1/admin/units",
        json!({"code": HOSPITAL, "name": "Bệnh viện Đà Nẵng"}),
    );
    admin(
        host,
        "/api/v1/admin/units",
        json!({"code": CENTRE, "name": "Trung tâm Hành chính công"}),
    );
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
        let body = json!({"code": code, "name": name, "kind": kind, "unit": unit, "address": "124 Hải Phòng, Hải Châu"});
        admin(host, "/api/v1/admin/services", body);
    }
    admin(
        host,
        "/api/v1/admin/officials",
        json!({"phone": DOCTOR_DESK, "full_name": "Lê Văn Cường", "unit": HOSPITAL}),
    );
    admin(
        host,
        "/api/v1/admin/officials",
        json!({"phone": COUNTER_DESK, "full_name": "Phạm Thị Dung", "unit": CENTRE}),
    );
    (login(host, DOCTOR_DESK), login(host, COUNTER_DESK))
}

/// `POST /api/v1/appointments/slots` for one local day.
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
    host.send(host.request(Method::DELETE, path).bearer_auth(token))
}

fn db(host: &Host) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(host.state_dir.join("sqlite_db.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    conn
}

/// Every slot's taken seats equal the bookings holding them.
fn assert_seats_add_up(host: &Host) {
    let off: i64 = db(host)
        .query_row(
            "SELECT count(*) FROM appointment_slots s WHERE s.capacity - s.remaining != \
             (SELECT count(*) FROM appointments a WHERE a.slot_id = s.id AND a.status <> 'cancelled')",
            [],
            |r| r.get(0),
        )
        .unwrap();
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

// ---------------------------------------------------------------------------
// Never overbooked
// ---------------------------------------------------------------------------

#[test]
fn a_hundred_citizens_race_for_one_seat_then_for_five() {
    let host = Arc::new(app().start());
    let (doctor, _) = desks(&host);
    let people = Arc::new(citizens(&host, 0, 100));
    // Two different days, so the winner of the first may also try the second.
    let one = slot(&host, &doctor, CLINIC, &day(1), "08:00", "08:30", 1);
    let five = slot(&host, &doctor, CLINIC, &day(2), "08:00", "08:30", 5);

    for (s, seats) in [(&one, 1), (&five, 5)] {
        let (h, p, id) = (
            host.clone(),
            people.clone(),
            s["id"].as_str().unwrap().to_owned(),
        );
        let answers = parallel(100, move |i| {
            let r = book(&h, &p[i], &id);
            let code = if r.status == 201 {
                String::new()
            } else {
                r.error_code()
            };
            (r.status, code)
        });
        let t = tally(&answers);
        assert_eq!(t.get(&(201, String::new())), Some(&seats), "{t:?}");
        assert_eq!(
            t.get(&(409, "slot_full".to_owned())),
            Some(&(100 - seats)),
            "{t:?}"
        );
        assert_eq!(remaining(&host, s), 0);
    }
    assert_seats_add_up(&host);
}

#[test]
fn twenty_parallel_retries_with_one_idempotency_key_make_one_booking() {
    let host = Arc::new(app().start());
    let (doctor, _) = desks(&host);
    let me = login(&host, "+84912000001");
    let s = slot(&host, &doctor, CLINIC, &day(1), "09:00", "09:30", 3);
    let (h, id) = (host.clone(), s["id"].as_str().unwrap().to_owned());
    let answers = parallel(20, move |_| {
        let rb = h
            .request(Method::POST, "/api/v1/appointments")
            .bearer_auth(&me)
            .header("Idempotency-Key", "7d0c2a3e-5b1f-4c8a-9e6d-2f4b8a1c0e57")
            .json(&json!({"slot_id": id}));
        let r = h.send(rb);
        (
            r.status,
            r.json()["id"].as_str().map(str::to_owned),
            r.header("idempotent-replayed"),
        )
    });
    assert!(answers.iter().all(|a| a.0 == 201), "{answers:?}");
    let ids: BTreeSet<_> = answers.iter().map(|a| a.1.clone().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(
        answers.iter().filter(|a| a.2.is_none()).count(),
        1,
        "exactly one original: {answers:?}"
    );
    assert_eq!(remaining(&host, &s), 2, "one seat taken");
    assert_seats_add_up(&host);
}

#[test]
fn the_seat_invariant_holds_across_two_edge_hosts() {
    let state = tempfile::tempdir().unwrap();
    let a = Arc::new(app().state_dir(state.path()).start());
    let b = Arc::new(app().state_dir(state.path()).start());
    let (doctor, _) = desks(&a);
    let people = Arc::new(citizens(&a, 500, 60));
    let s = slot(&b, &doctor, CLINIC, &day(1), "10:00", "10:30", 7);
    let (ha, hb, p, id) = (
        a.clone(),
        b.clone(),
        people.clone(),
        s["id"].as_str().unwrap().to_owned(),
    );
    let answers = parallel(60, move |i| {
        let host = if i % 2 == 0 { &ha } else { &hb };
        let r = book(host, &p[i], &id);
        (
            r.status,
            if r.status == 201 {
                String::new()
            } else {
                r.error_code()
            },
        )
    });
    let t = tally(&answers);
    assert_eq!(t.get(&(201, String::new())), Some(&7), "{t:?}");
    assert_eq!(t.get(&(409, "slot_full".to_owned())), Some(&53), "{t:?}");
    assert_eq!((remaining(&a, &s), remaining(&b, &s)), (0, 0));
    assert_seats_add_up(&a);
}

// ---------------------------------------------------------------------------
// Cancel and reschedule
// ---------------------------------------------------------------------------

#[test]
fn a_cancel_sent_twice_in_parallel_returns_one_seat() {
    let host = Arc::new(app().start());
    let (doctor, _) = desks(&host);
    let me = login(&host, "+84912000002");
    let s = slot(&host, &doctor, CLINIC, &day(1), "08:00", "08:30", 3);
    let booked = book(&host, &me, s["id"].as_str().unwrap());
    assert_eq!(booked.status, 201, "{}", booked.text());
    assert_eq!(remaining(&host, &s), 2);
    let path = format!(
        "/api/v1/appointments/{}",
        booked.json()["id"].as_str().unwrap()
    );
    let (h, p) = (host.clone(), path.clone());
    let answers = parallel(10, move |_| {
        let r = delete(&h, &me, &p);
        (
            r.status,
            r.json()["status"].as_str().unwrap_or_default().to_owned(),
        )
    });
    assert!(
        answers.iter().all(|a| *a == (200, "cancelled".to_owned())),
        "{answers:?}"
    );
    assert_eq!(remaining(&host, &s), 3, "the seat came back exactly once");
    assert_seats_add_up(&host);
}

#[test]
fn rescheduling_moves_the_seat_or_changes_nothing() {
    let host = app().start();
    let (doctor, _) = desks(&host);
    let (me, other) = (login(&host, "+84912000003"), login(&host, "+84912000004"));
    let mine = slot(&host, &doctor, CLINIC, &day(1), "08:00", "08:30", 2);
    let full = slot(&host, &doctor, CLINIC, &day(2), "08:00", "08:30", 1);
    let free = slot(&host, &doctor, CLINIC, &day(3), "08:00", "08:30", 2);
    let booking = book(&host, &me, mine["id"].as_str().unwrap()).json();
    assert_eq!(
        book(&host, &other, full["id"].as_str().unwrap()).status,
        201
    );
    let path = format!(
        "/api/v1/appointments/{}/reschedule",
        booking["id"].as_str().unwrap()
    );

    let r = host.post_json_auth(&path, &me, &json!({"slot_id": full["id"]}));
    assert_eq!(
        (r.status, r.error_code()),
        (409, "slot_full".into()),
        "{}",
        r.text()
    );
    let now_booking = host
        .get_auth(
            &format!("/api/v1/appointments/{}", booking["id"].as_str().unwrap()),
            &me,
        )
        .json();
    assert_eq!(
        now_booking["slot"]["id"], mine["id"],
        "the old booking is intact"
    );
    assert_eq!(now_booking["status"], "booked");
    assert_eq!((remaining(&host, &mine), remaining(&host, &full)), (1, 0));

    let r = host.post_json_auth(&path, &me, &json!({"slot_id": free["id"]}));
    assert_eq!(r.status, 200, "{}", r.text());
    let moved = r.json();
    assert_eq!(
        (moved["id"].clone(), moved["ticket_code"].clone()),
        (booking["id"].clone(), booking["ticket_code"].clone())
    );
    assert_eq!(moved["slot"]["id"], free["id"]);
    assert_eq!((remaining(&host, &mine), remaining(&host, &free)), (2, 1));
    assert_seats_add_up(&host);
}

// ---------------------------------------------------------------------------
// Booking rules
// ---------------------------------------------------------------------------

#[test]
fn one_active_booking_per_citizen_service_and_local_day() {
    let host = app().start();
    let (doctor, _) = desks(&host);
    let me = login(&host, "+84912000005");
    let d = day(1);
    assert_eq!(
        schedule(&host, &doctor, CLINIC, &d, "08:00", "09:00", 30, 2).status,
        201
    );
    let s = slots_on(&host, CLINIC, &d);
    let other = slot(&host, &doctor, OTHER_CLINIC, &d, "08:00", "08:30", 2);

    let first = book(&host, &me, s[0]["id"].as_str().unwrap());
    assert_eq!(first.status, 201, "{}", first.text());
    let again = book(&host, &me, s[1]["id"].as_str().unwrap());
    assert_eq!(
        (again.status, again.error_code()),
        (409, "already_booked".into()),
        "{}",
        again.text()
    );
    assert_eq!(again.json()["error"]["fields"]["date"], d.as_str());
    assert_eq!(
        again.json()["error"]["fields"]["appointment_id"],
        first.json()["id"]
    );
    assert_eq!(remaining(&host, &s[1]), 2);
    // Another service that day is fine; so is the same one after cancelling.
    assert_eq!(book(&host, &me, other["id"].as_str().unwrap()).status, 201);
    let path = format!(
        "/api/v1/appointments/{}",
        first.json()["id"].as_str().unwrap()
    );
    assert_eq!(delete(&host, &me, &path).status, 200);
    assert_eq!(book(&host, &me, s[1]["id"].as_str().unwrap()).status, 201);
}

#[test]
fn a_slot_that_has_started_cannot_be_booked_or_seen() {
    let host = app().start();
    let (doctor, _) = desks(&host);
    let me = login(&host, "+84912000006");
    let s = slot(&host, &doctor, CLINIC, &day(1), "08:00", "08:30", 2);
    // The API never makes past slots; move this one back in time the way
    // the clock would.
    let start = now() - 600;
    db(&host)
        .execute(
            "UPDATE appointment_slots SET starts_at = ?1, ends_at = ?2 WHERE id = ?3",
            rusqlite::params![start, start + 1_800, s["id"].as_str().unwrap()],
        )
        .unwrap();
    let r = book(&host, &me, s["id"].as_str().unwrap());
    assert_eq!(
        (r.status, r.error_code()),
        (409, "slot_past".into()),
        "{}",
        r.text()
    );
    let listed = host
        .get(&format!("/api/v1/appointments/slots?service={CLINIC}"))
        .json();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != s["id"]),
        "{listed}"
    );
    let r = book(&host, &me, "slt_00000000000000000000");
    assert_eq!((r.status, r.error_code()), (404, "slot_not_found".into()));
}

#[test]
fn a_citizen_cannot_see_cancel_or_move_anothers_booking() {
    let host = app().start();
    let (doctor, _) = desks(&host);
    let (me, stranger) = (login(&host, "+84912000007"), login(&host, "+84912000008"));
    let s = slot(&host, &doctor, CLINIC, &day(1), "08:00", "08:30", 2);
    let t = slot(&host, &doctor, CLINIC, &day(2), "08:00", "08:30", 2);
    let mine = book(&host, &me, s["id"].as_str().unwrap()).json();
    let path = format!("/api/v1/appointments/{}", mine["id"].as_str().unwrap());

    for r in [
        host.get_auth(&path, &stranger),
        delete(&host, &stranger, &path),
        host.post_json_auth(
            &format!("{path}/reschedule"),
            &stranger,
            &json!({"slot_id": t["id"]}),
        ),
    ] {
        assert_eq!(
            (r.status, r.error_code()),
            (404, "appointment_not_found".into()),
            "{}",
            r.text()
        );
    }
    assert_eq!(remaining(&host, &s), 1, "the stranger freed nothing");
    let theirs = host.get_auth("/api/v1/me/appointments", &stranger).json();
    assert_eq!(theirs["items"], json!([]));
    let mine_list = host.get_auth("/api/v1/me/appointments", &me).json();
    assert_eq!(mine_list["items"][0]["id"], mine["id"]);
    assert_eq!(host.get(&path).status, 401);
}

#[test]
fn a_booking_carries_a_qr_ticket_and_the_citizens_profile() {
    let host = app().start();
    let (doctor, _) = desks(&host);
    // Signing up with a name fills the profile; the CCCD number as the
    // profile API would store it.
    let started = host.post_json(
        "/api/v1/signup",
        &json!({"phone": "0912000009", "channel": "sms", "full_name": "Nguyễn Văn An"}),
    );
    let code = host.get(&outbox_path("+84912000009")).json()["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = host.post_json(
        "/api/v1/signup/verify",
        &json!({"challenge_id": started.json()["challenge_id"], "code": code}),
    );
    let token = done.json()["session"]["token"].as_str().unwrap().to_owned();
    db(&host)
        .execute(
            "UPDATE citizens SET id_number = '048090001234' WHERE phone = '+84912000009'",
            [],
        )
        .unwrap();

    let s = slot(&host, &doctor, CLINIC, &day(1), "23:30", "24:00", 2);
    let r = host.post_json_auth(
        "/api/v1/appointments",
        &token,
        &json!({"slot_id": s["id"], "note": "Tái khám"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let b = r.json();
    assert_eq!(b["status"], "booked");
    let ticket = b["ticket_code"].as_str().unwrap();
    assert_eq!(ticket.len(), 8);
    assert!(
        ticket
            .chars()
            .all(|c| "23456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)),
        "{ticket}"
    );
    let svg = b["qr_svg"].as_str().unwrap();
    assert!(svg.contains("<svg") && svg.ends_with("</svg>"), "{svg}");
    assert_eq!(
        b["citizen"],
        json!({"full_name": "Nguyễn Văn An", "phone": "+84912000009", "id_number": "048090001234"})
    );
    assert_eq!(b["service"]["name"], "Khám nội tổng quát");
    assert_eq!(b["slot"]["starts_at"], format!("{}T23:30:00+07:00", day(1)));
    assert_eq!(b["slot"]["ends_at"], format!("{}T00:00:00+07:00", day(2)));
    assert_eq!(b["slot"]["date"], day(1));
    assert_eq!(b["note"], "Tái khám");
    assert_eq!(
        b["checkin"]["opens_at"],
        format!("{}T23:00:00+07:00", day(1))
    );
}

// ---------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------

#[test]
fn schedules_are_idempotent_and_keep_to_local_days() {
    let host = app().start();
    let (doctor, counter) = desks(&host);
    let d = day(1);
    let r = schedule(&host, &doctor, CLINIC, &d, "23:00", "24:00", 30, 3);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        (r.json()["created"].clone(), r.json()["existing"].clone()),
        (json!(2), json!(0))
    );
    let again = schedule(&host, &doctor, CLINIC, &d, "23:00", "24:00", 30, 3);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(
        (
            again.json()["created"].clone(),
            again.json()["existing"].clone()
        ),
        (json!(0), json!(2))
    );

    let listed = slots_on(&host, CLINIC, &d);
    let shown: Vec<(Value, Value)> = listed
        .iter()
        .map(|s| (s["starts_at"].clone(), s["date"].clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (json!(format!("{d}T23:00:00+07:00")), json!(d)),
            (json!(format!("{d}T23:30:00+07:00")), json!(d))
        ]
    );
    assert!(
        slots_on(&host, CLINIC, &day(2)).is_empty(),
        "23:30 +07:00 is not the next day"
    );
    // The same bounds as instants (the `+` escaped, and unescaped).
    let from = format!("{d}T23:15:00%2B07:00");
    let r = host.get(&format!(
        "/api/v1/appointments/slots?service={CLINIC}&from={from}"
    ));
    assert_eq!(
        r.json()["items"].as_array().unwrap().len(),
        1,
        "{}",
        r.text()
    );
    let r = host.get(&format!(
        "/api/v1/appointments/slots?service={CLINIC}&from={d}T15:45:00Z&to={d}T23:00:01+07:00"
    ));
    assert_eq!(
        r.json()["items"].as_array().unwrap().len(),
        1,
        "{}",
        r.text()
    );

    // Only officials of the service's unit.
    let r = schedule(&host, &counter, CLINIC, &d, "08:00", "09:00", 30, 3);
    assert_eq!((r.status, r.error_code()), (403, "forbidden".into()));
    let citizen = login(&host, "+84912000010");
    assert_eq!(
        schedule(&host, &citizen, CLINIC, &d, "08:00", "09:00", 30, 3).status,
        403
    );
    let r = schedule(&host, &doctor, "khong-co", &d, "08:00", "09:00", 30, 3);
    assert_eq!(
        (
            r.status,
            r.json()["error"]["fields"]["service_code"].clone()
        ),
        (422, json!("unknown_value"))
    );
    let r = schedule(&host, &doctor, CLINIC, &d, "09:00", "08:00", 30, 3);
    assert_eq!(
        (r.status, r.json()["error"]["fields"]["day_end"].is_string()),
        (422, true),
        "{}",
        r.text()
    );
    assert_eq!(slots_on(&host, CLINIC, &d).len(), 2);
}

#[test]
fn services_and_slots_are_public_and_paginated() {
    let host = app().start();
    let (doctor, _) = desks(&host);
    let r = host.get("/api/v1/appointments/services?kind=health");
    assert_eq!(r.status, 200, "{}", r.text());
    let codes: Vec<_> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].clone())
        .collect();
    assert_eq!(codes, [json!(OTHER_CLINIC), json!(CLINIC)]);
    assert_eq!(
        host.get("/api/v1/appointments/services?kind=spa").status,
        422
    );
    assert_eq!(
        schedule(&host, &doctor, CLINIC, &day(1), "08:00", "11:00", 30, 3).status,
        201
    );
    let page1 = host
        .get(&format!(
            "/api/v1/appointments/slots?service={CLINIC}&limit=4"
        ))
        .json();
    assert_eq!(page1["items"].as_array().unwrap().len(), 4);
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = host
        .get(&format!(
            "/api/v1/appointments/slots?service={CLINIC}&limit=4&cursor={cursor}"
        ))
        .json();
    assert_eq!(page2["items"].as_array().unwrap().len(), 2);
    assert_eq!(page2["next_cursor"], Value::Null);
    let r = host.get("/api/v1/appointments/slots?service=khong-co");
    assert_eq!(
        (r.status, r.error_code()),
        (404, "service_not_found".into())
    );
    assert_eq!(
        host.get("/api/v1/appointments/slots?from=tomorrow").status,
        422
    );
}

// ---------------------------------------------------------------------------
// Check-in and the desk
// ---------------------------------------------------------------------------

#[test]
fn check_in_works_inside_the_window_and_names_it_outside() {
    let host = app().start();
    let (doctor, counter) = desks(&host);
    // A slot starting within ten minutes (check-in open) and one in about an
    // hour (not yet), both on 5-minute boundaries.
    let soon = (now() / 300 + 2) * 300;
    let later = soon + 3_600;
    let (soon_day, soon_at) = local(soon);
    let (later_day, later_at) = local(later);
    let s1 = slot(
        &host,
        &doctor,
        CLINIC,
        &soon_day,
        &soon_at,
        &local(soon + 300).1.replace("00:00", "24:00"),
        3,
    );
    let s2 = slot(
        &host,
        &doctor,
        OTHER_CLINIC,
        &later_day,
        &later_at,
        &local(later + 300).1.replace("00:00", "24:00"),
        3,
    );
    let me = login(&host, "+84912000011");
    let b1 = book(&host, &me, s1["id"].as_str().unwrap()).json();
    let b2 = book(&host, &me, s2["id"].as_str().unwrap()).json();
    let t1 = b1["ticket_code"].as_str().unwrap().to_lowercase();

    // Neither the owner's web session nor another unit's official.
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &me,
        &json!({"ticket_code": t1}),
    );
    assert_eq!(r.status, 403);
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &counter,
        &json!({"ticket_code": t1}),
    );
    assert_eq!((r.status, r.error_code()), (404, "ticket_not_found".into()));

    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &doctor,
        &json!({"ticket_code": t1}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "arrived");
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &doctor,
        &json!({"ticket_code": t1}),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (409, "already_checked_in".into())
    );

    // Too early at a kiosk: the one kiosk refusal, which says nothing more.
    let kiosk = login_as(&host, "+84912000012", "kiosk");
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &kiosk,
        &json!({"ticket_code": b2["ticket_code"]}),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (422, "checkin_failed".into()),
        "{}",
        r.text()
    );
    assert!(r.json()["error"].get("fields").is_none(), "{}", r.text());
    // Too early at the desk: 409 with the window, in the fields and
    // (relatively) in the message.
    let r = host.send(
        host.request(Method::POST, "/api/v1/appointments/checkin")
            .bearer_auth(&doctor)
            .header("accept-language", "en")
            .json(&json!({"ticket_code": b2["ticket_code"]})),
    );
    assert_eq!(
        (r.status, r.error_code()),
        (409, "outside_checkin_window".into()),
        "{}",
        r.text()
    );
    let e = r.json()["error"].clone();
    assert_eq!(e["fields"]["opens_at"], b2["checkin"]["opens_at"]);
    assert_eq!(e["fields"]["closes_at"], b2["checkin"]["closes_at"]);
    assert_eq!(
        e["fields"]["opens_at"],
        format!(
            "{}T{}:00+07:00",
            local(later - 1_800).0,
            local(later - 1_800).1
        )
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("30 minutes before to 15 minutes after"),
        "{e}"
    );

    // The desk: served after arrival; a no-show only after the slot ends.
    let path = |b: &Value| format!("/api/v1/appointments/{}", b["id"].as_str().unwrap());
    let patch = |b: &Value, status: &str| {
        host.send(
            host.request(Method::PATCH, &path(b))
                .bearer_auth(&doctor)
                .json(&json!({"status": status})),
        )
    };
    let r = patch(&b2, "noshow");
    assert_eq!(
        (r.status, r.error_code()),
        (409, "slot_not_ended".into()),
        "{}",
        r.text()
    );
    let r = patch(&b1, "fulfilled");
    assert_eq!(
        (r.status, r.json()["status"].clone()),
        (200, json!("fulfilled")),
        "{}",
        r.text()
    );
    let r = host.send(
        host.request(Method::PATCH, &path(&b1))
            .bearer_auth(&me)
            .json(&json!({"status": "noshow"})),
    );
    assert_eq!(r.status, 403);
    // The desk sees the day's list and the booking; the audit log has the check-in.
    let desk = host
        .get_auth(
            &format!("/api/v1/appointments/desk?service={CLINIC}&date={soon_day}"),
            &doctor,
        )
        .json();
    assert_eq!(desk["items"][0]["id"], b1["id"]);
    assert_eq!(
        host.get_auth(&path(&b1), &doctor).json()["status"],
        "fulfilled"
    );
    assert_eq!(
        host.get_auth(
            &format!("/api/v1/appointments/desk?service={CLINIC}&date={soon_day}"),
            &counter
        )
        .status,
        403
    );
    let audited: i64 = db(&host)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'appointment_checked_in'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn a_kiosk_checks_in_any_ticket_by_its_code_alone() {
    let host = app().start();
    let (_, counter) = desks(&host);
    let soon = (now() / 300 + 2) * 300;
    let (d, at) = local(soon);
    let s = slot(
        &host,
        &counter,
        COUNTER,
        &d,
        &at,
        &local(soon + 900).1.replace("00:00", "24:00"),
        2,
    );
    let owner = login(&host, "+84912000013");
    let b = book(&host, &owner, s["id"].as_str().unwrap()).json();
    // Someone else is logged in at the kiosk; the ticket is enough.
    let kiosk = login_as(&host, "+84912000014", "kiosk");
    let typed = format!(
        "{}-{}",
        &b["ticket_code"].as_str().unwrap()[..4],
        &b["ticket_code"].as_str().unwrap()[4..]
    );
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &kiosk,
        &json!({"ticket_code": typed}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (r.json()["id"].clone(), r.json()["status"].clone()),
        (b["id"].clone(), json!("arrived"))
    );
    // The person at the screen is not the holder: no holder's data comes back.
    assert!(
        !r.text().contains("+84912000013") && r.json().get("citizen").is_none(),
        "{}",
        r.text()
    );
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &kiosk,
        &json!({"ticket_code": "22222222"}),
    );
    assert_eq!((r.status, r.error_code()), (422, "checkin_failed".into()));
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &kiosk,
        &json!({"ticket_code": "0O1IL"}),
    );
    assert_eq!((r.status, r.error_code()), (422, "checkin_failed".into()));
}

#[test]
fn a_kiosk_checks_in_without_anyone_logged_in() {
    let host = app().start();
    let (_, counter) = desks(&host);
    let soon = (now() / 300 + 2) * 300;
    let (d, at) = local(soon);
    let s = slot(
        &host,
        &counter,
        COUNTER,
        &d,
        &at,
        &local(soon + 900).1.replace("00:00", "24:00"),
        2,
    );
    let owner = login(&host, "+84912000015");
    let b = book(&host, &owner, s["id"].as_str().unwrap()).json();
    let ticket = b["ticket_code"].as_str().unwrap();

    let r = host.post_json(
        "/api/v1/appointments/checkin",
        &json!({"ticket_code": ticket}),
    );
    assert_eq!(
        (r.status, r.json()["status"].clone()),
        (200, json!("arrived")),
        "{}",
        r.text()
    );
    assert!(
        !r.text().contains("+84912000015") && r.json().get("citizen").is_none(),
        "{}",
        r.text()
    );
    // The owner sees the arrival; a second check-in of the same ticket is refused.
    assert_eq!(
        host.get_auth(
            &format!("/api/v1/appointments/{}", b["id"].as_str().unwrap()),
            &owner
        )
        .json()["status"],
        "arrived"
    );
    assert_eq!(
        host.post_json(
            "/api/v1/appointments/checkin",
            &json!({"ticket_code": ticket})
        )
        .status,
        422
    );
    // A bad token is still a 401, not an anonymous check-in.
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        "not-a-token",
        &json!({"ticket_code": ticket}),
    );
    assert_eq!(r.status, 401);
}

#[test]
fn an_anonymous_kiosk_gets_one_answer_whatever_became_of_the_code() {
    let host = app().start();
    let (_, counter) = desks(&host);
    let soon = (now() / 300 + 2) * 300;
    let (d, at) = local(soon);
    let s = slot(
        &host,
        &counter,
        COUNTER,
        &d,
        &at,
        &local(soon + 900).1.replace("00:00", "24:00"),
        3,
    );
    let tomorrow = slot(&host, &counter, COUNTER, &day(2), "09:00", "09:15", 3);
    let ticket = |phone: &str, slot: &Value| {
        let me = login(&host, phone);
        let b = book(&host, &me, slot["id"].as_str().unwrap()).json();
        (me, b)
    };
    let (_, arrived) = ticket("+84912000021", &s);
    let (owner, cancelled) = ticket("+84912000022", &s);
    let (_, other_day) = ticket("+84912000023", &tomorrow);
    assert_eq!(
        delete(
            &host,
            &owner,
            &format!("/api/v1/appointments/{}", cancelled["id"].as_str().unwrap())
        )
        .status,
        200
    );
    let code = |b: &Value| b["ticket_code"].as_str().unwrap().to_owned();
    let checkin = |code: &str| {
        host.post_json(
            "/api/v1/appointments/checkin",
            &json!({"ticket_code": code}),
        )
    };
    assert_eq!(checkin(&code(&arrived)).status, 200);
    let answers: Vec<(u16, String)> = [
        code(&arrived),
        code(&cancelled),
        code(&other_day),
        "22222222".to_owned(),
        "0O1IL".to_owned(),
    ]
    .iter()
    .map(|c| {
        let r = checkin(c);
        (r.status, r.text())
    })
    .collect();
    assert_eq!(answers[0].0, 422, "{}", answers[0].1);
    assert!(answers[0].1.contains("checkin_failed"), "{}", answers[0].1);
    for (status, body) in &answers {
        assert_eq!(
            (*status, body),
            (answers[0].0, &answers[0].1),
            "every refusal must look the same"
        );
    }
    // An official at the desk still learns the reason.
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &counter,
        &json!({"ticket_code": code(&cancelled)}),
    );
    assert_eq!((r.status, r.error_code()), (409, "invalid_status".into()));
}

#[test]
fn anonymous_check_in_failures_are_limited_per_client() {
    let host = app().var("checkin_kiosk_failures_per_hour", "3").start();
    let (_, counter) = desks(&host);
    let soon = (now() / 300 + 2) * 300;
    let (d, at) = local(soon);
    let s = slot(
        &host,
        &counter,
        COUNTER,
        &d,
        &at,
        &local(soon + 900).1.replace("00:00", "24:00"),
        3,
    );
    let me = login(&host, "+84912000031");
    let b = book(&host, &me, s["id"].as_str().unwrap()).json();
    let checkin = |code: &str| {
        host.post_json(
            "/api/v1/appointments/checkin",
            &json!({"ticket_code": code}),
        )
    };
    for guess in ["22222222", "33333333", "44444444"] {
        assert_eq!(checkin(guess).status, 422);
    }
    // The allowance is spent: even the right code waits now.
    let r = checkin(b["ticket_code"].as_str().unwrap());
    assert_eq!(
        (r.status, r.error_code()),
        (429, "rate_limited".into()),
        "{}",
        r.text()
    );
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((3_500..=3_600).contains(&wait), "{wait}");
    // Officials are not limited by it.
    let r = host.post_json_auth(
        "/api/v1/appointments/checkin",
        &counter,
        &json!({"ticket_code": b["ticket_code"]}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}
