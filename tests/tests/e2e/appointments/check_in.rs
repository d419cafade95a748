//! Check-in inside its window, at the desk and at the kiosk (with and without anyone logged in), and the limits on anonymous failures.

use super::*;

/// A quarter-hour counter slot starting at the next five-minute mark but
/// one, so that check-in is open now.
fn counter_slot_soon(host: &Host, counter: &str, capacity: u32) -> Value {
    let soon = (now() / 300 + 2) * 300;
    let (d, at) = local(soon);
    slot(
        host,
        counter,
        COUNTER,
        &d,
        &at,
        &local_end(soon, soon + 900),
        capacity,
    )
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
        &local_end(soon, soon + 300),
        3,
    );
    let s2 = slot(
        &host,
        &doctor,
        OTHER_CLINIC,
        &later_day,
        &later_at,
        &local_end(later, later + 300),
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
    let audited = db(&host).int(
        "SELECT count(*) FROM audit_log WHERE action = 'appointment_checked_in'",
        &[],
    );
    assert_eq!(audited, 1);
}

#[test]
fn a_kiosk_checks_in_any_ticket_by_its_code_alone() {
    let host = app().start();
    let (_, counter) = desks(&host);
    let s = counter_slot_soon(&host, &counter, 2);
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
    let s = counter_slot_soon(&host, &counter, 2);
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
    let s = counter_slot_soon(&host, &counter, 3);
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
    let s = counter_slot_soon(&host, &counter, 3);
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
