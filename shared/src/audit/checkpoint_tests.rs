//! Incremental verification from checkpoints (`checkpoint.rs`), against the
//! real migrations on SQLite (and PostgreSQL with `CDS_TEST_SQL=postgres`).

use std::sync::{Arc, Barrier};

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::tests::drop_guards;
use super::*;
use crate::ports::{Sql, SqlValue};
use crate::testing::{remove_db, temp_db_path, FakeClock, MapSettings, TestDb};

const SECRET: &str = "test-token-secret-0123456789abcdef";

fn key() -> CheckpointKey {
    CheckpointKey::derive(SECRET.as_bytes())
}

fn append_n(db: &TestDb, clock: &FakeClock, n: usize) {
    for i in 0..n {
        append(
            db,
            clock,
            Entry::by_name(format!("official:{i}"), action::QR_VERIFIED)
                .about(format!("citizen-{}", i % 7))
                .detail(json!({"i": i})),
        )
        .unwrap();
        clock.advance(1);
    }
}

fn log_with(n: usize) -> (TestDb, FakeClock) {
    let db = TestDb::memory();
    let clock = FakeClock::at(1_700_000_000);
    append_n(&db, &clock, n);
    (db, clock)
}

fn run(db: &TestDb, clock: &FakeClock, start: Start, budget: u64) -> VerifyReport {
    verify_incremental(db, clock, &key(), start, budget).unwrap()
}

fn hash_at(db: &TestDb, seq: i64) -> String {
    let rows = db
        .execute(
            "SELECT hash FROM audit_log WHERE seq = ?",
            &[SqlValue::Integer(seq)],
        )
        .unwrap();
    rows.rows[0][0].as_str().unwrap().to_owned()
}

fn checkpoints(db: &TestDb) -> Vec<i64> {
    db.execute("SELECT seq FROM audit_checkpoints ORDER BY seq, mac", &[])
        .unwrap()
        .rows
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect()
}

fn plant(db: &TestDb, seq: i64, hash: &str, mac: &str) {
    db.execute(
        "INSERT INTO audit_checkpoints (seq, hash, mac, created_at) VALUES (?, ?, ?, 0)",
        &[SqlValue::Integer(seq), hash.into(), mac.into()],
    )
    .unwrap();
}

#[test]
fn a_budgeted_walk_continues_across_calls_from_its_checkpoints() {
    let (db, clock) = log_with(1203);
    let mut seen = vec![];
    for _ in 0..3 {
        let r = run(&db, &clock, Start::Newest, 500);
        assert!(r.ok, "{r:?}");
        seen.push((
            r.verified_from,
            r.verified_through,
            r.entries,
            r.complete,
            r.checkpoint_seq,
        ));
        assert_eq!(r.head_hash, Some(hash_at(&db, r.verified_through)));
        assert_eq!(r.rejected_checkpoints, 0);
    }
    assert_eq!(
        seen,
        [
            (0, 500, 500, false, Some(500)),
            (500, 1000, 1000, false, Some(1000)),
            (1000, 1203, 1203, true, Some(1203)),
        ]
    );
    // Nothing new: nothing walked, nothing written, still the whole chain.
    let idle = run(&db, &clock, Start::Newest, 500);
    assert_eq!(
        (
            idle.ok,
            idle.complete,
            idle.verified_from,
            idle.verified_through,
            idle.entries,
            idle.checkpoint_seq
        ),
        (true, true, 1203, 1203, 1203, None)
    );
    assert_eq!(idle.head_hash, Some(hash_at(&db, 1203)));
    // The log grows: only the new rows are walked.
    append_n(&db, &clock, 7);
    let next = run(&db, &clock, Start::Newest, 500);
    assert_eq!(
        (next.verified_from, next.verified_through, next.complete),
        (1203, 1210, true)
    );
    assert_eq!(checkpoints(&db), [500, 1000, 1203, 1210]);
}

