//! The ports implemented with `spin-sdk` 5.2, and the conversion between Spin's
//! HTTP types and ours. Only components enable this (feature `spin`); they
//! reach it through [`crate::component`], which opens the stores.
//!
//! The SQL port has two engines: Spin's SQLite `default` database
//! ([`SpinSql`]) and PostgreSQL through `spin:postgres/postgres@4.0.0`
//! ([`PgSql`]), whose statement rewriting, value and error mapping live in
//! [`crate::sql_dialect`] so the native tests run the very same.

use spin_sdk::http::{Method, Request as SpinRequest, Response as SpinResponse};
use spin_sdk::{key_value, pg4, sqlite, variables};

use crate::sql_dialect::{self, PgFailure};

use crate::client_addr::{self, TrustedProxies};
use crate::component::Runtime;
use crate::http::{Request, Response};
use crate::ports::{
    HttpClient, HttpTimeouts, Kv, OutboundRequest, OutboundResponse, Settings, Sql, SqlRows,
    SqlValue, StoreError,
};
use crate::spin_timed_http::TimedHttp;

/// Spin's host as the [`Runtime`] of a request.
pub struct SpinRuntime;

impl Runtime for SpinRuntime {
    fn settings(&self) -> &dyn Settings {
        &SpinSettings
    }

    fn open_sqlite(&self) -> Result<Box<dyn Sql + '_>, StoreError> {
        Ok(Box::new(SpinSql::open_default()?))
    }

    fn open_postgres(&self, url: &str) -> Result<Box<dyn Sql + '_>, StoreError> {
        Ok(Box::new(PgSql::open(url)?))
    }

    fn open_kv(&self) -> Result<Box<dyn Kv + '_>, StoreError> {
        Ok(Box::new(SpinKv::open_default()?))
    }

    fn http(&self) -> &dyn HttpClient {
        &SpinHttp
    }

    fn http_within(&self, timeouts: HttpTimeouts) -> Box<dyn HttpClient + '_> {
        Box::new(TimedHttp(timeouts))
    }
}

/// The `default` SQL database.
pub struct SpinSql {
    conn: sqlite::Connection,
}

impl SpinSql {
    /// Opens the `default` database.
    pub(crate) fn open_default() -> Result<Self, StoreError> {
        sqlite::Connection::open_default()
            .map(|conn| Self { conn })
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))
    }
}

impl Sql for SpinSql {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let params: Vec<sqlite::Value> = params.iter().map(to_spin_value).collect();
        let result = self.conn.execute(statement, &params).map_err(|e| match e {
            sqlite::Error::Io(msg) if msg.contains("constraint failed") => {
                StoreError::Constraint(msg)
            }
            other => StoreError::Unavailable(format!("{other:?}")),
        })?;
        Ok(SqlRows {
            columns: result.columns,
            rows: result
                .rows
                .into_iter()
                .map(|r| r.values.into_iter().map(from_spin_value).collect())
                .collect(),
        })
    }
}

fn to_spin_value(v: &SqlValue) -> sqlite::Value {
    match v {
        SqlValue::Integer(i) => sqlite::Value::Integer(*i),
        SqlValue::Real(r) => sqlite::Value::Real(*r),
        SqlValue::Text(t) => sqlite::Value::Text(t.clone()),
        SqlValue::Blob(b) => sqlite::Value::Blob(b.clone()),
        SqlValue::Null => sqlite::Value::Null,
    }
}

fn from_spin_value(v: sqlite::Value) -> SqlValue {
    match v {
        sqlite::Value::Integer(i) => SqlValue::Integer(i),
        sqlite::Value::Real(r) => SqlValue::Real(r),
        sqlite::Value::Text(t) => SqlValue::Text(t),
        sqlite::Value::Blob(b) => SqlValue::Blob(b),
        sqlite::Value::Null => SqlValue::Null,
    }
}

/// PostgreSQL through Spin's `pg4` interface: one connection per request,
/// opened from the `database_url` variable.
pub struct PgSql {
    conn: pg4::Connection,
}

impl PgSql {
    /// Connects to `url` (`postgres://user:password@host:port/db`; the host
    /// must be in the component's `allowed_outbound_hosts`).
    pub(crate) fn open(url: &str) -> Result<Self, StoreError> {
        pg4::Connection::open(url)
            .map(|conn| Self { conn })
            .map_err(|e| sql_dialect::map_error(&pg_failure(e)))
    }
}

/// The request's connection as [`sql_dialect::execute`] drives it (Spin's
/// resource keeps one server session, so BEGIN and COMMIT reach the same one).
impl sql_dialect::PgSession for &PgSql {
    type Rows = pg4::RowSet;

    fn query(&mut self, text: &str, values: &[SqlValue]) -> Result<pg4::RowSet, PgFailure> {
        let params: Vec<pg4::ParameterValue> = values.iter().map(to_pg_param).collect();
        self.conn.query(text, &params).map_err(pg_failure)
    }

    fn command(&mut self, text: &str, values: &[SqlValue]) -> Result<(), PgFailure> {
        let params: Vec<pg4::ParameterValue> = values.iter().map(to_pg_param).collect();
        self.conn
            .execute(text, &params)
            .map(|_| ())
            .map_err(pg_failure)
    }
}

