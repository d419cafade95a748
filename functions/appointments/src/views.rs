//! The JSON shapes this component answers with. Times are RFC 3339 in the
//! city's zone (SPEC §4); `date` is the slot's local day.

use cds_shared::admin::Service;
use cds_shared::appointments::{Booking, Slot, Window};
use cds_shared::identity::rfc3339_vn;
use serde_json::{json, Value};

pub fn service(s: &Service) -> Value {
    json!({
        "code": s.code,
        "name": s.name,
        "kind": s.kind.as_str(),
        "unit": s.unit_code,
        "address": s.address,
    })
}

pub fn slot(s: &Slot) -> Value {
    json!({
        "id": s.id,
        "service_code": s.service_code,
        "starts_at": rfc3339_vn(s.starts_at),
        "ends_at": rfc3339_vn(s.ends_at),
        "date": s.local_date,
        "capacity": s.capacity,
        "remaining": s.remaining,
    })
}

/// A booking; `qr_svg` is added by the caller when it shows one.
pub fn booking(b: &Booking) -> Value {
    let window = Window::around(b.slot.starts_at);
    json!({
        "id": b.id,
        "ticket_code": b.ticket_code,
        "status": b.status.as_str(),
        "service": service(&b.service),
        "slot": slot(&b.slot),
        "citizen": {
            "full_name": b.full_name,
            "phone": b.phone,
            "id_number": b.id_number,
        },
        "note": b.note,
        "checkin": {
            "opens_at": rfc3339_vn(window.opens_at),
            "closes_at": rfc3339_vn(window.closes_at),
        },
        "created_at": rfc3339_vn(b.created_at),
        "updated_at": rfc3339_vn(b.updated_at),
        "arrived_at": b.arrived_at.map(rfc3339_vn),
    })
}

/// What a kiosk may show about a ticket: no holder's name, phone or CCCD.
pub fn ticket(b: &Booking) -> Value {
    let mut v = booking(b);
    if let Some(obj) = v.as_object_mut() {
        obj.remove("citizen");
        obj.remove("note");
    }
    v
}

/// A booking with its ticket's QR code.
pub fn booking_with_qr(b: &Booking, qr_svg: String) -> Value {
    let mut v = booking(b);
    v["qr_svg"] = Value::String(qr_svg);
    v
}
