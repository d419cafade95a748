//! A small pool of SQLite connections to one database file.
//!
//! Connections are reused across requests (opening one and setting its pragmas
//! costs more than most statements), while components still see a fresh
//! instance per request. WAL and a busy timeout let several requests and several
//! `edge-host` processes share one file; single statements stay atomic.
//!
//! Writers of one process take turns in memory ([`SqlitePool::writer_turn`])
//! before asking SQLite for its write lock. SQLite has one writer at a time
//! anyway; what the turn changes is how a loser waits: SQLite's busy handler
//! sleeps 1, 2, 5 … up to 100 ms between tries, so a writer that missed the
//! lock by a microsecond waited milliseconds, and those sleeps were the p99
//! of every write endpoint under load (docs/performance.md). A mutex hands
//! the lock over as soon as it is free. Writers in other processes still
//! meet through the busy timeout, as before; nothing a component sees
//! changes.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
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
    writer: Mutex<()>,
}

impl SqlitePool {
    /// A pool for `path`; `init_sql` runs once on every new connection.
    pub fn new(path: impl Into<PathBuf>, init_sql: &'static str) -> Self {
        Self {
            path: path.into(),
            init_sql,
            idle: Mutex::new(Vec::new()),
            writer: Mutex::new(()),
        }
    }

    /// This process's turn to write to the file: hold it from before a
    /// writing statement runs until it has finished (and so committed).
    pub fn writer_turn(&self) -> MutexGuard<'_, ()> {
        // A writer that panicked held nothing SQLite did not roll back.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The SQLite file this pool opens.
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
        self.give_back(conn, result.as_ref().err());
        result.map_err(|e| e.to_string())
    }

    /// Runs `f` on an idle connection without waiting for any lock, so a read
    /// can be answered on the request's own thread. `None` when that is not
    /// possible (no connection idle, the database busy, or `f` answering
    /// `Ok(None)` because its statement would write); the caller then uses
    /// [`Self::with_conn`] where waiting is allowed.
    pub fn try_without_waiting<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<Option<T>>,
    ) -> Option<Result<T, String>> {
        let conn = self.take_idle()?;
        if conn.busy_timeout(Duration::ZERO).is_err() {
            return None;
        }
        let result = f(&conn);
        if conn.busy_timeout(BUSY_TIMEOUT).is_ok() {
            self.give_back(conn, result.as_ref().err());
        }
        match result {
            Ok(Some(value)) => Some(Ok(value)),
            Ok(None) => None,
            Err(e) if would_wait(&e) => None,
            Err(e) => Some(Err(e.to_string())),
        }
    }

    /// Returns a connection to the pool unless `error` suggests it is broken
    /// or it was left inside a transaction.
    fn give_back(&self, conn: Connection, error: Option<&rusqlite::Error>) {
        if !error.is_some_and(is_broken) && conn.is_autocommit() {
            self.put_idle(conn);
        }
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

/// An error after which the connection should not be reused.
fn is_broken(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if matches!(
            f.code,
            rusqlite::ErrorCode::NotADatabase
                | rusqlite::ErrorCode::DatabaseCorrupt
                | rusqlite::ErrorCode::CannotOpen
                | rusqlite::ErrorCode::SystemIoFailure
        )
    )
}

/// An error that only means another connection holds a lock right now.
fn would_wait(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Runs `f` on tokio's blocking pool, so a statement waiting on a lock never
/// stalls the other requests of its thread.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(format!("store task failed: {e}")))
}

/// A read that can finish at once (`now` answers `Some`) is answered on this
/// thread: handing it to the blocking pool and back costs more than the read
/// (docs/performance.md). Anything that may wait for a lock goes there.
pub async fn read<T: Send + 'static>(
    now: Option<Result<T, String>>,
    later: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    match now {
        Some(result) => result,
        None => blocking(later).await,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn busy_timeout_ms(c: &Connection) -> rusqlite::Result<i64> {
        c.query_row("PRAGMA busy_timeout", [], |r| r.get(0))
    }

    fn warm_pool() -> (tempfile::TempDir, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let pool = SqlitePool::new(dir.path().join("db.sqlite"), "");
        pool.with_conn(|_| Ok(())).unwrap();
        (dir, pool)
    }

    #[test]
    fn nothing_is_tried_at_once_before_a_connection_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let pool = SqlitePool::new(dir.path().join("db.sqlite"), "");
        assert!(pool.try_without_waiting(|_| Ok(Some(()))).is_none());
    }

    #[test]
    fn an_attempt_at_once_does_not_wait_for_locks_and_later_calls_do() {
        let (_dir, pool) = warm_pool();
        assert_eq!(
            pool.try_without_waiting(|c| busy_timeout_ms(c).map(Some)),
            Some(Ok(0))
        );
        assert_eq!(
            pool.with_conn(busy_timeout_ms),
            Ok(BUSY_TIMEOUT.as_millis() as i64)
        );
    }

    #[test]
    fn a_busy_database_hands_the_work_back_and_keeps_the_connection() {
        let (_dir, pool) = warm_pool();
        let busy = || {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                None,
            )
        };
        assert!(pool
            .try_without_waiting(|_| Err::<Option<()>, _>(busy()))
            .is_none());
        assert_eq!(
            pool.try_without_waiting(|_| Ok(Some(1))),
            Some(Ok(1)),
            "the connection went back to the pool"
        );
    }
}
