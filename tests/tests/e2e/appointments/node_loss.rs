//! A node lost mid-storm (PostgreSQL + Redis setup, three nodes, whatever
//! `E2E_STORES` says): `kill -9` of one edge-host while a hundred citizens
//! book; no seat is lost or sold twice, the other nodes keep serving, and a
//! client's retry with its `Idempotency-Key` gets the booking it made.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use e2e::Backing;

use super::*;

/// The answer a citizen finally got, after retrying when the connection
/// was cut: (status, booking id or error code, how many tries).
type Outcome = (u16, String, usize);

#[test]
fn killing_a_node_during_a_booking_storm_loses_no_seat_and_sells_none_twice() {
    let host = Arc::new(app().on(Backing::fresh()).nodes(3).start());
    assert_eq!(host.node_count(), 3);
    let (doctor, _) = desks(&host);
    let people = Arc::new(citizens(&host, 700, 100));
    let s = slot(&host, &doctor, CLINIC, &day(1), "11:00", "11:30", 30);
    let id = s["id"].as_str().unwrap().to_owned();

    // The killer waits (on a condition, not a clock) until the storm is
    // under way: ten answers back, ninety requests still in the air.
    let answered = Arc::new((Mutex::new(0usize), Condvar::new()));
    let killer = {
        let (host, answered) = (host.clone(), answered.clone());
        std::thread::spawn(move || {
            let (lock, grew) = &*answered;
            let guard = grew
                .wait_timeout_while(lock.lock().unwrap(), Duration::from_secs(120), |n| *n < 10)
                .unwrap()
                .0;
            drop(guard);
            host.kill_node(1);
        })
    };
    let retried = Arc::new(AtomicUsize::new(0));
    let (h, p, slot_id, a, r) = (
        host.clone(),
        people.clone(),
        id.clone(),
        answered.clone(),
        retried.clone(),
    );
    let outcomes: Vec<Outcome> = parallel(100, move |i| {
        let key = idempotency_key(i);
        let mut tries = 0;
        let outcome = loop {
            tries += 1;
            let rb = h
                .request(Method::POST, "/api/v1/appointments")
                .bearer_auth(&p[i])
                .header("Idempotency-Key", &key)
                .json(&json!({"slot_id": slot_id}));
            match h.try_send(rb) {
                // Cut by the kill: the client cannot know whether it booked,
                // so it sends the same request again (to a live node).
                Err(_) if tries < 5 => {
                    r.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => panic!("#{i}: {e}"),
                Ok(resp) if resp.status == 201 => {
                    break (201, resp.json()["id"].as_str().unwrap().to_owned(), tries)
                }
                Ok(resp) => break (resp.status, resp.error_code(), tries),
            }
        };
        *a.0.lock().unwrap() += 1;
        a.1.notify_all();
        outcome
    });
    killer.join().unwrap();

    let booked: BTreeSet<&String> = outcomes
        .iter()
        .filter(|o| o.0 == 201)
        .map(|o| &o.1)
        .collect();
    let full = outcomes
        .iter()
        .filter(|o| (o.0, o.1.as_str()) == (409, "slot_full"))
        .count();
    assert_eq!(
        (booked.len(), full),
        (30, 70),
        "every seat sold once, every other citizen told it is full ({} retries after the kill): {outcomes:?}",
        retried.load(Ordering::Relaxed)
    );
    assert_eq!(remaining(&host, &s), 0);
    assert_seats_add_up(&host);
    let stored = db(&host).int(
        "SELECT count(*) FROM appointments WHERE slot_id = ?1 AND status <> 'cancelled'",
        e2e::params![id.as_str()],
    );
    assert_eq!(stored, 30, "no booking the clients were not told of");

    // The other nodes keep serving, each of them.
    for node in [0, 2] {
        let r = host
            .client
            .get(format!("{}/api/v1/health", host.node_url(node)))
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "node {node}");
    }
    // Every winner retrying with its key gets its own booking back, from
    // whichever live node answers.
    for (i, o) in outcomes.iter().enumerate().filter(|(_, o)| o.0 == 201) {
        let rb = host
            .request(Method::POST, "/api/v1/appointments")
            .bearer_auth(&people[i])
            .header("Idempotency-Key", idempotency_key(i))
            .json(&json!({"slot_id": id}));
        let again = host.send(rb);
        assert_eq!(again.status, 201, "#{i}: {}", again.text());
        assert_eq!(again.json()["id"].as_str(), Some(o.1.as_str()), "#{i}");
        assert!(again.header("idempotent-replayed").is_some(), "#{i}");
    }
    assert_seats_add_up(&host);
    e2e::admin::assert_audit_chain_verifies(&host);
}

/// Citizen `i`'s idempotency key (a UUID, as a client makes one).
fn idempotency_key(i: usize) -> String {
    format!("5f1c7e2a-0b3d-4e8f-9a6b-{i:012}")
}
