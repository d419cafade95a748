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
use super::store::failures;
use crate::ports::{Sql, StoreError};

/// Counts one wrong code on a challenge started from `network`. Returns
/// when the phone is now locked (for that network) until, if it is.
pub(crate) fn record_failure(
    sql: &dyn Sql,
    policy: &OtpPolicy,
    phone: &str,
    network: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let until = failures::record(
        sql,
        phone,
        network,
        i64::from(policy.lockout_failures),
        i64::from(policy.lockout_seconds),
        now,
    )?;
    Ok(until.filter(|&u| u > now))
}

/// A correct code: the streak of its network is over. Other networks'
/// streaks stand — the owner's success must not refill an attacker's tries.
pub(crate) fn clear(sql: &dyn Sql, phone: &str, network: &str) -> Result<(), StoreError> {
    failures::clear(sql, phone, network)
}

/// When the phone's lock for `network` ends, if it is locked at `now`.
pub(crate) fn locked_until(
    sql: &dyn Sql,
    phone: &str,
    network: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    failures::locked_until(sql, phone, network, now)
}

/// Seconds until `until`, never less than 1 so `Retry-After` is meaningful.
pub(crate) fn seconds_until(until: i64, now: i64) -> u64 {
    u64::try_from(until.saturating_sub(now)).unwrap_or(0).max(1)
}
