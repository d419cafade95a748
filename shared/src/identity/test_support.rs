//! Test doubles for identity: the `Sql` port over rusqlite with the real
//! migrations applied, a settable clock, seeded randomness and map settings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, ErrorCode};

use super::Ports;
use crate::ports::{Clock, Random, Settings, Sql, SqlRows, SqlValue, StoreError};

/// Identity's migration, byte for byte as it ships.
pub const MIGRATION_0002: &str = include_str!("../../../infra/migrations/0002_identity.sql");

/// Runs `0001_*.sql` (if the lead has written it) and then 0002.
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
}

/// A rusqlite connection behind the `Sql` port. The mutex only makes it
/// `Sync`; concurrency tests open one per thread or process.
pub struct TestDb {
    conn: Mutex<Connection>,
}

impl TestDb {
    /// A fresh, migrated in-memory database.
    pub fn memory() -> TestDb {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn);
        TestDb {
            conn: Mutex::new(conn),
        }
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
        TestDb {
            conn: Mutex::new(conn),
        }
    }

    /// Reads one integer with raw SQL, for assertions on stored state.
    pub fn scalar(&self, sql: &str) -> i64 {
        self.conn
            .lock()
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    /// Runs raw SQL around the port.
    pub fn raw(&self, sql: &str) {
        self.conn.lock().unwrap().execute_batch(sql).unwrap();
    }
}

fn to_sql(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(i) => Value::Integer(*i),
        SqlValue::Real(r) => Value::Real(*r),
        SqlValue::Text(t) => Value::Text(t.clone()),
        SqlValue::Blob(b) => Value::Blob(b.clone()),
        SqlValue::Null => Value::Null,
    }
}

fn from_sql(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(r) => SqlValue::Real(r),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
        ValueRef::Null => SqlValue::Null,
    }
}

fn map_err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation => {
            StoreError::Constraint(e.to_string())
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}

impl Sql for TestDb {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        let mut stmt = conn.prepare(statement).map_err(map_err)?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let values: Vec<Value> = params.iter().map(to_sql).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values.iter()))
            .map_err(map_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_err)? {
            let mut r = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                r.push(from_sql(row.get_ref(i).map_err(map_err)?));
            }
            out.push(r);
        }
        Ok(SqlRows { columns, rows: out })
    }
}

/// A clock that only moves when told to.
pub struct FakeClock(AtomicI64);

impl FakeClock {
    pub fn at(now: i64) -> FakeClock {
        FakeClock(AtomicI64::new(now))
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
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

/// Settings from a map.
#[derive(Default)]
pub struct MapSettings(HashMap<String, String>);

impl MapSettings {
    pub fn with(mut self, name: &str, value: &str) -> MapSettings {
        self.0.insert(name.to_owned(), value.to_owned());
        self
    }
}

impl Settings for MapSettings {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// A unique temp-file path for a database shared between connections.
pub fn temp_db_path(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "cds-identity-{tag}-{}-{nanos}.sqlite",
        std::process::id()
    ))
}

/// Deletes a database file and its WAL companions.
pub fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
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
