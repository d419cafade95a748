//! The records appointments deal in (read from SQL rows by [`super::store`]).

use super::status::Status;
use crate::admin::Service;

/// A bookable time at one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// `slt_` and 20 hex digits.
    pub id: String,
    /// The service it is a time at.
    pub service_code: String,
    /// Unix seconds.
    pub starts_at: i64,
    /// Unix seconds, after `starts_at`.
    pub ends_at: i64,
    /// `YYYY-MM-DD` in +07:00.
    pub local_date: String,
    /// Seats in all.
    pub capacity: i64,
    /// Seats not taken by an active booking (0 ..= `capacity`).
    pub remaining: i64,
}

/// One booking, with its slot and service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// `apt_` and 20 hex digits.
    pub id: String,
    /// The citizen who booked.
    pub citizen_id: String,
    /// What the citizen shows or types at the desk or kiosk ([`super::ticket`]).
    pub ticket_code: String,
    /// Where it is in its life.
    pub status: Status,
    /// The service booked.
    pub service: Service,
    /// The slot booked (changes on a reschedule).
    pub slot: Slot,
    /// Copied from the citizen's profile when booking.
    pub full_name: Option<String>,
    /// Copied from the citizen's profile when booking.
    pub phone: String,
    /// Copied from the citizen's profile when booking (the CCCD number).
    pub id_number: Option<String>,
    /// The citizen's note to the desk.
    pub note: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last change.
    pub updated_at: i64,
    /// When it was checked in.
    pub arrived_at: Option<i64>,
    /// When it was cancelled, fulfilled or marked no-show.
    pub closed_at: Option<i64>,
}
