//! At-most-once handling of webhook deliveries: Zalo redelivers an event
//! when our answer is slow or lost, and each must be acted on once. The
//! claim is one atomic statement ([`super::store::claim_event`]).

use super::store;
use crate::ports::{Sql, StoreError};

/// How long a handled event is remembered. Zalo retries for hours at most,
/// and the timestamp check already refuses anything older than 5 minutes,
/// so a day is ample.
pub const REMEMBER_SECONDS: i64 = 86_400;

/// Records `key` as handled; `true` for exactly one caller per key, even
/// when many deliveries of one event arrive at once.
pub fn claim(sql: &dyn Sql, key: &str, now: i64) -> Result<bool, StoreError> {
    store::claim_event(sql, key, now)
}

/// Gives a claim back, so a delivery that could not be handled at all (the
/// database failed half-way) is handled when Zalo retries it.
pub fn release(sql: &dyn Sql, key: &str) -> Result<(), StoreError> {
    store::release_event(sql, key)
}

/// Forgets events older than [`REMEMBER_SECONDS`].
pub fn purge(sql: &dyn Sql, now: i64) -> Result<(), StoreError> {
    store::purge_events_before(sql, now - REMEMBER_SECONDS)
}
