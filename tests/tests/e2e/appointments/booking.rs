//! Cancel and reschedule under parallel requests; one booking per citizen, service and local day; started slots; other citizens' bookings; the QR ticket.

use super::*;

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
    db(&host).run(
        "UPDATE appointment_slots SET starts_at = ?1, ends_at = ?2 WHERE id = ?3",
        e2e::params![start, start + 1_800, s["id"].as_str().unwrap()],
    );
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
    db(&host).run(
        "UPDATE citizens SET id_number = '048090001234' WHERE phone = '+84912000009'",
        &[],
    );

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
