//! Documents component (docs/identity.md for who may see what): the
//! citizen's profile, personal QR and access log under `/api/v1/me`, the
//! vault under `/api/v1/documents`, share links (`/api/v1/shares`, public
//! `/api/v1/shared/{token}`), the issuer API (`/api/v1/issuer/…`) and
//! officials' QR verification.
//!
//! Route, decode, call `cds_shared::documents`, audit, encode. Uploads are
//! raw bodies up to 5 MiB; the 64 KiB JSON limit applies to every other body.

mod issuer;
mod me;
mod officials;
mod shares;
mod vault;
mod views;

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{Response, Router};

cds_shared::entry!(routes);

/// Every route of the component: route, decode, call, encode.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .get("/api/v1/me", |_, _| me::profile(ctx))
        .patch("/api/v1/me", |_, _| me::update(ctx))
        .get("/api/v1/me/qr", |_, _| me::qr(ctx))
        .post("/api/v1/me/qr/rotate", |_, _| me::rotate(ctx))
        .get("/api/v1/me/access-log", |_, _| me::access_log(ctx))
        .get("/api/v1/documents", |_, _| vault::list(ctx))
        .post("/api/v1/documents", |_, _| vault::upload(ctx))
        .get("/api/v1/documents/:id", |_, p| {
            vault::get(ctx, p.get("id")?)
        })
        .delete("/api/v1/documents/:id", |_, p| {
            vault::delete(ctx, p.get("id")?)
        })
        .get("/api/v1/documents/:id/content", |_, p| {
            vault::content(ctx, p.get("id")?)
        })
        .post("/api/v1/documents/:id/shares", |_, p| {
            shares::create(ctx, p.get("id")?)
        })
        .get("/api/v1/shares", |_, _| shares::list(ctx))
        .delete("/api/v1/shares/:token", |_, p| {
            shares::revoke(ctx, p.get("token")?)
        })
        .get("/api/v1/shared/:token", |_, p| {
            shares::metadata(ctx, p.get("token")?)
        })
        .get("/api/v1/shared/:token/content", |_, p| {
            shares::content(ctx, p.get("token")?)
        })
        .post("/api/v1/issuer/documents", |_, _| issuer::push(ctx))
        .post("/api/v1/issuer/documents/:id/revoke", |_, p| {
            issuer::revoke(ctx, p.get("id")?)
        })
        .post("/api/v1/officials/verify-qr", |_, _| {
            officials::verify_qr(ctx)
        })
        .dispatch(ctx.req)
}
