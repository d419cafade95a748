//! Public reading: services and their future slots. No login needed, so a
//! kiosk or the web can show what is bookable before anyone signs in.

use cds_shared::admin::ServiceKind;
use cds_shared::appointments::local_date::LocalDate;
use cds_shared::appointments::{catalog as domain, ApptError, SlotFilter};
use cds_shared::error::ApiError;
use cds_shared::http::{Request, Response};
use cds_shared::local_time::parse_instant;
use cds_shared::pagination::Page;

use crate::ctx::Ctx;
use crate::views;

pub fn services(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let page = Page::from_request(req)?;
    let kind = match req.query_param("kind") {
        None | Some("") => None,
        Some(k) => Some(
            ServiceKind::parse(k)
                .ok_or_else(|| ApiError::invalid_field("kind", "health or public_service"))?,
        ),
    };
    let after: Option<String> = page.after()?;
    let rows = domain::list_services(ctx.ports.sql, kind, after.as_deref(), page.fetch_limit())
        .map_err(|e| ctx.fail(e))?;
    let out = page.paginate(rows, |s| s.code.clone())?;
    let items: Vec<_> = out.items.iter().map(views::service).collect();
    Response::try_json(
        200,
        &serde_json::json!({"items": items, "next_cursor": out.next_cursor}),
    )
}

/// `?service=&from=&to=`: `from`/`to` are RFC 3339 instants or local dates
/// (`to` as a date includes that whole day). Only slots that have not
/// started are listed.
pub fn slots(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let page = Page::from_request(req)?;
    let service = match req.query_param("service") {
        None | Some("") => None,
        Some(code) => {
            domain::get_service(ctx.ports.sql, code)
                .map_err(|e| ctx.fail(e))?
                .ok_or_else(|| ctx.fail(ApptError::ServiceNotFound))?;
            Some(code.to_owned())
        }
    };
    let from = bound(req, "from", false)?;
    let to = bound(req, "to", true)?;
    let filter = SlotFilter { service, from, to };
    let after: Option<(i64, String)> = page.after()?;
    let now = ctx.ports.clock.now();
    let rows = domain::list_slots(ctx.ports.sql, now, &filter, after, page.fetch_limit())
        .map_err(|e| ctx.fail(e))?;
    let out = page.paginate(rows, |s| (s.starts_at, s.id.clone()))?;
    let items: Vec<_> = out.items.iter().map(views::slot).collect();
    Response::try_json(
        200,
        &serde_json::json!({"items": items, "next_cursor": out.next_cursor}),
    )
}

/// A time bound from the query: an instant, or a local date's start (or,
/// for an `end` bound, the next day's start).
fn bound(req: &Request, name: &'static str, end: bool) -> Result<Option<i64>, ApiError> {
    let Some(raw) = req.query_param(name).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Some(date) = LocalDate::parse(raw) {
        return Ok(Some(if end {
            date.next().start()
        } else {
            date.start()
        }));
    }
    parse_instant(raw).map(Some).ok_or_else(|| {
        ApiError::invalid_field(name, "RFC 3339 date-time with offset, or YYYY-MM-DD")
    })
}
