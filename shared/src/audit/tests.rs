//! Behaviour of the audit log against the real migration on SQLite.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::ports::Sql;
use crate::testing::{temp_db_path, FakeClock, TestDb};

fn log_with(n: i64) -> (TestDb, FakeClock) {
    let db = TestDb::memory();
    let clock = FakeClock::at(1_700_000_000);
    for i in 0..n {
        let subject = if i % 2 == 0 {
            Some(format!("citizen-{}", i % 3))
        } else {
            None
        };
        let mut e = Entry::by_name(format!("official:{i}"), action::QR_VERIFIED)
            .detail(json!({"unit": "ubnd-hai-chau", "i": i}));
        e.subject = subject;
        append(&db, &clock, e).unwrap();
        clock.advance(1);
    }
    (db, clock)
}

/// Lets a test tamper with rows the triggers would otherwise protect.
pub(super) fn drop_guards(db: &TestDb) {
    // PostgreSQL names a trigger with its table; SQLite refuses the ON.
    let on = if db.is_postgres() {
        " ON audit_log"
    } else {
        ""
    };
    db.raw(&format!(
        "DROP TRIGGER audit_log_no_update{on}; DROP TRIGGER audit_log_no_delete{on};"
    ));
}

/// What a walk of an empty log reports.
pub(super) fn empty_log_report() -> VerifyReport {
    VerifyReport {
        ok: true,
        entries: 0,
        first_bad_seq: None,
        head_hash: None,
        complete: true,
        verified_from: 0,
        verified_through: 0,
        checkpoint_seq: None,
        rejected_checkpoints: 0,
        rejected: vec![],
    }
}

#[test]
fn empty_log_verifies() {
    let db = TestDb::memory();
    assert_eq!(verify(&db).unwrap(), empty_log_report());
}

#[test]
fn first_entry_links_to_genesis_and_the_next_to_it() {
    let db = TestDb::memory();
    let clock = FakeClock::at(10);
    let a = append(
        &db,
        &clock,
        Entry::by_name("system", action::LOGIN).about("c1"),
    )
    .unwrap();
    let b = append(&db, &clock, Entry::by_name("system", action::LOGOUT)).unwrap();
    assert_eq!((a.seq, a.prev_hash.as_str()), (1, GENESIS_HASH));
    assert_eq!((b.seq, &b.prev_hash), (2, &a.hash));
    assert_eq!(a.at, 10);
}

#[test]
fn chain_of_many_rows_verifies_across_pages() {
    let (db, _) = log_with(1203);
    let r = verify(&db).unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.entries, 1203);
    let tail = db
        .execute("SELECT hash FROM audit_log WHERE seq = 1203", &[])
        .unwrap();
    assert_eq!(r.head_hash.as_deref(), tail.rows[0][0].as_str());
}

#[test]
fn detail_is_stored_canonical_and_secrets_are_redacted() {
    let db = TestDb::memory();
    let clock = FakeClock::at(1);
    let rec = append(
        &db,
        &clock,
        Entry::by_name("citizen:1", action::LOGIN)
            .detail(json!({"z": 1, "token": "s3cr3t", "a": "b"})),
    )
    .unwrap();
    assert_eq!(rec.detail, r#"{"a":"b","token":"[redacted]","z":1}"#);
    assert!(verify(&db).unwrap().ok);
}

#[test]
fn triggers_refuse_update_and_delete() {
    let (db, _) = log_with(2);
    assert!(db
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", &[])
        .is_err());
    assert!(db
        .execute("DELETE FROM audit_log WHERE seq = 1", &[])
        .is_err());
}

#[test]
fn altering_any_field_of_any_row_fails_verify_at_that_seq() {
    let edits = [
        "at = at + 1",
        "actor = 'official:evil'",
        "action = 'login'",
        "subject = 'someone-else'",
        "subject = CASE WHEN subject IS NULL THEN '' ELSE NULL END",
        "detail = '{\"i\":999}'",
        "prev_hash = CASE WHEN substr(prev_hash, 1, 1) = '0' THEN '1' ELSE '0' END || substr(prev_hash, 2)",
        "hash = CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END || substr(hash, 2)",
        "seq = seq + 100000",
        "at = 'noon'",
    ];
    for seq in [1i64, 4, 7] {
        for edit in edits {
            let (db, _) = log_with(7);
            // A text in an integer column only SQLite can store.
            if edit == "at = 'noon'" && db.is_postgres() {
                continue;
            }
            drop_guards(&db);
            db.raw(&format!("UPDATE audit_log SET {edit} WHERE seq = {seq}"));
            let r = verify(&db).unwrap();
            assert!(!r.ok, "edit `{edit}` on seq {seq} went unnoticed");
            assert_eq!(r.first_bad_seq, Some(seq), "edit `{edit}` on seq {seq}");
        }
    }
}

#[test]
fn deleting_a_row_fails_verify_at_its_seq() {
    for seq in [1i64, 3] {
        let (db, _) = log_with(5);
        drop_guards(&db);
        db.raw(&format!("DELETE FROM audit_log WHERE seq = {seq}"));
        let r = verify(&db).unwrap();
        assert_eq!((r.ok, r.first_bad_seq), (false, Some(seq)));
    }
}

#[test]
fn rewriting_a_row_with_a_fresh_hash_still_breaks_the_next_link() {
    let (db, _) = log_with(4);
    drop_guards(&db);
    // A tamperer who recomputes row 2's hash still cannot fix row 3's prev_hash
    // without rewriting every later row.
    let rows = db
        .execute(
            &format!("SELECT {} FROM audit_log WHERE seq = 2", store::COLUMNS),
            &[],
        )
        .unwrap();
    let mut rec = store::record_from_row(&rows.rows[0]).unwrap();
    rec.actor = "official:evil".into();
    let h = chain::entry_hash(&chain::HashInput {
        prev_hash: &rec.prev_hash,
        seq: rec.seq,
        at: rec.at,
        actor: &rec.actor,
        action: &rec.action,
        subject: rec.subject.as_deref(),
        detail: &rec.detail,
    });
    db.raw(&format!(
        "UPDATE audit_log SET actor = 'official:evil', hash = '{h}' WHERE seq = 2"
    ));
    assert_eq!(verify(&db).unwrap().first_bad_seq, Some(3));
}

#[test]
fn entries_about_returns_a_citizens_rows_newest_first_with_cursor() {
    let db = TestDb::memory();
    let clock = FakeClock::at(100);
    for i in 0..5 {
        append(
            &db,
            &clock,
            Entry::by_name("official:1", action::SHARE_USED)
                .about("c1")
                .detail(json!({"i": i})),
        )
        .unwrap();
        append(
            &db,
            &clock,
            Entry::by_name("official:1", action::SHARE_USED).about("c2"),
        )
        .unwrap();
    }
    let first = entries_about(&db, "c1", 3, None).unwrap();
    let seqs: Vec<i64> = first.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![9, 7, 5]);
    assert_eq!(first[0].detail_value(), json!({"i": 4}));
    let next = entries_about(&db, "c1", 3, Some(5)).unwrap();
    assert_eq!(next.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![3, 1]);
    assert!(entries_about(&db, "nobody", 3, None).unwrap().is_empty());
}

