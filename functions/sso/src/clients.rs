//! `…/admin/clients`: the admin registers the city services that may log
//! citizens in, rotates their secrets and disables them (docs/sso.md).

use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use cds_shared::pagination::Page;
use cds_shared::sso::client::{self, NewClient};
use cds_shared::sso::store::clients as store;
use serde_json::json;

/// `POST /api/v1/admin/clients` → 201 with the client and, for a
/// confidential one, its secret (shown this once).
pub fn create(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    ctx.require_admin()?;
    let new: NewClient = json_body(ctx.req)?;
    let (created, secret) = client::register(ctx.ports()?, new)?;
    ctx.audit(
        Entry::new(Actor::Admin, action::SSO_CLIENT_CREATED).detail(json!({
            "client_id": created.id,
            "name": created.name,
            "kind": created.kind.as_str(),
            "scopes": created.scopes.to_string(),
            "redirect_uris": created.redirect_uris,
        })),
    );
    let mut body = created.to_json();
    if let Some(secret) = secret {
        body["client_secret"] = json!(secret);
    }
    Ok(Response::json(201, &body).no_store())
}

/// `GET /api/v1/admin/clients` → every client, newest first.
pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    ctx.require_admin()?;
    let page = Page::from_request(ctx.req)?;
    let after: Option<(i64, String)> = page.after()?;
    let limit = usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX);
    let rows = store::page(ctx.sql()?, after.as_ref(), limit)?;
    let out = page.paginate(rows, |c| (c.created_at, c.id.clone()))?;
    let items: Vec<_> = out.items.iter().map(|c| c.to_json()).collect();
    Ok(Response::json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    )
    .no_store())
}

/// `POST /api/v1/admin/clients/{id}/secret` → a new secret; the old one
/// stops working at once.
pub fn rotate(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    ctx.require_admin()?;
    let secret = client::rotate_secret(ctx.ports()?, id)?.ok_or(ApiError::NotFound {
        code: "client_not_found",
    })?;
    ctx.audit(
        Entry::new(Actor::Admin, action::SSO_CLIENT_SECRET_ROTATED)
            .detail(json!({"client_id": id})),
    );
    Ok(Response::json(200, &json!({"client_id": id, "client_secret": secret})).no_store())
}

/// `POST /api/v1/admin/clients/{id}/disable` → 204; its logins and tokens
/// stop working at once.
pub fn disable(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    ctx.require_admin()?;
    if !client::disable(ctx.ports()?, id)? {
        return Err(ApiError::NotFound {
            code: "client_not_found",
        });
    }
    ctx.audit(
        Entry::new(Actor::Admin, action::SSO_CLIENT_DISABLED).detail(json!({"client_id": id})),
    );
    Ok(Response::no_content())
}
