//! SSO component (docs/sso.md): the platform as an OpenID Connect provider.
//! City services register as clients; citizens log in once with a one-time
//! code and consent per scope; services get ES256 ID and access tokens,
//! read the consented claims and pull the consented documents. Also the
//! admin's client registry and the citizen's list of connected services.

mod clients;
mod connections;
mod cookie;
mod html;
mod interaction;
mod labels;
mod logout;
mod pages;
mod protocol;

use cds_shared::component::{Ctx, Shape};
use cds_shared::error::ApiError;
use cds_shared::http::{Request, Response, Router};
use cds_shared::lang::Lang;
use serde_json::json;

/// The protocol endpoints answer errors in OAuth's shape, the pages in
/// HTML; both carry the pages' security headers.
const SHAPE: Shape = Shape {
    render_error,
    headers: pages_headers,
    ..Shape::API
};

cds_shared::entry!(routes, SHAPE);

/// Every route of the component.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    Router::new()
        .get("/.well-known/openid-configuration", |_, _| {
            protocol::discovery(ctx)
        })
        .get("/sso/jwks", |_, _| protocol::jwks(ctx))
        .get("/sso/authorize", |_, _| interaction::authorize(ctx))
        .post("/sso/authorize", |_, _| interaction::authorize(ctx))
        .post("/sso/token", |_, _| protocol::token(ctx))
        .post("/sso/revoke", |_, _| protocol::revoke(ctx))
        .get("/sso/userinfo", |_, _| protocol::userinfo(ctx))
        .post("/sso/userinfo", |_, _| protocol::userinfo(ctx))
        .get("/sso/documents", |_, _| protocol::documents(ctx))
        .get("/sso/logout", |_, _| logout::logout(ctx))
        .post("/sso/logout", |_, _| logout::logout(ctx))
        .post("/api/v1/admin/clients", |_, _| clients::create(ctx))
        .get("/api/v1/admin/clients", |_, _| clients::list(ctx))
        .post("/api/v1/admin/clients/:id/secret", |_, p| {
            clients::rotate(ctx, p.get("id")?)
        })
        .post("/api/v1/admin/clients/:id/disable", |_, p| {
            clients::disable(ctx, p.get("id")?)
        })
        .get("/api/v1/me/connections", |_, _| connections::list(ctx))
        .delete("/api/v1/me/connections/:client_id", |_, p| {
            connections::remove(ctx, p.get("client_id")?)
        })
        .dispatch(ctx.req)
}

/// The endpoints services call directly.
const PROTOCOL: &[&str] = &[
    "/sso/token",
    "/sso/revoke",
    "/sso/userinfo",
    "/sso/documents",
];
/// The pages a browser shows.
const PAGES: &[&str] = &["/sso/authorize", "/sso/logout"];

/// OAuth's error body (RFC 6749 §5.2, RFC 6750 §3) for the protocol
/// endpoints, the error page for the pages, the JSON API's body elsewhere.
fn render_error(req: &Request, e: &ApiError) -> Option<Response> {
    let path = req.path.as_str();
    if PAGES.contains(&path) {
        let mut page = pages::error_page(req, req.lang(), e.status(), e);
        if let Some(allow) = e.allow() {
            page.set_header("allow", &allow);
        }
        return Some(page);
    }
    if !PROTOCOL.contains(&path) {
        return None;
    }
    // Platform failures (a store outage, an unusable setting) keep their
    // own codes: OAuth names none for them outside the redirect. The
    // description is the refusal's own detail when it has one ("code_verifier
    // is required (PKCE)"), else the code's English message.
    let code = e.code();
    let fields = e.fields();
    let description = fields
        .get("detail")
        .and_then(|d| d.as_str())
        .unwrap_or_else(|| e.message(Lang::En));
    let mut resp = Response::json(
        e.status(),
        &json!({"error": code, "error_description": description}),
    )
    .no_store();
    // A 405 names the methods the endpoint takes (RFC 9110 §15.5.6).
    if let Some(allow) = e.allow() {
        resp.set_header("allow", &allow);
    }
    let bearer_endpoint = path == "/sso/userinfo" || path == "/sso/documents";
    if bearer_endpoint && matches!(e.status(), 401 | 403) {
        resp.set_header(
            "www-authenticate",
            &format!("Bearer realm=\"sso\", error=\"{code}\""),
        );
    } else if e.status() == 401 && req.header("authorization").is_some() {
        resp.set_header("www-authenticate", "Basic realm=\"sso\"");
    }
    if let Some(seconds) = e.retry_after() {
        resp.set_header("retry-after", &seconds.to_string());
    }
    Some(resp)
}

/// The pages' security headers on every page answer.
fn pages_headers(resp: Response) -> Response {
    let html = resp
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html"));
    if html {
        pages::secure(resp)
    } else {
        resp
    }
}
