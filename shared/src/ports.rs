//! The small traits through which domain logic reaches the outside world.
//!
//! Domain code never names Spin: components hand it implementations backed by
//! `spin-sdk` (see `spin_adapter`, behind the `spin` feature), and native unit
//! tests hand it in-memory or rusqlite-backed ones.

use std::fmt;

/// A value bound to, or read from, an SQL statement (SQLite's storage classes).
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// An integer.
    Integer(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// SQL `NULL`.
    Null,
}

/// The rows an SQL statement returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlRows {
    /// The column names, in order.
    pub columns: Vec<String>,
    /// The rows, each in column order.
    pub rows: Vec<Vec<SqlValue>>,
}

/// Why a store call failed. Never shown to clients: the edge maps it to 503.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    /// The store or database is not reachable or refused the call.
    Unavailable(String),
    /// A constraint (unique key, check) refused the statement.
    Constraint(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(m) => write!(f, "store unavailable: {m}"),
            StoreError::Constraint(m) => write!(f, "constraint violated: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// The SQL database: SQLite or PostgreSQL, one statement text for both in
/// their common subset with `?N` placeholders (docs/storage.md). One
/// statement per call, auto-committed:
/// correctness under concurrency comes from single atomic statements
/// (`UPDATE … WHERE … RETURNING …`), never from read-then-write.
pub trait Sql {
    /// Runs one statement with positional parameters and returns its rows.
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError>;
}

/// The key-value store.
pub trait Kv {
    /// The value of `key`, `None` if unset.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Sets `key` to `value`.
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    /// Removes `key` (no error if unset).
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// Wall-clock time, in whole seconds since the Unix epoch (UTC).
pub trait Clock {
    /// Now, in Unix seconds.
    fn now(&self) -> i64;
}

/// Cryptographically secure randomness.
pub trait Random {
    /// Fills `buf` with secure random bytes.
    fn fill(&self, buf: &mut [u8]);
}

/// Application settings (Spin variables).
pub trait Settings {
    /// The value of a variable, or `None` when it is not set.
    fn get(&self, name: &str) -> Option<String>;
}

/// An outbound HTTP request made by domain code (delivery gateways, Zalo API).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundRequest {
    /// The method (upper-case).
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// The answer to an [`OutboundRequest`].
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundResponse {
    /// The status code.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// How long an outbound request may take, for calls made while someone
/// waits (the Zalo webhook must answer within 2 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// To open the connection.
    pub connect: std::time::Duration,
    /// From sending to the answer's first byte.
    pub first_byte: std::time::Duration,
    /// Between two bytes of the answer.
    pub between_bytes: std::time::Duration,
}

/// Sends outbound HTTP requests. `Err` means no answer came (refused host,
/// connection failure); a non-2xx answer is `Ok` with its status.
pub trait HttpClient {
    /// Sends the request; `Err` with a reason when no answer came.
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// The operating system's CSPRNG (`wasi:random` inside a component).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    // The one deliberate panic: no input reaches it, and without entropy
    // every token, code and id would be guessable.
    #[allow(clippy::panic)]
    fn fill(&self, buf: &mut [u8]) {
        // getrandom only fails when the platform has no entropy source at all;
        // a component that cannot get randomness must not issue secrets.
        if getrandom::fill(buf).is_err() {
            panic!("no secure randomness available");
        }
    }
}

impl SqlRows {
    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl SqlValue {
    /// The integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Integer(i) => Some(*i),
            SqlValue::Real(r) => Some(*r as i64),
            SqlValue::Text(t) => t.parse().ok(),
            _ => None,
        }
    }

    /// The text, if it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SqlValue::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The bytes, if it is a blob.
    pub fn as_blob(&self) -> Option<&[u8]> {
        match self {
            SqlValue::Blob(b) => Some(b),
            SqlValue::Text(t) => Some(t.as_bytes()),
            _ => None,
        }
    }

    /// Whether it is `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, SqlValue::Null)
    }
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Integer(v)
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_owned())
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}
impl From<Vec<u8>> for SqlValue {
    fn from(v: Vec<u8>) -> Self {
        SqlValue::Blob(v)
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(SqlValue::Null)
    }
}
