//! What every handler needs for one request: the ports, the request id
//! for log lines, and the optional caller.

use cds_shared::error::ApiError;
use cds_shared::feedback::FeedbackError;
use cds_shared::guard::authenticate_request;
use cds_shared::http::Request;
use cds_shared::identity::{Ports, Principal};
use cds_shared::ports::{OsRandom, StoreError, SystemClock};
use cds_shared::spin_adapter::{SpinSettings, SpinSql};

pub struct Ctx<'a> {
    pub ports: Ports<'a>,
    /// The request id, for log lines.
    pub id: &'a str,
}

/// Opens the database (per request: components keep nothing between
/// requests) and runs `f` with the context.
pub fn with_ctx<T>(
    id: &str,
    f: impl FnOnce(&Ctx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let sql = SpinSql::open_default().map_err(|e| {
        log(id, format_args!("sql unavailable: {e}"));
        ApiError::store_unavailable("sql", &e)
    })?;
    let ports = Ports {
        sql: &sql,
        clock: &SystemClock,
        random: &OsRandom,
        settings: &SpinSettings,
    };
    f(&Ctx { ports, id })
}

/// One log line tagged with the request id. Never personal data or keys.
pub fn log(id: &str, line: std::fmt::Arguments<'_>) {
    eprintln!("[{id}] {line}");
}

impl Ctx<'_> {
    /// The caller when the request carries a bearer token (a bad one is
    /// 401, not "anonymous": the client believes it is logged in).
    pub fn caller(&self, req: &Request) -> Result<Option<Principal>, ApiError> {
        if req.header("authorization").is_none() {
            return Ok(None);
        }
        authenticate_request(self.ports, req).map(Some)
    }

    /// A domain error as the API error, logging store failures (their text
    /// can name tables, so it stays in the log).
    pub fn fail(&self, e: FeedbackError) -> ApiError {
        if let FeedbackError::Store(s) = &e {
            log(self.id, format_args!("store error: {s}"));
        }
        e.into()
    }

    /// A store error as the API error, logged.
    pub fn store(&self, e: StoreError) -> ApiError {
        self.fail(FeedbackError::Store(e))
    }
}
