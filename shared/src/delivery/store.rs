//! The delivery domain's SQL: writing a code to `dev_outbox` and reading a
//! phone's codes back. The outbox rules (`outbox`) decide when; only this
//! module speaks SQL for it.

use super::outbox::OutboxItem;
use super::OtpMessage;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{decode_all, Row};

/// Stores `msg` as sent at `now`.
pub fn insert(sql: &dyn Sql, msg: &OtpMessage, now: i64) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO dev_outbox (phone, channel, text, code, sent_at) VALUES (?, ?, ?, ?, ?)",
        &[
            msg.phone_e164.as_str().into(),
            msg.channel.as_str().into(),
            msg.text.as_str().into(),
            msg.code.as_str().into(),
            SqlValue::Integer(now),
        ],
    )
    .map(|_| ())
}

fn item(r: &Row<'_>) -> Result<OutboxItem, StoreError> {
    Ok(OutboxItem {
        phone: r.text("phone")?,
        channel: r.text("channel")?,
        text: r.text("text")?,
        code: r.text("code")?,
        sent_at: r.i64("sent_at")?,
    })
}

/// The newest `limit` codes sent to `phone_e164`, newest first (by
/// insertion, so codes sent in the same second keep their order).
pub fn list(sql: &dyn Sql, phone_e164: &str, limit: i64) -> Result<Vec<OutboxItem>, StoreError> {
    let rows = sql.execute(
        "SELECT phone, channel, text, code, sent_at FROM dev_outbox WHERE phone = ? \
         ORDER BY id DESC LIMIT ?",
        &[phone_e164.into(), SqlValue::Integer(limit)],
    )?;
    decode_all(&rows, item)
}
