//! Notices that come from the clock rather than from a change: the
//! reminder the day before a booked slot and the opening of its check-in
//! window. Each is written by one `INSERT … SELECT … ON CONFLICT
//! (dedupe_key) DO NOTHING`, keyed by the booking and its slot, so any
//! number of dispatchers running at once write it once, and a booking moved
//! to another slot is reminded again.

use crate::local_time::{local_days, local_midnight};
use crate::ports::{Sql, StoreError};

/// The check-in window opens this long before the slot's start
/// (docs/appointments.md) …
pub const CHECKIN_OPENS_BEFORE: i64 = 30 * 60;
/// … and closes this long after it.
pub const CHECKIN_CLOSES_AFTER: i64 = 15 * 60;

/// Writes every time-based notice due at `now`; how many it wrote.
pub fn write_due(sql: &dyn Sql, now: i64) -> Result<u64, StoreError> {
    let tomorrow = local_days(now) + 1;
    let reminders = write(
        sql,
        "appointment_reminder",
        local_midnight(tomorrow),
        local_midnight(tomorrow + 1),
        now,
    )?;
    // Open from exactly 30 minutes before the start until before 15 after:
    // starts_at in (now - 15 min, now + 30 min].
    let checkins = write(
        sql,
        "checkin_open",
        now - CHECKIN_CLOSES_AFTER + 1,
        now + CHECKIN_OPENS_BEFORE + 1,
        now,
    )?;
    Ok(reminders + checkins)
}

/// One notice of `kind` for every booked appointment whose slot starts in
/// `[from, to)`.
fn write(sql: &dyn Sql, kind: &str, from: i64, to: i64, now: i64) -> Result<u64, StoreError> {
    let rows = sql.execute(
        "INSERT INTO notifications \
         (account_id, kind, ref_id, subject, detail, at_time, dedupe_key, created_at, due_at) \
         SELECT a.citizen_id, ?1, a.id, COALESCE(sv.name, a.service_code), a.ticket_code, \
                s.starts_at, ?1 || ':' || a.id || ':' || s.id, ?4, ?4 \
         FROM appointment_slots s \
         JOIN appointments a ON a.slot_id = s.id AND a.status = 'booked' \
         LEFT JOIN services sv ON sv.code = a.service_code \
         WHERE s.starts_at >= ?2 AND s.starts_at < ?3 \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        &[kind.into(), from.into(), to.into(), now.into()],
    )?;
    Ok(rows.rows.len() as u64)
}
