//! Appointments component (docs/appointments.md): services and future slots
//! (public), booking with QR tickets, cancel and reschedule (citizens), bulk
//! schedules, the day's list, fulfilled/no-show (officials of the service's
//! unit), and check-in by ticket (officials or kiosks).

mod catalog;
mod citizen;
mod desk;
mod views;

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{Response, Router};

cds_shared::entry!(routes);

/// Every route of the component: route, decode, call, encode.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .get("/api/v1/appointments/services", |_, _| {
            catalog::services(ctx)
        })
        .get("/api/v1/appointments/slots", |_, _| catalog::slots(ctx))
        .post("/api/v1/appointments/slots", |_, _| desk::create_slots(ctx))
        .post("/api/v1/appointments/checkin", |_, _| desk::check_in(ctx))
        .get("/api/v1/appointments/desk", |_, _| desk::day(ctx))
        .post("/api/v1/appointments", |_, _| citizen::book(ctx))
        .get("/api/v1/me/appointments", |_, _| citizen::mine(ctx))
        .get("/api/v1/appointments/:id", |_, p| {
            citizen::get(ctx, p.get("id")?)
        })
        .delete("/api/v1/appointments/:id", |_, p| {
            citizen::cancel(ctx, p.get("id")?)
        })
        .patch("/api/v1/appointments/:id", |_, p| {
            desk::mark(ctx, p.get("id")?)
        })
        .post("/api/v1/appointments/:id/reschedule", |_, p| {
            citizen::reschedule(ctx, p.get("id")?)
        })
        .dispatch(ctx.req)
}
