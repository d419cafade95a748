//! The admin domain's SQL: every statement on `units`, `services`,
//! `feedback_categories`, the key rows an admin creates (`issuers`,
//! `api_key_scopes`, `api_key_units`) and the deactivation of an official
//! (`sessions`, `citizens`). The rule files (`admin`, `keys`, `officials`)
//! validate and decide; only this module speaks SQL for them.
//!
//! Each write is one statement carrying its own guard (`ON CONFLICT DO
//! NOTHING RETURNING`, `… SELECT … WHERE EXISTS`, `WHERE role = 'official'`),
//! never a read followed by a write. Reads after a refused write only choose
//! the error shown.

use super::{FeedbackCategory, Service, Unit};
use crate::apikey::Scopes;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::single;

/// A table whose rows are named by a unique `code`.
#[derive(Debug, Clone, Copy)]
pub enum Coded {
    /// `units`.
    Units,
    /// `services`.
    Services,
    /// `feedback_categories`.
    FeedbackCategories,
}

impl Coded {
    fn table(self) -> &'static str {
        match self {
            Coded::Units => "units",
            Coded::Services => "services",
            Coded::FeedbackCategories => "feedback_categories",
        }
    }
}

/// Whether unit `code` exists.
pub fn unit_exists(sql: &dyn Sql, code: &str) -> Result<bool, StoreError> {
    code_exists(sql, Coded::Units, code)
}

/// Whether a row of `table` has this `code`.
pub fn code_exists(sql: &dyn Sql, table: Coded, code: &str) -> Result<bool, StoreError> {
    let rows = sql.execute(
        &format!("SELECT 1 FROM {} WHERE code = ? LIMIT 1", table.table()),
        &[code.into()],
    )?;
    Ok(!rows.is_empty())
}

/// Inserts the unit unless its code is taken; `true` when a row was written.
pub fn insert_unit(sql: &dyn Sql, unit: &Unit) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "INSERT INTO units (code, name, created_at) VALUES (?, ?, ?) \
         ON CONFLICT (code) DO NOTHING RETURNING code",
        &[
            unit.code.as_str().into(),
            unit.name.as_str().into(),
            SqlValue::Integer(unit.created_at),
        ],
    )?;
    Ok(!rows.is_empty())
}

/// Inserts the service if its unit exists and its code is free (both checked
/// inside the one statement); `true` when a row was written.
pub fn insert_service(sql: &dyn Sql, service: &Service) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "INSERT INTO services (code, name, kind, unit_code, address, created_at) \
         SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM units WHERE code = ?) \
         ON CONFLICT (code) DO NOTHING RETURNING code",
        &[
            service.code.as_str().into(),
            service.name.as_str().into(),
            service.kind.as_str().into(),
            service.unit_code.as_str().into(),
            service.address.as_str().into(),
            SqlValue::Integer(service.created_at),
            service.unit_code.as_str().into(),
        ],
    )?;
    Ok(!rows.is_empty())
}

/// Inserts the category if its unit exists and its code is free (both
/// checked inside the one statement); `true` when a row was written.
pub fn insert_feedback_category(
    sql: &dyn Sql,
    category: &FeedbackCategory,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "INSERT INTO feedback_categories (code, name, unit_code, created_at) \
         SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM units WHERE code = ?) \
         ON CONFLICT (code) DO NOTHING RETURNING code",
        &[
            category.code.as_str().into(),
            category.name.as_str().into(),
            category.unit_code.as_str().into(),
            SqlValue::Integer(category.created_at),
            category.unit_code.as_str().into(),
        ],
    )?;
    Ok(!rows.is_empty())
}

/// The stored part of a new key (never its plaintext).
pub struct NewKeyRow<'a> {
    /// Its code.
    pub code: &'a str,
    /// Its display name.
    pub name: &'a str,
    /// SHA-256 of the plaintext.
    pub key_hash: &'a str,
    /// The non-secret display prefix.
    pub key_prefix: &'a str,
    /// Creation time.
    pub created_at: i64,
}

/// Inserts the key row; its id, or `None` when the code (or, a 2^-128
/// event, the hash) is taken.
pub fn insert_issuer(sql: &dyn Sql, key: &NewKeyRow<'_>) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        "INSERT INTO issuers (code, name, key_hash, key_prefix, created_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT DO NOTHING RETURNING id",
        &[
            key.code.into(),
            key.name.into(),
            key.key_hash.into(),
            key.key_prefix.into(),
            SqlValue::Integer(key.created_at),
        ],
    )?;
    Ok(single(&rows).and_then(SqlValue::as_i64))
}

