//! Every SQL statement of the appointments domain and the mapping of its
//! rows, so that the rule files ([`super::booking`], [`super::changes`],
//! [`super::checkin`], …) read as rules.
//!
//! The guarantees that make the domain safe under concurrency live in these
//! statements and in `infra/migrations/0006_appointments.sql`: a seat is
//! taken or moved only inside one INSERT or UPDATE whose trigger adjusts
//! `remaining` in the same statement, a CHECK keeps `remaining` between 0
//! and the capacity, a unique partial index allows one active booking per
//! citizen, service and local day, and unique keys guard ticket codes,
//! `Idempotency-Key`s and slot starts. Nothing here reads and then writes on
//! the strength of what it read; the few reads exist to explain a refusal.
//!
//! Functions answer [`StoreError`]; the rule files turn it into
//! [`super::ApptError::Store`] with `?`.

mod attempts;
mod bookings;
mod catalog;
mod moves;

pub(crate) use attempts::{oldest_attempt, prune_attempts, release_attempt, reserve_attempt};
pub(crate) use bookings::{
    active_booking_on, booking, booking_by_key, booking_by_ticket, booking_of_unit,
    citizen_bookings, day_bookings, insert_booking, NewBooking,
};
pub(crate) use catalog::{insert_slots, service, services, slot, slots, SlotBatch};
pub(crate) use moves::{cancel, check_in, close_at_desk, reschedule};

use super::model::{Booking, Slot};
use super::status::Status;
use crate::admin::{Service, ServiceKind};
use crate::ports::StoreError;
use crate::rows::Row;

/// Columns for [`Slot`] rows, table alias `s`.
const SLOT_COLUMNS: &str = "s.id AS slot_id, s.service_code, s.starts_at, s.ends_at, \
     s.local_date, s.capacity, s.remaining";

/// Columns for [`Service`] rows, table alias `v`.
const SERVICE_COLUMNS: &str = "v.code AS service_code, v.name AS service_name, \
     v.kind AS service_kind, v.unit_code, v.address, v.created_at AS service_created_at";

/// `SELECT` of [`Booking`] rows (append `WHERE …`): the booking `a` with its
/// slot `s` and service `v`.
const BOOKING_SELECT: &str = "SELECT a.id, a.citizen_id, a.ticket_code, a.status, \
     a.full_name, a.phone, a.id_number, a.note, a.created_at, a.updated_at, a.arrived_at, \
     a.closed_at, s.id AS slot_id, s.starts_at, s.ends_at, s.local_date, s.capacity, \
     s.remaining, v.code AS service_code, v.name AS service_name, v.kind AS service_kind, \
     v.unit_code, v.address, v.created_at AS service_created_at \
     FROM appointments a JOIN appointment_slots s ON s.id = a.slot_id \
     JOIN services v ON v.code = a.service_code";

fn slot_row(r: &Row<'_>) -> Result<Slot, StoreError> {
    Ok(Slot {
        id: r.text("slot_id")?,
        service_code: r.text("service_code")?,
        starts_at: r.i64("starts_at")?,
        ends_at: r.i64("ends_at")?,
        local_date: r.text("local_date")?,
        capacity: r.i64("capacity")?,
        remaining: r.i64("remaining")?,
    })
}

fn service_row(r: &Row<'_>) -> Result<Service, StoreError> {
    Ok(Service {
        code: r.text("service_code")?,
        name: r.text("service_name")?,
        kind: r.parsed("service_kind", ServiceKind::parse)?,
        unit_code: r.text("unit_code")?,
        address: r.text("address")?,
        created_at: r.i64("service_created_at")?,
    })
}

fn booking_row(r: &Row<'_>) -> Result<Booking, StoreError> {
    Ok(Booking {
        id: r.text("id")?,
        citizen_id: r.text("citizen_id")?,
        ticket_code: r.text("ticket_code")?,
        status: r.parsed("status", Status::parse)?,
        service: service_row(r)?,
        slot: slot_row(r)?,
        full_name: r.opt_text("full_name")?,
        phone: r.text("phone")?,
        id_number: r.opt_text("id_number")?,
        note: r.opt_text("note")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
        arrived_at: r.opt_i64("arrived_at")?,
        closed_at: r.opt_i64("closed_at")?,
    })
}
