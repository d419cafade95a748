//! The JSON API under `/api/v1/feedback` and `/api/v1/me/feedback`.

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::feedback::categories::category_json;
use cds_shared::feedback::rating::stats_json;
use cds_shared::feedback::{
    self as fb, access, view, Access, ChangeRequest, Draft, FeedbackError, FeedbackPolicy,
    ListFilter, Official, RatingInput, Submitter, Viewer,
};
use cds_shared::http::{json_body, Response};
use cds_shared::identity::{rfc3339_vn, Principal};
use cds_shared::pagination::{Page, PageOf};
use serde_json::{json, Value};

/// Personal views must not sit in shared caches.
fn private(resp: Response) -> Response {
    resp.with_header("cache-control", "private, no-store")
}

/// `GET /api/v1/feedback/categories`.
pub fn categories(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let items = fb::list_categories(ctx.sql()?)?;
    let items: Vec<Value> = items.iter().map(category_json).collect();
    Ok(Response::json(200, &json!({ "items": items })))
}

/// `GET /api/v1/feedback/stats`.
pub fn stats(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let items = fb::stats(ctx.sql()?)?;
    let items: Vec<Value> = items.iter().map(stats_json).collect();
    Ok(Response::json(200, &json!({ "items": items })))
}

fn page_json(page: PageOf<fb::Feedback>, render: impl Fn(&fb::Feedback) -> Value) -> Value {
    let items: Vec<Value> = page.items.iter().map(render).collect();
    json!({"items": items, "next_cursor": page.next_cursor})
}

/// `GET /api/v1/feedback?category=&status=`: published items, redacted.
pub fn public_list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let filter = ListFilter::from_request(ctx.req)?;
    let page = Page::from_request(ctx.req)?;
    let found = fb::list_public(ctx.sql()?, &filter, &page)?;
    Ok(Response::json(200, &page_json(found, view::public)))
}

/// `GET /api/v1/me/feedback`: the caller's own items, in full.
pub fn mine(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let filter = ListFilter::from_request(ctx.req)?;
    let page = Page::from_request(ctx.req)?;
    let found = fb::list_owned(ctx.sql()?, &me.account_id, &filter, &page)?;
    Ok(private(Response::json(
        200,
        &page_json(found, |f| view::full(f, Access::Owner, None)),
    )))
}

/// `GET /api/v1/feedback/queue`: everything the official's unit handles.
pub fn queue(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let official = ctx.official_with_unit()?;
    let filter = ListFilter::from_request(ctx.req)?;
    let page = Page::from_request(ctx.req)?;
    let found = fb::list_unit(ctx.sql()?, &official.unit, &filter, &page)?;
    Ok(private(Response::json(
        200,
        &page_json(found, |f| view::full(f, Access::Handler, None)),
    )))
}

/// `POST /api/v1/feedback`: logged in (the citizen owns it) or anonymous.
pub fn submit(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let caller = ctx.optional_caller()?;
    let draft: Draft = json_body(ctx.req)?;
    let valid = fb::validate(&draft)?;
    let who = match &caller {
        Some(p) => Submitter::Citizen {
            account_id: &p.account_id,
        },
        None => Submitter::Anonymous {
            client_ip: ctx.req.client_ip.as_deref(),
        },
    };
    let policy = FeedbackPolicy::from_settings(ctx.settings());
    let created = fb::submit(ctx.ports()?, &policy, who, &valid)?;
    ctx.log(format_args!(
        "feedback {} received for {}",
        created.tracking_code, created.unit_code
    ));
    Ok(Response::json(201, &view::created(&created))
        .with_header("location", &format!("/api/v1/feedback/{}", created.id)))
}

/// The item and how much of it the caller may see (404 when nothing).
fn visible(ctx: &Ctx<'_>, id: &str) -> Result<(fb::Feedback, Access, Option<Principal>), ApiError> {
    let caller = ctx.optional_caller()?;
    let f = fb::find(ctx.sql()?, id)?.ok_or(FeedbackError::NotFound)?;
    let level = access(&f, &Viewer::of(caller.as_ref()));
    if level == Access::Hidden {
        return Err(FeedbackError::NotFound.into());
    }
    Ok((f, level, caller))
}

/// `GET /api/v1/feedback/{id}` (id or tracking code): the owner and the
/// handling officials get everything with the history; others the public view.
pub fn one(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let (f, level, _) = visible(ctx, id)?;
    if level == Access::Public {
        return Ok(Response::json(200, &view::public(&f)));
    }
    let steps = fb::history(ctx.sql()?, &f)?;
    Ok(private(Response::json(
        200,
        &view::full(&f, level, Some(&steps)),
    )))
}

/// `GET /api/v1/feedback/{id}/history`: owner and handling officials only.
pub fn history(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let (f, level, caller) = visible(ctx, id)?;
    match (level, caller) {
        (Access::Owner | Access::Handler, _) => {}
        (_, None) => return Err(ApiError::Unauthorized),
        (_, Some(_)) => return Err(ApiError::Forbidden),
    }
    let steps = fb::history(ctx.sql()?, &f)?;
    let body = json!({"items": view::history_json(&steps, level == Access::Handler)});
    Ok(private(Response::json(200, &body)))
}

/// `PATCH /api/v1/feedback/{id}` `{status?, response?, published?}`.
pub fn change(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.official()?;
    let body: ChangeRequest = json_body(ctx.req)?;
    let official = Official {
        account_id: &me.account_id,
        unit_code: me.unit_code.as_deref(),
    };
    let changed = fb::change(ctx.ports()?, official, id, &body)?;
    // The change stands (it is in the item's history); a failed append is
    // logged with the whole entry by the context.
    ctx.audit(changed.audit);
    let f = &changed.feedback;
    if let Some(owner) = f.owner_id.as_deref() {
        ctx.dispatch_notices_of(owner);
    }
    let steps = fb::history(ctx.sql()?, f)?;
    Ok(private(Response::json(
        200,
        &view::full(f, Access::Handler, Some(&steps)),
    )))
}

/// `POST /api/v1/feedback/{id}/rating` `{score, comment?}` → 201.
pub fn rate(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let body: RatingInput = json_body(ctx.req)?;
    let rating = fb::rate(ctx.ports()?, &Viewer::of(Some(&me)), id, &body)?;
    let out = json!({
        "score": rating.score,
        "comment": rating.comment,
        "created_at": rfc3339_vn(rating.created_at),
    });
    Ok(private(Response::json(201, &out)))
}