/// Writes the key's scopes (one statement, so all or none) and its unit.
pub fn attach(
    sql: &dyn Sql,
    id: i64,
    scopes: Scopes,
    unit: Option<&str>,
) -> Result<(), StoreError> {
    let names = scopes.names();
    let values = vec!["(?, ?)"; names.len()].join(", ");
    let params: Vec<SqlValue> = names
        .iter()
        .flat_map(|n| [SqlValue::Integer(id), (*n).into()])
        .collect();
    sql.execute(
        &format!(
            "INSERT INTO api_key_scopes (issuer_id, scope) VALUES {values} ON CONFLICT DO NOTHING"
        ),
        &params,
    )?;
    if let Some(unit) = unit {
        sql.execute(
            "INSERT INTO api_key_units (issuer_id, unit_code) VALUES (?, ?) \
             ON CONFLICT (issuer_id) DO UPDATE SET unit_code = excluded.unit_code",
            &[SqlValue::Integer(id), unit.into()],
        )?;
    }
    Ok(())
}

/// Best-effort undo of a half-made key. The row is deleted (freeing the
/// code for a retry) only when its scope and unit rows are known gone, so a
/// reused id can never inherit them; otherwise it is revoked at `now`, which
/// is as harmless. If even that fails, the key row has no scopes and may do
/// nothing — the key was never shown anyway.
pub fn undo_key(sql: &dyn Sql, now: i64, id: i64) {
    let id = SqlValue::Integer(id);
    let cleared = sql
        .execute(
            "DELETE FROM api_key_scopes WHERE issuer_id = ?",
            std::slice::from_ref(&id),
        )
        .is_ok()
        && sql
            .execute(
                "DELETE FROM api_key_units WHERE issuer_id = ?",
                std::slice::from_ref(&id),
            )
            .is_ok();
    let undone = cleared
        && sql
            .execute(
                "DELETE FROM issuers WHERE id = ?",
                std::slice::from_ref(&id),
            )
            .is_ok();
    if !undone {
        let _ = sql.execute(
            "UPDATE issuers SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            &[SqlValue::Integer(now), id],
        );
    }
}

// Ends every active session of the account, but only while it is still an
// official: a retry after the demotion went through does not log a citizen
// out, and a call on a plain citizen changes nothing.
const REVOKE_WHILE_OFFICIAL: &str = "\
UPDATE sessions SET revoked_at = ?2, idle_expires_at = CASE WHEN idle_expires_at < ?2 THEN idle_expires_at ELSE ?2 END \
WHERE citizen_id = ?1 AND revoked_at IS NULL \
  AND idle_expires_at > ?2 AND absolute_expires_at > ?2 \
  AND EXISTS (SELECT 1 FROM citizens WHERE id = ?1 AND role = 'official') \
RETURNING id";

const DEMOTE: &str = "\
UPDATE citizens SET role = 'citizen', unit_code = NULL, updated_at = ?2 \
WHERE id = ?1 AND role = 'official' RETURNING id";

// A login that completed between the two statements above opened a session
// while the account was still an official: end those too.
const REVOKE_SINCE: &str = "\
UPDATE sessions SET revoked_at = ?2, idle_expires_at = CASE WHEN idle_expires_at < ?2 THEN idle_expires_at ELSE ?2 END \
WHERE citizen_id = ?1 AND revoked_at IS NULL AND created_at >= ?3 \
  AND idle_expires_at > ?2 AND absolute_expires_at > ?2 \
RETURNING id";

/// Ends, at `now`, every active session of account `id` while it is an
/// official; how many were ended.
pub fn revoke_sessions_while_official(
    sql: &dyn Sql,
    id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    Ok(sql
        .execute(REVOKE_WHILE_OFFICIAL, &[id.into(), now.into()])?
        .rows
        .len())
}

/// Makes official `id` a citizen with no unit; `false` when it was not an
/// official (someone else demoted them first).
pub fn demote(sql: &dyn Sql, id: &str, now: i64) -> Result<bool, StoreError> {
    Ok(!sql.execute(DEMOTE, &[id.into(), now.into()])?.is_empty())
}

/// Ends, at `now`, the active sessions of `id` opened since `since`; how
/// many were ended.
pub fn revoke_sessions_since(
    sql: &dyn Sql,
    id: &str,
    now: i64,
    since: i64,
) -> Result<usize, StoreError> {
    Ok(sql
        .execute(REVOKE_SINCE, &[id.into(), now.into(), since.into()])?
        .rows
        .len())
}
