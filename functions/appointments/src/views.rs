//! The JSON shapes this component answers with. Times are RFC 3339 in the
//! city's zone (docs/api.md); `date` is the slot's local day.

use cds_shared::admin::Service;
use cds_shared::appointments::{Booking, Slot, Window};
use cds_shared::error::ApiError;
use cds_shared::http::Response;
use cds_shared::identity::rfc3339_vn;
use cds_shared::pagination::Page;
use serde::Serialize;
use serde_json::{json, Value};

/// One page of a list, `{items, next_cursor}`: `rows` as fetched with
/// `page.fetch_limit()`, `key` naming each row's resume key.
pub fn page<T, K: Serialize>(
    page: &Page,
    rows: Vec<T>,
    key: impl Fn(&T) -> K,
    view: fn(&T) -> Value,
) -> Result<Response, ApiError> {
    let out = page.paginate(rows, key)?;
    let items: Vec<Value> = out.items.iter().map(view).collect();
    Response::try_json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    )
}

/// A page of bookings, kept out of shared caches (they hold citizens'
/// profiles).
pub fn private_page(p: &Page, rows: Vec<Booking>) -> Result<Response, ApiError> {
    Ok(page(p, rows, |b| (b.slot.starts_at, b.id.clone()), booking)?.no_store())
}

/// A service as the public catalog shows it.
pub fn service(s: &Service) -> Value {
    s.catalog_json()
}

/// A slot with its seats left.
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
