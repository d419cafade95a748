//! A citizen's own bookings (`GET /api/v1/me/appointments`), also what the
//! Zalo chat-bot's "lịch hẹn" shows (`upcoming`).

use super::error::ApptError;
use super::model::Booking;
use super::store;
use crate::ports::Sql;

/// Which of the citizen's bookings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every booking, latest slot first.
    All,
    /// Booked or arrived, slot not yet ended, soonest first.
    Upcoming {
        /// The instant "not yet ended" is measured from.
        now: i64,
    },
}

/// The citizen's bookings in the order of `which`, after the `(starts_at,
/// id)` key of the previous page.
pub fn list_mine(
    sql: &dyn Sql,
    citizen_id: &str,
    which: Which,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Booking>, ApptError> {
    Ok(store::citizen_bookings(
        sql, citizen_id, which, after, limit,
    )?)
}
