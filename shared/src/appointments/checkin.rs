//! Check-in by ticket code at a kiosk or a desk (docs/appointments.md):
//! `booked` → `arrived`, only within a window around the slot's start.
//!
//! The window is checked inside the UPDATE ([`store::check_in`]), against
//! the same clock reading the refusal reports, so a ticket is never let in
//! outside it and two desks scanning one ticket at once record one arrival.
//!
//! Who may check in ([`Desk::of`]): an official, for their unit's tickets;
//! anyone at a kiosk — with no session at all or with a kiosk session of
//! whoever stands there — by the ticket code alone, under the kiosk's rules
//! ([`super::kiosk`]).

use super::error::ApptError;
use super::kiosk::kiosk_check_in;
use super::model::Booking;
use super::status::Status;
use super::{store, ticket};
use crate::identity::{Client, Ports, Principal, Role};

/// Check-in opens this long before the slot starts.
pub const OPENS_BEFORE_SECONDS: i64 = 30 * 60;
/// …and closes this long after.
pub const CLOSES_AFTER_SECONDS: i64 = 15 * 60;

/// When a slot's tickets may check in, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first instant a ticket may check in.
    pub opens_at: i64,
    /// The last instant a ticket may check in.
    pub closes_at: i64,
}

impl Window {
    /// The window of a slot starting at `starts_at`.
    pub fn around(starts_at: i64) -> Window {
        Window {
            opens_at: starts_at - OPENS_BEFORE_SECONDS,
            closes_at: starts_at + CLOSES_AFTER_SECONDS,
        }
    }

    /// Whether `now` is inside the window.
    pub fn contains(&self, now: i64) -> bool {
        (self.opens_at..=self.closes_at).contains(&now)
    }
}

/// Where a check-in comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desk<'a> {
    /// A kiosk, with or without a session: any service's ticket, the code
    /// alone is enough ("anonymous check-in by ticket").
    Kiosk,
    /// An official: only tickets of their unit's services.
    Official {
        /// The official's unit.
        unit: &'a str,
    },
}

impl<'a> Desk<'a> {
    /// Where a check-in by `caller` comes from: no caller (no
    /// `Authorization` at all) or a kiosk session is a [`Desk::Kiosk`]; an
    /// official with a unit is that unit's desk; anyone else may not check
    /// in (403).
    pub fn of(caller: Option<&'a Principal>) -> Result<Desk<'a>, ApptError> {
        let Some(p) = caller else {
            return Ok(Desk::Kiosk);
        };
        match (p.role, p.unit_code.as_deref(), p.client) {
            (Role::Official, Some(unit), _) => Ok(Desk::Official { unit }),
            (_, _, Client::Kiosk) => Ok(Desk::Kiosk),
            _ => Err(ApptError::Forbidden),
        }
    }

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
    let arrived = store::check_in(ports.sql, &code, unit, now)?;
    // The booking as the desk may see it: another unit's ticket is unknown.
    let booking =
        store::booking_by_ticket(ports.sql, unit, &code)?.ok_or(ApptError::TicketNotFound)?;
    if arrived {
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

/// Checks the ticket in at `desk`: an official's desk by [`check_in`], a
/// kiosk by [`kiosk_check_in`] — nobody vouches for a kiosk, so it gets an
/// allowance per client (`client_key`, its network) and one answer for
/// every refusal.
pub fn check_in_at(
    ports: Ports<'_>,
    desk: Desk<'_>,
    client_key: &str,
    ticket_input: &str,
) -> Result<Booking, ApptError> {
    match desk {
        Desk::Kiosk => kiosk_check_in(ports, client_key, ticket_input),
        Desk::Official { .. } => check_in(ports, desk, ticket_input),
    }
}
