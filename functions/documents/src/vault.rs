//! `/api/v1/documents`: the caller's vault.

use cds_shared::component::Ctx;
use cds_shared::documents::download::{content_disposition, SANDBOX_CSP};
use cds_shared::documents::etag::{etag, if_none_match_hits};
use cds_shared::documents::kinds::doc_type;
use cds_shared::documents::vault::{self as domain, DocumentMeta};
use cds_shared::error::ApiError;
use cds_shared::http::Response;
use cds_shared::pagination::Page;
use serde_json::json;

use crate::views;

/// `GET /api/v1/documents?type=…`: newest first, paginated.
pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = Page::from_request(ctx.req)?;
    let after: Option<(i64, String)> = page.after()?;
    // Every `type` given must be a known type, and only one may be given.
    let type_filter = match ctx.req.query_param_once("type")? {
        None => None,
        Some(t) => {
            Some(doc_type(t).ok_or_else(|| ApiError::invalid_field("type", "unknown_value"))?)
        }
    };
    let me = ctx.caller()?;
    let rows = domain::list(
        ctx.sql()?,
        &me.account_id,
        type_filter,
        after,
        page.fetch_limit(),
    )?;
    let out = page.paginate(rows, |d| (d.created_at, d.id.clone()))?;
    let items: Vec<_> = out.items.iter().map(views::document).collect();
    Ok(Response::json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    ))
}

/// `GET /api/v1/documents/{id}`: the metadata.
pub fn get(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let doc = domain::get(ctx.sql()?, &me.account_id, id)?;
    Ok(Response::json(200, &views::document(&doc)))
}

/// The bytes, `ETag` = their SHA-256; a matching `If-None-Match` is 304
/// without reading them.
pub fn content(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let meta = domain::get(ctx.sql()?, &me.account_id, id)?;
    if if_none_match_hits(ctx.req.header("if-none-match"), &meta.sha256) {
        return Ok(Response {
            status: 304,
            headers: Vec::new(),
            body: Vec::new(),
        }
        .with_header("etag", &etag(&meta.sha256))
        .with_header("cache-control", "private, no-cache"));
    }
    let (doc, bytes) = domain::content(ctx.sql()?, &me.account_id, id)?;
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
pub fn upload(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let req = ctx.req;
    let declared = req.header("content-type").unwrap_or("");
    let doc = domain::upload(
        ctx.ports()?,
        &me.account_id,
        req.query_param("type"),
        req.query_param("title"),
        declared,
        &req.body,
    )?;
    Ok(Response::json(201, &views::document(&doc))
        .with_header("location", &format!("/api/v1/documents/{}", doc.id)))
}

/// `DELETE /api/v1/documents/{id}`: the caller's own upload.
pub fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    domain::delete(ctx.ports()?, &me.account_id, id)?;
    Ok(Response::no_content())
}
