//! The app's database opened beside the running nodes, the way an operator
//! (or an attacker with database access) would: to check what was stored, to
//! tamper with it, or to call the shared domain exactly as a component does.
//! On the embedded setup that is the SQLite file in the state dir; on the
//! PostgreSQL setup the database the nodes share, reached with the same
//! statement text, run as the components' adapter runs it
//! ([`cds_shared::pg_client`]: placeholders rewritten with casts, a
//! `/* serializable */` statement behind its advisory lock, retries, errors
//! mapped by SQLSTATE, results mapped to the SQLite types).
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use cds_shared::pg_client;
use cds_shared::ports::{Sql, SqlRows, SqlValue, StoreError};
use rusqlite::types::{Value as R, ValueRef};
use serde_json::Value;

use crate::Host;

/// Parameters for [`Db`] calls: `params![a, b]` is `&[SqlValue::from(a), …]`.
#[macro_export]
macro_rules! params {
    ($($x:expr),* $(,)?) => {
        &[$(::cds_shared::ports::SqlValue::from($x)),*][..]
    };
}

/// The database file edge-host keeps in a state dir.
pub fn db_path(state_dir: &Path) -> std::path::PathBuf {
    state_dir.join("sqlite_db.db")
}

/// Opens the SQLite database of a state dir (embedded setup), waiting for
/// the host's writers.
pub fn open(state_dir: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db_path(state_dir)).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn
}

/// Opens the running app's database, whichever engine it is.
pub fn db(host: &Host) -> Db {
    match &host.backing {
        None => Db::Sqlite(open(&host.state_dir)),
        Some(b) => Db::Postgres(Mutex::new(
            postgres::Client::connect(&b.database_url, postgres::NoTls)
                .unwrap_or_else(|e| panic!("connecting to {}: {e}", b.database_url)),
        )),
    }
}

/// A connection to the app's database: the `Sql` port (as components use it)
/// and shorthands for tests.
pub enum Db {
    /// The embedded setup's SQLite file.
    Sqlite(rusqlite::Connection),
    /// The PostgreSQL database of the nodes.
    Postgres(Mutex<postgres::Client>),
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<SqlValue>);

impl Row {
    /// Column `i` as an integer (panics on any other type: a test's mistake).
    pub fn int(&self, i: usize) -> i64 {
        match &self.0[i] {
            SqlValue::Integer(n) => *n,
            other => panic!("column {i} is not an integer: {other:?}"),
        }
    }

    /// Column `i` as text.
    pub fn text(&self, i: usize) -> String {
        match self.opt_text(i) {
            Some(t) => t,
            None => panic!("column {i} is NULL"),
        }
    }

    /// Column `i` as text, `None` for NULL.
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match &self.0[i] {
            SqlValue::Text(t) => Some(t.clone()),
            SqlValue::Null => None,
            other => panic!("column {i} is not text: {other:?}"),
        }
    }

    /// Column `i` as bytes.
    pub fn blob(&self, i: usize) -> Vec<u8> {
        match &self.0[i] {
            SqlValue::Blob(b) => b.clone(),
            other => panic!("column {i} is not a blob: {other:?}"),
        }
    }

    /// Column `i` as JSON stored in text.
    pub fn json(&self, i: usize) -> Value {
        serde_json::from_str(&self.text(i)).unwrap()
    }
}

impl Db {
    /// The rows of `statement`; it must succeed.
    pub fn rows(&self, statement: &str, params: &[SqlValue]) -> Vec<Row> {
        match self.execute(statement, params) {
            Ok(r) => r.rows.into_iter().map(Row).collect(),
            Err(e) => panic!("{statement}: {e:?}"),
        }
    }

    /// The first row of `statement`, which must return one.
    pub fn row(&self, statement: &str, params: &[SqlValue]) -> Row {
        match self.rows(statement, params).into_iter().next() {
            Some(r) => r,
            None => panic!("{statement}: no row"),
        }
    }

    /// The integer in the first column of the first row (a `count(*)`).
    pub fn int(&self, statement: &str, params: &[SqlValue]) -> i64 {
        self.row(statement, params).int(0)
    }

    /// The text in the first column of the first row.
    pub fn text(&self, statement: &str, params: &[SqlValue]) -> String {
        self.row(statement, params).text(0)
    }

    /// Runs a write; it must succeed. The rows it returned (with `RETURNING`).
    pub fn run(&self, statement: &str, params: &[SqlValue]) -> Vec<Row> {
        self.rows(statement, params)
    }

    /// Whether this is the embedded SQLite file.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Db::Sqlite(_))
    }
}

/// The audit entries with this action (and subject, when given), oldest
/// first, as (actor, subject, detail).
pub fn audit(
    host: &Host,
    action: &str,
    subject: Option<&str>,
) -> Vec<(String, Option<String>, Value)> {
    let subject = match subject {
        Some(s) => SqlValue::from(s),
        None => SqlValue::Null,
    };
    db(host)
        .rows(
            "SELECT actor, subject, detail FROM audit_log \
             WHERE action = ?1 AND (?2 IS NULL OR subject = ?2) ORDER BY seq",
            &[SqlValue::from(action), subject],
        )
        .into_iter()
        .map(|r| (r.text(0), r.opt_text(1), r.json(2)))
        .collect()
}

impl Sql for Db {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        match self {
            Db::Sqlite(conn) => sqlite_execute(conn, statement, params),
            Db::Postgres(client) => {
                pg_client::execute(&mut client.lock().unwrap(), statement, params)
            }
        }
    }
}

fn sqlite_execute(
    conn: &rusqlite::Connection,
    statement: &str,
    params: &[SqlValue],
) -> Result<SqlRows, StoreError> {
    let fail = |e: rusqlite::Error| StoreError::Unavailable(e.to_string());
    let mut stmt = conn.prepare(statement).map_err(fail)?;
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let values: Vec<R> = params
        .iter()
        .map(|v| match v {
            SqlValue::Integer(i) => R::Integer(*i),
            SqlValue::Real(f) => R::Real(*f),
            SqlValue::Text(t) => R::Text(t.clone()),
            SqlValue::Blob(b) => R::Blob(b.clone()),
            SqlValue::Null => R::Null,
        })
        .collect();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(values.iter()))
        .map_err(fail)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(fail)? {
        out.push(
            (0..columns.len())
                .map(|i| match row.get_ref(i).unwrap() {
                    ValueRef::Integer(i) => SqlValue::Integer(i),
                    ValueRef::Real(f) => SqlValue::Real(f),
                    ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
                    ValueRef::Null => SqlValue::Null,
                })
                .collect(),
        );
    }
    Ok(SqlRows { columns, rows: out })
}
