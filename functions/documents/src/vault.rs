//! `/api/v1/documents`: the caller's vault (SPEC §7.3).

use cds_shared::documents::download::{content_disposition, SANDBOX_CSP};
use cds_shared::documents::etag::{etag, if_none_match_hits};
use cds_shared::documents::kinds::doc_type;
use cds_shared::documents::vault::{self as domain, DocumentMeta};
use cds_shared::error::ApiError;
use cds_shared::http::{Request, Response};
use cds_shared::pagination::Page;
use serde_json::json;

use crate::ctx::Ctx;
use crate::views;

pub fn list(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let page = Page::from_request(req)?;
    let after: Option<(i64, String)> = page.after()?;
    let type_filter = match req.query_param("type").filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            Some(doc_type(t).ok_or_else(|| ApiError::invalid_field("type", "unknown_value"))?)
        }
    };
    let me = c.me(req)?;
    let rows = domain::list(
        c.ports.sql,
        &me.account_id,
        type_filter,
        after,
        page.fetch_limit(),
    )
    .map_err(|e| c.store(e))?;
    let out = page.paginate(rows, |d| (d.created_at, d.id.clone()))?;
    let items: Vec<_> = out.items.iter().map(views::document).collect();
    Ok(Response::json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    ))
}

pub fn get(c: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let doc = domain::get(c.ports.sql, &me.account_id, id).map_err(|e| c.fail(e))?;
    Ok(Response::json(200, &views::document(&doc)))
}

/// The bytes, `ETag` = their SHA-256; a matching `If-None-Match` is 304
/// without reading them.
pub fn content(c: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let meta = domain::get(c.ports.sql, &me.account_id, id).map_err(|e| c.fail(e))?;
    if if_none_match_hits(req.header("if-none-match"), &meta.sha256) {
        return Ok(Response {
            status: 304,
            headers: Vec::new(),
            body: Vec::new(),
        }
        .with_header("etag", &etag(&meta.sha256))
        .with_header("cache-control", "private, no-cache"));
    }
    let (doc, bytes) = domain::content(c.ports.sql, &me.account_id, id).map_err(|e| c.fail(e))?;
    Ok(bytes_response(&doc, bytes).with_header("cache-control", "private, no-cache"))
}

/// A document's bytes with the headers every download carries: sandboxed,
/// and inline only for PDF and images (see `documents::download`).
pub fn bytes_response(doc: &DocumentMeta, bytes: Vec<u8>) -> Response {
    Response::bytes(200, &doc.content_type, bytes)
        .with_header("etag", &etag(&doc.sha256))
        .with_header("content-security-policy", SANDBOX_CSP)
        .with_header(
            "content-disposition",
            &content_disposition(&doc.title, &doc.content_type),
        )
        .with_header("x-document-sha256", &doc.sha256)
        .with_header("x-document-status", &doc.status)
}

/// `POST /api/v1/documents?type=…&title=…` with the file as the raw body.
pub fn upload(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let declared = req.header("content-type").unwrap_or("");
    let doc = domain::upload(
        c.ports,
        &me.account_id,
        req.query_param("type"),
        req.query_param("title"),
        declared,
        &req.body,
    )
    .map_err(|e| c.fail(e))?;
    Ok(Response::json(201, &views::document(&doc))
        .with_header("location", &format!("/api/v1/documents/{}", doc.id)))
}

pub fn delete(c: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    domain::delete(c.ports, &me.account_id, id).map_err(|e| c.fail(e))?;
    Ok(Response::no_content())
}
