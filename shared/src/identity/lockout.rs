//! Consecutive wrong codes per phone, across all its challenges, and the
//! lock they trigger (SPEC §5: 20 failures → 15 minutes).
//!
//! The counter lives in its own row so that a new challenge cannot reset it;
//! only a correct code (or the lock running out) does.

use super::policy::OtpPolicy;
use super::rows::first;
use crate::ports::{Sql, SqlValue, StoreError};

// One upsert, so parallel failures each count exactly once. In SQLite's
// DO UPDATE every column on the right-hand side is the row's old value. A lock
// that has run out starts a fresh count at 1; a running lock is never moved.
const RECORD_FAILURE: &str = "\
INSERT INTO otp_phone_failures (phone, failures, locked_until, updated_at) \
VALUES (?1, 1, CASE WHEN ?2 <= 1 THEN ?3 + ?4 END, ?3) \
ON CONFLICT (phone) DO UPDATE SET \
  failures = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?3 \
                  THEN 1 ELSE failures + 1 END, \
  locked_until = CASE \
    WHEN locked_until IS NOT NULL AND locked_until > ?3 THEN locked_until \
    WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failures + 1 END) >= ?2 \
         THEN ?3 + ?4 \
    ELSE NULL END, \
  updated_at = ?3 \
RETURNING locked_until";

/// Counts one wrong code. Returns when the phone is now locked until, if it is.
pub(crate) fn record_failure(
    sql: &dyn Sql,
    policy: &OtpPolicy,
    phone: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        RECORD_FAILURE,
        &[
            phone.into(),
            i64::from(policy.lockout_failures).into(),
            now.into(),
            i64::from(policy.lockout_seconds).into(),
        ],
    )?;
    let until = match first(&rows) {
        Some(row) => row.opt_i64("locked_until")?,
        None => None,
    };
    Ok(until.filter(|&u| u > now))
}

/// A correct code: the failure streak is over.
pub(crate) fn clear(sql: &dyn Sql, phone: &str) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM otp_phone_failures WHERE phone = ?1",
        &[phone.into()],
    )?;
    Ok(())
}

/// When the phone's lock ends, if it is locked at `now`.
pub(crate) fn locked_until(
    sql: &dyn Sql,
    phone: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        "SELECT locked_until FROM otp_phone_failures WHERE phone = ?1 AND locked_until > ?2",
        &[phone.into(), SqlValue::Integer(now)],
    )?;
    match first(&rows) {
        Some(row) => row.opt_i64("locked_until"),
        None => Ok(None),
    }
}

/// Seconds until `until`, never less than 1 so `Retry-After` is meaningful.
pub(crate) fn seconds_until(until: i64, now: i64) -> u64 {
    u64::try_from(until.saturating_sub(now)).unwrap_or(0).max(1)
}
