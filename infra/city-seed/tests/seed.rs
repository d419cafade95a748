//! A small city seeded into SQLite and PostgreSQL: the rows keep the
//! invariants the app relies on (seats, the audit chain, unique codes), the
//! same seed gives the same city, and a seed extends a chain already there.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;

use cds_shared::audit::chain::{entry_hash, HashInput, GENESIS_HASH};
use city_seed::{seed, Plan, Target};

/// One audit row: seq, at, actor, action, subject, detail, prev_hash, hash.
type Entry = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

const NOW: i64 = 1_796_000_000;
const PLAN: Plan = Plan {
    citizens: 300,
    seed: 7,
};

fn seeded_sqlite(plan: Plan) -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("city.db");
    seed(&Target::Sqlite(path.clone()), plan, NOW).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    (dir, conn)
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every free-seat count equals capacity minus the bookings holding a
/// seat, as the booking statements and seat triggers keep it.
const SEAT_MISMATCHES: &str = "SELECT count(*) FROM appointment_slots s WHERE remaining <> \
     capacity - (SELECT count(*) FROM appointments a WHERE a.slot_id = s.id AND a.status <> 'cancelled')";

/// Recomputes the whole chain from the genesis hash.
fn chain_breaks(rows: Vec<Entry>) -> usize {
    let mut prev = GENESIS_HASH.to_string();
    let mut breaks = 0;
    for (i, (seq, at, actor, action, subject, detail, prev_hash, hash)) in
        rows.into_iter().enumerate()
    {
        let recomputed = entry_hash(&HashInput {
            prev_hash: &prev_hash,
            seq,
            at,
            actor: &actor,
            action: &action,
            subject: subject.as_deref(),
            detail: &detail,
        });
        if seq != i as i64 + 1 || prev_hash != prev || recomputed != hash {
            breaks += 1;
        }
        prev = hash;
    }
    breaks
}

