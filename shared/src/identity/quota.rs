//! Reserving a code against every sending limit in one statement, and — only
//! when that was refused — working out which limit and for how long.

use super::lockout::{self, seconds_until};
use super::policy::OtpPolicy;
use super::rows::all;
use super::OtpError;
use crate::ports::{Sql, SqlValue, StoreError};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Inserts the challenge only if the phone is not locked and every quota has
/// room. The challenge rows are the quota ledger, and SQLite runs a writing
/// statement under the database write lock from its first read, so the
/// counts and the insert are one atomic step: parallel starts cannot all
/// squeeze through the same last slot.
pub(crate) const CREATE_WITHIN_LIMITS: &str = "\
INSERT INTO otp_challenges \
  (id, phone, channel, purpose, client, full_name, client_ip, code_mac, attempts, \
   created_at, expires_at) \
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10 \
WHERE NOT EXISTS (SELECT 1 FROM otp_phone_failures WHERE phone = ?2 AND locked_until > ?9) \
  AND NOT EXISTS (SELECT 1 FROM otp_challenges WHERE phone = ?2 AND created_at > ?9 - ?11) \
  AND (SELECT count(*) FROM otp_challenges WHERE phone = ?2 AND created_at > ?9 - 3600) < ?12 \
  AND (SELECT count(*) FROM otp_challenges WHERE phone = ?2 AND created_at > ?9 - 86400) < ?13 \
  AND (?7 IS NULL OR \
       (SELECT count(*) FROM otp_challenges WHERE client_ip = ?7 AND created_at > ?9 - 3600) < ?14) \
RETURNING id";

/// The limit parameters (?11–?14) of [`CREATE_WITHIN_LIMITS`].
pub(crate) fn limit_params(policy: &OtpPolicy) -> [SqlValue; 4] {
    [
        i64::from(policy.resend_seconds).into(),
        i64::from(policy.phone_hourly).into(),
        i64::from(policy.phone_daily).into(),
        i64::from(policy.ip_hourly).into(),
    ]
}

/// Why [`CREATE_WITHIN_LIMITS`] inserted nothing. Read after the fact, so a
/// concurrent change can make every limit look fine again; the answer is
/// then a 1-second `RateLimited`, which is still true of the refused request.
pub(crate) fn refusal(
    sql: &dyn Sql,
    policy: &OtpPolicy,
    phone: &str,
    client_ip: Option<&str>,
    now: i64,
) -> Result<OtpError, StoreError> {
    if let Some(until) = lockout::locked_until(sql, phone, now)? {
        return Ok(OtpError::PhoneLocked {
            retry_after: seconds_until(until, now),
        });
    }
    let resend = i64::from(policy.resend_seconds);
    let phone_times = recent(sql, "phone", phone, now - resend.max(DAY))?;
    let mut wait = [
        wait_for_room(&phone_times, now, resend, 1),
        wait_for_room(&phone_times, now, HOUR, policy.phone_hourly),
        wait_for_room(&phone_times, now, DAY, policy.phone_daily),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(ip) = client_ip {
        let ip_times = recent(sql, "client_ip", ip, now - HOUR)?;
        wait = wait.max(wait_for_room(&ip_times, now, HOUR, policy.ip_hourly));
    }
    Ok(OtpError::RateLimited {
        retry_after: wait.unwrap_or(1),
    })
}

/// Creation times newer than `since`, newest first.
fn recent(sql: &dyn Sql, column: &str, key: &str, since: i64) -> Result<Vec<i64>, StoreError> {
    // `column` is one of two literals above, never input.
    let statement = format!(
        "SELECT created_at FROM otp_challenges WHERE {column} = ?1 AND created_at > ?2 \
         ORDER BY created_at DESC"
    );
    let rows = sql.execute(&statement, &[key.into(), since.into()])?;
    all(&rows).map(|r| r.i64("created_at")).collect()
}

/// Seconds until a sliding window of `window` seconds holding `times`
/// (newest first) has fewer than `limit` entries, or `None` if it already has.
pub(crate) fn wait_for_room(times: &[i64], now: i64, window: i64, limit: u32) -> Option<u64> {
    let in_window: Vec<i64> = times
        .iter()
        .copied()
        .filter(|&t| t > now - window)
        .collect();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX).max(1);
    // Once the limit-th newest entry leaves the window, limit - 1 remain.
    let blocking = *in_window.get(limit - 1)?;
    Some(seconds_until(blocking + window, now))
}
