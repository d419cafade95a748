//! Share links (SPEC §7.4): the owner's side (`/api/v1/documents/{id}/shares`,
//! `/api/v1/shares`) and the relying party's, without login
//! (`/api/v1/shared/{token}`).

use cds_shared::audit::{action, Entry};
use cds_shared::config::public_base_url;
use cds_shared::documents::access_log::share_entry;
use cds_shared::documents::qr::{self, EcLevel};
use cds_shared::documents::shares::{self as domain, Fetch, NewShare, Opened};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Request, Response};
use cds_shared::identity::rfc3339_vn;
use cds_shared::pagination::Page;
use serde_json::json;

use crate::ctx::Ctx;
use crate::vault::bytes_response;
use crate::views;

pub fn create(c: &Ctx<'_>, req: &Request, document_id: &str) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let body: NewShare = json_body(req)?;
    let share =
        domain::create(c.ports, &me.account_id, document_id, &body).map_err(|e| c.fail(e))?;
    c.audit(
        Entry::new(format!("citizen:{}", me.account_id), action::SHARE_CREATED)
            .about(me.account_id.as_str())
            .detail(json!({
                "share_id": share.id,
                "document_id": share.document_id,
                "purpose": share.purpose,
                "max_uses": share.max_uses,
                "expires_at": share.expires_at,
            })),
    );
    let origin = base_url(c)?;
    let url = views::share_url(&origin, &share.token);
    // M (15%): the link is longer than a personal QR and is shown on screens.
    let qr_svg = qr::svg(&url, EcLevel::M).map_err(|e| c.fail(e))?;
    let mut body = views::share(&share, &origin, c.ports.clock.now());
    body["qr_svg"] = json!(qr_svg);
    Ok(Response::json(201, &body).no_store())
}

pub fn list(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let page = Page::from_request(req)?;
    let after: Option<(i64, String)> = page.after()?;
    let me = c.me(req)?;
    let rows = domain::list(c.ports.sql, &me.account_id, after, page.fetch_limit())
        .map_err(|e| c.store(e))?;
    let out = page.paginate(rows, |s| (s.created_at, s.id.clone()))?;
    let (origin, now) = (base_url(c)?, c.ports.clock.now());
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
/// relying party — and the token — to a host of its choosing).
fn base_url(c: &Ctx<'_>) -> Result<String, ApiError> {
    public_base_url(c.ports.settings).map_err(|problem| {
        eprintln!("[{}] share links refused: {problem}", c.rid);
        problem.to_api()
    })
}

pub fn revoke(c: &Ctx<'_>, req: &Request, token: &str) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let (share, changed) = domain::revoke(c.ports, &me.account_id, token).map_err(|e| c.fail(e))?;
    if changed {
        c.audit(
            Entry::new(format!("citizen:{}", me.account_id), action::SHARE_REVOKED)
                .about(me.account_id.as_str())
                .detail(json!({"share_id": share.id, "document_id": share.document_id})),
        );
    }
    Ok(Response::no_content())
}

/// Uses the link once and records who-knows-who read what.
fn open(c: &Ctx<'_>, token: &str, fetch: Fetch) -> Result<Opened, ApiError> {
    let opened = domain::open(c.ports, token, fetch).map_err(|e| c.fail(e))?;
    c.audit(share_entry(&opened, fetch));
    Ok(opened)
}

/// Headers of every answer to a relying party: nothing cached (each fetch is
/// a counted use), and the token in the URL not leaked onward.
fn public(resp: Response) -> Response {
    resp.no_store()
        .with_header("referrer-policy", "no-referrer")
}

/// `GET /api/v1/shared/{token}`: metadata and the verification verdict.
pub fn public_metadata(c: &Ctx<'_>, _req: &Request, token: &str) -> Result<Response, ApiError> {
    let o = open(c, token, Fetch::Metadata)?;
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
            "checked_at": rfc3339_vn(c.ports.clock.now()),
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
pub fn public_content(c: &Ctx<'_>, _req: &Request, token: &str) -> Result<Response, ApiError> {
    let o = open(c, token, Fetch::Content)?;
    let mut resp = bytes_response(&o.document, o.content.unwrap_or_default())
        .with_header("x-document-source", &o.document.source);
    if let Some(i) = &o.document.issuer {
        resp = resp.with_header("x-document-issuer", &i.code);
    }
    Ok(public(resp))
}
