//! The admin's view of keys: list them (never the key or its hash) and
//! revoke one. Creation lives in `crate::admin::keys`.

use super::store;
use crate::ports::{Clock, Sql, StoreError};

/// A key as the admin list shows it: the holder's record, revoked or not.
pub type KeyInfo = super::holder::KeyHolder;

/// Keys newest first, revoked ones included, `fetch` at most, after the key
/// with id `after` (the page cursor).
pub fn list_keys(
    sql: &dyn Sql,
    after: Option<i64>,
    fetch: u32,
) -> Result<Vec<KeyInfo>, StoreError> {
    store::list(sql, after, fetch)
}

/// The key with this code, revoked or not.
pub fn get_key(sql: &dyn Sql, code: &str) -> Result<Option<KeyInfo>, StoreError> {
    store::by_code(sql, code)
}

/// Revokes the key `code` (one statement, so the key stops working for the
/// very next request). `None` for an unknown code; otherwise the key and
/// whether this call revoked it (`false`: it already was — idempotent).
pub fn revoke_key(
    sql: &dyn Sql,
    clock: &dyn Clock,
    code: &str,
) -> Result<Option<(KeyInfo, bool)>, StoreError> {
    let changed = store::revoke(sql, code, clock.now())?;
    Ok(get_key(sql, code)?.map(|key| (key, changed)))
}
