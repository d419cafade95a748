//! What officials do at the appointment desk of their unit
//! (docs/appointments.md): see the day's bookings, mark arrivals served
//! (`fulfilled`) and absentees (`noshow`, only once the slot has ended).

use super::catalog::get_service;
use super::error::ApptError;
use super::local_date::LocalDate;
use super::model::Booking;
use super::status::Status;
use super::store;
use crate::identity::Ports;
use crate::ports::Sql;

/// A booking of one of `unit`'s services; others' are "not found".
pub fn get_for_unit(sql: &dyn Sql, unit: &str, id: &str) -> Result<Booking, ApptError> {
    store::booking_of_unit(sql, unit, id)?.ok_or(ApptError::AppointmentNotFound)
}

/// The status a desk may set by hand, spelt as on the wire: `fulfilled` or
/// `noshow` (arrivals come from check-in, cancellations from the citizen).
pub fn mark_target(status: &str) -> Result<Status, ApptError> {
    Status::parse(status)
        .filter(|s| matches!(s, Status::Fulfilled | Status::Noshow))
        .ok_or(ApptError::Invalid {
            field: "status",
            reason: "fulfilled or noshow",
        })
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
    let changed = store::close_at_desk(ports.sql, unit, id, mark_target(target.as_str())?, now)?;
    let booking = get_for_unit(ports.sql, unit, id)?;
    if changed || booking.status == target {
        return Ok((booking, changed));
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
    Ok(store::day_bookings(
        sql,
        service_code,
        local_date,
        after,
        limit,
    )?)
}

/// The day's list for an official of `unit`: an unknown service is 404
/// `service_not_found`, another unit's service 403.
pub fn unit_day(
    sql: &dyn Sql,
    unit: &str,
    service_code: &str,
    date: LocalDate,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Booking>, ApptError> {
    let service = get_service(sql, service_code)?.ok_or(ApptError::ServiceNotFound)?;
    if service.unit_code != unit {
        return Err(ApptError::Forbidden);
    }
    list_day(sql, service_code, &date.to_string(), after, limit)
}