#[test]
fn a_budget_that_ends_exactly_at_the_tail_is_complete() {
    let (db, clock) = log_with(40);
    let r = run(&db, &clock, Start::Newest, 20);
    assert_eq!((r.verified_through, r.complete), (20, false));
    let r = run(&db, &clock, Start::Newest, 20);
    assert_eq!((r.verified_through, r.complete), (40, true));
}

#[test]
fn an_empty_log_verifies_and_writes_no_checkpoint() {
    let db = TestDb::memory();
    let clock = FakeClock::at(1);
    let r = run(&db, &clock, Start::Newest, 10);
    assert_eq!(r, super::tests::empty_log_report());
    assert!(checkpoints(&db).is_empty());
}

#[test]
fn a_forged_checkpoint_is_rejected_and_reported() {
    let (db, clock) = log_with(30);
    assert_eq!(run(&db, &clock, Start::Newest, 10).checkpoint_seq, Some(10));
    // Someone with database access but not the secret claims rows up to 25
    // were verified: right hash, MAC under another key, and one of garbage.
    let forged =
        CheckpointKey::derive(b"another-secret-0123456789abcdef").mac(25, &hash_at(&db, 25));
    plant(&db, 25, &hash_at(&db, 25), &forged);
    plant(&db, 28, &hash_at(&db, 28), "not a mac");
    let r = run(&db, &clock, Start::Newest, 100);
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.verified_from, 10,
        "the walk must not trust a forged checkpoint"
    );
    assert_eq!(r.verified_through, 30);
    assert_eq!(r.rejected_checkpoints, 2);
    assert_eq!(
        r.rejected,
        [
            RejectedCheckpoint {
                seq: 28,
                reason: RejectReason::Mac
            },
            RejectedCheckpoint {
                seq: 25,
                reason: RejectReason::Mac
            },
        ]
    );
}

#[test]
fn a_forged_checkpoint_at_the_next_stop_does_not_block_the_genuine_one() {
    let (db, clock) = log_with(20);
    plant(&db, 20, &hash_at(&db, 20), &"0".repeat(64));
    let r = run(&db, &clock, Start::Genesis, 100);
    assert_eq!((r.ok, r.checkpoint_seq), (true, Some(20)));
    assert_eq!(checkpoints(&db), [20, 20]);
    // The next walk starts from the genuine one and still reports nothing
    // newer to reject (the forged one sits at the same seq, after it).
    let next = run(&db, &clock, Start::Newest, 100);
    assert_eq!(next.verified_from, 20, "{next:?}");
}

#[test]
fn a_checkpoint_whose_row_changed_is_rejected_and_the_edit_found() {
    for edit in [
        "actor = 'official:evil'",
        "hash = CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END || substr(hash, 2)",
    ] {
        let (db, clock) = log_with(20);
        run(&db, &clock, Start::Newest, 10);
        run(&db, &clock, Start::Newest, 10);
        assert_eq!(checkpoints(&db), [10, 20]);
        drop_guards(&db);
        db.raw(&format!("UPDATE audit_log SET {edit} WHERE seq = 20"));
        let r = run(&db, &clock, Start::Newest, 100);
        assert_eq!(
            r.rejected,
            [RejectedCheckpoint {
                seq: 20,
                reason: RejectReason::Row
            }],
            "{edit}"
        );
        assert_eq!(r.verified_from, 10, "{edit}");
        assert_eq!((r.ok, r.first_bad_seq), (false, Some(20)), "{edit}");
        assert_eq!(r.head_hash, None);
    }
}

#[test]
fn truncating_checkpointed_rows_is_reported() {
    let (db, clock) = log_with(20);
    run(&db, &clock, Start::Newest, 10);
    run(&db, &clock, Start::Newest, 10);
    drop_guards(&db);
    db.raw("DELETE FROM audit_log WHERE seq > 15");
    let r = run(&db, &clock, Start::Newest, 100);
    // The chain that is left is intact, but the checkpoint at 20 names a row
    // that is gone: the newest rows were removed after being verified.
    assert!(r.ok, "{r:?}");
    assert_eq!((r.verified_from, r.verified_through), (10, 15));
    assert_eq!(
        r.rejected,
        [RejectedCheckpoint {
            seq: 20,
            reason: RejectReason::Row
        }]
    );
}

