//! The API-key domain's SQL: looking a key up by its hash with its scopes
//! and unit, stamping its last use, listing keys for the admin and revoking
//! one. The rule files (`holder`, `manage`) decide what to ask; only this
//! module (and `admin::store`, which creates keys) speaks SQL for keys.
//!
//! Revoking and stamping are each one conditional statement (`WHERE
//! revoked_at IS NULL`, `ON CONFLICT … WHERE` on the stamp's age), so racing
//! requests cannot revoke twice or stamp more than once a minute.

use super::holder::KeyHolder;
use super::scope::{Scope, Scopes};
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{all, decode_all, first, Row};

// One row per scope (LEFT JOIN: a key without scopes still comes back once,
// so "no scope" is told apart from "no key").
const FIND: &str = "\
SELECT i.id, i.code, i.name, i.key_hash, i.key_prefix, i.created_at, \
       u.last_used_at, k.unit_code, s.scope \
FROM issuers i \
LEFT JOIN api_key_scopes s ON s.issuer_id = i.id \
LEFT JOIN api_key_usage u ON u.issuer_id = i.id \
LEFT JOIN api_key_units k ON k.issuer_id = i.id \
WHERE i.key_hash = ? AND i.revoked_at IS NULL";

const LIST_COLUMNS: &str = "i.id, i.code, i.name, i.key_prefix, i.created_at, i.revoked_at, \
                            u.last_used_at, k.unit_code";
const LIST_FROM: &str = "FROM issuers i \
                         LEFT JOIN api_key_usage u ON u.issuer_id = i.id \
                         LEFT JOIN api_key_units k ON k.issuer_id = i.id";

/// A key row without its scopes (`revoked_at` read only when `revoked`
/// says the statement selected it).
fn holder(r: &Row<'_>, revoked: bool) -> Result<KeyHolder, StoreError> {
    Ok(KeyHolder {
        id: r.i64("id")?,
        code: r.text("code")?,
        name: r.text("name")?,
        key_prefix: r.text("key_prefix")?,
        scopes: Scopes::NONE,
        unit_code: r.opt_text("unit_code")?,
        created_at: r.i64("created_at")?,
        last_used_at: r.opt_i64("last_used_at")?,
        revoked_at: if revoked {
            r.opt_i64("revoked_at")?
        } else {
            None
        },
    })
}

/// The active (not revoked) holder of the key hashed to `key_hash`, with
/// its scopes, and the stored hash (for the caller's constant-time check).
/// A scope spelling this build does not know is skipped, not fatal: the key
/// may do less, never more.
pub fn find_active_by_hash(
    sql: &dyn Sql,
    key_hash: &str,
) -> Result<Option<(String, KeyHolder)>, StoreError> {
    let rows = sql.execute(FIND, &[key_hash.into()])?;
    let Some(row) = first(&rows) else {
        return Ok(None);
    };
    let stored_hash = row.text("key_hash")?;
    let mut found = holder(&row, false)?;
    found.scopes = all(&rows)
        .filter_map(|r| r.opt_text("scope").ok().flatten())
        .filter_map(|s| Scope::parse(&s))
        .collect();
    Ok(Some((stored_hash, found)))
}

/// Stamps `last_used_at = now` for key `id` unless the stored stamp is
/// younger than `granularity` seconds (checked by the write itself);
/// `true` when a stamp was written.
pub fn stamp_use(sql: &dyn Sql, id: i64, now: i64, granularity: i64) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "INSERT INTO api_key_usage (issuer_id, last_used_at) VALUES (?, ?) \
         ON CONFLICT (issuer_id) DO UPDATE SET last_used_at = excluded.last_used_at \
         WHERE api_key_usage.last_used_at <= excluded.last_used_at - ? \
         RETURNING issuer_id",
        &[
            SqlValue::Integer(id),
            SqlValue::Integer(now),
            SqlValue::Integer(granularity),
        ],
    )?;
    Ok(!rows.is_empty())
}

fn read_infos(
    sql: &dyn Sql,
    statement: &str,
    params: &[SqlValue],
) -> Result<Vec<KeyHolder>, StoreError> {
    let rows = sql.execute(statement, params)?;
    let mut keys = decode_all(&rows, |r| holder(r, true))?;
    attach_scopes(sql, &mut keys)?;
    Ok(keys)
}

/// Fills in the scopes of `keys` with one query (no GROUP_CONCAT /
/// string_agg, so the SQL is the same on SQLite and PostgreSQL).
fn attach_scopes(sql: &dyn Sql, keys: &mut [KeyHolder]) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["?"; keys.len()].join(", ");
    let params: Vec<SqlValue> = keys.iter().map(|k| SqlValue::Integer(k.id)).collect();
    let rows = sql.execute(
        &format!("SELECT issuer_id, scope FROM api_key_scopes WHERE issuer_id IN ({placeholders})"),
        &params,
    )?;
    for row in all(&rows) {
        let id = row.i64("issuer_id").ok();
        let scope = row.text("scope").ok().and_then(|s| Scope::parse(&s));
        if let (Some(id), Some(scope)) = (id, scope) {
            if let Some(key) = keys.iter_mut().find(|k| k.id == id) {
                key.scopes = key.scopes.with(scope);
            }
        }
    }
    Ok(())
}

/// Keys newest first, revoked ones included, `fetch` at most, after the key
/// with id `after` (the page cursor).
pub fn list(sql: &dyn Sql, after: Option<i64>, fetch: u32) -> Result<Vec<KeyHolder>, StoreError> {
    let statement =
        format!("SELECT {LIST_COLUMNS} {LIST_FROM} WHERE i.id < ? ORDER BY i.id DESC LIMIT ?");
    read_infos(
        sql,
        &statement,
        &[
            SqlValue::Integer(after.unwrap_or(i64::MAX)),
            SqlValue::Integer(i64::from(fetch)),
        ],
    )
}

/// The key with this code, revoked or not.
pub fn by_code(sql: &dyn Sql, code: &str) -> Result<Option<KeyHolder>, StoreError> {
    let statement = format!("SELECT {LIST_COLUMNS} {LIST_FROM} WHERE i.code = ? LIMIT 1");
    Ok(read_infos(sql, &statement, &[code.into()])?.pop())
}

/// Revokes the active key `code` at `now` in one statement; `true` when
/// this call revoked it.
pub fn revoke(sql: &dyn Sql, code: &str, now: i64) -> Result<bool, StoreError> {
    let changed = sql.execute(
        "UPDATE issuers SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL RETURNING id",
        &[SqlValue::Integer(now), code.into()],
    )?;
    Ok(!changed.is_empty())
}
