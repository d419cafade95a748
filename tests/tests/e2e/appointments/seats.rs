//! Never overbooked: a hundred citizens racing for seats, retries with one idempotency key, two edge-hosts on one state dir.

use super::*;

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
    e2e::admin::assert_audit_chain_verifies(&host);
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
    e2e::admin::assert_audit_chain_verifies(&host);
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
