//! Reserving a code against every sending limit in one statement, and — only
//! when that was refused — working out which limit and for how long.

use super::challenge::Origin;
use super::lockout::{self, seconds_until};
use super::policy::OtpPolicy;
use super::OtpError;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::all;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// The short window of the phone's all-networks cap.
pub(crate) const TOTAL_WINDOW: i64 = 900;

/// Inserts the challenge only if the phone is not locked for this network
/// and every quota has room:
/// - per (phone, network): cooldown ?11, hourly ?12, daily ?13;
/// - per network, any phones: hourly ?14 (the per-IP or per-kiosk allowance);
/// - per phone, all networks, unless ?15 = 0 (registered kiosk, linked Zalo):
///   ?16 in any 15 minutes and ?17 per day, counting only codes nobody has
///   used — a used code proved the phone, so the owner's own logins never
///   spend the budget strangers can spend.
///
/// The challenge rows are the quota ledger (`client_ip` holds the network
/// key), and SQLite runs a writing statement under the database write lock
/// from its first read, so the counts and the insert are one atomic step:
/// parallel starts cannot all squeeze through the same last slot.
/// PostgreSQL gives no such lock to INSERT … SELECT: there the statement will
/// need a row lock on the phone first (e.g. `SELECT … FOR UPDATE` on a
/// per-phone row in the same transaction); a PostgreSQL port has to add it
/// (see docs/identity.md and the "Edge deployment" issue).
pub(crate) const CREATE_WITHIN_LIMITS: &str = "\
INSERT INTO otp_challenges \
  (id, phone, channel, purpose, client, full_name, client_ip, code_mac, attempts, \
   created_at, expires_at) \
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10 \
WHERE NOT EXISTS (SELECT 1 FROM otp_network_failures \
                  WHERE phone = ?2 AND network = ?7 AND locked_until > ?9) \
  AND NOT EXISTS (SELECT 1 FROM otp_challenges \
                  WHERE phone = ?2 AND client_ip = ?7 AND created_at > ?9 - ?11) \
  AND (SELECT count(*) FROM otp_challenges \
       WHERE phone = ?2 AND client_ip = ?7 AND created_at > ?9 - 3600) < ?12 \
  AND (SELECT count(*) FROM otp_challenges \
       WHERE phone = ?2 AND client_ip = ?7 AND created_at > ?9 - 86400) < ?13 \
  AND (SELECT count(*) FROM otp_challenges WHERE client_ip = ?7 AND created_at > ?9 - 3600) < ?14 \
  AND (?15 = 0 OR (SELECT count(*) FROM otp_challenges \
                   WHERE phone = ?2 AND used_at IS NULL AND created_at > ?9 - 900) < ?16) \
  AND (?15 = 0 OR (SELECT count(*) FROM otp_challenges \
                   WHERE phone = ?2 AND used_at IS NULL AND created_at > ?9 - 86400) < ?17) \
RETURNING id";

/// The limit parameters (?11–?17) of [`CREATE_WITHIN_LIMITS`].
pub(crate) fn limit_params(policy: &OtpPolicy, origin: &Origin) -> [SqlValue; 7] {
    [
        i64::from(policy.resend_seconds).into(),
        i64::from(policy.phone_hourly).into(),
        i64::from(policy.phone_daily).into(),
        i64::from(origin.hourly_allowance(policy)).into(),
        i64::from(origin.held_to_phone_totals()).into(),
        i64::from(policy.phone_total_15min).into(),
        i64::from(policy.phone_total_daily).into(),
    ]
}

/// Why [`CREATE_WITHIN_LIMITS`] inserted nothing. Read after the fact, so a
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
    let phone_rows = recent(sql, "phone", phone, since)?;
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
    let network_times: Vec<i64> = recent(sql, "client_ip", &network, now - HOUR)?
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

/// One row of the quota ledger.
struct Recent {
    created_at: i64,
    network: Option<String>,
    used: bool,
}

/// Challenges newer than `since` by `column` = `key`, newest first.
fn recent(sql: &dyn Sql, column: &str, key: &str, since: i64) -> Result<Vec<Recent>, StoreError> {
    // `column` is one of two literals above, never input.
    let statement = format!(
        "SELECT created_at, client_ip, used_at FROM otp_challenges \
         WHERE {column} = ?1 AND created_at > ?2 ORDER BY created_at DESC"
    );
    let rows = sql.execute(&statement, &[key.into(), since.into()])?;
    all(&rows)
        .map(|r| {
            Ok(Recent {
                created_at: r.i64("created_at")?,
                network: r.opt_text("client_ip")?,
                used: r.opt_i64("used_at")?.is_some(),
            })
        })
        .collect()
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
