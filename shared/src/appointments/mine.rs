//! A citizen's own bookings (`GET /api/v1/me/appointments`), also what the
//! Zalo chat-bot's "lịch hẹn" shows (`upcoming`).

use super::error::ApptError;
use super::model::{Booking, BOOKING_SELECT};
use crate::ports::Sql;
use crate::rows::decode_all;

/// Which of the citizen's bookings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every booking, latest slot first.
    All,
    /// Booked or arrived, slot not yet ended, soonest first.
    Upcoming { now: i64 },
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
    let limit = i64::from(limit);
    let rows = match which {
        Which::All => {
            let (at, id) = after.unwrap_or((i64::MAX, "\u{10FFFF}".to_owned()));
            sql.execute(
                &format!(
                    "{BOOKING_SELECT} WHERE a.citizen_id = ? \
                     AND (s.starts_at < ? OR (s.starts_at = ? AND a.id < ?)) \
                     ORDER BY s.starts_at DESC, a.id DESC LIMIT ?"
                ),
                &[
                    citizen_id.into(),
                    at.into(),
                    at.into(),
                    id.into(),
                    limit.into(),
                ],
            )?
        }
        Which::Upcoming { now } => {
            let (at, id) = after.unwrap_or((i64::MIN, String::new()));
            sql.execute(
                &format!(
                    "{BOOKING_SELECT} WHERE a.citizen_id = ? AND a.status IN ('booked', 'arrived') \
                     AND s.ends_at > ? AND (s.starts_at > ? OR (s.starts_at = ? AND a.id > ?)) \
                     ORDER BY s.starts_at, a.id LIMIT ?"
                ),
                &[
                    citizen_id.into(),
                    now.into(),
                    at.into(),
                    at.into(),
                    id.into(),
                    limit.into(),
                ],
            )?
        }
    };
    Ok(decode_all(&rows, |r| r.booking())?)
}
