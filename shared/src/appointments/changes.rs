//! A citizen's changes to their own booking: cancel and reschedule
//! (docs/appointments.md).
//!
//! Each is one conditional UPDATE ([`store::cancel`], [`store::reschedule`])
//! whose trigger (migration 0006) moves the seat in the same statement, so a
//! seat is freed exactly once however many cancels race, and a reschedule
//! takes the new seat and frees the old one together or not at all. After an
//! UPDATE that changed nothing we read only to explain why.

use super::booking::get_own_booking;
use super::error::ApptError;
use super::model::Booking;
use super::status::Status;
use super::store;
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
    store::cancel(ports.sql, citizen_id, id, now)?;
    let booking = get_own_booking(ports.sql, citizen_id, id)?;
    match booking.status {
        Status::Cancelled => Ok(booking),
        Status::Booked => Err(ApptError::SlotStarted {
            starts_at: booking.slot.starts_at,
        }),
        status => Err(ApptError::InvalidStatus { status }),
    }
}

/// Moves a booking to another slot of the same service, atomically: one
/// UPDATE takes the new seat and frees the old one (see
/// [`store::reschedule`] for why no other booking can interleave).
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
        let moved = store::reschedule(ports.sql, citizen_id, id, new_slot_id, now);
        match moved {
            Ok(true) => return get_own_booking(ports.sql, citizen_id, id),
            Ok(false) => {}
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
    let slot = store::slot(ports.sql, new_slot_id)?.ok_or(ApptError::SlotNotFound)?;
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
        store::active_booking_on(ports.sql, citizen_id, &slot.service_code, &slot.local_date)?
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
