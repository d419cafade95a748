//! The desk (officials of the service's unit) and check-in (officials, or
//! any kiosk session with the ticket code alone).

use cds_shared::appointments::checkin::{check_in as domain_check_in, Desk};
use cds_shared::appointments::desk::{list_day, mark as domain_mark};
use cds_shared::appointments::local_date::LocalDate;
use cds_shared::appointments::{
    catalog, create_schedule, kiosk_check_in, ApptError, ScheduleRequest, Status,
};
use cds_shared::audit::{action, Entry};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Request, Response};
use cds_shared::identity::{Client, Role};
use cds_shared::pagination::Page;
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
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
pub fn create_slots(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let official = ctx.official(req)?;
    let body: ScheduleBody = json_body(req)?;
    let request = ScheduleRequest {
        service_code: &body.service_code,
        date_from: &body.date_from,
        date_to: &body.date_to,
        day_start: &body.day_start,
        day_end: &body.day_end,
        interval_minutes: body.interval_minutes,
        capacity: body.capacity,
    };
    let out = create_schedule(
        ctx.ports,
        &official.principal.account_id,
        &official.unit,
        &request,
    )
    .map_err(|e| ctx.fail(e))?;
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
                format!("official:{}", official.principal.account_id),
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
/// `arrived`. Officials check in their unit's tickets. At a kiosk the ticket
/// code alone is enough (SPEC §3 "anonymous check-in by ticket"): with no
/// `Authorization` at all, or with a kiosk session of whoever stands there.
/// The code only works inside its check-in window, and a kiosk answer leaves
/// out the ticket holder's personal data: the person at the screen need not
/// be the holder. A kiosk also gets one refusal (422 `checkin_failed`) for
/// every reason and a per-client allowance of failed attempts.
pub fn check_in(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let caller = match req.header("authorization") {
        None => None,
        Some(_) => Some(ctx.caller(req)?),
    };
    let desk = match &caller {
        None => Desk::Kiosk,
        Some(p) => match (p.role, p.unit_code.as_deref(), p.client) {
            (Role::Official, Some(unit), _) => Desk::Official { unit },
            (_, _, Client::Kiosk) => Desk::Kiosk,
            _ => return Err(ApiError::Forbidden),
        },
    };
    let body: CheckinBody = json_body(req)?;
    let booking = match desk {
        // Nobody vouches for a kiosk: an allowance per client and one
        // answer for every refusal (see `appointments::kiosk`).
        Desk::Kiosk => kiosk_check_in(ctx.ports, &client_key(req), &body.ticket_code),
        Desk::Official { .. } => domain_check_in(ctx.ports, desk, &body.ticket_code),
    }
    .map_err(|e| ctx.fail(e))?;
    let actor = match (&desk, &caller) {
        (Desk::Official { .. }, Some(p)) => format!("official:{}", p.account_id),
        (_, Some(p)) => format!("citizen:{}", p.account_id),
        (_, None) => "kiosk:anonymous".to_owned(),
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
    Response::try_json(200, &view).map(|r| r.with_header("cache-control", "no-store"))
}

/// Who a kiosk check-in's allowance is counted for: the client's network,
/// the same rate key as every other per-IP limit (trusted proxies resolved,
/// IPv6 grouped by /64; docs/identity.md).
fn client_key(req: &Request) -> String {
    req.client_key()
}

#[derive(Deserialize)]
struct MarkBody {
    status: String,
}

/// `PATCH /api/v1/appointments/{id}` `{status: "fulfilled"|"noshow"}`.
pub fn mark(ctx: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let official = ctx.official(req)?;
    let body: MarkBody = json_body(req)?;
    let target = Status::parse(&body.status)
        .filter(|s| matches!(s, Status::Fulfilled | Status::Noshow))
        .ok_or_else(|| ApiError::invalid_field("status", "fulfilled or noshow"))?;
    let (booking, changed) =
        domain_mark(ctx.ports, &official.unit, id, target).map_err(|e| ctx.fail(e))?;
    if changed {
        ctx.audit(
            Entry::new(format!("official:{}", official.principal.account_id), action::APPOINTMENT_STATUS_CHANGED)
                .about(booking.citizen_id.as_str())
                .detail(json!({"appointment_id": booking.id, "status": target.as_str(), "unit": official.unit})),
        );
    }
    Response::try_json(200, &views::booking(&booking))
        .map(|r| r.with_header("cache-control", "no-store"))
}

/// `GET /api/v1/appointments/desk?service=&date=YYYY-MM-DD`: one service's
/// bookings that local day, for officials of its unit.
pub fn day(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let official = ctx.official(req)?;
    let page = Page::from_request(req)?;
    let code = req
        .query_param("service")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_field("service", "required"))?;
    let date = req
        .query_param("date")
        .and_then(LocalDate::parse)
        .ok_or_else(|| ApiError::invalid_field("date", "YYYY-MM-DD"))?;
    let service = catalog::get_service(ctx.ports.sql, code)
        .map_err(|e| ctx.fail(e))?
        .ok_or_else(|| ctx.fail(ApptError::ServiceNotFound))?;
    if service.unit_code != official.unit {
        return Err(ApiError::Forbidden);
    }
    let after: Option<(i64, String)> = page.after()?;
    let rows = list_day(
        ctx.ports.sql,
        code,
        &date.to_string(),
        after,
        page.fetch_limit(),
    )
    .map_err(|e| ctx.fail(e))?;
    let out = page.paginate(rows, |b| (b.slot.starts_at, b.id.clone()))?;
    let items: Vec<_> = out.items.iter().map(views::booking).collect();
    Response::try_json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    )
    .map(|r| r.with_header("cache-control", "no-store"))
}
