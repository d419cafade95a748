//! [`Ctx`]: the request, its id, the ports (stores opened lazily), the
//! caller checks and the audit helper.
//!
//! This is the one place that opens the SQL database and the key-value
//! store, so choosing another engine for a deployment changes only here.

use std::cell::OnceCell;
use std::fmt;

use crate::audit::{self, Entry};
use crate::error::ApiError;
use crate::guard::{self, Official};
use crate::http::Request;
use crate::identity::{Ports, Principal};
use crate::ports::{
    Clock, HttpClient, HttpTimeouts, Kv, OsRandom, Random, Settings, Sql, StoreError, SystemClock,
};

use super::Runtime;

/// Everything a handler needs for one request. Built by [`super::serve`].
pub struct Ctx<'a> {
    /// The request being answered.
    pub req: &'a Request,
    /// The request id: in every log line and in `x-request-id`.
    pub id: &'a str,
    runtime: &'a dyn Runtime,
    sql: OnceCell<Box<dyn Sql + 'a>>,
    kv: OnceCell<Box<dyn Kv + 'a>>,
}

impl<'a> Ctx<'a> {
    /// A context for `req` whose stores are not opened yet.
    pub(crate) fn new(runtime: &'a dyn Runtime, req: &'a Request, id: &'a str) -> Ctx<'a> {
        Ctx {
            req,
            id,
            runtime,
            sql: OnceCell::new(),
            kv: OnceCell::new(),
        }
    }

    /// The SQL database, opened on first use (routes that need none, such
    /// as a 404, never open it). 503 `store_unavailable` if it cannot be.
    ///
    /// The engine is the deployment's: PostgreSQL when the variable
    /// `database_url` is a `postgres://` (or `postgresql://`) URL, Spin's
    /// embedded SQLite `default` database when it is empty or unset.
    pub fn sql(&self) -> Result<&dyn Sql, ApiError> {
        if let Some(sql) = self.sql.get() {
            return Ok(sql.as_ref());
        }
        let url = self.settings().get("database_url").unwrap_or_default();
        let url = url.trim();
        let opened = if url.is_empty() {
            self.runtime.open_sqlite()
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            self.runtime.open_postgres(url)
        } else {
            // Never the URL itself in the error: it holds the password.
            return Err(ApiError::store_unavailable(
                "sql",
                StoreError::Unavailable("database_url is not a postgres:// URL".into()),
            ));
        };
        let opened = opened.map_err(|e| ApiError::store_unavailable("sql", e))?;
        Ok(self.sql.get_or_init(|| opened).as_ref())
    }

    /// The key-value store, opened on first use (503 if it cannot be).
    pub fn kv(&self) -> Result<&dyn Kv, ApiError> {
        if let Some(kv) = self.kv.get() {
            return Ok(kv.as_ref());
        }
        let opened = self
            .runtime
            .open_kv()
            .map_err(|e| ApiError::store_unavailable("kv", e))?;
        Ok(self.kv.get_or_init(|| opened).as_ref())
    }

    /// The component's settings (Spin variables).
    pub fn settings(&self) -> &'a dyn Settings {
        self.runtime.settings()
    }

