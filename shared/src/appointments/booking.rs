//! Booking a seat (SPEC §9): one INSERT takes the seat, never more than
//! there are, under any concurrency.
//!
//! The INSERT selects the slot only while it has a seat left and has not
//! started, copies the citizen's profile into the booking, and skips (`ON
//! CONFLICT DO NOTHING`) when a unique key says no: the same
//! `Idempotency-Key` again, an active booking that local day, or a ticket
//! code already in use. Its trigger (`appointments_take_seat`, migration
//! 0006) decrements `remaining` inside the same statement. Only when nothing
//! was inserted do we read, to say why; a reason that no longer holds (a
//! seat freed meanwhile, a ticket collision) just tries again.

use super::catalog::get_slot;
use super::error::ApptError;
use super::model::{Booking, BOOKING_SELECT};
use super::ticket;
use crate::identity::Ports;
use crate::ids::random_hex_id;
use crate::ports::Sql;
use crate::rows::decode_first;
use crate::text::{clean_keeping, optional};

/// Longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 500;
/// Longest `Idempotency-Key`.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
/// Tries before giving up on a booking that neither lands nor has a reason
/// not to (each lost try means another request changed the slot meanwhile).
const MAX_ATTEMPTS: usize = 5;

/// `POST /api/v1/appointments`, unvalidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookRequest<'a> {
    pub slot_id: &'a str,
    pub note: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
}

/// A booking and whether it was made by an earlier request with the same
/// `Idempotency-Key` (a replay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookOutcome {
    pub booking: Booking,
    pub replayed: bool,
}

fn invalid(field: &'static str, reason: &'static str) -> ApptError {
    ApptError::Invalid { field, reason }
}

/// Trimmed, NFC, at most 500 characters; line breaks kept, other control
/// characters refused. Blank → `None`.
pub fn clean_note(note: Option<&str>) -> Result<Option<String>, ApptError> {
    optional(note, |n| clean_keeping(n, NOTE_MAX_CHARS, &['\n']))
        .map_err(|reason| invalid("note", reason))
}

/// 1–255 visible ASCII characters, as clients generate them (UUIDs, ULIDs).
pub fn check_idempotency_key(key: &str) -> Result<(), ApptError> {
    let ok = !key.is_empty()
        && key.len() <= IDEMPOTENCY_KEY_MAX
        && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "idempotency_key",
            "1 to 255 visible ASCII characters",
        ))
    }
}

/// Books `req.slot_id` for `citizen_id`.
pub fn book(
    ports: Ports<'_>,
    citizen_id: &str,
    req: &BookRequest<'_>,
) -> Result<BookOutcome, ApptError> {
    if req.slot_id.is_empty() || req.slot_id.len() > 100 {
        return Err(invalid("slot_id", "required"));
    }
    let note = clean_note(req.note)?;
    if let Some(key) = req.idempotency_key {
        check_idempotency_key(key)?;
    }
    for _ in 0..MAX_ATTEMPTS {
        let now = ports.clock.now();
        let id = random_hex_id(ports.random, "apt_", 10);
        let inserted = ports.sql.execute(
            "INSERT INTO appointments (id, citizen_id, service_code, slot_id, local_date, status, ticket_code, \
             idempotency_key, full_name, phone, id_number, note, created_at, updated_at) \
             SELECT ?, c.id, s.service_code, s.id, s.local_date, 'booked', ?, ?, c.full_name, c.phone, c.id_number, ?, ?, ? \
             FROM appointment_slots s JOIN citizens c ON c.id = ? \
             WHERE s.id = ? AND s.remaining > 0 AND s.starts_at > ? \
             ON CONFLICT DO NOTHING RETURNING id",
            &[
                id.as_str().into(),
                ticket::generate(ports.random).into(),
                req.idempotency_key.into(),
                note.as_deref().into(),
                now.into(),
                now.into(),
                citizen_id.into(),
                req.slot_id.into(),
                now.into(),
            ],
        )?;
        if !inserted.is_empty() {
            let booking = get_booking(ports.sql, &id)?.ok_or(ApptError::AppointmentNotFound)?;
            return Ok(BookOutcome {
                booking,
                replayed: false,
            });
        }
        if let Some(replay) = why_not_booked(ports, citizen_id, req, now)? {
            return Ok(replay);
        }
    }
    // Every try lost a just-freed seat to another request (or drew a taken
    // ticket code, about once in 10¹¹): the slot is, in effect, full.
    Err(ApptError::SlotFull {
        slot_id: req.slot_id.to_owned(),
    })
}

/// Why the INSERT skipped: the refusal as `Err`, an idempotent replay as
/// `Ok(Some)`, or `Ok(None)` when no reason holds any more (try again).
fn why_not_booked(
    ports: Ports<'_>,
    citizen_id: &str,
    req: &BookRequest<'_>,
    now: i64,
) -> Result<Option<BookOutcome>, ApptError> {
    if let Some(key) = req.idempotency_key {
        let rows = ports.sql.execute(
            &format!("{BOOKING_SELECT} WHERE a.citizen_id = ? AND a.idempotency_key = ?"),
            &[citizen_id.into(), key.into()],
        )?;
        if let Some(booking) = decode_first(&rows, |r| r.booking())? {
            // The same key for another slot is a client bug, not a retry.
            return if booking.slot.id == req.slot_id {
                Ok(Some(BookOutcome {
                    booking,
                    replayed: true,
                }))
            } else {
                Err(ApptError::IdempotencyKeyReused)
            };
        }
    }
    let slot = get_slot(ports.sql, req.slot_id)?.ok_or(ApptError::SlotNotFound)?;
    if slot.starts_at <= now {
        return Err(ApptError::SlotPast {
            starts_at: slot.starts_at,
        });
    }
    if let Some(existing) =
        active_booking_on(ports.sql, citizen_id, &slot.service_code, &slot.local_date)?
    {
        return Err(ApptError::AlreadyBooked {
            appointment_id: existing,
            date: slot.local_date,
        });
    }
    if slot.remaining <= 0 {
        return Err(ApptError::SlotFull { slot_id: slot.id });
    }
    Ok(None)
}

/// The id of the citizen's active booking for a service on a local date.
pub(crate) fn active_booking_on(
    sql: &dyn Sql,
    citizen_id: &str,
    service_code: &str,
    local_date: &str,
) -> Result<Option<String>, ApptError> {
    let rows = sql.execute(
        "SELECT id FROM appointments WHERE citizen_id = ? AND service_code = ? AND local_date = ? \
         AND status IN ('booked', 'arrived') LIMIT 1",
        &[citizen_id.into(), service_code.into(), local_date.into()],
    )?;
    Ok(rows
        .rows
        .first()
        .and_then(|r| r.first())
        .and_then(|v| v.as_str())
        .map(str::to_owned))
}

/// A booking by id, whoever it belongs to (callers check ownership).
pub fn get_booking(sql: &dyn Sql, id: &str) -> Result<Option<Booking>, ApptError> {
    let rows = sql.execute(&format!("{BOOKING_SELECT} WHERE a.id = ?"), &[id.into()])?;
    Ok(decode_first(&rows, |r| r.booking())?)
}

/// A booking by id if it is the citizen's; someone else's is "not found".
pub fn get_own_booking(sql: &dyn Sql, citizen_id: &str, id: &str) -> Result<Booking, ApptError> {
    match get_booking(sql, id)? {
        Some(b) if b.citizen_id == citizen_id => Ok(b),
        _ => Err(ApptError::AppointmentNotFound),
    }
}
