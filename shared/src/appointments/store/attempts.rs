//! The kiosk's failed check-in attempts (`checkin_attempts`), counted per
//! client over a sliding window.

use crate::ports::{Sql, StoreError};
use crate::rows;

/// Forgets up to a batch of the attempts at or before `since`
/// (crate::purge); the count filters by the window itself.
pub(crate) fn prune_attempts(sql: &dyn Sql, since: i64) -> Result<(), StoreError> {
    crate::purge::older_than(sql, "checkin_attempts", "id", "at", true, since)?;
    Ok(())
}

/// Records attempt `id` for `client_key` unless the client already has
/// `limit` attempts after `since`: one conditional INSERT, so the bound
/// holds under any concurrency — SQLite holds its write lock across the
/// count and the insert, and on PostgreSQL the `/* serializable per ?2 */`
/// marker runs it behind the client's advisory lock, since a READ COMMITTED
/// count alone would not see a parallel attempt's row. `true` when the attempt was recorded.
pub(crate) fn reserve_attempt(
    sql: &dyn Sql,
    id: &str,
    client_key: &str,
    now: i64,
    since: i64,
    limit: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "/* serializable per ?2 */ INSERT INTO checkin_attempts (id, client_key, at) SELECT ?1, ?2, ?3 \
         WHERE (SELECT count(*) FROM checkin_attempts WHERE client_key = ?2 AND at > ?4) < ?5 \
         RETURNING id",
        &[
            id.into(),
            client_key.into(),
            now.into(),
            since.into(),
            limit.into(),
        ],
    )?;
    Ok(!rows.is_empty())
}

/// Gives attempt `id`'s place back (it checked someone in).
pub(crate) fn release_attempt(sql: &dyn Sql, id: &str) -> Result<(), StoreError> {
    sql.execute("DELETE FROM checkin_attempts WHERE id = ?", &[id.into()])?;
    Ok(())
}

/// When the client's oldest attempt after `since` was made.
pub(crate) fn oldest_attempt(
    sql: &dyn Sql,
    client_key: &str,
    since: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        "SELECT min(at) AS oldest FROM checkin_attempts WHERE client_key = ? AND at > ?",
        &[client_key.into(), since.into()],
    )?;
    Ok(rows::first(&rows).and_then(|r| r.opt_i64("oldest").ok().flatten()))
}
