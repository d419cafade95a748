//! Platform component: `GET /api/v1/health` (really touching the key-value
//! store and the SQL database), `GET /api/v1/openapi.json`, and the JSON 404
//! for every API path no other component serves.

use cds_shared::component::{Ctx, Shape};
use cds_shared::error::ApiError;
use cds_shared::health::{probe_kv, probe_sql, report};
use cds_shared::http::{Response, Router};

/// The OpenAPI document assembled by build.rs from docs/openapi/ (checked by the tests).
const OPENAPI: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// Health answers whatever the settings are: it is where an operator learns
/// which one is wrong. Everything else goes through the gate.
const SHAPE: Shape = Shape {
    ungated: &["/api/v1/health"],
    ..Shape::API
};

cds_shared::entry!(routes, SHAPE);

/// Every route of the component; unmatched paths come back from the router
/// as the JSON 404 (or 405 with `Allow` when only the method is wrong).
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .get("/api/v1/health", |_, _| Ok(health(ctx)))
        .get("/api/v1/openapi.json", |_, _| {
            Ok(Response::bytes(
                200,
                "application/json",
                OPENAPI.as_bytes().to_vec(),
            ))
        })
        .dispatch(ctx.req)
}

/// `{"status","kv","sql"}` as `cds_shared::health::report` decides; every
/// failure is logged, never answered in detail.
fn health(ctx: &Ctx<'_>) -> Response {
    let kv = ctx.kv().and_then(|kv| Ok(probe_kv(kv)?));
    let sql = ctx.sql().and_then(|sql| Ok(probe_sql(sql)?));
    let settings = cds_shared::config::check(ctx.settings());
    for (part, result) in [("kv", &kv), ("sql", &sql)] {
        if let Err(e) = result {
            ctx.log(format_args!("health: {part} unavailable: {}", e.log_line()));
        }
    }
    if let Err(problem) = &settings {
        ctx.log(format_args!("health: settings not usable: {problem}"));
    }
    let (status, body) = report(kv.is_ok(), sql.is_ok(), settings.as_ref().err());
    Response::json(status, &body).no_store()
}
