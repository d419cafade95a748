//! The admin's view of keys: list them (never the key or its hash) and
//! revoke one. Creation lives in `crate::admin::keys`.

use super::scope::{Scope, Scopes};
use crate::ports::{Clock, Sql, SqlValue, StoreError};

/// A key as the admin list shows it: the holder's record, revoked or not.
pub type KeyInfo = super::holder::KeyHolder;

const LIST_COLUMNS: &str = "i.id, i.code, i.name, i.key_prefix, i.created_at, i.revoked_at, \
                            u.last_used_at, k.unit_code";
const LIST_FROM: &str = "FROM issuers i \
                         LEFT JOIN api_key_usage u ON u.issuer_id = i.id \
                         LEFT JOIN api_key_units k ON k.issuer_id = i.id";

fn info_from_row(row: &[SqlValue]) -> Option<KeyInfo> {
    let text = |i: usize| row.get(i).and_then(SqlValue::as_str).map(str::to_owned);
    let int = |i: usize| row.get(i).and_then(SqlValue::as_i64);
    Some(KeyInfo {
        id: int(0)?,
        code: text(1)?,
        name: text(2)?,
        key_prefix: text(3)?,
        scopes: Scopes::NONE,
        created_at: int(4)?,
        revoked_at: int(5),
        last_used_at: int(6),
        unit_code: text(7),
    })
}

fn read_infos(
    sql: &dyn Sql,
    statement: &str,
    params: &[SqlValue],
) -> Result<Vec<KeyInfo>, StoreError> {
    let rows = sql.execute(statement, params)?;
    let mut keys = rows
        .rows
        .iter()
        .map(|r| {
            info_from_row(r).ok_or_else(|| StoreError::Unavailable("unreadable api key row".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    attach_scopes(sql, &mut keys)?;
    Ok(keys)
}

/// Fills in the scopes of `keys` with one query (no GROUP_CONCAT /
/// string_agg, so the SQL is the same on SQLite and PostgreSQL).
fn attach_scopes(sql: &dyn Sql, keys: &mut [KeyInfo]) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["?"; keys.len()].join(", ");
    let params: Vec<SqlValue> = keys.iter().map(|k| SqlValue::Integer(k.id)).collect();
    let rows = sql.execute(
        &format!("SELECT issuer_id, scope FROM api_key_scopes WHERE issuer_id IN ({placeholders})"),
        &params,
    )?;
    for row in &rows.rows {
        let id = row.first().and_then(SqlValue::as_i64);
        let scope = row.get(1).and_then(SqlValue::as_str).and_then(Scope::parse);
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
pub fn list_keys(
    sql: &dyn Sql,
    after: Option<i64>,
    fetch: u32,
) -> Result<Vec<KeyInfo>, StoreError> {
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
pub fn get_key(sql: &dyn Sql, code: &str) -> Result<Option<KeyInfo>, StoreError> {
    let statement = format!("SELECT {LIST_COLUMNS} {LIST_FROM} WHERE i.code = ? LIMIT 1");
    Ok(read_infos(sql, &statement, &[code.into()])?.pop())
}

/// Revokes the key `code` (one statement, so the key stops working for the
/// very next request). `None` for an unknown code; otherwise the key and
/// whether this call revoked it (`false`: it already was — idempotent).
pub fn revoke_key(
    sql: &dyn Sql,
    clock: &dyn Clock,
    code: &str,
) -> Result<Option<(KeyInfo, bool)>, StoreError> {
    let changed = sql.execute(
        "UPDATE issuers SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL RETURNING id",
        &[SqlValue::Integer(clock.now()), code.into()],
    )?;
    Ok(get_key(sql, code)?.map(|key| (key, !changed.is_empty())))
}
