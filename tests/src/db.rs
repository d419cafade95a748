//! The app's SQLite file opened beside the running host, the way an operator
//! (or an attacker with file access) would: to check what was stored, to
//! tamper with it, or to call the shared domain exactly as a component does.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use cds_shared::ports::{Sql, SqlRows, SqlValue, StoreError};
use rusqlite::types::{Value as R, ValueRef};
use serde_json::Value;

use crate::Host;

/// The database file edge-host keeps in a state dir.
pub fn db_path(state_dir: &Path) -> std::path::PathBuf {
    state_dir.join("sqlite_db.db")
}

/// Opens the database of the state dir, waiting for the host's writers.
pub fn open(state_dir: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db_path(state_dir)).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn
}

/// Opens the running host's database.
pub fn db(host: &Host) -> rusqlite::Connection {
    open(&host.state_dir)
}

/// The audit entries with this action (and subject, when given), oldest
/// first, as (actor, subject, detail).
pub fn audit(
    host: &Host,
    action: &str,
    subject: Option<&str>,
) -> Vec<(String, Option<String>, Value)> {
    db(host)
        .prepare(
            "SELECT actor, subject, detail FROM audit_log \
             WHERE action = ?1 AND (?2 IS NULL OR subject = ?2) ORDER BY seq",
        )
        .unwrap()
        .query_map(rusqlite::params![action, subject], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?))
        })
        .unwrap()
        .map(|r| {
            let (actor, subject, detail) = r.unwrap();
            (actor, subject, serde_json::from_str(&detail).unwrap())
        })
        .collect()
}

/// The `Sql` port over the app's own database file.
pub struct FileSql(pub rusqlite::Connection);

impl Sql for FileSql {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let fail = |e: rusqlite::Error| StoreError::Unavailable(e.to_string());
        let mut stmt = self.0.prepare(statement).map_err(fail)?;
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
                        ValueRef::Text(t) => {
                            SqlValue::Text(String::from_utf8_lossy(t).into_owned())
                        }
                        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
                        ValueRef::Null => SqlValue::Null,
                    })
                    .collect(),
            );
        }
        Ok(SqlRows { columns, rows: out })
    }
}
