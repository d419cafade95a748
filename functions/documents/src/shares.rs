//! Share links: the owner's side (`/api/v1/documents/{id}/shares`,
//! `/api/v1/shares`) and the relying party's, without login
//! (`/api/v1/shared/{token}`).

use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::config::public_base_url;
use cds_shared::documents::access_log::share_entry;
use cds_shared::documents::qr::{self, EcLevel};
use cds_shared::documents::shares::{self as domain, Fetch, NewShare, Opened};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use cds_shared::identity::rfc3339_vn;
use cds_shared::pagination::Page;
use serde_json::json;

use crate::vault::bytes_response;
use crate::views;

/// `POST /api/v1/documents/{id}/shares` → 201 with the link and its QR.
pub fn create(ctx: &Ctx<'_>, document_id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let body: NewShare = json_body(ctx.req)?;
    let share = domain::create(ctx.ports()?, &me.account_id, document_id, &body)?;
    ctx.audit(
        Entry::new(Actor::Citizen(me.account_id.clone()), action::SHARE_CREATED)
            .about(me.account_id.as_str())
            .detail(json!({
                "share_id": share.id,
                "document_id": share.document_id,
                "purpose": share.purpose,
                "max_uses": share.max_uses,
                "expires_at": share.expires_at,
            })),
    );
    let origin = base_url(ctx)?;
    let url = views::share_url(&origin, &share.token);
    // M (15%): the link is longer than a personal QR and is shown on screens.
    let qr_svg = qr::svg(&url, EcLevel::M)?;
    let mut body = views::share(&share, &origin, ctx.clock().now());
    body["qr_svg"] = json!(qr_svg);
    Ok(Response::json(201, &body).no_store())
}

/// `GET /api/v1/shares`: the caller's links, newest first.
pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = Page::from_request(ctx.req)?;
    let after: Option<(i64, String)> = page.after()?;
    let me = ctx.caller()?;
    let rows = domain::list(ctx.sql()?, &me.account_id, after, page.fetch_limit())?;
    let out = page.paginate(rows, |s| (s.created_at, s.id.clone()))?;
    let (origin, now) = (base_url(ctx)?, ctx.clock().now());
    let items: Vec<_> = out
        .items
        .iter()
        .map(|s| views::share(s, &origin, now))
        .collect();
    Ok(Response::json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    )
    .no_store())
}

/// Where links point: the `public_base_url` setting, never the request's
/// `Host` (a client could otherwise mint links, and QR codes, that send the
/// relying party — and the token — to a host of its choosing). An unusable
/// setting is 503 `not_configured`, logged where the response is finished.
fn base_url(ctx: &Ctx<'_>) -> Result<String, ApiError> {
    public_base_url(ctx.settings()).map_err(|problem| problem.to_api())
}

/// `DELETE /api/v1/shares/{token}` → 204 (also when already revoked).
pub fn revoke(ctx: &Ctx<'_>, token: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let (share, changed) = domain::revoke(ctx.ports()?, &me.account_id, token)?;
    if changed {
        ctx.audit(
            Entry::new(Actor::Citizen(me.account_id.clone()), action::SHARE_REVOKED)
                .about(me.account_id.as_str())
                .detail(json!({"share_id": share.id, "document_id": share.document_id})),
        );
    }
    Ok(Response::no_content())
}

/// Uses the link once and records who-knows-who read what.
fn open(ctx: &Ctx<'_>, token: &str, fetch: Fetch) -> Result<Opened, ApiError> {
    let opened = domain::open(ctx.ports()?, token, fetch)?;
    ctx.audit_after(opened.audit_tail.clone(), share_entry(&opened, fetch));
    Ok(opened)
}

/// Headers of every answer to a relying party: nothing cached (each fetch is
/// a counted use), and the token in the URL not leaked onward.
fn public(resp: Response) -> Response {
    resp.no_store()
        .with_header("referrer-policy", "no-referrer")
}

/// `GET /api/v1/shared/{token}`: metadata and the verification verdict.
pub fn metadata(ctx: &Ctx<'_>, token: &str) -> Result<Response, ApiError> {
    let o = open(ctx, token, Fetch::Metadata)?;
    let d = &o.document;
    let body = json!({
        "document": {
            "type": d.doc_type,
            "title": d.title,
            "issued_at": rfc3339_vn(d.issued_at),
            "valid_until": d.valid_until.map(rfc3339_vn),
            "content_type": d.content_type,
            "size": d.size,
        },
        "holder": {"full_name": o.holder_name},
        "verification": {
            "status": d.status,
            "revoked_at": d.revoked_at.map(rfc3339_vn),
            "source": d.source,
            "issuer": views::issuer(d),
            "sha256": d.sha256,
            "checked_at": rfc3339_vn(ctx.clock().now()),
        },
        "share": {
            "purpose": o.share.purpose,
            "expires_at": rfc3339_vn(o.share.expires_at),
            "uses": o.share.uses,
            "max_uses": o.share.max_uses,
        },
        "content_url": format!("/api/v1/shared/{token}/content"),
    });
    Ok(public(Response::json(200, &body)))
}

/// `GET /api/v1/shared/{token}/content`: the verified bytes, with the verdict
/// in `x-document-*` headers so one use is enough.
pub fn content(ctx: &Ctx<'_>, token: &str) -> Result<Response, ApiError> {
    let o = open(ctx, token, Fetch::Content)?;
    let mut resp = bytes_response(&o.document, o.content.unwrap_or_default())
        .with_header("x-document-source", &o.document.source);
    if let Some(i) = &o.document.issuer {
        resp = resp.with_header("x-document-issuer", &i.code);
    }
    Ok(public(resp))
}