#[test]
fn an_edit_after_the_checkpoint_is_found_incrementally_and_no_checkpoint_written() {
    let (db, clock) = log_with(10);
    assert_eq!(
        run(&db, &clock, Start::Newest, 100).checkpoint_seq,
        Some(10)
    );
    append_n(&db, &clock, 10);
    drop_guards(&db);
    db.raw("UPDATE audit_log SET detail = '{\"i\":999}' WHERE seq = 15");
    for _ in 0..2 {
        let r = run(&db, &clock, Start::Newest, 100);
        assert_eq!((r.ok, r.first_bad_seq), (false, Some(15)), "{r:?}");
        assert_eq!((r.verified_from, r.verified_through), (10, 14));
        assert_eq!((r.entries, r.complete, r.checkpoint_seq), (14, true, None));
    }
    assert_eq!(checkpoints(&db), [10], "a broken walk must write nothing");
}

#[test]
fn an_edit_before_the_checkpoint_is_found_by_the_full_walk_only() {
    let (db, clock) = log_with(20);
    run(&db, &clock, Start::Newest, 100);
    drop_guards(&db);
    db.raw("UPDATE audit_log SET actor = 'official:evil' WHERE seq = 5");
    // Incremental verification does not re-read rows below its checkpoint
    // (docs/consistency.md says so): the edit goes unseen there…
    let r = run(&db, &clock, Start::Newest, 100);
    assert!(r.ok && r.verified_from == 20, "{r:?}");
    // …and a walk from genesis finds it, budgeted or not.
    let full = run(&db, &clock, Start::Genesis, 100);
    assert_eq!((full.ok, full.first_bad_seq), (false, Some(5)));
    assert_eq!((full.verified_from, full.verified_through), (0, 4));
    assert_eq!(verify(&db).unwrap().first_bad_seq, Some(5));
}

#[test]
fn a_full_walk_continues_from_the_checkpoint_it_wrote() {
    let (db, clock) = log_with(25);
    // A newer checkpoint exists; the full walk ignores it.
    run(&db, &clock, Start::Newest, 100);
    let first = run(&db, &clock, Start::Genesis, 10);
    assert_eq!(
        (first.verified_from, first.verified_through, first.complete),
        (0, 10, false)
    );
    let second = run(&db, &clock, Start::Checkpoint(first.verified_through), 10);
    assert_eq!(
        (
            second.verified_from,
            second.verified_through,
            second.complete
        ),
        (10, 20, false)
    );
    let third = run(&db, &clock, Start::Checkpoint(second.verified_through), 10);
    assert_eq!(
        (
            third.ok,
            third.verified_from,
            third.verified_through,
            third.complete
        ),
        (true, 20, 25, true)
    );
    // From 0 is genesis; from a seq with no valid checkpoint is refused.
    assert_eq!(run(&db, &clock, Start::Checkpoint(0), 5).verified_from, 0);
    assert_eq!(
        verify_incremental(&db, &clock, &key(), Start::Checkpoint(13), 5),
        Err(VerifyError::NotACheckpoint(13))
    );
    plant(&db, 13, &hash_at(&db, 13), "forged");
    assert_eq!(
        verify_incremental(&db, &clock, &key(), Start::Checkpoint(13), 5),
        Err(VerifyError::NotACheckpoint(13))
    );
}

#[test]
fn a_new_token_secret_rejects_old_checkpoints_and_starts_over() {
    let (db, clock) = log_with(12);
    run(&db, &clock, Start::Newest, 5);
    run(&db, &clock, Start::Newest, 5);
    let rotated = CheckpointKey::derive(b"rotated-token-secret-0123456789abcdef");
    let r = verify_incremental(&db, &clock, &rotated, Start::Newest, 100).unwrap();
    assert_eq!((r.ok, r.verified_from, r.verified_through), (true, 0, 12));
    assert_eq!(r.rejected_checkpoints, 2);
    assert!(r.rejected.iter().all(|c| c.reason == RejectReason::Mac));
    let again = verify_incremental(&db, &clock, &rotated, Start::Newest, 100).unwrap();
    assert_eq!((again.verified_from, again.rejected_checkpoints), (12, 0));
}

