//! The test database on PostgreSQL (`CDS_TEST_SQL=postgres`): a fresh
//! database per [`super::TestDb`] on the server of `infra/test-stores`, the
//! PostgreSQL migrations of `infra/migrations/postgres` applied, and every
//! statement sent through [`crate::sql_dialect`] exactly as the component
//! adapter (`spin_adapter::PgSql`) sends it: same rewriting, same casts,
//! same value and error mapping, same driver (`sql_dialect::execute`: marker lock and retries).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use postgres::types::{FromSql, ToSql, Type};
use postgres::{Client, NoTls};

use crate::ports::{SqlRows, SqlValue, StoreError};
use crate::sql_dialect::{self, PgFailure};

/// Whether the native tests run on PostgreSQL.
pub fn enabled() -> bool {
    std::env::var("CDS_TEST_SQL").is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// Every `NNNN_name.sql` of `infra/migrations/postgres`, in order.
pub fn migrations() -> Vec<(String, String)> {
    super::db::read_migrations(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/migrations/postgres"),
    )
}

/// One connection to one test database.
pub struct PgDb {
    client: Mutex<Client>,
}

/// The database each "file" path stands for, so that several connections
/// (threads) of a concurrency test share one database as they would share
/// one SQLite file.
fn files() -> &'static Mutex<HashMap<PathBuf, String>> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    FILES.get_or_init(|| Mutex::new(HashMap::new()))
}

impl PgDb {
    /// A new, empty database with the migrations numbered below `before`
    /// (all when `None`) applied.
    pub fn fresh(before: Option<&str>) -> PgDb {
        let url = test_stores::Postgres::shared().fresh_database();
        let db = PgDb::connect(&url);
        db.migrate(before);
        db
    }

    fn connect(url: &str) -> PgDb {
        let client = Client::connect(url, NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test database: {e}"));
        PgDb {
            client: Mutex::new(client),
        }
    }

    /// Under an advisory lock, as edge-host migrates: connections that
    /// start together (a concurrency test's threads) would otherwise
    /// deadlock replacing the same trigger functions.
    fn migrate(&self, before: Option<&str>) {
        let mut client = self.client.lock().unwrap();
        client.batch_execute("SELECT pg_advisory_lock(14)").unwrap();
        for (name, sql) in migrations() {
            if before.is_none_or(|v| name.as_str() < v) {
                client
                    .batch_execute(&sql)
                    .unwrap_or_else(|e| panic!("migration postgres/{name}: {}", describe(&e)));
            }
        }
        client
            .batch_execute("SELECT pg_advisory_unlock(14)")
            .unwrap();
    }

    /// The database standing for `path`, created (and migrated when
    /// `migrated`) on first use; a new connection to it. The file at `path`
    /// holds the database's URL, so that a child process a test spawns
    /// with the path reaches the same database on the parent's server.
    pub fn file(path: &Path, migrated: bool) -> PgDb {
        let mut files = files().lock().unwrap();
        if !files.contains_key(path) {
            if let Ok(url) = std::fs::read_to_string(path) {
                if url.starts_with("postgres://") {
                    files.insert(path.to_path_buf(), url);
                }
            }
        }
        if let Some(url) = files.get(path) {
            let db = PgDb::connect(url);
            drop(files);
            if migrated {
                db.migrate(None);
            }
            return db;
        }
        let url = test_stores::Postgres::shared().fresh_database();
        std::fs::write(path, &url).unwrap();
        files.insert(path.to_path_buf(), url.clone());
        drop(files);
        let db = PgDb::connect(&url);
        if migrated {
            db.migrate(None);
        }
        db
    }

    /// Forgets the database standing for `path`.
    pub fn forget(path: &Path) {
        files().lock().unwrap().remove(path);
        let _ = std::fs::remove_file(path);
    }

    /// Runs raw SQL (several statements allowed). The text of a shipped
    /// SQLite migration stands for that migration, so it is replaced by the
    /// PostgreSQL file of the same name.
    pub fn raw(&self, sql: &str) {
        let sqlite = super::db::migrations();
        let pg = migrations();
        let text = sqlite
            .iter()
            .find(|(_, s)| s == sql)
            .and_then(|(name, _)| pg.iter().find(|(n, _)| n == name))
            .map(|(_, s)| s.as_str())
            .unwrap_or(sql);
        self.client
            .lock()
            .unwrap()
            .batch_execute(text)
            .unwrap_or_else(|e| panic!("raw SQL failed: {}", describe(&e)));
    }

    /// Runs one statement as the component adapter does.
    pub fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let mut client = self
            .client
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        sql_dialect::execute(&mut Session(&mut client), statement, params)
    }
}

/// The test's client as [`sql_dialect::execute`] drives it.
struct Session<'c>(&'c mut Client);

impl sql_dialect::PgSession for Session<'_> {
    type Rows = SqlRows;

    fn query(&mut self, text: &str, values: &[SqlValue]) -> Result<SqlRows, PgFailure> {
        run(self.0, text, values)
    }

    fn command(&mut self, text: &str, values: &[SqlValue]) -> Result<(), PgFailure> {
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(as_param).collect();
        self.0.execute(text, &params).map(|_| ()).map_err(failure)
    }
}

fn run(client: &mut Client, text: &str, values: &[SqlValue]) -> Result<SqlRows, PgFailure> {
    let statement = client.prepare(text).map_err(failure)?;
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(as_param).collect();
    let columns: Vec<String> = statement
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let rows = client.query(&statement, &params).map_err(failure)?;
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

fn failure(e: postgres::Error) -> PgFailure {
    match e.as_db_error() {
        Some(d) => PgFailure {
            sqlstate: Some(d.code().code().to_owned()),
            message: d.message().to_owned(),
        },
        None => PgFailure::other(e.to_string()),
    }
}

fn describe(e: &postgres::Error) -> String {
    e.as_db_error()
        .map(|d| format!("{}: {}", d.code().code(), d.message()))
        .unwrap_or_else(|| e.to_string())
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
