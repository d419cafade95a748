//! SQL databases kept in SQLite files, executing one statement per call as
//! Spin's `sqlite` interface does.

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::Connection;

use super::pool::SqlitePool;

/// A value crossing the host boundary (mirrors the WIT `value` variant).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A 64-bit integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// SQL `NULL`.
    Null,
}

/// Columns and rows a statement produced.
#[derive(Debug, Default)]
pub struct QueryOutput {
    /// Column names, in the statement's order.
    pub columns: Vec<String>,
    /// Each row's values, in column order.
    pub rows: Vec<Vec<Value>>,
}

/// Executes one statement with positional parameters and collects its rows.
pub fn execute(
    pool: &SqlitePool,
    statement: &str,
    params: &[Value],
) -> Result<QueryOutput, String> {
    pool.with_conn(|conn| {
        run(conn, statement, params, Some(pool)).map(|out| out.unwrap_or_default())
    })
}

/// [`execute`] if the statement only reads and can run without waiting for a
/// lock; `None` otherwise.
pub fn try_read_now(
    pool: &SqlitePool,
    statement: &str,
    params: &[Value],
) -> Option<Result<QueryOutput, String>> {
    pool.try_without_waiting(|conn| run(conn, statement, params, None))
}

/// Runs the statement; `Ok(None)` without running it when it would write and
/// no `writers` pool is given to take a turn on (pool.rs explains the turn).
fn run(
    conn: &Connection,
    statement: &str,
    params: &[Value],
    writers: Option<&SqlitePool>,
) -> rusqlite::Result<Option<QueryOutput>> {
    let mut stmt = conn.prepare_cached(statement)?;
    // Declared before the rows, so it is released after them: the write
    // has committed when the statement is reset.
    let _turn = match (stmt.readonly(), writers) {
        (true, _) => None,
        (false, Some(pool)) => Some(pool.writer_turn()),
        (false, None) => return Ok(None),
    };
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(values);
    }
    Ok(Some(QueryOutput { columns, rows: out }))
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
            Value::Null => ValueRef::Null,
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pool_with_table() -> (tempfile::TempDir, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let pool = SqlitePool::new(dir.path().join("db.sqlite"), "");
        execute(
            &pool,
            "CREATE TABLE seats (id INTEGER PRIMARY KEY, left INTEGER)",
            &[],
        )
        .unwrap();
        execute(
            &pool,
            "INSERT INTO seats (id, left) VALUES (?1, ?2)",
            &[Value::Integer(1), Value::Integer(3)],
        )
        .unwrap();
        (dir, pool)
    }

    #[test]
    fn a_read_is_answered_at_once_when_a_connection_is_idle() {
        let (_dir, pool) = pool_with_table();
        let out = try_read_now(
            &pool,
            "SELECT left FROM seats WHERE id = ?1",
            &[Value::Integer(1)],
        );
        assert_eq!(out.unwrap().unwrap().rows, vec![vec![Value::Integer(3)]]);
    }

    #[test]
    fn a_write_is_never_run_on_the_request_thread() {
        let (_dir, pool) = pool_with_table();
        assert!(
            try_read_now(&pool, "UPDATE seats SET left = left - 1 WHERE id = 1", &[]).is_none()
        );
        let left = execute(&pool, "SELECT left FROM seats WHERE id = 1", &[])
            .unwrap()
            .rows;
        assert_eq!(
            left,
            vec![vec![Value::Integer(3)]],
            "the refused write must not have run"
        );
    }

    #[test]
    fn writers_of_one_process_take_turns_instead_of_failing_on_the_lock() {
        // Connections that do not wait for SQLite's lock at all: without the
        // turn, two writers meeting would get "database is locked".
        let dir = tempfile::tempdir().unwrap();
        let pool = std::sync::Arc::new(SqlitePool::new(
            dir.path().join("db.sqlite"),
            "PRAGMA busy_timeout = 0",
        ));
        execute(&pool, "CREATE TABLE IF NOT EXISTS hits (n INTEGER)", &[]).unwrap();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    (0..100)
                        .map(|i| {
                            execute(
                                &pool,
                                "INSERT INTO hits (n) VALUES (?1)",
                                &[Value::Integer(t * 1000 + i)],
                            )
                        })
                        .filter(Result::is_err)
                        .count()
                })
            })
            .collect();
        let failed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(failed, 0, "writes refused for the lock");
        let count = execute(&pool, "SELECT COUNT(*) FROM hits", &[])
            .unwrap()
            .rows;
        assert_eq!(count, vec![vec![Value::Integer(800)]]);
    }

    #[test]
    fn a_failing_read_reports_its_error() {
        let (_dir, pool) = pool_with_table();
        let out = try_read_now(&pool, "SELECT nope FROM seats", &[]).unwrap();
        assert!(out.unwrap_err().contains("no such column"));
    }
}
