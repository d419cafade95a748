//! Test worlds for the documents domain: identity's rusqlite world (0002)
//! plus the audit/admin (0003) and documents (0004) migrations as shipped.

use crate::apikey::Issuer;
use crate::identity::test_support::{MapSettings, TestDb, World};
use crate::identity::{find_or_create_by_phone, Ports};
use crate::phone::Phone;

pub const MIGRATION_0003: &str = include_str!("../../../infra/migrations/0003_audit_admin.sql");
pub const MIGRATION_0004: &str = include_str!("../../../infra/migrations/0004_documents.sql");

/// The QR secret of every test world.
pub const QR_SECRET: &str = "test-qr-secret";

/// A fresh world with every migration documents needs.
pub fn world() -> World {
    world_with(MapSettings::default().with("qr_secret", QR_SECRET))
}

pub fn world_with(settings: MapSettings) -> World {
    let w = World::on(TestDb::memory(), settings, 11);
    w.db.raw(MIGRATION_0003);
    w.db.raw(MIGRATION_0004);
    // Issuer keys carry scopes (0009, whose backfill reads feedback: 0005).
    w.db.raw(include_str!("../../../infra/migrations/0005_feedback.sql"));
    w.db.raw(include_str!(
        "../../../infra/migrations/0009_key_scopes.sql"
    ));
    w
}

/// Another world on a shared database file (one connection per thread).
pub fn world_on_file(path: &std::path::Path, seed: u64) -> World {
    World::on(
        TestDb::file(path),
        MapSettings::default().with("qr_secret", QR_SECRET),
        seed,
    )
}

/// Creates (or finds) the account of `phone`; returns its id.
pub fn citizen(ports: Ports<'_>, phone: &str, name: Option<&str>) -> String {
    let phone = Phone::parse(phone).unwrap();
    find_or_create_by_phone(ports, &phone, name).unwrap().0.id
}

/// A registered issuer agency.
pub fn issuer(ports: Ports<'_>, code: &str) -> Issuer {
    crate::admin::create_issuer(ports.sql, ports.random, ports.clock, code, "Sở Tư pháp")
        .unwrap()
        .0
}

/// A small but real-looking PDF whose bytes differ with `tag`.
pub fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}
