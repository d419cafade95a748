//! What every handler needs for one request: the ports, the request id for
//! log lines, the audit helper and the mapping of domain errors.

use cds_shared::appointments::ApptError;
use cds_shared::audit::{self, Entry};
use cds_shared::error::ApiError;
use cds_shared::guard::{authenticate_request, require_official};
use cds_shared::http::Request;
use cds_shared::identity::{Ports, Principal};
use cds_shared::ports::StoreError;

pub struct Ctx<'a> {
    pub ports: Ports<'a>,
    /// The request id, for log lines.
    pub id: &'a str,
}

/// An authenticated official and their unit.
pub struct Official {
    pub principal: Principal,
    pub unit: String,
}

impl Ctx<'_> {
    /// The caller behind the bearer token (401 without a live session).
    pub fn caller(&self, req: &Request) -> Result<Principal, ApiError> {
        authenticate_request(self.ports, req)
    }

    /// The caller, who must be an official with a unit (403 otherwise).
    pub fn official(&self, req: &Request) -> Result<Official, ApiError> {
        let principal = self.caller(req)?;
        require_official(&principal)?;
        let unit = principal.unit_code.clone().ok_or(ApiError::Forbidden)?;
        Ok(Official { principal, unit })
    }

    /// Domain refusal → API error; store failures are logged first.
    pub fn fail(&self, e: ApptError) -> ApiError {
        match e {
            ApptError::Store(e) => store_error(self.id, e),
            other => other.into(),
        }
    }

    /// Appends to the audit log after the change it describes was committed.
    ///
    /// A failed append does not undo or fail the change (the citizen is
    /// already checked in); the entry goes to the log output instead, so the
    /// event is never silently lost. Entries never hold secrets.
    pub fn audit(&self, entry: Entry) {
        audit::append_or_log(self.ports.sql, self.ports.clock, self.id, entry);
    }
}

/// Logs the store's own message (it can name tables) and answers with the
/// client-safe error.
pub fn store_error(request_id: &str, e: StoreError) -> ApiError {
    eprintln!("[{request_id}] store error: {e}");
    ApiError::from(e)
}
