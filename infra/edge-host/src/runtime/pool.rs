//! A small pool of SQLite connections to one database file.
//!
//! Connections are reused across requests (opening one and setting its pragmas
//! costs more than most statements), while components still see a fresh
//! instance per request. WAL and a busy timeout let several requests and several
//! `edge-host` processes share one file; single statements stay atomic.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;

/// How long a statement waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle connections kept per file; more are opened under load and closed after.
const MAX_IDLE: usize = 16;

/// Connections to one SQLite file, opened lazily.
pub struct SqlitePool {
    path: PathBuf,
    init_sql: &'static str,
    idle: Mutex<Vec<Connection>>,
}

impl SqlitePool {
    /// A pool for `path`; `init_sql` runs once on every new connection.
    pub fn new(path: impl Into<PathBuf>, init_sql: &'static str) -> Self {
        Self { path: path.into(), init_sql, idle: Mutex::new(Vec::new()) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a pooled connection. The connection goes back to the pool
    /// afterwards, unless an error suggests it is broken.
    pub fn with_conn<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, String> {
        let conn = match self.take_idle() {
            Some(c) => c,
            None => self.open().map_err(|e| e.to_string())?,
        };
        let result = f(&conn);
        let reusable = match &result {
            Ok(_) => true,
            Err(rusqlite::Error::SqliteFailure(e, _)) => !matches!(
                e.code,
                rusqlite::ErrorCode::NotADatabase
                    | rusqlite::ErrorCode::DatabaseCorrupt
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::SystemIoFailure
            ),
            Err(_) => true,
        };
        if reusable && conn.is_autocommit() {
            self.put_idle(conn);
        }
        result.map_err(|e| e.to_string())
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().ok().and_then(|mut v| v.pop())
    }

    fn put_idle(&self, conn: Connection) {
        if let Ok(mut v) = self.idle.lock() {
            if v.len() < MAX_IDLE {
                v.push(conn);
            }
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        // Like Spin, a store's directory is created on first use. A failure
        // here surfaces as the open error below (the store is unavailable).
        if !self.path.to_string_lossy().starts_with("file:") {
            if let Some(parent) = self.path.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
        }
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets readers run while one writer commits; NORMAL sync is the
        // usual pairing with WAL (durable across process crashes).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        if !self.init_sql.is_empty() {
            conn.execute_batch(self.init_sql)?;
        }
        Ok(conn)
    }
}
