//! The zalo domain's SQL: the `zalo_processed_events` claims that make each
//! webhook delivery count once, and undoing a link the audit log could not
//! record. Linking itself is identity's (`identity::link_zalo`).

use crate::ports::{Sql, StoreError};

/// Records `key` as handled at `now`; `true` for exactly one caller per key.
/// One `INSERT … ON CONFLICT DO NOTHING` on the primary key decides which of
/// any number of parallel deliveries wins.
pub fn claim_event(sql: &dyn Sql, key: &str, now: i64) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "INSERT INTO zalo_processed_events (event_key, received_at) VALUES (?1, ?2) \
         ON CONFLICT (event_key) DO NOTHING RETURNING event_key",
        &[key.into(), now.into()],
    )?;
    Ok(!rows.is_empty())
}

/// Forgets the claim on `key`.
pub fn release_event(sql: &dyn Sql, key: &str) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM zalo_processed_events WHERE event_key = ?1",
        &[key.into()],
    )?;
    Ok(())
}

/// Forgets up to a batch of the claims made before `cutoff`
/// (crate::purge).
pub fn purge_events_before(sql: &dyn Sql, cutoff: i64) -> Result<(), StoreError> {
    crate::purge::older_than(
        sql,
        "zalo_processed_events",
        "event_key",
        "received_at",
        false,
        cutoff,
    )?;
    Ok(())
}

/// Removes the link of `user` to `account_id`, only if it is still that one
/// (a newer link of the same Zalo user is left alone).
pub fn unlink(sql: &dyn Sql, account_id: &str, user: &str) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE citizens SET zalo_user_id = NULL WHERE id = ?1 AND zalo_user_id = ?2",
        &[account_id.into(), user.into()],
    )?;
    Ok(())
}