    /// The wall clock.
    pub fn clock(&self) -> &'static dyn Clock {
        &SystemClock
    }

    /// The operating system's randomness.
    pub fn random(&self) -> &'static dyn Random {
        &OsRandom
    }

    /// Outbound HTTP (the manifest's allowed hosts apply).
    pub fn http(&self) -> &'a dyn HttpClient {
        self.runtime.http()
    }

    /// Outbound HTTP whose requests give up after `timeouts`.
    pub fn http_within(&self, timeouts: HttpTimeouts) -> Box<dyn HttpClient + 'a> {
        self.runtime.http_within(timeouts)
    }

    /// The ports most domain calls take (opens the SQL database).
    pub fn ports(&self) -> Result<Ports<'_>, ApiError> {
        Ok(Ports {
            sql: self.sql()?,
            clock: self.clock(),
            random: self.random(),
            settings: self.settings(),
        })
    }

    /// The caller behind the bearer token: 401 `unauthorized` without a live
    /// session ([`guard::authenticate_request`]).
    pub fn caller(&self) -> Result<Principal, ApiError> {
        guard::authenticate_request(self.ports()?, self.req)
    }

    /// The caller when the request carries a bearer token, `None` when it
    /// carries none. A bad token is 401, not "anonymous": the client
    /// believes it is signed in.
    pub fn optional_caller(&self) -> Result<Option<Principal>, ApiError> {
        if self.req.header("authorization").is_none() {
            return Ok(None);
        }
        self.caller().map(Some)
    }

    /// The caller, who must be an official (403 `forbidden` otherwise).
    pub fn official(&self) -> Result<Principal, ApiError> {
        let principal = self.caller()?;
        guard::require_official(&principal)?;
        Ok(principal)
    }

    /// The caller, who must be an official with a unit (403 otherwise).
    pub fn official_with_unit(&self) -> Result<Official, ApiError> {
        guard::require_unit(self.official()?)
    }

    /// 401 unless the request carries the `admin_token`
    /// ([`guard::require_admin`]).
    pub fn require_admin(&self) -> Result<(), ApiError> {
        guard::require_admin(self.settings(), self.req)
    }

    /// Appends to the audit log after the change it describes was committed.
    ///
    /// A failed append neither undoes nor fails the change (a retry could
    /// repeat it, or lose something shown only once, such as a new key);
    /// the whole entry goes to the log output instead, tagged with the
    /// request id, so the event is never silently lost. Entries never hold
    /// secrets.
    pub fn audit(&self, entry: Entry) {
        self.audit_after(None, entry);
    }

    /// [`Ctx::audit`] linking to the chain's `tail` as the statement that
    /// made the change read it ([`audit::TAIL_COLUMNS`]): one round trip
    /// fewer. A tail made stale by a concurrent append costs a retry, never
    /// a broken chain.
    pub fn audit_after(&self, tail: Option<audit::Tail>, entry: Entry) {
        match self.sql() {
            Ok(sql) => audit::append_or_log_after(sql, self.clock(), self.id, tail, entry),
            Err(e) => audit::log_unrecorded(self.id, &e, &entry),
        }
    }

    /// Delivers `account_id`'s due notices right after the change that wrote
    /// them (docs/notifications.md, "When dispatch runs"): a few, within the
    /// providers' short timeouts. What fails or is left is the scheduled
    /// dispatcher's; nothing here fails the request, which already
    /// succeeded.
    pub fn dispatch_notices_of(&self, account_id: &str) {
        let Ok(sql) = self.sql() else {
            return;
        };
        let http = self.http_within(crate::notify::PROVIDER_TIMEOUTS);
        let ports = crate::notify::dispatch::DispatchPorts {
            sql,
            clock: self.clock(),
            random: self.random(),
            http: http.as_ref(),
        };
        let senders = crate::notify::send::Senders::from_settings(self.settings());
        let limit = crate::notify::DISPATCH_RIGHT_AFTER;
        match crate::notify::dispatch::run(&ports, &senders, Some(account_id), limit) {
            Ok(r) if r.claimed > 0 => self.log(format_args!(
                "notices dispatched right after the change: sent {} later {} failed {}",
                r.sent, r.later, r.failed
            )),
            Ok(_) => {}
            Err(e) => self.log(format_args!("notices left to the scheduled dispatch: {e}")),
        }
    }

    /// One log line tagged with the request id, for what an operator should
    /// see besides errors (errors are logged by [`super::serve`]). Never
    /// codes, tokens, keys or full phone numbers.
    pub fn log(&self, line: fmt::Arguments<'_>) {
        eprintln!("[{}] {line}", self.id);
    }
}