fn sqlite_chain(conn: &rusqlite::Connection) -> Vec<Entry> {
    let mut stmt = conn
        .prepare("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_seeded_city_has_its_rows_and_keeps_the_apps_invariants() {
    let (_dir, conn) = seeded_sqlite(PLAN);
    assert_eq!(count(&conn, "SELECT count(*) FROM citizens"), 300);
    assert_eq!(count(&conn, "SELECT count(*) FROM documents"), 1_500);
    assert_eq!(count(&conn, "SELECT count(*) FROM feedback"), 600);
    assert_eq!(count(&conn, "SELECT count(*) FROM appointments"), 900);
    assert_eq!(count(&conn, "SELECT count(*) FROM audit_log"), 6_000);
    // The history is not news: no notice waits to be sent for it.
    assert_eq!(count(&conn, "SELECT count(*) FROM notifications"), 0);
    assert_eq!(count(&conn, SEAT_MISMATCHES), 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM appointment_slots WHERE remaining < 0"
        ),
        0
    );
    assert_eq!(chain_breaks(sqlite_chain(&conn)), 0);
    // Each document's digest is of its content, as uploads are checked.
    let mut stmt = conn
        .prepare("SELECT content, sha256, size FROM documents")
        .unwrap();
    let docs: Vec<(Vec<u8>, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(docs
        .iter()
        .all(|(c, sha, size)| cds_shared::hex::sha256_hex(c) == *sha && c.len() as i64 == *size));
    // Feedback numbers run from 1 in each year, without gaps.
    assert_eq!(
        count(&conn, "SELECT count(*) FROM (SELECT year FROM feedback GROUP BY year HAVING max(seq) <> count(*))"),
        0
    );
}

#[test]
fn the_indexes_dropped_for_the_load_are_all_built_again() {
    let names = |conn: &rusqlite::Connection| {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    let (_dir, seeded) = seeded_sqlite(Plan {
        citizens: 10,
        seed: 1,
    });
    let fresh = rusqlite::Connection::open_in_memory().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for f in files {
        fresh
            .execute_batch(&std::fs::read_to_string(f).unwrap())
            .unwrap();
    }
    assert!(names(&fresh).len() > 40);
    assert_eq!(names(&seeded), names(&fresh));
    // And the notice triggers dropped for it, so the app's changes notify.
    let triggers = |conn: &rusqlite::Connection| {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    assert!(triggers(&fresh)
        .iter()
        .any(|t| t == "notify_appointment_booked"));
    assert_eq!(triggers(&seeded), triggers(&fresh));
}

#[test]
fn the_same_seed_gives_the_same_city_and_another_seed_another() {
    let ids = |plan| {
        let (_dir, conn) = seeded_sqlite(plan);
        let mut stmt = conn
            .prepare("SELECT id FROM documents ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    let first = ids(PLAN);
    assert_eq!(first, ids(PLAN));
    assert_ne!(first, ids(Plan { seed: 8, ..PLAN }));
}

#[test]
fn seeding_extends_the_audit_chain_the_app_already_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("city.db");
    let small = Plan {
        citizens: 20,
        seed: 1,
    };
    seed(&Target::Sqlite(path.clone()), small, NOW).unwrap();
    // A second city on the same chain (other phones would be needed for a
    // second full seed, so only the audit part is compared).
    let conn = rusqlite::Connection::open(&path).unwrap();
    let before = count(&conn, "SELECT count(*) FROM audit_log");
    conn.execute_batch("DELETE FROM citizens; DELETE FROM sessions; DELETE FROM documents; DELETE FROM feedback; \
         DROP TRIGGER appointments_release_seat; DELETE FROM appointments; DELETE FROM appointment_slots; \
         DELETE FROM units; DELETE FROM services; DELETE FROM feedback_categories; DELETE FROM issuers;")
        .unwrap();
    drop(conn);
    seed(
        &Target::Sqlite(path.clone()),
        Plan { seed: 2, ..small },
        NOW,
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM audit_log"), 2 * before);
    assert_eq!(chain_breaks(sqlite_chain(&conn)), 0);
}

#[test]
fn a_seeded_city_on_postgresql_keeps_the_same_invariants() {
    let url = test_stores::Postgres::shared().fresh_database();
    seed(&Target::Postgres(url.clone()), PLAN, NOW).unwrap();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let count =
        |c: &mut postgres::Client, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(count(&mut c, "SELECT count(*) FROM citizens"), 300);
    assert_eq!(count(&mut c, "SELECT count(*) FROM documents"), 1_500);
    assert_eq!(count(&mut c, "SELECT count(*) FROM appointments"), 900);
    assert_eq!(count(&mut c, "SELECT count(*) FROM notifications"), 0);
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'notify_appointment_booked'"
        ),
        1,
        "the notice triggers are back after the load"
    );
    assert_eq!(count(&mut c, SEAT_MISMATCHES), 0);
    let rows = c
        .query("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7)))
        .collect::<Vec<_>>();
    assert_eq!(rows.len(), 6_000);
    assert_eq!(chain_breaks(rows), 0);
    // The blobs arrived as bytes, not as their escaped text.
    let (content, sha): (Vec<u8>, String) = {
        let r = c
            .query_one("SELECT content, sha256 FROM documents LIMIT 1", &[])
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert!(content.starts_with(b"%PDF-"));
    assert_eq!(cds_shared::hex::sha256_hex(&content), sha);
    // Vietnamese text survives COPY's escaping.
    let names: Vec<String> = c
        .query("SELECT full_name FROM citizens", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(names
        .iter()
        .any(|n| n.contains('ễ') || n.contains('ầ') || n.contains('ạ') || n.contains('ị')));
}

#[test]
fn ticket_codes_of_a_city_are_distinct() {
    let (_dir, conn) = seeded_sqlite(Plan {
        citizens: 2_000,
        seed: 3,
    });
    let mut stmt = conn
        .prepare("SELECT ticket_code FROM appointments")
        .unwrap();
    let codes: HashSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(codes.len(), 6_000);
    assert!(codes.iter().all(|c| c.len() == 8
        && c.bytes()
            .all(|b| cds_shared::appointments::ticket::ALPHABET.contains(&b))));
}
