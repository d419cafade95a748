//! Test support for the audit log and admin tables: databases with
//! migration 0003 applied. The port doubles live in `crate::testing`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rusqlite::Connection;

pub use crate::testing::{temp_db_path, FakeClock, SeqRandom, TestDb};

/// The migration under test, byte for byte as it ships.
pub const MIGRATION_0003: &str = include_str!("../../../infra/migrations/0003_audit_admin.sql");

impl TestDb {
    /// A fresh in-memory database with migration 0003 applied.
    pub fn migrated() -> TestDb {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATION_0003).unwrap();
        TestDb::from(conn)
    }

    /// Opens (and migrates) a database file, the way a second process would.
    pub fn open_file(path: &std::path::Path) -> TestDb {
        let conn = Connection::open(path).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch(MIGRATION_0003).unwrap();
        TestDb::from(conn)
    }
}
