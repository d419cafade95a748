//! API keys (docs/admin.md): issuer / partner keys with scopes, kiosk keys,
//! the list the admin reads the day a key leaks, and revoking one.

use cds_shared::admin;
use cds_shared::apikey::{self, KeyInfo};
use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Params, Response};
use cds_shared::pagination::Page;
use serde::Deserialize;
use serde_json::json;

use crate::views;

// Missing fields decode as "" so the domain reports them as `required`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NewIssuer {
    code: String,
    name: String,
    /// Absent → `["documents"]`; see `admin::keys::issuer_scopes`.
    scopes: Option<Vec<String>>,
}

/// `POST /api/v1/admin/issuers` → 201 with the key, shown this once.
pub fn create_issuer(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: NewIssuer = json_body(ctx.req)?;
    let scopes = admin::issuer_scopes(body.scopes.as_deref())?;
    let p = ctx.ports()?;
    let (key, api_key) =
        admin::create_issuer_with_scopes(p.sql, p.random, p.clock, &body.code, &body.name, scopes)?;
    // The display prefix identifies the key in the log without revealing it.
    ctx.audit(
        Entry::new(Actor::Admin, action::ISSUER_CREATED).detail(json!({
            "code": key.code,
            "name": key.name,
            "key_prefix": key.key_prefix,
            "scopes": key.scopes.names(),
        })),
    );
    Ok(shown_once(&key, &api_key))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewKiosk {
    code: String,
    name: String,
    unit: Option<String>,
}

/// `POST /api/v1/admin/kiosks` → 201 with the kiosk's `ksk_` key, shown once.
pub fn create_kiosk(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: NewKiosk = json_body(ctx.req)?;
    let p = ctx.ports()?;
    let (key, api_key) = admin::create_kiosk(
        p.sql,
        p.random,
        p.clock,
        &body.code,
        &body.name,
        body.unit.as_deref(),
    )?;
    ctx.audit(
        Entry::new(Actor::Admin, action::KIOSK_CREATED).detail(json!({
            "code": key.code,
            "name": key.name,
            "key_prefix": key.key_prefix,
            "unit": key.unit_code,
        })),
    );
    Ok(shown_once(&key, &api_key))
}

/// The only kind of response that ever carries a key: keep it out of caches.
fn shown_once(key: &KeyInfo, api_key: &str) -> Response {
    Response::json(201, &views::new_key(key, api_key)).no_store()
}

/// `GET /api/v1/admin/keys`: every key, newest first, paginated (docs/api.md).
pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = Page::from_request(ctx.req)?;
    let after: Option<i64> = page.after()?;
    let rows = apikey::list_keys(ctx.sql()?, after, page.fetch_limit())?;
    let out = page.paginate(rows, |k| k.id)?;
    let body = json!({
        "items": out.items.iter().map(views::key).collect::<Vec<_>>(),
        "next_cursor": out.next_cursor,
    });
    Ok(Response::json(200, &body).no_store())
}

/// `POST /api/v1/admin/keys/{code}/revoke` → 200 with the key, revoked.
/// Idempotent (a second call answers the same and records nothing); the
/// key answers 401 from the next request on.
pub fn revoke(ctx: &Ctx<'_>, params: &Params<'_>) -> Result<Response, ApiError> {
    let code = params.get("code")?;
    let (key, changed) =
        apikey::revoke_key(ctx.sql()?, ctx.clock(), code)?.ok_or(ApiError::NotFound {
            code: "key_not_found",
        })?;
    if changed {
        ctx.audit(Entry::new(Actor::Admin, action::KEY_REVOKED).detail(json!({
            "code": key.code,
            "key_prefix": key.key_prefix,
            "scopes": key.scopes.names(),
        })));
    }
    Ok(Response::json(200, &views::key(&key)).no_store())
}
