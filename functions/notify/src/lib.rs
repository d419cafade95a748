//! Notify component (docs/notifications.md): the citizen's inbox and
//! notification settings, and `POST /api/v1/internal/dispatch`, which a
//! scheduler calls to deliver pending notices by Zalo and SMS.
//!
//! Route, decode, call `cds_shared::notify`, encode.

mod api;

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{Response, Router};

cds_shared::entry!(routes);

/// Every route of the component.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .get("/api/v1/me/notifications", |_, _| api::list(ctx))
        .post("/api/v1/me/notifications/read-all", |_, _| {
            api::read_all(ctx)
        })
        .get("/api/v1/me/notifications/:id", |_, p| {
            api::one(ctx, p.get("id")?)
        })
        .delete("/api/v1/me/notifications/:id", |_, p| {
            api::delete(ctx, p.get("id")?)
        })
        .post("/api/v1/me/notifications/:id/read", |_, p| {
            api::read(ctx, p.get("id")?)
        })
        .get("/api/v1/me/notification-settings", |_, _| {
            api::settings(ctx)
        })
        .patch("/api/v1/me/notification-settings", |_, _| {
            api::change_settings(ctx)
        })
        .post("/api/v1/internal/dispatch", |_, _| api::dispatch(ctx))
        .dispatch(ctx.req)
}
