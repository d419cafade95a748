//! Appointments at hospitals' clinics and public-service counters (docs/appointments.md):
//! services and their slots, bulk schedules, booking with QR tickets,
//! cancel and reschedule, check-in and the desk's status changes.
//!
//! Never overbooked, under any concurrency, across processes and edge nodes
//! sharing one database: seats move only inside single SQL statements — the
//! INSERT that books, the UPDATE that cancels or moves a booking — through
//! triggers that run in the same statement (see
//! `infra/migrations/0006_appointments.sql`), with a CHECK that `remaining`
//! stays between 0 and the capacity. One active booking per citizen, service
//! and local day is a unique partial index; an `Idempotency-Key` is a unique
//! key. Nothing here reads and then writes on the strength of what it read.
//!
//! Local days are Asia/Ho_Chi_Minh ([`local_date`]).

pub mod booking;
pub mod catalog;
pub mod changes;
pub mod checkin;
pub mod desk;
pub mod error;
pub mod kiosk;
pub mod local_date;
pub mod mine;
mod model;
pub mod schedule;
pub mod status;
mod store;
pub mod ticket;

#[cfg(test)]
pub(crate) mod tests;

pub use booking::{book, get_booking, get_for_caller, get_own_booking, BookOutcome, BookRequest};
pub use catalog::{get_service, get_slot, list_services, list_slots, parse_bound, SlotFilter};
pub use changes::{cancel, reschedule};
pub use checkin::{check_in, check_in_at, Desk, Window};
pub use desk::{mark, mark_target, unit_day};
pub use error::ApptError;
pub use kiosk::kiosk_check_in;
pub use model::{Booking, Slot};
pub use schedule::{create_schedule, ScheduleOutcome, ScheduleRequest};
pub use status::Status;
