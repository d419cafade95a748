//! Bulk schedules in local (+07:00) days, idempotent; services and slots public and paginated.

use super::*;

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