#[test]
fn concurrent_appends_from_separate_connections_keep_one_chain() {
    let path = temp_db_path("audit-concurrency");
    drop(TestDb::create_file(&path));
    let clock = Arc::new(FakeClock::at(1_700_000_000));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let path = path.clone();
            let clock = Arc::clone(&clock);
            std::thread::spawn(move || {
                let db = TestDb::create_file(&path);
                for i in 0..25 {
                    append(
                        &db,
                        clock.as_ref(),
                        Entry::by_name(format!("thread:{t}"), action::DOCUMENT_ACCESSED)
                            .detail(json!({"i": i})),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let db = TestDb::create_file(&path);
    let r = verify(&db).unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.entries, 200);
    let distinct = db
        .execute(
            "SELECT COUNT(DISTINCT prev_hash), COUNT(DISTINCT actor || detail) FROM audit_log",
            &[],
        )
        .unwrap();
    assert_eq!(distinct.rows[0][0].as_i64(), Some(200));
    assert_eq!(distinct.rows[0][1].as_i64(), Some(200));
    drop(db);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The tail as a statement reads it with [`TAIL_COLUMNS`].
fn prefetched_tail(db: &TestDb) -> Tail {
    let rows = db.execute(&format!("SELECT {TAIL_COLUMNS}"), &[]).unwrap();
    Tail::from_row(&crate::rows::first(&rows).unwrap()).unwrap()
}

#[test]
fn a_prefetched_tail_links_the_entry_and_an_empty_log_reads_as_genesis() {
    let db = TestDb::memory();
    let clock = FakeClock::at(10);
    let empty = prefetched_tail(&db);
    assert_eq!((empty.seq, empty.hash.as_str()), (0, GENESIS_HASH));
    let a = append_all(
        &db,
        &clock,
        Some(empty),
        vec![Entry::by_name("system", action::LOGIN)],
    )
    .unwrap();
    let tail = prefetched_tail(&db);
    assert_eq!((tail.seq, &tail.hash), (1, &a[0].hash));
    let b = append_all(
        &db,
        &clock,
        Some(tail),
        vec![Entry::by_name("system", action::LOGOUT)],
    )
    .unwrap();
    assert_eq!((b[0].seq, &b[0].prev_hash), (2, &a[0].hash));
    assert!(verify(&db).unwrap().ok);
}

#[test]
fn a_stale_prefetched_tail_costs_a_retry_never_a_fork() {
    let (db, clock) = log_with(3);
    let stale = prefetched_tail(&db);
    // Another writer extends the chain after the tail was read.
    append(&db, &clock, Entry::by_name("system", action::LOGIN)).unwrap();
    let late = append_all(
        &db,
        &clock,
        Some(stale),
        vec![Entry::by_name("system", action::LOGOUT)],
    )
    .unwrap();
    assert_eq!(late[0].seq, 5);
    let r = verify(&db).unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.entries, 5);
}

#[test]
fn several_entries_land_together_in_order() {
    let (db, clock) = log_with(2);
    let stored = append_all(
        &db,
        &clock,
        None,
        vec![
            Entry::by_name("system", action::SIGNUP),
            Entry::by_name("system", action::LOGIN),
        ],
    )
    .unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|r| (r.seq, r.action.as_str()))
            .collect::<Vec<_>>(),
        [(3, action::SIGNUP), (4, action::LOGIN)]
    );
    assert_eq!(stored[1].prev_hash, stored[0].hash);
    assert!(verify(&db).unwrap().ok);
}
