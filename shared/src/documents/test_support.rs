//! Documents' fixtures on the one test world ([`crate::testing`]): worlds
//! with the QR secret set, and a small real-looking PDF.

use crate::testing::{MapSettings, TestDb, World};

pub use crate::testing::{citizen, issuer};

/// The QR secret of every test world.
pub const QR_SECRET: &str = "test-qr-secret";

/// A fresh world with the QR secret set.
pub fn world() -> World {
    world_with(MapSettings::default().with("qr_secret", QR_SECRET))
}

/// A fresh world with exactly `settings` (plus the test pepper).
pub fn world_with(settings: MapSettings) -> World {
    World::on(TestDb::memory(), settings, 11)
}

/// Another world on a shared database file (one connection per thread).
pub fn world_on_file(path: &std::path::Path, seed: u64) -> World {
    World::on(
        TestDb::file(path),
        MapSettings::default().with("qr_secret", QR_SECRET),
        seed,
    )
}

/// A small but real-looking PDF whose bytes differ with `tag`.
pub fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}
