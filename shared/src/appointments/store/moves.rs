//! The conditional UPDATEs that move a booking between statuses or slots.
//!
//! Each names the status it moves from in its `WHERE`, so of two racing
//! requests only one changes the row; the triggers of migration 0006 move
//! the seat inside the same statement. Each answers whether it changed the
//! booking.

use crate::appointments::checkin::{CLOSES_AFTER_SECONDS, OPENS_BEFORE_SECONDS};
use crate::appointments::status::Status;
use crate::ports::{Sql, StoreError};

/// `booked` → `cancelled` for the citizen's booking whose slot has not
/// started. Only the request whose UPDATE flips the status fires the
/// seat-returning trigger; a racing second cancel matches no row.
pub(crate) fn cancel(
    sql: &dyn Sql,
    citizen_id: &str,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE appointments SET status = 'cancelled', updated_at = ?1, closed_at = ?1 \
         WHERE id = ?2 AND citizen_id = ?3 AND status = 'booked' \
         AND (SELECT starts_at FROM appointment_slots WHERE id = appointments.slot_id) > ?1 \
         RETURNING id",
        &[now.into(), id.into(), citizen_id.into()],
    )?;
    Ok(!rows.is_empty())
}

/// Moves the citizen's `booked` booking to `new_slot_id` of the same
/// service, when the new slot has a seat and neither slot has started and
/// no other active booking of the citizen is on the new slot's day.
///
/// Why this is safe under concurrency and across processes: it is a single
/// UPDATE. SQLite runs a write statement, and the triggers it fires, holding
/// the database's one write lock (the WAL write lock, shared by every
/// connection and process on the file) inside one implicit transaction. The
/// `remaining > 0` check on the new slot, the booking's move, and the
/// trigger's `remaining - 1` on the new slot and `remaining + 1` on the old
/// one therefore happen as one step that no other booking can interleave
/// with; if any part fails (the CHECK on `remaining`, the one-per-day index)
/// the whole statement rolls back. There is no window in which both seats,
/// or neither, are held.
///
/// On PostgreSQL (READ COMMITTED) the `remaining > 0` read and the
/// one-per-day `NOT EXISTS` come from the statement's snapshot, so a racing
/// booking or move can pass them too; the trigger's decrement then waits for
/// the winner's row lock, recomputes on the committed slot and fails the
/// CHECK on `remaining`, or the one-per-day unique index refuses the row.
/// Either is a `Constraint` that rolls the whole statement back, and
/// [`crate::appointments::changes::reschedule`] reads why. Two moves in
/// opposite directions can deadlock on the two slot rows; PostgreSQL aborts
/// one (40P01) and the adapter runs it again.
pub(crate) fn reschedule(
    sql: &dyn Sql,
    citizen_id: &str,
    id: &str,
    new_slot_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE appointments \
         SET slot_id = n.id, local_date = n.local_date, updated_at = ? \
         FROM (SELECT id, local_date, service_code FROM appointment_slots \
               WHERE id = ? AND remaining > 0 AND starts_at > ?) AS n \
         WHERE appointments.id = ? AND appointments.citizen_id = ? \
         AND appointments.status = 'booked' \
         AND appointments.slot_id <> n.id AND n.service_code = appointments.service_code \
         AND (SELECT starts_at FROM appointment_slots WHERE id = appointments.slot_id) > ? \
         AND NOT EXISTS (SELECT 1 FROM appointments o \
             WHERE o.citizen_id = appointments.citizen_id \
             AND o.service_code = appointments.service_code AND o.local_date = n.local_date \
             AND o.status IN ('booked', 'arrived') AND o.id <> appointments.id) \
         RETURNING appointments.id",
        &[
            now.into(),
            new_slot_id.into(),
            now.into(),
            id.into(),
            citizen_id.into(),
            now.into(),
        ],
    )?;
    Ok(!rows.is_empty())
}

/// `booked` → `arrived` for the ticket, within `unit`'s services when given,
/// only while `now` is inside the check-in window around the slot's start:
/// the window is checked inside the UPDATE, against the same clock reading
/// the refusal reports, and two desks scanning one ticket record one arrival.
pub(crate) fn check_in(
    sql: &dyn Sql,
    code: &str,
    unit: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE appointments SET status = 'arrived', arrived_at = ?, updated_at = ? \
         WHERE ticket_code = ? AND status = 'booked' \
         AND (? IS NULL OR service_code IN (SELECT code FROM services WHERE unit_code = ?)) \
         AND EXISTS (SELECT 1 FROM appointment_slots s WHERE s.id = appointments.slot_id \
                     AND ? BETWEEN s.starts_at - ? AND s.starts_at + ?) \
         RETURNING id",
        &[
            now.into(),
            now.into(),
            code.into(),
            unit.into(),
            unit.into(),
            now.into(),
            OPENS_BEFORE_SECONDS.into(),
            CLOSES_AFTER_SECONDS.into(),
        ],
    )?;
    Ok(!rows.is_empty())
}

/// Closes a booking of `unit`'s services at the desk: `arrived` →
/// `fulfilled`, or `booked` → `noshow` once its slot has ended. Any other
/// target changes nothing.
pub(crate) fn close_at_desk(
    sql: &dyn Sql,
    unit: &str,
    id: &str,
    target: Status,
    now: i64,
) -> Result<bool, StoreError> {
    let statement = match target {
        Status::Fulfilled => {
            "UPDATE appointments SET status = 'fulfilled', closed_at = ?1, updated_at = ?1 \
             WHERE id = ?2 AND status = 'arrived' \
             AND service_code IN (SELECT code FROM services WHERE unit_code = ?3) RETURNING id"
        }
        Status::Noshow => {
            "UPDATE appointments SET status = 'noshow', closed_at = ?1, updated_at = ?1 \
             WHERE id = ?2 AND status = 'booked' \
             AND service_code IN (SELECT code FROM services WHERE unit_code = ?3) \
             AND (SELECT ends_at FROM appointment_slots WHERE id = appointments.slot_id) <= ?1 \
             RETURNING id"
        }
        _ => return Ok(false),
    };
    let rows = sql.execute(statement, &[now.into(), id.into(), unit.into()])?;
    Ok(!rows.is_empty())
}
