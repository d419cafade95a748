//! Test databases for keys: identity (0002), audit/admin (0003), documents
//! (0004), feedback (0005) — the tables 0009's backfill reads — and 0009.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::identity::test_support::{MapSettings, TestDb, World};

pub const MIGRATION_0003: &str = include_str!("../../../infra/migrations/0003_audit_admin.sql");
pub const MIGRATION_0004: &str = include_str!("../../../infra/migrations/0004_documents.sql");
pub const MIGRATION_0005: &str = include_str!("../../../infra/migrations/0005_feedback.sql");
/// The migration under test, byte for byte as it ships.
pub const MIGRATION_0009: &str = include_str!("../../../infra/migrations/0009_key_scopes.sql");

/// Applies everything after identity's 0002, in order.
pub fn migrate_keys(db: &TestDb) {
    for m in [
        MIGRATION_0003,
        MIGRATION_0004,
        MIGRATION_0005,
        MIGRATION_0009,
    ] {
        db.raw(m);
    }
}

/// A fresh in-memory database with every migration keys touch.
pub fn key_db() -> TestDb {
    let db = TestDb::memory();
    migrate_keys(&db);
    db
}

/// A test world (ports for identity too) on such a database.
pub fn key_world() -> World {
    let w = World::on(TestDb::memory(), MapSettings::default(), 5);
    migrate_keys(&w.db);
    w
}
