//! Test doubles for the ports, shared by every domain module's native tests:
//! the `Sql` port over a real rusqlite connection (running the shipped
//! migrations), a clock that moves only when told, deterministic randomness
//! and map-backed settings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, ErrorCode};
use sha2::{Digest, Sha256};

use crate::ports::{Clock, Random, Settings, Sql, SqlRows, SqlValue, StoreError};

/// A rusqlite connection behind the `Sql` port. The mutex only makes it
/// `Sync`; concurrency tests open one per thread or process. Each domain's
/// test support adds constructors that apply its migrations.
pub struct TestDb {
    pub(crate) conn: Mutex<Connection>,
}

impl From<Connection> for TestDb {
    fn from(conn: Connection) -> TestDb {
        TestDb {
            conn: Mutex::new(conn),
        }
    }
}

impl TestDb {
    /// Reads one integer with raw SQL, for assertions on stored state.
    pub fn scalar(&self, sql: &str) -> i64 {
        self.conn
            .lock()
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    /// Runs raw SQL around the port, as a tamperer with file access would.
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

/// Constraint failures are told apart, as the Spin adapter does.
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

/// Deterministic "randomness": SHA-256 of a seed and a call counter, so each
/// call differs but every test run sees the same bytes.
pub struct SeqRandom {
    seed: u64,
    calls: AtomicU64,
}

impl SeqRandom {
    pub fn new(seed: u64) -> SeqRandom {
        SeqRandom {
            seed,
            calls: AtomicU64::new(0),
        }
    }
}

impl Random for SeqRandom {
    fn fill(&self, buf: &mut [u8]) {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        for (block, chunk) in (0u64..).zip(buf.chunks_mut(32)) {
            let mut h = Sha256::new();
            h.update(self.seed.to_le_bytes());
            h.update(call.to_le_bytes());
            h.update(block.to_le_bytes());
            let d = h.finalize();
            chunk.copy_from_slice(&d[..chunk.len()]);
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
    std::env::temp_dir().join(format!("cds-{tag}-{}-{nanos}.sqlite", std::process::id()))
}

/// Deletes a database file and its WAL companions.
pub fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
