//! The inbox's statements: list, count, mark read, delete.

use crate::notify::{Kind, Notice};
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{self, Row};

const COLUMNS: &str =
    "id, account_id, kind, ref_id, subject, detail, note, at_time, created_at, read_at";

pub(crate) fn notice_row(r: &Row<'_>) -> Result<Notice, StoreError> {
    Ok(Notice {
        id: r.i64("id")?,
        account_id: r.text("account_id")?,
        kind: r.parsed("kind", Kind::parse)?,
        ref_id: r.text("ref_id")?,
        subject: r.opt_text("subject")?,
        detail: r.opt_text("detail")?,
        note: r.opt_text("note")?,
        at_time: r.opt_i64("at_time")?,
        created_at: r.i64("created_at")?,
        read_at: r.opt_i64("read_at")?,
    })
}

/// Up to `limit` of the account's notices, newest first, below `before`
/// (keyset on the id, so a page costs the same however full the inbox is).
pub(crate) fn page(
    sql: &dyn Sql,
    account_id: &str,
    before: Option<i64>,
    unread_only: bool,
    limit: u32,
) -> Result<Vec<Notice>, StoreError> {
    let rows = sql.execute(
        &format!(
            "SELECT {COLUMNS} FROM notifications \
             WHERE account_id = ?1 AND deleted_at IS NULL AND id < ?2 \
               AND (?3 = 0 OR read_at IS NULL) \
             ORDER BY id DESC LIMIT ?4"
        ),
        &[
            account_id.into(),
            before.unwrap_or(i64::MAX).into(),
            i64::from(unread_only).into(),
            i64::from(limit).into(),
        ],
    )?;
    rows::decode_all(&rows, notice_row)
}

/// How many of the account's notices are unread.
pub(crate) fn unread_count(sql: &dyn Sql, account_id: &str) -> Result<i64, StoreError> {
    let rows = sql.execute(
        "SELECT count(*) AS n FROM notifications \
         WHERE account_id = ?1 AND deleted_at IS NULL AND read_at IS NULL",
        &[account_id.into()],
    )?;
    match rows::single(&rows) {
        Some(SqlValue::Integer(n)) => Ok(*n),
        _ => Err(rows::shape("n", "integer")),
    }
}

/// One of the account's notices.
pub(crate) fn one(sql: &dyn Sql, account_id: &str, id: i64) -> Result<Option<Notice>, StoreError> {
    let rows = sql.execute(
        &format!(
            "SELECT {COLUMNS} FROM notifications \
             WHERE id = ?1 AND account_id = ?2 AND deleted_at IS NULL"
        ),
        &[id.into(), account_id.into()],
    )?;
    rows::decode_first(&rows, notice_row)
}

/// Marks one notice read (the first reading time stays); the notice after,
/// `None` when it is not the account's.
pub(crate) fn mark_read(
    sql: &dyn Sql,
    account_id: &str,
    id: i64,
    now: i64,
) -> Result<Option<Notice>, StoreError> {
    let rows = sql.execute(
        &format!(
            "UPDATE notifications SET read_at = COALESCE(read_at, ?3) \
             WHERE id = ?1 AND account_id = ?2 AND deleted_at IS NULL \
             RETURNING {COLUMNS}"
        ),
        &[id.into(), account_id.into(), now.into()],
    )?;
    rows::decode_first(&rows, notice_row)
}

/// Marks every unread notice of the account read; how many it marked.
pub(crate) fn mark_all_read(sql: &dyn Sql, account_id: &str, now: i64) -> Result<i64, StoreError> {
    let rows = sql.execute(
        "UPDATE notifications SET read_at = ?2 \
         WHERE account_id = ?1 AND deleted_at IS NULL AND read_at IS NULL RETURNING id",
        &[account_id.into(), now.into()],
    )?;
    Ok(i64::try_from(rows.rows.len()).unwrap_or(i64::MAX))
}

/// Takes a notice out of the inbox. Its delivery still runs: deleting a
/// security notice from the app must not stop its SMS.
pub(crate) fn delete(
    sql: &dyn Sql,
    account_id: &str,
    id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE notifications SET deleted_at = ?3 \
         WHERE id = ?1 AND account_id = ?2 AND deleted_at IS NULL RETURNING id",
        &[id.into(), account_id.into(), now.into()],
    )?;
    Ok(!rows.rows.is_empty())
}
