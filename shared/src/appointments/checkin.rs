//! Check-in by ticket code at a kiosk or a desk (SPEC §9): `booked` →
//! `arrived`, only within a window around the slot's start.
//!
//! The window is checked inside the UPDATE, against the same clock reading
//! the refusal reports, so a ticket is never let in outside it and two desks
//! scanning one ticket at once record one arrival.

use super::error::ApptError;
use super::model::{Booking, BOOKING_SELECT};
use super::status::Status;
use super::ticket;
use crate::identity::Ports;
use crate::ports::SqlValue;
use crate::rows::decode_first;

/// Check-in opens this long before the slot starts.
pub const OPENS_BEFORE_SECONDS: i64 = 30 * 60;
/// …and closes this long after.
pub const CLOSES_AFTER_SECONDS: i64 = 15 * 60;

/// When a slot's tickets may check in, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub opens_at: i64,
    pub closes_at: i64,
}

impl Window {
    pub fn around(starts_at: i64) -> Window {
        Window {
            opens_at: starts_at - OPENS_BEFORE_SECONDS,
            closes_at: starts_at + CLOSES_AFTER_SECONDS,
        }
    }

    pub fn contains(&self, now: i64) -> bool {
        (self.opens_at..=self.closes_at).contains(&now)
    }
}

/// Where a check-in comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desk<'a> {
    /// A kiosk session: any service's ticket, the code alone is enough
    /// (SPEC §3 "anonymous check-in by ticket").
    Kiosk,
    /// An official: only tickets of their unit's services.
    Official { unit: &'a str },
}

impl Desk<'_> {
    fn unit(&self) -> Option<&str> {
        match self {
            Desk::Kiosk => None,
            Desk::Official { unit } => Some(unit),
        }
    }
}

/// Checks the ticket in and returns the booking, now `arrived`.
pub fn check_in(
    ports: Ports<'_>,
    desk: Desk<'_>,
    ticket_input: &str,
) -> Result<Booking, ApptError> {
    let code = ticket::normalize(ticket_input).ok_or(ApptError::Invalid {
        field: "ticket_code",
        reason: "8 characters from the ticket alphabet",
    })?;
    let now = ports.clock.now();
    let unit = desk.unit();
    let arrived = ports.sql.execute(
        "UPDATE appointments SET status = 'arrived', arrived_at = ?, updated_at = ? \
         WHERE ticket_code = ? AND status = 'booked' \
         AND (? IS NULL OR service_code IN (SELECT code FROM services WHERE unit_code = ?)) \
         AND EXISTS (SELECT 1 FROM appointment_slots s WHERE s.id = appointments.slot_id \
                     AND ? BETWEEN s.starts_at - ? AND s.starts_at + ?) \
         RETURNING id",
        &[
            now.into(),
            now.into(),
            code.as_str().into(),
            unit.into(),
            unit.into(),
            now.into(),
            OPENS_BEFORE_SECONDS.into(),
            CLOSES_AFTER_SECONDS.into(),
        ],
    )?;
    let booking = by_ticket(ports, unit, &code)?.ok_or(ApptError::TicketNotFound)?;
    if !arrived.is_empty() {
        return Ok(booking);
    }
    match booking.status {
        Status::Arrived => Err(ApptError::AlreadyCheckedIn),
        Status::Booked => {
            let w = Window::around(booking.slot.starts_at);
            Err(ApptError::OutsideCheckinWindow {
                starts_at: booking.slot.starts_at,
                opens_at: w.opens_at,
                closes_at: w.closes_at,
            })
        }
        status => Err(ApptError::InvalidStatus { status }),
    }
}

/// The booking with this ticket, if the desk may see it.
fn by_ticket(
    ports: Ports<'_>,
    unit: Option<&str>,
    code: &str,
) -> Result<Option<Booking>, ApptError> {
    let rows = ports.sql.execute(
        &format!("{BOOKING_SELECT} WHERE a.ticket_code = ? AND (? IS NULL OR v.unit_code = ?)"),
        &[code.into(), SqlValue::from(unit), SqlValue::from(unit)],
    )?;
    Ok(decode_first(&rows, |r| r.booking())?)
}
