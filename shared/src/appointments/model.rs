//! The records appointments deal in, and reading them from SQL rows.

use super::status::Status;
use crate::admin::{Service, ServiceKind};
use crate::ports::StoreError;
use crate::rows::{shape, Row};

/// A bookable time at one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: String,
    pub service_code: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `YYYY-MM-DD` in +07:00.
    pub local_date: String,
    pub capacity: i64,
    pub remaining: i64,
}

/// One booking, with its slot and service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: String,
    pub citizen_id: String,
    pub ticket_code: String,
    pub status: Status,
    pub service: Service,
    pub slot: Slot,
    /// Copied from the citizen's profile when booking.
    pub full_name: Option<String>,
    pub phone: String,
    pub id_number: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub arrived_at: Option<i64>,
    /// When it was cancelled, fulfilled or marked no-show.
    pub closed_at: Option<i64>,
}

/// Columns for [`Slot`] rows, table alias `s`.
pub(crate) const SLOT_COLUMNS: &str =
    "s.id AS slot_id, s.service_code, s.starts_at, s.ends_at, s.local_date, s.capacity, s.remaining";

/// Columns for [`Service`] rows, table alias `v`.
pub(crate) const SERVICE_COLUMNS: &str =
    "v.code AS service_code, v.name AS service_name, v.kind AS service_kind, v.unit_code, v.address, v.created_at AS service_created_at";

/// `SELECT` of [`Booking`] rows (append `WHERE …`).
pub(crate) const BOOKING_SELECT: &str = "SELECT a.id, a.citizen_id, a.ticket_code, a.status, a.full_name, a.phone, \
     a.id_number, a.note, a.created_at, a.updated_at, a.arrived_at, a.closed_at, \
     s.id AS slot_id, s.starts_at, s.ends_at, s.local_date, s.capacity, s.remaining, \
     v.code AS service_code, v.name AS service_name, v.kind AS service_kind, v.unit_code, v.address, \
     v.created_at AS service_created_at \
     FROM appointments a JOIN appointment_slots s ON s.id = a.slot_id JOIN services v ON v.code = a.service_code";

/// Decoding the records of this module from the one row reader
/// ([`crate::rows`]).
impl Row<'_> {
    pub(crate) fn slot(&self) -> Result<Slot, StoreError> {
        Ok(Slot {
            id: self.text("slot_id")?,
            service_code: self.text("service_code")?,
            starts_at: self.i64("starts_at")?,
            ends_at: self.i64("ends_at")?,
            local_date: self.text("local_date")?,
            capacity: self.i64("capacity")?,
            remaining: self.i64("remaining")?,
        })
    }

    pub(crate) fn service(&self) -> Result<Service, StoreError> {
        let kind = self.text("service_kind")?;
        Ok(Service {
            code: self.text("service_code")?,
            name: self.text("service_name")?,
            kind: ServiceKind::parse(&kind)
                .ok_or_else(|| shape("service_kind", "a known value"))?,
            unit_code: self.text("unit_code")?,
            address: self.text("address")?,
            created_at: self.i64("service_created_at")?,
        })
    }

    pub(crate) fn booking(&self) -> Result<Booking, StoreError> {
        let status = self.text("status")?;
        Ok(Booking {
            id: self.text("id")?,
            citizen_id: self.text("citizen_id")?,
            ticket_code: self.text("ticket_code")?,
            status: Status::parse(&status).ok_or_else(|| shape("status", "a known value"))?,
            service: self.service()?,
            slot: self.slot()?,
            full_name: self.opt_text("full_name")?,
            phone: self.text("phone")?,
            id_number: self.opt_text("id_number")?,
            note: self.opt_text("note")?,
            created_at: self.i64("created_at")?,
            updated_at: self.i64("updated_at")?,
            arrived_at: self.opt_i64("arrived_at")?,
            closed_at: self.opt_i64("closed_at")?,
        })
    }
}
