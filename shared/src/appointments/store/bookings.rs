//! Bookings: the INSERT that takes a seat, and every way of reading them.

use super::{booking_row, BOOKING_SELECT};
use crate::appointments::mine::Which;
use crate::appointments::model::Booking;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{self, decode_all, decode_first};

/// One booking to insert; the citizen's profile is copied by the statement.
pub(crate) struct NewBooking<'a> {
    pub id: &'a str,
    pub ticket_code: &'a str,
    pub citizen_id: &'a str,
    pub slot_id: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub note: Option<&'a str>,
    pub now: i64,
}

/// Takes a seat, or nothing. The INSERT selects the slot only while it has
/// a seat left and has not started, and skips (`ON CONFLICT DO NOTHING`)
/// when a unique key says no: the same `Idempotency-Key` again, an active
/// booking that local day, or a ticket code already in use. Its trigger
/// (`appointments_take_seat`, migration 0006) decrements `remaining` inside
/// the same statement. `true` when the booking was inserted.
///
/// On PostgreSQL (READ COMMITTED) two bookers can both read the last seat
/// from their snapshots; the second one's trigger then waits for the first's
/// row lock on the slot, recomputes `remaining - 1` on the committed row and
/// fails the CHECK (`remaining >= 0`), which rolls its whole statement back.
/// That `Constraint` is this function's `false`: nothing was booked, and
/// the caller's re-read finds the slot full (docs/consistency.md, "Seats").
/// No retry loop or SERIALIZABLE transaction is needed: losers queue on the
/// slot row instead of aborting one another.
pub(crate) fn insert_booking(sql: &dyn Sql, b: &NewBooking<'_>) -> Result<bool, StoreError> {
    let inserted = match sql.execute(
        "INSERT INTO appointments (id, citizen_id, service_code, slot_id, local_date, status, \
         ticket_code, idempotency_key, full_name, phone, id_number, note, created_at, updated_at) \
         SELECT ?, c.id, s.service_code, s.id, s.local_date, 'booked', ?, ?, c.full_name, c.phone, \
         c.id_number, ?, ?, ? \
         FROM appointment_slots s JOIN citizens c ON c.id = ? \
         WHERE s.id = ? AND s.remaining > 0 AND s.starts_at > ? \
         ON CONFLICT DO NOTHING RETURNING id",
        &[
            b.id.into(),
            b.ticket_code.into(),
            b.idempotency_key.into(),
            b.note.into(),
            b.now.into(),
            b.now.into(),
            b.citizen_id.into(),
            b.slot_id.into(),
            b.now.into(),
        ],
    ) {
        Ok(rows) => rows,
        Err(StoreError::Constraint(_)) => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(!inserted.is_empty())
}

/// A booking by id, whoever it belongs to.
pub(crate) fn booking(sql: &dyn Sql, id: &str) -> Result<Option<Booking>, StoreError> {
    let rows = sql.execute(&format!("{BOOKING_SELECT} WHERE a.id = ?"), &[id.into()])?;
    decode_first(&rows, booking_row)
}

/// The citizen's booking made with this `Idempotency-Key`.
pub(crate) fn booking_by_key(
    sql: &dyn Sql,
    citizen_id: &str,
    key: &str,
) -> Result<Option<Booking>, StoreError> {
    let rows = sql.execute(
        &format!("{BOOKING_SELECT} WHERE a.citizen_id = ? AND a.idempotency_key = ?"),
        &[citizen_id.into(), key.into()],
    )?;
    decode_first(&rows, booking_row)
}

/// A booking by id if it is for one of `unit`'s services.
pub(crate) fn booking_of_unit(
    sql: &dyn Sql,
    unit: &str,
    id: &str,
) -> Result<Option<Booking>, StoreError> {
    let rows = sql.execute(
        &format!("{BOOKING_SELECT} WHERE a.id = ? AND v.unit_code = ?"),
        &[id.into(), unit.into()],
    )?;
    decode_first(&rows, booking_row)
}

/// The booking with this ticket code, within `unit`'s services when given.
pub(crate) fn booking_by_ticket(
    sql: &dyn Sql,
    unit: Option<&str>,
    code: &str,
) -> Result<Option<Booking>, StoreError> {
    let rows = sql.execute(
        &format!("{BOOKING_SELECT} WHERE a.ticket_code = ? AND (? IS NULL OR v.unit_code = ?)"),
        &[code.into(), SqlValue::from(unit), SqlValue::from(unit)],
    )?;
    decode_first(&rows, booking_row)
}

/// The id of the citizen's active booking for a service on a local date.
pub(crate) fn active_booking_on(
    sql: &dyn Sql,
    citizen_id: &str,
    service_code: &str,
    local_date: &str,
) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "SELECT id FROM appointments WHERE citizen_id = ? AND service_code = ? \
         AND local_date = ? AND status IN ('booked', 'arrived') LIMIT 1",
        &[citizen_id.into(), service_code.into(), local_date.into()],
    )?;
    rows::first(&rows).map(|r| r.text("id")).transpose()
}

/// The citizen's bookings in the order of `which`, after the `(starts_at,
/// id)` key of the previous page.
pub(crate) fn citizen_bookings(
    sql: &dyn Sql,
    citizen_id: &str,
    which: Which,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Booking>, StoreError> {
    match which {
        Which::All => {
            let (at, id) = after.unwrap_or((i64::MAX, "\u{10FFFF}".to_owned()));
            let rows = sql.execute(
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
                    i64::from(limit).into(),
                ],
            )?;
            decode_all(&rows, booking_row)
        }
        Which::Upcoming { now } => ascending(
            sql,
            "a.citizen_id = ? AND a.status IN ('booked', 'arrived') AND s.ends_at > ?",
            vec![citizen_id.into(), now.into()],
            after,
            limit,
        ),
    }
}

/// One service's bookings on a local date, all statuses, by start time then
/// id, after the `(starts_at, id)` key.
pub(crate) fn day_bookings(
    sql: &dyn Sql,
    service_code: &str,
    local_date: &str,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Booking>, StoreError> {
    ascending(
        sql,
        "a.service_code = ? AND a.local_date = ?",
        vec![service_code.into(), local_date.into()],
        after,
        limit,
    )
}

/// Bookings matching `filter` (whose placeholders `params` fill), by start
/// time then id, after the `(starts_at, id)` key.
fn ascending(
    sql: &dyn Sql,
    filter: &str,
    mut params: Vec<SqlValue>,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Booking>, StoreError> {
    let (at, id) = after.unwrap_or((i64::MIN, String::new()));
    params.extend([at.into(), at.into(), id.into(), i64::from(limit).into()]);
    let rows = sql.execute(
        &format!(
            "{BOOKING_SELECT} WHERE {filter} \
             AND (s.starts_at > ? OR (s.starts_at = ? AND a.id > ?)) \
             ORDER BY s.starts_at, a.id LIMIT ?"
        ),
        &params,
    )?;
    decode_all(&rows, booking_row)
}
