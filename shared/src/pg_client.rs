//! A native PostgreSQL connection (the `postgres` crate) driven exactly as
//! the components' adapter (`spin_adapter::PgSql`) drives Spin's host: every
//! statement through [`sql_dialect::execute`] (same rewriting and casts,
//! marker lock, retries), result values mapped as Spin's host and the adapter
//! map them, failures reduced to [`PgFailure`]. The one home of that mapping
//! for native code: the shared tests on PostgreSQL (`CDS_TEST_SQL=postgres`)
//! and the e2e suite's own view of the nodes' database.
//!
//! Feature `pg-client`, never enabled by a component: they reach PostgreSQL
//! only through Spin's host and must not link the `postgres` crate.

use std::collections::HashMap;

use postgres::types::{FromSql, ToSql, Type};
use postgres::{Client, Statement};

use crate::ports::{SqlRows, SqlValue, StoreError};
use crate::sql_dialect::{self, PgFailure};

/// Runs one port statement on `client` as the component adapter does.
pub fn execute(
    client: &mut Client,
    statement: &str,
    params: &[SqlValue],
) -> Result<SqlRows, StoreError> {
    sql_dialect::execute(
        &mut Session {
            client,
            prepared: None,
        },
        statement,
        params,
    )
}

/// A client that keeps each statement it prepared, as Spin's PostgreSQL
/// pool does (deadpool's `prepare_cached`): a statement seen before costs
/// one round trip instead of two. For long-lived native connections (the
/// bench-only native baseline's pool).
pub struct PreparingClient {
    client: Client,
    prepared: HashMap<String, Statement>,
}

impl PreparingClient {
    /// Wraps a connected client.
    pub fn new(client: Client) -> PreparingClient {
        PreparingClient {
            client,
            prepared: HashMap::new(),
        }
    }

    /// Whether the connection is gone (do not reuse it).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// [`execute`] with the statements kept.
    pub fn execute(&mut self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        sql_dialect::execute(
            &mut Session {
                client: &mut self.client,
                prepared: Some(&mut self.prepared),
            },
            statement,
            params,
        )
    }
}

/// A failure for a person to read: SQLSTATE and server message when the
/// server sent them (never parameter values), else the client's error.
pub fn describe(e: &postgres::Error) -> String {
    e.as_db_error()
        .map(|d| format!("{}: {}", d.code().code(), d.message()))
        .unwrap_or_else(|| e.to_string())
}

/// A client as [`sql_dialect::execute`] drives it, keeping its prepared
/// statements in `prepared` when given.
struct Session<'c> {
    client: &'c mut Client,
    prepared: Option<&'c mut HashMap<String, Statement>>,
}

impl Session<'_> {
    fn prepare(&mut self, text: &str) -> Result<Statement, PgFailure> {
        let Some(prepared) = self.prepared.as_deref_mut() else {
            return self.client.prepare(text).map_err(failure);
        };
        if let Some(statement) = prepared.get(text) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(text).map_err(failure)?;
        prepared.insert(text.to_owned(), statement.clone());
        Ok(statement)
    }
}

impl sql_dialect::PgSession for Session<'_> {
    type Rows = SqlRows;

    fn query(&mut self, text: &str, values: &[SqlValue]) -> Result<SqlRows, PgFailure> {
        let statement = self.prepare(text)?;
        run(self.client, &statement, values)
    }

    fn command(&mut self, text: &str, values: &[SqlValue]) -> Result<(), PgFailure> {
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(as_param).collect();
        self.client
            .execute(text, &params)
            .map(|_| ())
            .map_err(failure)
    }
}

fn run(
    client: &mut Client,
    statement: &Statement,
    values: &[SqlValue],
) -> Result<SqlRows, PgFailure> {
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(as_param).collect();
    let columns: Vec<String> = statement
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let rows = client.query(statement, &params).map_err(failure)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            let v: Raw = row.try_get(i).map_err(failure)?;
            values.push(v.0);
        }
        out.push(values);
    }
    Ok(SqlRows { columns, rows: out })
}

/// Bound as the type its cast names (`int8`, `float8`, `text`, `bytea`).
fn as_param(v: &SqlValue) -> &(dyn ToSql + Sync) {
    match v {
        SqlValue::Integer(i) => i,
        SqlValue::Real(r) => r,
        SqlValue::Text(t) => t,
        SqlValue::Blob(b) => b,
        // Never reached: `to_postgres` inlines NULLs.
        SqlValue::Null => &None::<i64>,
    }
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

/// A result value mapped as Spin's host and `spin_adapter` map it.
struct Raw(SqlValue);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Raw, Box<dyn std::error::Error + Sync + Send>> {
        let v = match *ty {
            Type::BOOL => sql_dialect::bool_value(bool::from_sql(ty, raw)?),
            Type::INT2 => SqlValue::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => SqlValue::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => SqlValue::Integer(i64::from_sql(ty, raw)?),
            Type::FLOAT4 => SqlValue::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => SqlValue::Real(f64::from_sql(ty, raw)?),
            Type::BYTEA => SqlValue::Blob(raw.to_vec()),
            Type::NUMERIC => sql_dialect::decimal_value(&numeric_text(raw)?)?,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                SqlValue::Text(std::str::from_utf8(raw)?.to_owned())
            }
            _ => return Err(format!("unsupported PostgreSQL result type {ty}").into()),
        };
        Ok(Raw(v))
    }

    fn from_sql_null(_: &Type) -> Result<Raw, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(SqlValue::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// NUMERIC's binary form (base-10000 digits) as decimal text, as Spin's
/// host hands it over (`decimal(string)`).
fn numeric_text(raw: &[u8]) -> Result<String, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> Result<u16, Box<dyn std::error::Error + Sync + Send>> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short numeric".into())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    if sign == 0xC000 {
        return Ok("NaN".into());
    }
    let mut integer = String::new();
    let mut fraction = String::new();
    for i in 0..ndigits {
        let digit = word(4 + i)?;
        let position = weight - i as i32;
        if position >= 0 {
            if integer.is_empty() {
                integer = digit.to_string();
            } else {
                integer.push_str(&format!("{digit:04}"));
            }
        } else {
            // Positions skipped between the point and this digit are zeros.
            while (fraction.len() as i32) < (-position - 1) * 4 {
                fraction.push_str("0000");
            }
            fraction.push_str(&format!("{digit:04}"));
        }
    }
    // Integer digits beyond the last stored one are zeros.
    let last = weight - ndigits as i32 + 1;
    if !integer.is_empty() {
        for _ in 0..last.max(0) {
            integer.push_str("0000");
        }
    }
    if integer.is_empty() {
        integer.push('0');
    }
    let negative = if sign == 0x4000 { "-" } else { "" };
    Ok(if fraction.is_empty() {
        format!("{negative}{integer}")
    } else {
        format!("{negative}{integer}.{fraction}")
    })
}
