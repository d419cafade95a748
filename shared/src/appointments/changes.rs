//! A citizen's changes to their own booking: cancel and reschedule (SPEC §9).
//!
//! Each is one conditional UPDATE whose trigger (migration 0006) moves the
//! seat in the same statement, so a seat is freed exactly once however many
//! cancels race, and a reschedule takes the new seat and frees the old one
//! together or not at all. After an UPDATE that changed nothing we read only
//! to explain why.

use super::booking::{active_booking_on, get_own_booking};
use super::catalog::get_slot;
use super::error::ApptError;
use super::model::Booking;
use super::status::Status;
use crate::identity::Ports;
use crate::ports::StoreError;

/// Tries of a reschedule whose explanation found a seat free after all.
const MAX_ATTEMPTS: usize = 3;

/// Cancels a booking before its slot starts and returns it.
///
/// Cancelling an already cancelled booking answers the booking as it is
/// (DELETE is idempotent) and frees nothing.
pub fn cancel(ports: Ports<'_>, citizen_id: &str, id: &str) -> Result<Booking, ApptError> {
    let now = ports.clock.now();
    // Only the request whose UPDATE flips 'booked' → 'cancelled' fires the
    // seat-returning trigger; a racing second cancel matches no row.
    ports.sql.execute(
        "UPDATE appointments SET status = 'cancelled', updated_at = ?, closed_at = ? \
         WHERE id = ? AND citizen_id = ? AND status = 'booked' \
         AND (SELECT starts_at FROM appointment_slots WHERE id = appointments.slot_id) > ?",
        &[
            now.into(),
            now.into(),
            id.into(),
            citizen_id.into(),
            now.into(),
        ],
    )?;
    let booking = get_own_booking(ports.sql, citizen_id, id)?;
    match booking.status {
        Status::Cancelled => Ok(booking),
        Status::Booked => Err(ApptError::SlotStarted {
            starts_at: booking.slot.starts_at,
        }),
        status => Err(ApptError::InvalidStatus { status }),
    }
}

/// Moves a booking to another slot of the same service, atomically.
///
/// Why this is safe under concurrency and across processes: it is a single
/// UPDATE. SQLite runs a write statement, and the triggers it fires, holding
/// the database's one write lock (the WAL write lock, shared by every
/// connection and process on the file) inside one implicit transaction. The
/// `EXISTS (… remaining > 0 …)` check on the new slot, the booking's move,
/// and the trigger's `remaining - 1` on the new slot and `remaining + 1` on
/// the old one therefore happen as one step that no other booking can
/// interleave with; if any part fails (the CHECK on `remaining`, the
/// one-per-day index) the whole statement rolls back. There is no window
/// in which both seats, or neither, are held.
pub fn reschedule(
    ports: Ports<'_>,
    citizen_id: &str,
    id: &str,
    new_slot_id: &str,
) -> Result<Booking, ApptError> {
    if new_slot_id.is_empty() || new_slot_id.len() > 100 {
        return Err(ApptError::Invalid {
            field: "slot_id",
            reason: "required",
        });
    }
    for _ in 0..MAX_ATTEMPTS {
        let now = ports.clock.now();
        let moved = ports.sql.execute(
            "UPDATE appointments \
             SET slot_id = n.id, local_date = n.local_date, updated_at = ? \
             FROM (SELECT id, local_date, service_code FROM appointment_slots \
                   WHERE id = ? AND remaining > 0 AND starts_at > ?) AS n \
             WHERE appointments.id = ? AND appointments.citizen_id = ? AND appointments.status = 'booked' \
             AND appointments.slot_id <> n.id AND n.service_code = appointments.service_code \
             AND (SELECT starts_at FROM appointment_slots WHERE id = appointments.slot_id) > ? \
             AND NOT EXISTS (SELECT 1 FROM appointments o WHERE o.citizen_id = appointments.citizen_id \
                 AND o.service_code = appointments.service_code AND o.local_date = n.local_date \
                 AND o.status IN ('booked', 'arrived') AND o.id <> appointments.id) \
             RETURNING appointments.id",
            &[now.into(), new_slot_id.into(), now.into(), id.into(), citizen_id.into(), now.into()],
        );
        match moved {
            Ok(rows) if !rows.is_empty() => return get_own_booking(ports.sql, citizen_id, id),
            Ok(_) => {}
            // The one-per-day index, should another booking land that day
            // between our check and write (it cannot within one statement,
            // but an engine may report it this way).
            Err(StoreError::Constraint(_)) => {}
            Err(e) => return Err(e.into()),
        }
        why_not_moved(ports, citizen_id, id, new_slot_id, now)?;
    }
    // Every try lost the seat that had just been freed to another request.
    Err(ApptError::SlotFull {
        slot_id: new_slot_id.to_owned(),
    })
}

/// The refusal that explains an UPDATE that moved nothing; `Ok` when none
/// holds any more (a seat was freed meanwhile: try again).
fn why_not_moved(
    ports: Ports<'_>,
    citizen_id: &str,
    id: &str,
    new_slot_id: &str,
    now: i64,
) -> Result<(), ApptError> {
    let booking = get_own_booking(ports.sql, citizen_id, id)?;
    if booking.status != Status::Booked {
        return Err(ApptError::InvalidStatus {
            status: booking.status,
        });
    }
    if booking.slot.starts_at <= now {
        return Err(ApptError::SlotStarted {
            starts_at: booking.slot.starts_at,
        });
    }
    let slot = get_slot(ports.sql, new_slot_id)?.ok_or(ApptError::SlotNotFound)?;
    if slot.service_code != booking.service.code {
        return Err(ApptError::Invalid {
            field: "slot_id",
            reason: "slot of another service",
        });
    }
    if slot.id == booking.slot.id {
        return Err(ApptError::Invalid {
            field: "slot_id",
            reason: "already the booking's slot",
        });
    }
    if slot.starts_at <= now {
        return Err(ApptError::SlotPast {
            starts_at: slot.starts_at,
        });
    }
    if let Some(other) =
        active_booking_on(ports.sql, citizen_id, &slot.service_code, &slot.local_date)?
    {
        if other != booking.id {
            return Err(ApptError::AlreadyBooked {
                appointment_id: other,
                date: slot.local_date,
            });
        }
    }
    if slot.remaining <= 0 {
        return Err(ApptError::SlotFull { slot_id: slot.id });
    }
    Ok(())
}
