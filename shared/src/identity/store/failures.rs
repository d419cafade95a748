//! Statements on `otp_network_failures`: the per (phone, network) streak of
//! wrong codes and its lock.

use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::first;

// One upsert, so parallel failures each count exactly once: on PostgreSQL
// the conflicting row is locked and the new values are computed from it as
// the previous failure committed it. On both engines every column on the
// right-hand side of DO UPDATE is the row's old value; they are qualified
// with the table because PostgreSQL also has `excluded` in scope and calls a
// bare name ambiguous. A lock that has run out starts a fresh count at 1; a
// running lock is never moved.
const RECORD_FAILURE: &str = "\
INSERT INTO otp_network_failures (phone, network, failures, locked_until, updated_at) \
VALUES (?1, ?5, 1, CASE WHEN ?2 <= 1 THEN ?3 + ?4 END, ?3) \
ON CONFLICT (phone, network) DO UPDATE SET \
  failures = CASE WHEN otp_network_failures.locked_until IS NOT NULL \
                   AND otp_network_failures.locked_until <= ?3 \
                  THEN 1 ELSE otp_network_failures.failures + 1 END, \
  locked_until = CASE \
    WHEN otp_network_failures.locked_until IS NOT NULL \
     AND otp_network_failures.locked_until > ?3 THEN otp_network_failures.locked_until \
    WHEN (CASE WHEN otp_network_failures.locked_until IS NOT NULL THEN 1 \
               ELSE otp_network_failures.failures + 1 END) >= ?2 \
         THEN ?3 + ?4 \
    ELSE NULL END, \
  updated_at = ?3 \
RETURNING locked_until";

/// Counts one failure of `phone` from `network` in one upsert; a streak
/// reaching `threshold` locks for `lock_seconds`. Returns the row's
/// `locked_until` after the count (possibly in the past or `None`).
pub fn record(
    sql: &dyn Sql,
    phone: &str,
    network: &str,
    threshold: i64,
    lock_seconds: i64,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        RECORD_FAILURE,
        &[
            phone.into(),
            threshold.into(),
            now.into(),
            lock_seconds.into(),
            network.into(),
        ],
    )?;
    match first(&rows) {
        Some(row) => row.opt_i64("locked_until"),
        None => Ok(None),
    }
}

/// Deletes the streak of `phone` from `network`.
pub fn clear(sql: &dyn Sql, phone: &str, network: &str) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM otp_network_failures WHERE phone = ?1 AND network = ?2",
        &[phone.into(), network.into()],
    )?;
    Ok(())
}

/// When the lock of `phone` for `network` ends, if it is running at `now`.
pub fn locked_until(
    sql: &dyn Sql,
    phone: &str,
    network: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        "SELECT locked_until FROM otp_network_failures \
         WHERE phone = ?1 AND network = ?2 AND locked_until > ?3",
        &[phone.into(), network.into(), SqlValue::Integer(now)],
    )?;
    match first(&rows) {
        Some(row) => row.opt_i64("locked_until"),
        None => Ok(None),
    }
}
