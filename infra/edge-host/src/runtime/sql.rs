//! SQL databases kept in SQLite files, executing one statement per call as
//! Spin's `sqlite` interface does.

use rusqlite::types::{Value as SqlValue, ValueRef};

use super::pool::SqlitePool;

/// A value crossing the host boundary (mirrors the WIT `value` variant).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

/// Columns and rows a statement produced.
#[derive(Debug, Default)]
pub struct QueryOutput {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Executes one statement with positional parameters and collects its rows.
pub fn execute(pool: &SqlitePool, statement: &str, params: Vec<Value>) -> Result<QueryOutput, String> {
    pool.with_conn(|conn| {
        let mut stmt = conn.prepare_cached(statement)?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let bound = params.into_iter().map(|v| match v {
            Value::Integer(i) => SqlValue::Integer(i),
            Value::Real(r) => SqlValue::Real(r),
            Value::Text(t) => SqlValue::Text(t),
            Value::Blob(b) => SqlValue::Blob(b),
            Value::Null => SqlValue::Null,
        });
        let mut rows = stmt.query(rusqlite::params_from_iter(bound))?;
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
        Ok(QueryOutput { columns, rows: out })
    })
}
