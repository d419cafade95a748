//! Public reading: services and their future slots. No login needed, so a
//! kiosk or the web can show what is bookable before anyone signs in.

use cds_shared::admin::ServiceKind;
use cds_shared::appointments::{catalog as domain, SlotFilter};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::Response;
use cds_shared::pagination::Page;

use crate::views;

/// `GET /api/v1/appointments/services[?kind=health|public_service]`.
pub fn services(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = Page::from_request(ctx.req)?;
    let kind = match ctx.req.query_param("kind") {
        None | Some("") => None,
        Some(k) => Some(
            ServiceKind::parse(k)
                .ok_or_else(|| ApiError::invalid_field("kind", "health or public_service"))?,
        ),
    };
    let after: Option<String> = page.after()?;
    let rows = domain::list_services(ctx.sql()?, kind, after.as_deref(), page.fetch_limit())?;
    views::page(&page, rows, |s| s.code.clone(), views::service)
}

/// `GET /api/v1/appointments/slots?service=&from=&to=`: `from`/`to` are
/// RFC 3339 instants or local dates (`to` as a date includes that whole
/// day). Only slots that have not started are listed.
pub fn slots(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = Page::from_request(ctx.req)?;
    let service = ctx
        .req
        .query_param("service")
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let filter = SlotFilter {
        service,
        from: bound(ctx, "from", false)?,
        to: bound(ctx, "to", true)?,
    };
    let after: Option<(i64, String)> = page.after()?;
    let now = ctx.clock().now();
    let rows = domain::list_slots(ctx.sql()?, now, &filter, after, page.fetch_limit())?;
    views::page(&page, rows, |s| (s.starts_at, s.id.clone()), views::slot)
}

/// The time bound `name` of the query, if given.
fn bound(ctx: &Ctx<'_>, name: &'static str, end: bool) -> Result<Option<i64>, ApiError> {
    let Some(raw) = ctx.req.query_param(name).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    domain::parse_bound(raw, end).map(Some).ok_or_else(|| {
        ApiError::invalid_field(name, "RFC 3339 date-time with offset, or YYYY-MM-DD")
    })
}
