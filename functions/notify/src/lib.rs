//! Notify component (docs/notifications.md): the citizen's inbox and
//! notification settings, and `POST /api/v1/internal/dispatch`, which a
//! scheduler calls to deliver pending notices by Zalo and SMS.
//!
//! Route, decode, call `cds_shared::notify`, encode.

mod alerts;
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
        .get("/api/v1/alerts", |_, _| alerts::list(ctx))
        .get("/api/v1/alerts.cap.xml", |_, _| alerts::index(ctx))
        .get("/api/v1/alerts/areas", |_, _| alerts::areas(ctx))
        .get("/api/v1/alerts/:id", |_, p| alerts::one(ctx, p.get("id")?))
        .post("/api/v1/officials/alerts", |_, _| alerts::publish(ctx))
        .post("/api/v1/officials/alerts/:id/update", |_, p| {
            alerts::update(ctx, p.get("id")?)
        })
        .post("/api/v1/officials/alerts/:id/cancel", |_, p| {
            alerts::cancel(ctx, p.get("id")?)
        })
        .get("/api/v1/admin/alert-publishers", |_, _| {
            alerts::list_publishers(ctx)
        })
        .post("/api/v1/admin/alert-publishers", |_, _| alerts::grant(ctx))
        .delete("/api/v1/admin/alert-publishers/:phone", |_, p| {
            alerts::revoke(ctx, p.get("phone")?)
        })
        .dispatch(ctx.req)
}