#[test]
fn checkpoints_are_append_only() {
    let (db, clock) = log_with(3);
    run(&db, &clock, Start::Newest, 10);
    assert!(db
        .execute("UPDATE audit_checkpoints SET seq = 2", &[])
        .is_err());
    assert!(db.execute("DELETE FROM audit_checkpoints", &[]).is_err());
    assert_eq!(checkpoints(&db), [3]);
}

#[test]
fn the_mac_is_the_documented_hmac_under_the_derived_key() {
    let hash = "ab".repeat(32);
    let mut derive = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    derive.update(b"cds audit checkpoint v1");
    let derived = derive.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&derived).unwrap();
    mac.update(format!("23:cds-audit-checkpoint-v1,2:42,64:{hash},").as_bytes());
    let expected = crate::hex::encode(&mac.finalize().into_bytes());
    assert_eq!(key().mac(42, &hash), expected);
    assert_ne!(key().mac(43, &hash), expected);
}

#[test]
fn the_key_comes_from_token_secret_with_a_development_fallback_only() {
    let padded = MapSettings::default().with("token_secret", &format!(" {SECRET}\n"));
    let hash = "cd".repeat(32);
    assert_eq!(
        CheckpointKey::from_settings(&padded).unwrap().mac(1, &hash),
        key().mac(1, &hash),
        "a trailing newline is not part of the secret"
    );
    assert!(CheckpointKey::from_settings(&MapSettings::default()).is_none());
    let blank = MapSettings::default().with("token_secret", "  ");
    assert!(CheckpointKey::from_settings(&blank).is_none());
    let dev = MapSettings::default().with("dev_mode", "true");
    let dev_key = CheckpointKey::from_settings(&dev).unwrap();
    assert_ne!(dev_key.mac(1, &hash), key().mac(1, &hash));
    assert_eq!(format!("{dev_key:?}"), "CheckpointKey(..)");
}

#[test]
fn concurrent_verifiers_write_one_checkpoint_while_appenders_keep_appending() {
    let path = temp_db_path("audit-checkpoint-concurrency");
    let setup = TestDb::create_file(&path);
    let clock = Arc::new(FakeClock::at(1_700_000_000));
    append_n(&setup, &clock, 300);
    const VERIFIERS: usize = 6;
    const APPENDERS: usize = 2;
    let barrier = Arc::new(Barrier::new(VERIFIERS + APPENDERS));
    let verifiers: Vec<_> = (0..VERIFIERS)
        .map(|_| {
            let (path, clock, barrier) = (path.clone(), Arc::clone(&clock), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let db = TestDb::file(&path);
                barrier.wait();
                // All walk the same 300 rows from genesis and race to write
                // the same checkpoint at 300.
                verify_incremental(&db, clock.as_ref(), &key(), Start::Genesis, 300).unwrap()
            })
        })
        .collect();
    let appenders: Vec<_> = (0..APPENDERS)
        .map(|t| {
            let (path, clock, barrier) = (path.clone(), Arc::clone(&clock), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let db = TestDb::file(&path);
                barrier.wait();
                for i in 0..20 {
                    append(
                        &db,
                        clock.as_ref(),
                        Entry::by_name(format!("thread:{t}"), action::LOGIN)
                            .detail(json!({"i": i})),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for v in verifiers {
        let r = v.join().unwrap();
        assert!(r.ok, "{r:?}");
        assert_eq!((r.verified_through, r.checkpoint_seq), (300, Some(300)));
    }
    for a in appenders {
        a.join().unwrap();
    }
    assert_eq!(checkpoints(&setup), [300], "one row however many wrote it");
    let after = run(&setup, &clock, Start::Newest, 1000);
    assert!(after.ok, "{after:?}");
    assert_eq!((after.verified_from, after.verified_through), (300, 340));
    drop(setup);
    remove_db(&path);
}
