//! Admin component (docs/admin.md): units, officials (and deactivating them),
//! API keys (issuer / partner keys with scopes, kiosk keys; list, revoke),
//! services and feedback categories, and the audit-chain check — all
//! behind the `admin_token` (docs/admin.md) — plus
//! `POST /api/v1/officials/citizens/{id}/verify`, by which an official
//! confirms a citizen's identity (docs/identity.md).
//!
//! Thin by design: decode, call `cds_shared::{admin, identity, audit}`,
//! record the audit entry, encode.

mod audit_check;
mod catalog;
mod citizens;
mod keys;
mod officials;
mod views;

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{Response, Router};

cds_shared::entry!(routes);

/// Every route of the component.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    // The admin token is checked before routing, so without it every admin
    // path answers 401 and nobody can map which admin routes exist.
    let path = ctx.req.path.as_str();
    if path.starts_with("/api/v1/admin/") || path == "/api/v1/admin" {
        ctx.require_admin()?;
    }
    Router::new()
        .post("/api/v1/admin/units", |_, _| catalog::create_unit(ctx))
        .post("/api/v1/admin/officials", |_, _| {
            officials::create_official(ctx)
        })
        .post("/api/v1/admin/officials/:account/deactivate", |_, p| {
            officials::deactivate(ctx, p)
        })
        .post("/api/v1/admin/issuers", |_, _| keys::create_issuer(ctx))
        .post("/api/v1/admin/kiosks", |_, _| keys::create_kiosk(ctx))
        .get("/api/v1/admin/keys", |_, _| keys::list(ctx))
        .post("/api/v1/admin/keys/:code/revoke", |_, p| {
            keys::revoke(ctx, p)
        })
        .post("/api/v1/admin/services", |_, _| {
            catalog::create_service(ctx)
        })
        .post("/api/v1/admin/feedback-categories", |_, _| {
            catalog::create_category(ctx)
        })
        .get("/api/v1/admin/audit/verify", |_, _| {
            audit_check::verify_audit(ctx)
        })
        .post("/api/v1/officials/citizens/:id/verify", |_, p| {
            citizens::verify_citizen(ctx, p.get("id")?)
        })
        .dispatch(ctx.req)
}
