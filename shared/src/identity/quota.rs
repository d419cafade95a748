//! Reserving a code against every sending limit in one statement, and — only
//! when that was refused — working out which limit and for how long.

use super::challenge::Origin;
use super::lockout::{self, seconds_until};
use super::policy::OtpPolicy;
use super::store::challenges::{self, Ledger, Limits};
use super::OtpError;
use crate::ports::{Sql, StoreError};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// The short window of the phone's all-networks cap.
pub(crate) const TOTAL_WINDOW: i64 = 900;

/// The limits a new challenge from `origin` is held to, all checked by
/// [`challenges::create_within_limits`] in its one statement.
pub(crate) fn limits(policy: &OtpPolicy, origin: &Origin) -> Limits {
    Limits {
        cooldown: i64::from(policy.resend_seconds),
        phone_hourly: i64::from(policy.phone_hourly),
        phone_daily: i64::from(policy.phone_daily),
        network_hourly: i64::from(origin.hourly_allowance(policy)),
        phone_totals: origin.held_to_phone_totals(),
        total_15min: i64::from(policy.phone_total_15min),
        total_daily: i64::from(policy.phone_total_daily),
    }
}

/// Why [`challenges::create_within_limits`] inserted nothing. Read after the fact, so a
/// concurrent change can make every limit look fine again; the answer is
/// then a 1-second `RateLimited`, which is still true of the refused request.
pub(crate) fn refusal(
    sql: &dyn Sql,
    policy: &OtpPolicy,
    phone: &str,
    origin: &Origin,
    now: i64,
) -> Result<OtpError, StoreError> {
    let network = origin.key();
    if let Some(until) = lockout::locked_until(sql, phone, &network, now)? {
        return Ok(OtpError::PhoneLocked {
            retry_after: seconds_until(until, now),
        });
    }
    let resend = i64::from(policy.resend_seconds);
    let since = now - resend.max(DAY);
    let phone_rows = challenges::recent(sql, Ledger::Phone(phone), since)?;
    let from_here: Vec<i64> = phone_rows
        .iter()
        .filter(|r| r.network.as_deref() == Some(network.as_str()))
        .map(|r| r.created_at)
        .collect();
    let mut waits = vec![
        wait_for_room(&from_here, now, resend, 1),
        wait_for_room(&from_here, now, HOUR, policy.phone_hourly),
        wait_for_room(&from_here, now, DAY, policy.phone_daily),
    ];
    let network_times: Vec<i64> = challenges::recent(sql, Ledger::Network(&network), now - HOUR)?
        .into_iter()
        .map(|r| r.created_at)
        .collect();
    waits.push(wait_for_room(
        &network_times,
        now,
        HOUR,
        origin.hourly_allowance(policy),
    ));
    if origin.held_to_phone_totals() {
        let unused: Vec<i64> = phone_rows
            .iter()
            .filter(|r| !r.used)
            .map(|r| r.created_at)
            .collect();
        waits.push(wait_for_room(
            &unused,
            now,
            TOTAL_WINDOW,
            policy.phone_total_15min,
        ));
        waits.push(wait_for_room(&unused, now, DAY, policy.phone_total_daily));
    }
    Ok(OtpError::RateLimited {
        retry_after: waits.into_iter().flatten().max().unwrap_or(1),
    })
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
