//! Appointments component (SPEC §9): services and future slots (public),
//! booking with QR tickets, cancel and reschedule (citizens), bulk
//! schedules, the day's list, fulfilled/no-show (officials of the service's
//! unit), and check-in by ticket (officials or kiosk sessions).
//!
//! Thin by design: route, decode, call `cds_shared::appointments`, encode.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

mod catalog;
mod citizen;
mod ctx;
mod desk;
mod qr;
mod views;

use cds_shared::error::ApiError;
use cds_shared::http::{Request, Response, Router};
use cds_shared::identity::Ports;
use cds_shared::ports::{OsRandom, SystemClock};
use cds_shared::spin_adapter::{SpinSettings, SpinSql};
use spin_sdk::http_component;

use ctx::{store_error, Ctx};

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    cds_shared::spin_adapter::handle(&req, serve)
}

fn serve(req: &Request, id: &str) -> Result<Response, ApiError> {
    let sql = SpinSql::open_default().map_err(|e| store_error(id, e))?;
    let settings = SpinSettings;
    let ports = Ports {
        sql: &sql,
        clock: &SystemClock,
        random: &OsRandom,
        settings: &settings,
    };
    let ctx = Ctx { ports, id };
    // Fixed paths come before `/:id` so `services`, `slots`, `checkin` and
    // `desk` are never taken for an appointment id.
    let router = Router::new()
        .get("/api/v1/appointments/services", |r, _| {
            catalog::services(&ctx, r)
        })
        .get("/api/v1/appointments/slots", |r, _| catalog::slots(&ctx, r))
        .post("/api/v1/appointments/slots", |r, _| {
            desk::create_slots(&ctx, r)
        })
        .post("/api/v1/appointments/checkin", |r, _| {
            desk::check_in(&ctx, r)
        })
        .get("/api/v1/appointments/desk", |r, _| desk::day(&ctx, r))
        .post("/api/v1/appointments", |r, _| citizen::book(&ctx, r))
        .get("/api/v1/me/appointments", |r, _| citizen::mine(&ctx, r))
        .get("/api/v1/appointments/:id", |r, p| {
            citizen::get(&ctx, r, p.get("id")?)
        })
        .delete("/api/v1/appointments/:id", |r, p| {
            citizen::cancel(&ctx, r, p.get("id")?)
        })
        .patch("/api/v1/appointments/:id", |r, p| {
            desk::mark(&ctx, r, p.get("id")?)
        })
        .post("/api/v1/appointments/:id/reschedule", |r, p| {
            citizen::reschedule(&ctx, r, p.get("id")?)
        });
    router.dispatch(req)
}