impl Sql for PgSql {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let result = sql_dialect::execute(&mut &*self, statement, params)?;
        let mut rows = Vec::with_capacity(result.rows.len());
        for row in result.rows {
            rows.push(
                row.into_iter()
                    .map(from_pg_value)
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Ok(SqlRows {
            columns: result.columns.into_iter().map(|c| c.name).collect(),
            rows,
        })
    }
}

/// Only non-NULL values reach here ([`sql_dialect::to_postgres`] inlines
/// NULLs), each matching the cast its placeholder got.
fn to_pg_param(v: &SqlValue) -> pg4::ParameterValue {
    match v {
        SqlValue::Integer(i) => pg4::ParameterValue::Int64(*i),
        SqlValue::Real(r) => pg4::ParameterValue::Floating64(*r),
        SqlValue::Text(t) => pg4::ParameterValue::Str(t.clone()),
        SqlValue::Blob(b) => pg4::ParameterValue::Binary(b.clone()),
        SqlValue::Null => pg4::ParameterValue::DbNull,
    }
}

/// A result value as SQLite's storage classes ([`sql_dialect`] rules).
fn from_pg_value(v: pg4::DbValue) -> Result<SqlValue, StoreError> {
    use pg4::DbValue as V;
    Ok(match v {
        V::Boolean(b) => sql_dialect::bool_value(b),
        V::Int8(i) => SqlValue::Integer(i64::from(i)),
        V::Int16(i) => SqlValue::Integer(i64::from(i)),
        V::Int32(i) => SqlValue::Integer(i64::from(i)),
        V::Int64(i) => SqlValue::Integer(i),
        V::Floating32(f) => SqlValue::Real(f64::from(f)),
        V::Floating64(f) => SqlValue::Real(f),
        V::Str(s) => SqlValue::Text(s),
        V::Binary(b) => SqlValue::Blob(b),
        V::Decimal(d) => sql_dialect::decimal_value(&d)?,
        V::DbNull => SqlValue::Null,
        other => {
            return Err(StoreError::Unavailable(format!(
                "unsupported PostgreSQL result type {}",
                pg_type_name(&other)
            )))
        }
    })
}

fn pg_type_name(v: &pg4::DbValue) -> &'static str {
    use pg4::DbValue as V;
    match v {
        V::Date(_) => "date",
        V::Time(_) => "time",
        V::Datetime(_) => "timestamp",
        V::Timestamp(_) => "timestamp",
        V::Uuid(_) => "uuid",
        V::Jsonb(_) => "jsonb",
        V::Interval(_) => "interval",
        V::Unsupported(_) => "unsupported",
        _ => "range or array",
    }
}

/// The SQLSTATE, when the server sent one; the message otherwise.
fn pg_failure(e: pg4::PgError) -> PgFailure {
    match e {
        pg4::PgError::QueryFailed(pg4::QueryError::DbError(d)) => PgFailure {
            sqlstate: Some(d.code),
            message: d.message,
        },
        pg4::PgError::QueryFailed(pg4::QueryError::Text(t)) => PgFailure::other(t),
        pg4::PgError::ConnectionFailed(m) => PgFailure::other(format!("connection failed: {m}")),
        pg4::PgError::BadParameter(m) => PgFailure::other(format!("bad parameter: {m}")),
        pg4::PgError::ValueConversionFailed(m) => {
            PgFailure::other(format!("value conversion failed: {m}"))
        }
        pg4::PgError::Other(m) => PgFailure::other(m),
    }
}

/// The `default` key-value store.
pub struct SpinKv {
    store: key_value::Store,
}

impl SpinKv {
    /// Opens the `default` store.
    pub(crate) fn open_default() -> Result<Self, StoreError> {
        key_value::Store::open_default()
            .map(|store| Self { store })
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))
    }
}

impl Kv for SpinKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store
            .get(key)
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.store
            .set(key, value)
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.store
            .delete(key)
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))
    }
}

/// Spin variables.
#[derive(Debug, Default, Clone, Copy)]
pub struct SpinSettings;

impl Settings for SpinSettings {
    fn get(&self, name: &str) -> Option<String> {
        variables::get(name).ok()
    }
}

/// Outbound HTTP through `wasi:http/outgoing-handler` (allowed hosts apply).
#[derive(Debug, Default, Clone, Copy)]
pub struct SpinHttp;

impl HttpClient for SpinHttp {
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String> {
        let method = match request.method.as_str() {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            _ => Method::Post,
        };
        let mut builder = SpinRequest::builder();
        builder
            .method(method)
            .uri(request.url.as_str())
            .body(request.body.clone());
        for (k, v) in &request.headers {
            builder.header(k.as_str(), v.as_str());
        }
        let outgoing = builder.build();
        let response: Result<SpinResponse, _> = spin_sdk::http::run(spin_sdk::http::send(outgoing));
        match response {
            Ok(r) => Ok(OutboundResponse {
                status: *r.status(),
                body: r.into_body(),
            }),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Our request from Spin's. The client address is `spin-client-addr`, or —
/// when that peer is one of the `trusted_proxies` — the client it forwards
/// for in `X-Forwarded-For` ([`crate::client_addr`]). A component without
/// the variable trusts no proxy.
pub fn request_from_spin(req: &SpinRequest) -> Request {
    let headers: Vec<(String, String)> = req
        .headers()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let client_ip = client_addr::client_ip(&headers, &TrustedProxies::from_settings(&SpinSettings));
    Request::new(
        method_name(req.method()),
        req.path(),
        req.query(),
        headers,
        req.body().to_vec(),
        client_ip,
    )
}

fn method_name(m: &Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Patch => "PATCH",
        Method::Head => "HEAD",
        Method::Options => "OPTIONS",
        Method::Connect => "CONNECT",
        Method::Trace => "TRACE",
        Method::Other(_) => "OTHER",
    }
}

/// Spin's response from ours.
pub fn response_to_spin(resp: Response) -> SpinResponse {
    let mut builder = SpinResponse::builder();
    builder.status(resp.status);
    for (k, v) in &resp.headers {
        builder.header(k.as_str(), v.as_str());
    }
    builder.body(resp.body);
    builder.build()
}
