//! An official checking a scanned personal QR (`POST
//! /api/v1/officials/verify-qr`): the verdict, and the official's unit as the
//! citizen's access log names it. Every check is audited, whatever the
//! verdict ([`OfficialCheck::audit_entry`]).

use super::access_log::qr_entry;
use super::error::DocError;
use super::qr::{qr_secret, verify, Verdict};
use super::store::unit_name;
use crate::audit::Entry;
use crate::identity::Ports;

/// One check by one official.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialCheck {
    /// What the code turned out to be.
    pub verdict: Verdict,
    /// The checking official's unit: (code, name; empty for an unknown code).
    pub unit: Option<(String, String)>,
}

impl OfficialCheck {
    /// The audit entry of this check by `official_id` (shown in the
    /// citizen's access log with the unit).
    pub fn audit_entry(&self, official_id: &str) -> Entry {
        qr_entry(
            official_id,
            self.unit.as_ref().map(|(c, n)| (c.as_str(), n.as_str())),
            &self.verdict,
        )
    }
}

/// Checks `payload` for an official of `unit_code`. The caller has already
/// made sure the caller is an official (`guard::require_official`).
pub fn check_qr(
    ports: Ports<'_>,
    unit_code: Option<&str>,
    payload: &str,
) -> Result<OfficialCheck, DocError> {
    let secret = qr_secret(ports.settings)?;
    let verdict = verify(ports, &secret, payload)?;
    let unit = match unit_code {
        Some(code) => Some((
            code.to_owned(),
            unit_name(ports.sql, code)?.unwrap_or_default(),
        )),
        None => None,
    };
    Ok(OfficialCheck { verdict, unit })
}
