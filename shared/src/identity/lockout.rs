//! Consecutive wrong codes per (phone, network), across all the challenges
//! started from that network, and the lock they trigger (docs/identity.md: 20
//! failures → 15 minutes).
//!
//! The counter lives in its own row so that a new challenge cannot reset it;
//! only a correct code (or the lock running out) does. It is kept per
//! network — the key the challenge was started under — because a per-phone
//! lock let anyone lock a phone's owner out indefinitely by guessing badly
//! every 15 minutes; the number of guesses per phone stays bounded by the
//! per-phone code caps (docs/identity.md, "Code requests and limits").

use super::policy::OtpPolicy;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::first;

// One upsert, so parallel failures each count exactly once. In SQLite's
// DO UPDATE every column on the right-hand side is the row's old value. A lock
// that has run out starts a fresh count at 1; a running lock is never moved.
const RECORD_FAILURE: &str = "\
INSERT INTO otp_network_failures (phone, network, failures, locked_until, updated_at) \
VALUES (?1, ?5, 1, CASE WHEN ?2 <= 1 THEN ?3 + ?4 END, ?3) \
ON CONFLICT (phone, network) DO UPDATE SET \
  failures = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?3 \
                  THEN 1 ELSE failures + 1 END, \
  locked_until = CASE \
    WHEN locked_until IS NOT NULL AND locked_until > ?3 THEN locked_until \
    WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failures + 1 END) >= ?2 \
         THEN ?3 + ?4 \
    ELSE NULL END, \
  updated_at = ?3 \
RETURNING locked_until";

/// Counts one wrong code on a challenge started from `network`. Returns
/// when the phone is now locked (for that network) until, if it is.
pub(crate) fn record_failure(
    sql: &dyn Sql,
    policy: &OtpPolicy,
    phone: &str,
    network: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        RECORD_FAILURE,
        &[
            phone.into(),
            i64::from(policy.lockout_failures).into(),
            now.into(),
            i64::from(policy.lockout_seconds).into(),
            network.into(),
        ],
    )?;
    let until = match first(&rows) {
        Some(row) => row.opt_i64("locked_until")?,
        None => None,
    };
    Ok(until.filter(|&u| u > now))
}

/// A correct code: the streak of its network is over. Other networks'
/// streaks stand — the owner's success must not refill an attacker's tries.
pub(crate) fn clear(sql: &dyn Sql, phone: &str, network: &str) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM otp_network_failures WHERE phone = ?1 AND network = ?2",
        &[phone.into(), network.into()],
    )?;
    Ok(())
}

/// When the phone's lock for `network` ends, if it is locked at `now`.
pub(crate) fn locked_until(
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

/// Seconds until `until`, never less than 1 so `Retry-After` is meaningful.
pub(crate) fn seconds_until(until: i64, now: i64) -> u64 {
    u64::try_from(until.saturating_sub(now)).unwrap_or(0).max(1)
}
