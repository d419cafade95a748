//! The embedded database natively: a pool of rusqlite connections to the
//! same file, in WAL mode with the busy timeout edge-host uses, behind the
//! `Sql` port. A request borrows one connection and gives it back when its
//! context drops. Writers take turns on a mutex of the process: SQLite has
//! one writer at a time anyway, and queueing in memory spares them the busy
//! handler's sleeps (up to 100 ms each), which is what a baseline of the
//! best this machine can do should do.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use cds_shared::ports::{Sql, SqlRows, SqlValue, StoreError};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, ErrorCode};

/// How long a writer waits for the file's lock (edge-host's figure).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle connections to one database file.
pub struct SqlitePool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    writer: Mutex<()>,
}

impl SqlitePool {
    /// A pool of connections to `path`, opened on demand.
    pub fn new(path: PathBuf) -> SqlitePool {
        SqlitePool {
            path,
            idle: Mutex::new(Vec::new()),
            writer: Mutex::new(()),
        }
    }

    /// An idle connection, or a new one.
    pub fn take(&self) -> Result<Pooled<'_>, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.open().map_err(map_err)?,
        };
        Ok(Pooled {
            pool: self,
            conn: Some(conn),
        })
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(conn)
    }
}

/// A borrowed connection, returned to its pool on drop.
pub struct Pooled<'p> {
    pool: &'p SqlitePool,
    conn: Option<Connection>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.pool.idle.lock()) {
            idle.push(conn);
        }
    }
}

impl Sql for Pooled<'_> {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let conn = self
            .conn
            .as_ref()
            .ok_or_else(|| StoreError::Unavailable("connection already returned".into()))?;
        let mut stmt = conn.prepare_cached(statement).map_err(map_err)?;
        // Held until the statement's rows are read: its write has committed.
        let _turn = match stmt.readonly() {
            true => None,
            false => Some(
                self.pool
                    .writer
                    .lock()
                    .map_err(|_| StoreError::Unavailable("writer lock poisoned".into()))?,
            ),
        };
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let values: Vec<Value> = params.iter().map(to_sqlite).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values.iter()))
            .map_err(map_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_err)? {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                values.push(from_sqlite(row.get_ref(i).map_err(map_err)?));
            }
            out.push(values);
        }
        Ok(SqlRows { columns, rows: out })
    }
}

fn to_sqlite(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(i) => Value::Integer(*i),
        SqlValue::Real(r) => Value::Real(*r),
        SqlValue::Text(t) => Value::Text(t.clone()),
        SqlValue::Blob(b) => Value::Blob(b.clone()),
        SqlValue::Null => Value::Null,
    }
}

fn from_sqlite(v: ValueRef<'_>) -> SqlValue {
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
