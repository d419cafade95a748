//! Booking a seat (docs/appointments.md): one INSERT
//! ([`store::insert_booking`]) takes the seat, never more than there are,
//! under any concurrency, and copies the citizen's profile into the booking.
//!
//! Only when nothing was inserted do we read, to say why; a reason that no
//! longer holds (a seat freed meanwhile, a ticket collision) just tries
//! again.

use super::error::ApptError;
use super::model::Booking;
use super::store::{self, NewBooking};
use super::ticket;
use crate::identity::{Ports, Principal, Role};
use crate::ids::random_hex_id;
use crate::ports::Sql;
use crate::text::{clean_keeping, optional};

/// Longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 500;
/// Longest `Idempotency-Key`.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
/// Tries before giving up on a booking that neither lands nor has a reason
/// not to (each lost try means another request changed the slot meanwhile).
const MAX_ATTEMPTS: usize = 5;

/// The body and `Idempotency-Key` of `POST /api/v1/appointments`,
/// unvalidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookRequest<'a> {
    /// The slot to book.
    pub slot_id: &'a str,
    /// A note to the desk ([`clean_note`] applies).
    pub note: Option<&'a str>,
    /// The `Idempotency-Key` header: a retry with the same key answers the
    /// same booking.
    pub idempotency_key: Option<&'a str>,
}

/// A booking and whether it was made by an earlier request with the same
/// `Idempotency-Key` (a replay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookOutcome {
    /// The booking, new or replayed.
    pub booking: Booking,
    /// Made by an earlier request with the same key.
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
        let new = NewBooking {
            id: &id,
            ticket_code: &ticket::generate(ports.random),
            citizen_id,
            slot_id: req.slot_id,
            idempotency_key: req.idempotency_key,
            note: note.as_deref(),
            now,
        };
        if store::insert_booking(ports.sql, &new)? {
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
        if let Some(booking) = store::booking_by_key(ports.sql, citizen_id, key)? {
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
    let slot = store::slot(ports.sql, req.slot_id)?.ok_or(ApptError::SlotNotFound)?;
    if slot.starts_at <= now {
        return Err(ApptError::SlotPast {
            starts_at: slot.starts_at,
        });
    }
    if let Some(existing) =
        store::active_booking_on(ports.sql, citizen_id, &slot.service_code, &slot.local_date)?
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

/// A booking by id, whoever it belongs to (callers check ownership).
pub fn get_booking(sql: &dyn Sql, id: &str) -> Result<Option<Booking>, ApptError> {
    Ok(store::booking(sql, id)?)
}

/// A booking by id if it is the citizen's; someone else's is "not found".
pub fn get_own_booking(sql: &dyn Sql, citizen_id: &str, id: &str) -> Result<Booking, ApptError> {
    match get_booking(sql, id)? {
        Some(b) if b.citizen_id == citizen_id => Ok(b),
        _ => Err(ApptError::AppointmentNotFound),
    }
}

/// A booking as `caller` may see it: their own, or, for an official, one of
/// their unit's services (the desk). Anything else is "not found", as if it
/// did not exist.
pub fn get_for_caller(sql: &dyn Sql, caller: &Principal, id: &str) -> Result<Booking, ApptError> {
    match (
        get_own_booking(sql, &caller.account_id, id),
        caller.role,
        caller.unit_code.as_deref(),
    ) {
        (Err(ApptError::AppointmentNotFound), Role::Official, Some(unit)) => {
            super::desk::get_for_unit(sql, unit, id)
        }
        (own, _, _) => own,
    }
}
