//! Deleting the provider's rows nobody can use any more: codes a day after
//! they expired (a replay within that day still revokes what the code gave),
//! expired access and refresh tokens and client assertions, and grants
//! revoked longer ago than a refresh token lives. Spin has no scheduler, so
//! the token endpoint runs this on about one call in 64, each delete
//! bounded by [`crate::purge::BATCH`] rows.

use super::provider::REFRESH_TTL;
use super::store::grants::purge_assertions_before;
use crate::identity::Ports;
use crate::ports::StoreError;
use crate::purge::older_than;

const DAY: i64 = 86_400;

/// What is deleted: (table, key, cut-off column, seconds kept after it).
const PURGES: &[(&str, &str, &str, i64)] = &[
    ("sso_codes", "code_hash", "expires_at", DAY),
    ("sso_access_tokens", "jti", "expires_at", 0),
    ("sso_refresh_tokens", "token_hash", "expires_at", 0),
    ("sso_grants", "id", "revoked_at", REFRESH_TTL),
];

/// Runs every purge once.
pub fn purge_expired(ports: Ports<'_>) -> Result<(), StoreError> {
    let now = ports.clock.now();
    for (table, key, column, kept) in PURGES {
        older_than(ports.sql, table, key, column, false, now - kept)?;
    }
    purge_assertions_before(ports.sql, now)?;
    Ok(())
}

/// [`purge_expired`] on a random ~1/64 of calls; a failure is ignored, as
/// the caller's request does not depend on it.
pub fn maybe_purge(ports: Ports<'_>) {
    let mut dice = [0u8; 1];
    ports.random.fill(&mut dice);
    if dice[0] < 4 {
        let _ = purge_expired(ports);
    }
}
