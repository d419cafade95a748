//! A citizen's own appointments: book, list, read, cancel, reschedule.
//! Someone else's appointment answers 404, as if it did not exist.

use cds_shared::appointments::desk::get_for_unit;
use cds_shared::appointments::mine::{list_mine, Which};
use cds_shared::appointments::{self as domain, ApptError, BookRequest, Booking};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Request, Response};
use cds_shared::identity::Role;
use cds_shared::pagination::Page;
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::qr::ticket_svg;
use crate::views;

#[derive(Deserialize)]
struct BookBody {
    slot_id: String,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/appointments` with an optional `Idempotency-Key` header: a
/// retry with the same key answers the same booking (also 201, marked
/// `Idempotent-Replayed: true`).
pub fn book(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let caller = ctx.caller(req)?;
    let body: BookBody = json_body(req)?;
    let key = req.header("idempotency-key");
    let request = BookRequest {
        slot_id: &body.slot_id,
        note: body.note.as_deref(),
        idempotency_key: key,
    };
    let out = domain::book(ctx.ports, &caller.account_id, &request).map_err(|e| ctx.fail(e))?;
    let response = shown(&out.booking, 201)?;
    Ok(if out.replayed {
        response.with_header("idempotent-replayed", "true")
    } else {
        response
    })
}

/// `GET /api/v1/me/appointments[?upcoming=true]`.
pub fn mine(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let caller = ctx.caller(req)?;
    let page = Page::from_request(req)?;
    let which = match req.query_param("upcoming") {
        None | Some("" | "false") => Which::All,
        Some("true") => Which::Upcoming {
            now: ctx.ports.clock.now(),
        },
        Some(_) => return Err(ApiError::invalid_field("upcoming", "true or false")),
    };
    let after: Option<(i64, String)> = page.after()?;
    let rows = list_mine(
        ctx.ports.sql,
        &caller.account_id,
        which,
        after,
        page.fetch_limit(),
    )
    .map_err(|e| ctx.fail(e))?;
    let out = page.paginate(rows, |b| (b.slot.starts_at, b.id.clone()))?;
    let items: Vec<_> = out.items.iter().map(views::booking).collect();
    Response::try_json(
        200,
        &serde_json::json!({"items": items, "next_cursor": out.next_cursor}),
    )
    .map(Response::no_store)
}

/// `GET /api/v1/appointments/{id}`: the owner, or an official of the
/// service's unit (the desk).
pub fn get(ctx: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let caller = ctx.caller(req)?;
    let own = domain::get_own_booking(ctx.ports.sql, &caller.account_id, id);
    let booking = match (own, caller.role, caller.unit_code.as_deref()) {
        (Ok(b), _, _) => b,
        (Err(ApptError::AppointmentNotFound), Role::Official, Some(unit)) => {
            get_for_unit(ctx.ports.sql, unit, id).map_err(|e| ctx.fail(e))?
        }
        (Err(e), _, _) => return Err(ctx.fail(e)),
    };
    shown(&booking, 200)
}

/// `DELETE /api/v1/appointments/{id}`: cancels before the slot starts and
/// answers the cancelled booking (again on a repeat).
pub fn cancel(ctx: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let caller = ctx.caller(req)?;
    let booking = domain::cancel(ctx.ports, &caller.account_id, id).map_err(|e| ctx.fail(e))?;
    Response::try_json(200, &views::booking(&booking)).map(Response::no_store)
}

#[derive(Deserialize)]
struct RescheduleBody {
    slot_id: String,
}

/// `POST /api/v1/appointments/{id}/reschedule` `{slot_id}`: same booking and
/// ticket, new slot; atomically or not at all.
pub fn reschedule(ctx: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let caller = ctx.caller(req)?;
    let body: RescheduleBody = json_body(req)?;
    let booking = domain::reschedule(ctx.ports, &caller.account_id, id, &body.slot_id)
        .map_err(|e| ctx.fail(e))?;
    shown(&booking, 200)
}

/// A booking with its QR ticket, kept out of shared caches (it holds the
/// citizen's profile).
fn shown(booking: &Booking, status: u16) -> Result<Response, ApiError> {
    let body = views::booking_with_qr(booking, ticket_svg(&booking.ticket_code)?);
    Response::try_json(status, &body).map(Response::no_store)
}
