//! The app's database opened beside the running nodes, the way an operator
//! (or an attacker with database access) would: to check what was stored, to
//! tamper with it, or to call the shared domain exactly as a component does.
//! On the embedded setup that is the SQLite file in the state dir; on the
//! PostgreSQL setup the database the nodes share, reached with the same
//! statement text, rewritten by the same placeholder mapping the components'
//! adapter uses (`cds_shared::sql_dialect::to_postgres`).
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use cds_shared::ports::{Sql, SqlRows, SqlValue, StoreError};
use cds_shared::sql_dialect::{self, PgFailure};
use postgres::types::{FromSql, ToSql, Type};
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
            Db::Postgres(client) => pg_execute(&mut client.lock().unwrap(), statement, params),
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

/// One statement on PostgreSQL, as the components' adapter runs it
/// ([`sql_dialect::execute`]: placeholders rewritten with casts, a
/// `/* serializable */` statement behind its advisory lock, retries, errors
/// mapped by SQLSTATE), results mapped to the SQLite types (integers, 0/1
/// for booleans, reals, text, blobs).
fn pg_execute(
    client: &mut postgres::Client,
    statement: &str,
    params: &[SqlValue],
) -> Result<SqlRows, StoreError> {
    let (columns, rows) = sql_dialect::execute(&mut Session(client), statement, params)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut values = Vec::with_capacity(row.len());
        for (i, column) in row.columns().iter().enumerate() {
            values.push(pg_value(row, i, column.type_()).map_err(StoreError::Unavailable)?);
        }
        out.push(values);
    }
    Ok(SqlRows { columns, rows: out })
}

/// The test's client as [`sql_dialect::execute`] drives it.
struct Session<'c>(&'c mut postgres::Client);

impl sql_dialect::PgSession for Session<'_> {
    type Rows = (Vec<String>, Vec<postgres::Row>);

    fn query(&mut self, text: &str, values: &[SqlValue]) -> Result<Self::Rows, PgFailure> {
        let prepared = self.0.prepare(text).map_err(failure)?;
        let columns = prepared
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        let rows = self.0.query(&prepared, &params(values)).map_err(failure)?;
        Ok((columns, rows))
    }

    fn command(&mut self, text: &str, values: &[SqlValue]) -> Result<(), PgFailure> {
        self.0
            .execute(text, &params(values))
            .map(|_| ())
            .map_err(failure)
    }
}

/// Bound as the type its cast names (`to_postgres` leaves no NULL).
fn params(values: &[SqlValue]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|v| -> &(dyn ToSql + Sync) {
            match v {
                SqlValue::Integer(i) => i,
                SqlValue::Real(f) => f,
                SqlValue::Text(t) => t,
                SqlValue::Blob(b) => b,
                SqlValue::Null => &None::<String>,
            }
        })
        .collect()
}

/// What the dialect module needs of a failure: its SQLSTATE and message.
fn failure(e: postgres::Error) -> PgFailure {
    match e.as_db_error() {
        Some(d) => PgFailure {
            sqlstate: Some(d.code().code().to_owned()),
            message: d.message().to_owned(),
        },
        None => PgFailure::other(e.to_string()),
    }
}

fn pg_value(row: &postgres::Row, i: usize, ty: &Type) -> Result<SqlValue, String> {
    fn get<'a, T: FromSql<'a>>(row: &'a postgres::Row, i: usize) -> Result<Option<T>, String> {
        row.try_get::<_, Option<T>>(i).map_err(|e| e.to_string())
    }
    let v = if *ty == Type::INT2 {
        get::<i16>(row, i)?.map(|n| SqlValue::Integer(n.into()))
    } else if *ty == Type::INT4 {
        get::<i32>(row, i)?.map(|n| SqlValue::Integer(n.into()))
    } else if *ty == Type::INT8 {
        get::<i64>(row, i)?.map(SqlValue::Integer)
    } else if *ty == Type::BOOL {
        get::<bool>(row, i)?.map(|b| SqlValue::Integer(b.into()))
    } else if *ty == Type::FLOAT4 {
        get::<f32>(row, i)?.map(|f| SqlValue::Real(f.into()))
    } else if *ty == Type::FLOAT8 {
        get::<f64>(row, i)?.map(SqlValue::Real)
    } else if *ty == Type::NUMERIC {
        get::<Numeric>(row, i)?.map(|n| n.0)
    } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
        get::<String>(row, i)?.map(SqlValue::Text)
    } else if *ty == Type::BYTEA {
        get::<Vec<u8>>(row, i)?.map(SqlValue::Blob)
    } else {
        return Err(format!("column {i}: unmapped type {ty}"));
    };
    Ok(v.unwrap_or(SqlValue::Null))
}

/// A `numeric` (what `sum()` of a BIGINT returns): Integer when integral,
/// else Real, as the adapter maps it.
struct Numeric(SqlValue);

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        // Binary format: ndigits, weight, sign, dscale (i16 each), then
        // ndigits base-10000 digits; the first has weight `weight`.
        let word = |k: usize| -> Result<i16, Box<dyn std::error::Error + Sync + Send>> {
            let b = raw.get(2 * k..2 * k + 2).ok_or("short numeric")?;
            Ok(i16::from_be_bytes([b[0], b[1]]))
        };
        let (ndigits, weight, sign) = (
            word(0)?,
            word(1)?,
            u16::from_be_bytes(word(2)?.to_be_bytes()),
        );
        if sign == 0xC000 {
            return Ok(Numeric(SqlValue::Real(f64::NAN)));
        }
        let mut value = 0f64;
        for k in 0..usize::try_from(ndigits).unwrap_or(0) {
            let exp = i32::from(weight) - i32::try_from(k).unwrap_or(0);
            value += f64::from(word(4 + k)?) * 10_000f64.powi(exp);
        }
        if sign == 0x4000 {
            value = -value;
        }
        Ok(Numeric(if value.fract() == 0.0 && value.abs() < 9.0e15 {
            // Integral and exactly representable: the integer it is.
            #[allow(clippy::cast_possible_truncation)]
            SqlValue::Integer(value as i64)
        } else {
            SqlValue::Real(value)
        }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}
