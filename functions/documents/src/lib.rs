//! Documents component (SPEC §7): the citizen's profile, personal QR and
//! access log under `/api/v1/me`, the vault under `/api/v1/documents`, share
//! links (`/api/v1/shares`, public `/api/v1/shared/{token}`), the issuer API
//! (`/api/v1/issuer/…`) and officials' QR verification.
//!
//! Thin by design: authenticate, decode, call `cds_shared::documents`,
//! audit, encode. Uploads are raw bodies up to 5 MiB; the 64 KiB JSON limit
//! applies to every other body.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

mod ctx;
mod issuer;
mod me;
mod officials;
mod shares;
mod vault;
mod views;

use cds_shared::error::ApiError;
use cds_shared::http::{Request, Response, Router};
use spin_sdk::http_component;

use ctx::Ctx;

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    cds_shared::spin_adapter::handle(&req, serve)
}

fn serve(req: &Request, rid: &str) -> Result<Response, ApiError> {
    let sql = ctx::open_sql(rid)?;
    let c = Ctx::new(&sql, rid);
    let router = Router::new()
        .get("/api/v1/me", |r, _| me::profile(&c, r))
        .patch("/api/v1/me", |r, _| me::update(&c, r))
        .get("/api/v1/me/qr", |r, _| me::qr(&c, r))
        .post("/api/v1/me/qr/rotate", |r, _| me::rotate(&c, r))
        .get("/api/v1/me/access-log", |r, _| me::access_log(&c, r))
        .get("/api/v1/documents", |r, _| vault::list(&c, r))
        .post("/api/v1/documents", |r, _| vault::upload(&c, r))
        .get("/api/v1/documents/:id", |r, p| {
            vault::get(&c, r, p.get("id")?)
        })
        .delete("/api/v1/documents/:id", |r, p| {
            vault::delete(&c, r, p.get("id")?)
        })
        .get("/api/v1/documents/:id/content", |r, p| {
            vault::content(&c, r, p.get("id")?)
        })
        .post("/api/v1/documents/:id/shares", |r, p| {
            shares::create(&c, r, p.get("id")?)
        })
        .get("/api/v1/shares", |r, _| shares::list(&c, r))
        .delete("/api/v1/shares/:token", |r, p| {
            shares::revoke(&c, r, p.get("token")?)
        })
        .get("/api/v1/shared/:token", |r, p| {
            shares::public_metadata(&c, r, p.get("token")?)
        })
        .get("/api/v1/shared/:token/content", |r, p| {
            shares::public_content(&c, r, p.get("token")?)
        })
        .post("/api/v1/issuer/documents", |r, _| issuer::push(&c, r))
        .post("/api/v1/issuer/documents/:id/revoke", |r, p| {
            issuer::revoke(&c, r, p.get("id")?)
        })
        .post("/api/v1/officials/verify-qr", |r, _| {
            officials::verify_qr(&c, r)
        });
    router.dispatch(req)
}
