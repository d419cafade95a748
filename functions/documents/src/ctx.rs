//! What every handler needs for one request: the ports, the request id for
//! log lines, the caller, and error/audit plumbing.

use cds_shared::audit::{self, Entry};
use cds_shared::documents::DocError;
use cds_shared::error::ApiError;
use cds_shared::guard::authenticate_request;
use cds_shared::http::Request;
use cds_shared::identity::{Ports, Principal};
use cds_shared::ports::{OsRandom, StoreError, SystemClock};
use cds_shared::spin_adapter::{SpinSettings, SpinSql};

/// The SQL database, opened per request (components keep nothing between
/// requests).
pub fn open_sql(rid: &str) -> Result<SpinSql, ApiError> {
    SpinSql::open_default().map_err(|e| {
        eprintln!("[{rid}] sql unavailable: {e}");
        ApiError::store_unavailable("sql", &e)
    })
}

pub struct Ctx<'a> {
    pub ports: Ports<'a>,
    pub rid: &'a str,
}

impl<'a> Ctx<'a> {
    pub fn new(sql: &'a SpinSql, rid: &'a str) -> Ctx<'a> {
        Ctx {
            ports: Ports {
                sql,
                clock: &SystemClock,
                random: &OsRandom,
                settings: &SpinSettings,
            },
            rid,
        }
    }

    /// The signed-in caller (401 otherwise).
    pub fn me(&self, req: &Request) -> Result<Principal, ApiError> {
        authenticate_request(self.ports, req)
    }

    /// A domain error as the client sees it; internal detail goes to the log.
    pub fn fail(&self, e: DocError) -> ApiError {
        if e.is_internal() {
            eprintln!("[{}] {e}", self.rid);
        }
        e.into_api()
    }

    /// A store error: logged, answered 503 (or 409 for a lost unique race).
    pub fn store(&self, e: StoreError) -> ApiError {
        eprintln!("[{}] store error: {e}", self.rid);
        ApiError::from(e)
    }

    /// Appends to the audit log after the event it describes happened.
    ///
    /// A failed append does not fail the request — the read or change has
    /// already happened and answering an error would only invite a retry
    /// (which, for share links, spends another use). The entry goes to the
    /// log output instead, so the event is never silently lost.
    pub fn audit(&self, entry: Entry) {
        audit::append_or_log(self.ports.sql, self.ports.clock, self.rid, entry);
    }
}
