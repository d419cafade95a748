//! At-most-once handling of webhook deliveries: Zalo redelivers an event
//! when our answer is slow or lost, and each must be acted on once.

use crate::ports::{Sql, StoreError};

/// How long a handled event is remembered. Zalo retries for hours at most,
/// and the timestamp check already refuses anything older than 5 minutes,
/// so a day is ample.
pub const REMEMBER_SECONDS: i64 = 86_400;

// One statement decides which of any number of parallel deliveries wins.
const CLAIM: &str = "INSERT INTO zalo_processed_events (event_key, received_at) VALUES (?1, ?2) \
                     ON CONFLICT (event_key) DO NOTHING RETURNING event_key";

/// Records `key` as handled; `true` for exactly one caller per key, even
/// when many deliveries of one event arrive at once.
pub fn claim(sql: &dyn Sql, key: &str, now: i64) -> Result<bool, StoreError> {
    let rows = sql.execute(CLAIM, &[key.into(), now.into()])?;
    Ok(!rows.is_empty())
}

/// Gives a claim back, so a delivery that could not be handled at all (the
/// database failed half-way) is handled when Zalo retries it.
pub fn release(sql: &dyn Sql, key: &str) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM zalo_processed_events WHERE event_key = ?1",
        &[key.into()],
    )?;
    Ok(())
}

/// Forgets events older than [`REMEMBER_SECONDS`].
pub fn purge(sql: &dyn Sql, now: i64) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM zalo_processed_events WHERE received_at < ?1",
        &[(now - REMEMBER_SECONDS).into()],
    )?;
    Ok(())
}
