//! The `alerts` role: the admin grants it to an official by phone and may
//! take it back; only an official holding it publishes, updates or
//! cancels alerts. The role is read on every call (and again inside the
//! statement that stores a message), so taking it back applies at once.

use super::{store, AlertError};
use crate::phone::Phone;
use crate::ports::Sql;
use serde::Serialize;

/// One publisher, as the admin sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publisher {
    /// Their account.
    pub account_id: String,
    /// E.164.
    pub phone: String,
    /// Their name, if known.
    pub full_name: Option<String>,
    /// When the role was granted (RFC 3339, +07:00).
    pub granted_at: String,
}

/// Grants the role to the official of `phone`; their account id.
/// Granting twice is harmless. A phone that is no official's → 404.
pub fn grant(sql: &dyn Sql, phone: &Phone, now: i64) -> Result<String, AlertError> {
    store::grant(sql, phone.as_e164(), now)?.ok_or(AlertError::OfficialNotFound)
}

/// Takes the role back; whether the account had it.
pub fn revoke(sql: &dyn Sql, phone: &Phone) -> Result<bool, AlertError> {
    Ok(store::revoke(sql, phone.as_e164())?)
}

/// Every publisher, oldest grant first.
pub fn list(sql: &dyn Sql) -> Result<Vec<Publisher>, AlertError> {
    Ok(store::publishers(sql)?)
}

/// 403 `not_alert_publisher` unless `account_id` holds the role.
pub fn require(sql: &dyn Sql, account_id: &str) -> Result<(), AlertError> {
    if store::holds_role(sql, account_id)? {
        Ok(())
    } else {
        Err(AlertError::NotPublisher)
    }
}

/// The admin's grant: `{"phone": "0905…"}` (a bad number → 422
/// `invalid_phone`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// The official's phone.
    pub phone: Phone,
}
