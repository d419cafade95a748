//! A citizen's own appointments: book, list, read, cancel, reschedule.
//! Someone else's appointment answers 404, as if it did not exist.

use cds_shared::appointments::mine::{list_mine, Which};
use cds_shared::appointments::{self as domain, ticket, BookRequest, Booking};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use cds_shared::pagination::Page;
use serde::Deserialize;

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
pub fn book(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let caller = ctx.caller()?;
    let body: BookBody = json_body(ctx.req)?;
    let request = BookRequest {
        slot_id: &body.slot_id,
        note: body.note.as_deref(),
        idempotency_key: ctx.req.header("idempotency-key"),
    };
    let out = domain::book(ctx.ports()?, &caller.account_id, &request)?;
    let response = shown(&out.booking, 201)?;
    Ok(if out.replayed {
        response.with_header("idempotent-replayed", "true")
    } else {
        response
    })
}

/// `GET /api/v1/me/appointments[?upcoming=true]`.
pub fn mine(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let caller = ctx.caller()?;
    let page = Page::from_request(ctx.req)?;
    let which = match ctx.req.query_param("upcoming") {
        None | Some("" | "false") => Which::All,
        Some("true") => Which::Upcoming {
            now: ctx.clock().now(),
        },
        Some(_) => return Err(ApiError::invalid_field("upcoming", "true or false")),
    };
    let after: Option<(i64, String)> = page.after()?;
    let rows = list_mine(
        ctx.sql()?,
        &caller.account_id,
        which,
        after,
        page.fetch_limit(),
    )?;
    views::private_page(&page, rows)
}

/// `GET /api/v1/appointments/{id}`: the owner, or an official of the
/// service's unit (the desk).
pub fn get(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let caller = ctx.caller()?;
    shown(&domain::get_for_caller(ctx.sql()?, &caller, id)?, 200)
}

/// `DELETE /api/v1/appointments/{id}`: cancels before the slot starts and
/// answers the cancelled booking (again on a repeat).
pub fn cancel(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let caller = ctx.caller()?;
    let booking = domain::cancel(ctx.ports()?, &caller.account_id, id)?;
    Ok(Response::try_json(200, &views::booking(&booking))?.no_store())
}

#[derive(Deserialize)]
struct RescheduleBody {
    slot_id: String,
}

/// `POST /api/v1/appointments/{id}/reschedule` `{slot_id}`: same booking and
/// ticket, new slot; atomically or not at all.
pub fn reschedule(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let caller = ctx.caller()?;
    let body: RescheduleBody = json_body(ctx.req)?;
    let booking = domain::reschedule(ctx.ports()?, &caller.account_id, id, &body.slot_id)?;
    shown(&booking, 200)
}

/// A booking with its QR ticket, kept out of shared caches (it holds the
/// citizen's profile).
fn shown(booking: &Booking, status: u16) -> Result<Response, ApiError> {
    let body = views::booking_with_qr(booking, ticket::qr_svg(&booking.ticket_code)?);
    Ok(Response::try_json(status, &body)?.no_store())
}
