//! Deleting challenges and sessions nobody can use any more.
//!
//! Spin has no scheduler, so starting a challenge purges now and then
//! (about one call in 64); a cron-style caller may also call [`purge_stale`].

use super::policy::OtpPolicy;
use super::store::{challenges, sessions};
use super::Ports;
use crate::ports::StoreError;

const DAY: i64 = 86_400;

/// Deletes challenges too old to matter for any quota or verification, and
/// sessions that ended (expired or revoked) more than a day ago.
pub fn purge_stale(ports: Ports<'_>) -> Result<(), StoreError> {
    let now = ports.clock.now();
    let ttl = i64::from(OtpPolicy::from_settings(ports.settings).ttl_seconds);
    // The daily quota looks back one day; a challenge is verifiable for ttl.
    let challenges_before = now - DAY.max(ttl) - 60;
    challenges::purge_before(ports.sql, challenges_before)?;
    // Revoking pulls idle_expires_at down, so this also catches revoked ones.
    sessions::purge_ended(ports.sql, now - DAY)
}

/// Runs [`purge_stale`] on a random ~1/64 of calls; failures are ignored
/// because the caller's request does not depend on them.
pub(crate) fn maybe_purge(ports: Ports<'_>) {
    let mut dice = [0u8; 1];
    ports.random.fill(&mut dice);
    if dice[0] < 4 {
        let _ = purge_stale(ports);
    }
}
