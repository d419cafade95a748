//! Test support for identity: databases with its migrations applied, seeded
//! and scripted randomness, and a `World` owning every port. The common port
//! doubles live in `crate::testing`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;

use super::Ports;
use crate::ports::Random;
pub use crate::testing::{remove_db, temp_db_path, FakeClock, MapSettings, TestDb};

/// Identity's migration, byte for byte as it ships.
pub const MIGRATION_0002: &str = include_str!("../../../infra/migrations/0002_identity.sql");
/// Per-network code limits (the failure counter and an index), as shipped.
pub const MIGRATION_0010: &str = include_str!("../../../infra/migrations/0010_otp_networks.sql");

/// The id-number claims `mark_verified` moves (issue 12), as it ships.
pub const MIGRATION_0008: &str = include_str!("../../../infra/migrations/0008_id_claims.sql");

/// Runs every earlier migration file, then 0002, 0008 and 0010.
pub fn migrate(conn: &Connection) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/migrations");
    let mut earlier: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    earlier.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("0001_") && n.ends_with(".sql"))
    });
    earlier.sort();
    for path in earlier {
        conn.execute_batch(&std::fs::read_to_string(&path).unwrap())
            .unwrap();
    }
    conn.execute_batch(MIGRATION_0002).unwrap();
    conn.execute_batch(MIGRATION_0008).unwrap();
    conn.execute_batch(MIGRATION_0010).unwrap();
}

impl TestDb {
    /// A fresh, migrated in-memory database.
    pub fn memory() -> TestDb {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn);
        TestDb::from(conn)
    }

    /// Creates and migrates a database file in WAL mode.
    pub fn create_file(path: &Path) -> TestDb {
        let db = TestDb::file(path);
        migrate(&db.conn.lock().unwrap());
        db
    }

    /// Opens an existing database file with a generous busy timeout, as each
    /// process (or thread) of a deployment would with its own connection.
    pub fn file(path: &Path) -> TestDb {
        let conn = Connection::open(path).unwrap();
        conn.busy_timeout(Duration::from_secs(60)).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        TestDb::from(conn)
    }
}

/// SplitMix64: deterministic, well spread, and seeded per test.
pub struct SeededRandom(Mutex<u64>);

impl SeededRandom {
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom(Mutex::new(seed))
    }
}

impl Random for SeededRandom {
    fn fill(&self, buf: &mut [u8]) {
        let mut state = self.0.lock().unwrap();
        for chunk in buf.chunks_mut(8) {
            *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = *state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

/// Hands out scripted 32-bit draws (little-endian), then zeros.
pub struct ScriptedDraws(Mutex<std::collections::VecDeque<u32>>);

impl ScriptedDraws {
    pub fn new(draws: &[u32]) -> ScriptedDraws {
        ScriptedDraws(Mutex::new(draws.iter().copied().collect()))
    }
}

impl Random for ScriptedDraws {
    fn fill(&self, buf: &mut [u8]) {
        let next = self.0.lock().unwrap().pop_front().unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = next.to_le_bytes()[i % 4];
        }
    }
}

/// The pepper every test world uses.
pub const PEPPER: &str = "test-pepper-0123456789";

/// Everything a test needs, owning its ports.
pub struct World {
    pub db: TestDb,
    pub clock: FakeClock,
    pub random: SeededRandom,
    pub settings: MapSettings,
}

/// Any fixed instant; 2026-11-29T14:05:00+07:00.
pub const T0: i64 = 1_795_935_900;

impl World {
    pub fn new() -> World {
        World::with_settings(MapSettings::default())
    }

    /// A world whose settings are `extra` plus the test pepper.
    pub fn with_settings(extra: MapSettings) -> World {
        World::on(TestDb::memory(), extra, 7)
    }

    /// A world on a given database (e.g. a shared file), seeded differently
    /// per thread so ids never collide.
    pub fn on(db: TestDb, extra: MapSettings, seed: u64) -> World {
        World {
            db,
            clock: FakeClock::at(T0),
            random: SeededRandom::new(seed),
            settings: extra.with("otp_pepper", PEPPER),
        }
    }

    pub fn ports(&self) -> Ports<'_> {
        Ports {
            sql: &self.db,
            clock: &self.clock,
            random: &self.random,
            settings: &self.settings,
        }
    }
}
