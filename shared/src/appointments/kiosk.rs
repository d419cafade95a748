//! Check-in by ticket code where nobody is known: a kiosk without a session,
//! or a citizen's kiosk session (whoever stands at the screen need not be the
//! ticket's holder).
//!
//! Two rules on top of [`check_in`]:
//! * **An allowance per client.** At most `checkin_kiosk_failures_per_hour`
//!   (default 30) attempts that checked nobody in, per client address, in
//!   any hour; past it → 429 `rate_limited` with `Retry-After`. Successful
//!   check-ins do not count, so a busy centre is never slowed by the people
//!   it serves, while guessing codes costs an hour per 30 guesses. The
//!   attempt is reserved by one conditional INSERT before the check-in runs
//!   and released again when it succeeds, so the bound holds under any
//!   concurrency.
//! * **One answer for every refusal.** Unknown code, another day, cancelled,
//!   already arrived, outside the window, malformed: all are
//!   [`ApptError::CheckinFailed`] (422 `checkin_failed`, one message), so a
//!   stranger learns nothing about which codes exist or what became of them.
//!   Officials at a desk still get the specific reason from [`check_in`].

use super::checkin::{check_in, Desk};
use super::error::ApptError;
use super::model::Booking;
use super::store;
use crate::identity::Ports;
use crate::ids::random_id;
use crate::ports::Settings;

/// The window the allowance is counted over.
pub const WINDOW_SECONDS: i64 = 3_600;

/// Failed attempts per client per window when the setting is unset.
pub const DEFAULT_FAILURES_PER_HOUR: i64 = 30;

/// `checkin_kiosk_failures_per_hour`, falling back to the default when
/// unset, not a whole number or below 1.
pub fn allowance(settings: &dyn Settings) -> i64 {
    settings
        .get("checkin_kiosk_failures_per_hour")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| (1..=1_000_000).contains(v))
        .unwrap_or(DEFAULT_FAILURES_PER_HOUR)
}

/// Checks a ticket in for a client nobody vouches for. `client_key` names
/// the client the allowance is counted for (its address).
pub fn kiosk_check_in(
    ports: Ports<'_>,
    client_key: &str,
    ticket_input: &str,
) -> Result<Booking, ApptError> {
    let now = ports.clock.now();
    let since = now - WINDOW_SECONDS;
    let limit = allowance(ports.settings);
    // Old rows are pruned a batch at a time to keep the table small; the
    // count below filters by the window itself.
    store::prune_attempts(ports.sql, since)?;
    let id = random_id(ports.random, "ci_", 12);
    if !store::reserve_attempt(ports.sql, &id, client_key, now, since, limit)? {
        let oldest = store::oldest_attempt(ports.sql, client_key, since)?.unwrap_or(now);
        return Err(ApptError::RateLimited {
            retry_after: retry_after(oldest, now),
        });
    }
    match check_in(ports, Desk::Kiosk, ticket_input) {
        Ok(booking) => {
            // Served: the attempt gives its place back.
            store::release_attempt(ports.sql, &id)?;
            Ok(booking)
        }
        Err(ApptError::Store(e)) => Err(ApptError::Store(e)),
        Err(_) => Err(ApptError::CheckinFailed),
    }
}

/// Seconds until the `oldest` counted attempt leaves the window (at least 1).
fn retry_after(oldest: i64, now: i64) -> u64 {
    u64::try_from(oldest + WINDOW_SECONDS - now)
        .unwrap_or(1)
        .max(1)
}
