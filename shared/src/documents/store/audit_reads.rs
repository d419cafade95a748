//! The access log's read of `audit_log`: the entries about one citizen with
//! one of the given actions, newest first.

use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::all;

/// One stored audit entry, as the access log reads it.
pub struct LoggedEntry {
    /// The log's sequence number (the page cursor).
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    /// The stored action name.
    pub action: String,
    /// The stored JSON detail.
    pub detail: String,
}

/// Up to `limit` entries about `citizen_id` with one of `actions`, strictly
/// before `before_seq`, newest first.
pub fn about_citizen(
    sql: &dyn Sql,
    citizen_id: &str,
    actions: &[&str],
    before_seq: Option<i64>,
    limit: u32,
) -> Result<Vec<LoggedEntry>, StoreError> {
    let placeholders = (0..actions.len())
        .map(|i| format!("?{}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let mut params: Vec<SqlValue> = vec![
        citizen_id.into(),
        before_seq.unwrap_or(i64::MAX).into(),
        i64::from(limit).into(),
    ];
    params.extend(actions.iter().map(|a| SqlValue::from(*a)));
    let rows = sql.execute(
        &format!(
            "SELECT seq, at, actor, action, detail FROM audit_log \
             WHERE subject = ?1 AND seq < ?2 AND action IN ({placeholders}) \
             ORDER BY seq DESC LIMIT ?3"
        ),
        &params,
    )?;
    all(&rows)
        .map(|r| {
            Ok(LoggedEntry {
                seq: r.i64("seq")?,
                at: r.i64("at")?,
                action: r.text("action")?,
                detail: r.text("detail")?,
            })
        })
        .collect()
}
