//! The desk (officials of the service's unit) and check-in (officials, or a
//! kiosk with the ticket code alone).

use cds_shared::appointments::local_date::LocalDate;
use cds_shared::appointments::{
    check_in_at, create_schedule, mark_target, unit_day, Desk, ScheduleRequest,
};
use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use cds_shared::pagination::Page;
use serde::Deserialize;
use serde_json::json;

use crate::views;

#[derive(Deserialize)]
struct ScheduleBody {
    service_code: String,
    date_from: String,
    date_to: String,
    day_start: String,
    day_end: String,
    interval_minutes: i64,
    capacity: i64,
}

/// `POST /api/v1/appointments/slots`: 201 when slots were created, 200 when
/// all of them existed already (a re-run).
pub fn create_slots(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let official = ctx.official_with_unit()?;
    let body: ScheduleBody = json_body(ctx.req)?;
    let request = ScheduleRequest {
        service_code: &body.service_code,
        date_from: &body.date_from,
        date_to: &body.date_to,
        day_start: &body.day_start,
        day_end: &body.day_end,
        interval_minutes: body.interval_minutes,
        capacity: body.capacity,
    };
    let account = &official.principal.account_id;
    let out = create_schedule(ctx.ports()?, account, &official.unit, &request)?;
    let summary = json!({
        "service_code": body.service_code,
        "date_from": body.date_from,
        "date_to": body.date_to,
        "created": out.created,
        "existing": out.existing,
        "past": out.past,
    });
    if out.created > 0 {
        ctx.audit(
            Entry::new(
                Actor::Official(account.clone()),
                action::APPOINTMENT_SLOTS_CREATED,
            )
            .detail(summary.clone()),
        );
    }
    Response::try_json(if out.created > 0 { 201 } else { 200 }, &summary)
}

#[derive(Deserialize)]
struct CheckinBody {
    ticket_code: String,
}

/// `POST /api/v1/appointments/checkin` `{ticket_code}` → the booking, now
/// `arrived`. Who may check in is [`Desk::of`]'s rule: officials their
/// unit's tickets; a kiosk — no `Authorization` at all, or a kiosk session
/// of whoever stands there — any ticket by its code alone, with one refusal
/// (422 `checkin_failed`) for every reason and a per-client allowance of
/// failed attempts (docs/kiosk.md). A kiosk answer leaves out the ticket
/// holder's personal data: the person at the screen need not be the holder.
pub fn check_in(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let caller = ctx.optional_caller()?;
    let desk = Desk::of(caller.as_ref())?;
    let body: CheckinBody = json_body(ctx.req)?;
    // The allowance is counted per client network, the same rate key as
    // every other per-IP limit (trusted proxies resolved, IPv6 by /64).
    let booking = check_in_at(ctx.ports()?, desk, &ctx.req.client_key(), &body.ticket_code)?;
    let actor = match (&desk, &caller) {
        (Desk::Official { .. }, Some(p)) => Actor::Official(p.account_id.clone()),
        (_, Some(p)) => Actor::Citizen(p.account_id.clone()),
        (_, None) => Actor::Kiosk,
    };
    ctx.audit(
        Entry::new(actor, action::APPOINTMENT_CHECKED_IN)
            .about(booking.citizen_id.as_str())
            .detail(json!({
                "appointment_id": booking.id,
                "service": booking.service.code,
                "unit": booking.service.unit_code,
                "client": caller.as_ref().map_or("kiosk", |p| p.client.as_str()),
            })),
    );
    let view = match desk {
        Desk::Official { .. } => views::booking(&booking),
        Desk::Kiosk => views::ticket(&booking),
    };
    Ok(Response::try_json(200, &view)?.no_store())
}

#[derive(Deserialize)]
struct MarkBody {
    status: String,
}

/// `PATCH /api/v1/appointments/{id}` `{status: "fulfilled"|"noshow"}`.
pub fn mark(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let official = ctx.official_with_unit()?;
    let body: MarkBody = json_body(ctx.req)?;
    let target = mark_target(&body.status)?;
    let (booking, changed) =
        cds_shared::appointments::mark(ctx.ports()?, &official.unit, id, target)?;
    if changed {
        ctx.audit(
            Entry::new(
                Actor::Official(official.principal.account_id.clone()),
                action::APPOINTMENT_STATUS_CHANGED,
            )
            .about(booking.citizen_id.as_str())
            .detail(json!({
                "appointment_id": booking.id,
                "status": target.as_str(),
                "unit": official.unit,
            })),
        );
    }
    Ok(Response::try_json(200, &views::booking(&booking))?.no_store())
}

/// `GET /api/v1/appointments/desk?service=&date=YYYY-MM-DD`: one service's
/// bookings that local day, for officials of its unit.
pub fn day(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let official = ctx.official_with_unit()?;
    let page = Page::from_request(ctx.req)?;
    let code = ctx
        .req
        .query_param("service")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_field("service", "required"))?;
    let date = ctx
        .req
        .query_param("date")
        .and_then(LocalDate::parse)
        .ok_or_else(|| ApiError::invalid_field("date", "YYYY-MM-DD"))?;
    let after: Option<(i64, String)> = page.after()?;
    let rows = unit_day(
        ctx.sql()?,
        &official.unit,
        code,
        date,
        after,
        page.fetch_limit(),
    )?;
    views::private_page(&page, rows)
}
