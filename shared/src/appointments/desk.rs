//! What officials do at the appointment desk of their unit (SPEC §3, §9):
//! see the day's bookings, mark arrivals served (`fulfilled`) and absentees
//! (`noshow`, only once the slot has ended).

use super::error::ApptError;
use super::model::{Booking, BOOKING_SELECT};
use super::status::Status;
use crate::identity::Ports;
use crate::ports::Sql;
use crate::rows::{decode_all, decode_first};

/// A booking of one of `unit`'s services; others' are "not found".
pub fn get_for_unit(sql: &dyn Sql, unit: &str, id: &str) -> Result<Booking, ApptError> {
    let rows = sql.execute(
        &format!("{BOOKING_SELECT} WHERE a.id = ? AND v.unit_code = ?"),
        &[id.into(), unit.into()],
    )?;
    decode_first(&rows, |r| r.booking())?.ok_or(ApptError::AppointmentNotFound)
}

/// Moves a booking of the unit to `fulfilled` (from `arrived`) or `noshow`
/// (from `booked`, after the slot's end) and returns it with whether this
/// call changed it: asking for the status it already has answers the
/// booking unchanged (`false`).
pub fn mark(
    ports: Ports<'_>,
    unit: &str,
    id: &str,
    target: Status,
) -> Result<(Booking, bool), ApptError> {
    let now = ports.clock.now();
    let statement = match target {
        Status::Fulfilled => {
            "UPDATE appointments SET status = 'fulfilled', closed_at = ?, updated_at = ? \
             WHERE id = ? AND status = 'arrived' \
             AND service_code IN (SELECT code FROM services WHERE unit_code = ?) RETURNING id"
        }
        Status::Noshow => {
            "UPDATE appointments SET status = 'noshow', closed_at = ?, updated_at = ? \
             WHERE id = ? AND status = 'booked' \
             AND service_code IN (SELECT code FROM services WHERE unit_code = ?) \
             AND (SELECT ends_at FROM appointment_slots WHERE id = appointments.slot_id) <= ? RETURNING id"
        }
        _ => return Err(ApptError::Invalid { field: "status", reason: "fulfilled or noshow" }),
    };
    let mut params = vec![now.into(), now.into(), id.into(), unit.into()];
    if target == Status::Noshow {
        params.push(now.into());
    }
    let changed = ports.sql.execute(statement, &params)?;
    let booking = get_for_unit(ports.sql, unit, id)?;
    if !changed.is_empty() || booking.status == target {
        return Ok((booking, !changed.is_empty()));
    }
    if target == Status::Noshow && booking.status == Status::Booked {
        return Err(ApptError::SlotNotEnded {
            ends_at: booking.slot.ends_at,
        });
    }
    Err(ApptError::InvalidStatus {
        status: booking.status,
    })
}

/// One service's bookings on a local date, by start time then id, after the
/// `(starts_at, id)` key; all statuses.
pub fn list_day(
    sql: &dyn Sql,
    service_code: &str,
    local_date: &str,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Booking>, ApptError> {
    let (after_at, after_id) = after.unwrap_or((i64::MIN, String::new()));
    let rows = sql.execute(
        &format!(
            "{BOOKING_SELECT} WHERE a.service_code = ? AND a.local_date = ? \
             AND (s.starts_at > ? OR (s.starts_at = ? AND a.id > ?)) \
             ORDER BY s.starts_at, a.id LIMIT ?"
        ),
        &[
            service_code.into(),
            local_date.into(),
            after_at.into(),
            after_at.into(),
            after_id.into(),
            i64::from(limit).into(),
        ],
    )?;
    Ok(decode_all(&rows, |r| r.booking())?)
}
