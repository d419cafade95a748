//! The JSON API under `/api/v1/feedback` and `/api/v1/me/feedback`.

use cds_shared::error::ApiError;
use cds_shared::feedback::categories::category_json;
use cds_shared::feedback::rating::stats_json;
use cds_shared::feedback::{
    self as fb, access, view, Access, ChangeRequest, Draft, FeedbackPolicy, ListFilter, Official,
    RatingInput, Submitter, Viewer,
};
use cds_shared::guard::{authenticate_request, require_official};
use cds_shared::http::{json_body, Params, Request, Response, Router};
use cds_shared::identity::rfc3339_vn;
use cds_shared::pagination::{Page, PageOf};
use serde_json::{json, Value};

use crate::ctx::{log, with_ctx, Ctx};

pub fn serve(req: &Request, id: &str) -> Result<Response, ApiError> {
    with_ctx(id, |ctx| {
        // Literal paths first: `:id` would match "stats" too.
        Router::new()
            .get("/api/v1/feedback/categories", |_, _| categories(ctx))
            .get("/api/v1/feedback/stats", |_, _| stats(ctx))
            .get("/api/v1/feedback/queue", |r, _| queue(ctx, r))
            .get("/api/v1/feedback", |r, _| public_list(ctx, r))
            .post("/api/v1/feedback", |r, _| submit(ctx, r))
            .get("/api/v1/me/feedback", |r, _| mine(ctx, r))
            .get("/api/v1/feedback/:id", |r, p| one(ctx, r, p))
            .patch("/api/v1/feedback/:id", |r, p| change(ctx, r, p))
            .get("/api/v1/feedback/:id/history", |r, p| history(ctx, r, p))
            .post("/api/v1/feedback/:id/rating", |r, p| rate(ctx, r, p))
            .dispatch(req)
    })
}

/// Personal views must not sit in shared caches.
fn private(resp: Response) -> Response {
    resp.with_header("cache-control", "private, no-store")
}

fn categories(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let items = fb::list_categories(ctx.ports.sql).map_err(|e| ctx.store(e))?;
    let items: Vec<Value> = items.iter().map(category_json).collect();
    Ok(Response::json(200, &json!({ "items": items })))
}

fn stats(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let items = fb::stats(ctx.ports.sql).map_err(|e| ctx.store(e))?;
    let items: Vec<Value> = items.iter().map(stats_json).collect();
    Ok(Response::json(200, &json!({ "items": items })))
}

fn page_json(page: PageOf<fb::Feedback>, render: impl Fn(&fb::Feedback) -> Value) -> Value {
    let items: Vec<Value> = page.items.iter().map(render).collect();
    json!({"items": items, "next_cursor": page.next_cursor})
}

/// `GET /api/v1/feedback?category=&status=`: published items, redacted.
fn public_list(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let filter = ListFilter::from_request(req).map_err(|e| ctx.fail(e))?;
    let page = Page::from_request(req)?;
    let found = fb::list_public(ctx.ports.sql, &filter, &page).map_err(|e| ctx.fail(e))?;
    Ok(Response::json(200, &page_json(found, view::public)))
}

/// `GET /api/v1/me/feedback`: the caller's own items, in full.
fn mine(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let me = authenticate_request(ctx.ports, req)?;
    let filter = ListFilter::from_request(req).map_err(|e| ctx.fail(e))?;
    let page = Page::from_request(req)?;
    let found =
        fb::list_owned(ctx.ports.sql, &me.account_id, &filter, &page).map_err(|e| ctx.fail(e))?;
    Ok(private(Response::json(
        200,
        &page_json(found, |f| view::full(f, Access::Owner, None)),
    )))
}

/// `GET /api/v1/feedback/queue`: everything the official's unit handles.
fn queue(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let me = authenticate_request(ctx.ports, req)?;
    require_official(&me)?;
    let unit = me.unit_code.as_deref().ok_or(ApiError::Forbidden)?;
    let filter = ListFilter::from_request(req).map_err(|e| ctx.fail(e))?;
    let page = Page::from_request(req)?;
    let found = fb::list_unit(ctx.ports.sql, unit, &filter, &page).map_err(|e| ctx.fail(e))?;
    Ok(private(Response::json(
        200,
        &page_json(found, |f| view::full(f, Access::Handler, None)),
    )))
}

/// `POST /api/v1/feedback`: logged in (the citizen owns it) or anonymous.
fn submit(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let caller = ctx.caller(req)?;
    let draft: Draft = json_body(req)?;
    let valid = fb::validate(&draft).map_err(|e| ctx.fail(e))?;
    let who = match &caller {
        Some(p) => Submitter::Citizen {
            account_id: &p.account_id,
        },
        None => Submitter::Anonymous {
            client_ip: req.client_ip.as_deref(),
        },
    };
    let policy = FeedbackPolicy::from_settings(ctx.ports.settings);
    let created = fb::submit(ctx.ports, &policy, who, &valid).map_err(|e| ctx.fail(e))?;
    log(
        ctx.id,
        format_args!(
            "feedback {} received for {}",
            created.tracking_code, created.unit_code
        ),
    );
    Ok(Response::json(201, &view::created(&created))
        .with_header("location", &format!("/api/v1/feedback/{}", created.id)))
}

/// The item and how much of it the caller may see (404 when nothing).
fn visible(
    ctx: &Ctx<'_>,
    req: &Request,
    params: &Params<'_>,
) -> Result<
    (
        fb::Feedback,
        Access,
        Option<cds_shared::identity::Principal>,
    ),
    ApiError,
> {
    let caller = ctx.caller(req)?;
    let f = fb::find(ctx.ports.sql, params.get("id")?)
        .map_err(|e| ctx.store(e))?
        .ok_or(ApiError::NotFound {
            code: "feedback_not_found",
        })?;
    let level = access(&f, &Viewer::of(caller.as_ref()));
    if level == Access::Hidden {
        return Err(ApiError::NotFound {
            code: "feedback_not_found",
        });
    }
    Ok((f, level, caller))
}

/// `GET /api/v1/feedback/{id}` (id or tracking code): the owner and the
/// handling officials get everything with the history; others the public view.
fn one(ctx: &Ctx<'_>, req: &Request, params: &Params<'_>) -> Result<Response, ApiError> {
    let (f, level, _) = visible(ctx, req, params)?;
    if level == Access::Public {
        return Ok(Response::json(200, &view::public(&f)));
    }
    let steps = fb::history(ctx.ports.sql, &f).map_err(|e| ctx.store(e))?;
    Ok(private(Response::json(
        200,
        &view::full(&f, level, Some(&steps)),
    )))
}

/// `GET /api/v1/feedback/{id}/history`: owner and handling officials only.
fn history(ctx: &Ctx<'_>, req: &Request, params: &Params<'_>) -> Result<Response, ApiError> {
    let (f, level, caller) = visible(ctx, req, params)?;
    match (level, caller) {
        (Access::Owner | Access::Handler, _) => {}
        (_, None) => return Err(ApiError::Unauthorized),
        (_, Some(_)) => return Err(ApiError::Forbidden),
    }
    let steps = fb::history(ctx.ports.sql, &f).map_err(|e| ctx.store(e))?;
    let body = json!({"items": view::history_json(&steps, level == Access::Handler)});
    Ok(private(Response::json(200, &body)))
}

/// `PATCH /api/v1/feedback/{id}` `{status?, response?, published?}`.
fn change(ctx: &Ctx<'_>, req: &Request, params: &Params<'_>) -> Result<Response, ApiError> {
    let me = authenticate_request(ctx.ports, req)?;
    require_official(&me)?;
    let body: ChangeRequest = json_body(req)?;
    let official = Official {
        account_id: &me.account_id,
        unit_code: me.unit_code.as_deref(),
    };
    let changed =
        fb::change(ctx.ports, official, params.get("id")?, &body).map_err(|e| ctx.fail(e))?;
    let f = &changed.feedback;
    if let Some(e) = &changed.audit_error {
        // The change stands (it is in the item's history); keep the event.
        log(ctx.id, format_args!(
            "AUDIT APPEND FAILED ({e}); unrecorded feedback_status_changed: official:{} {} {} -> {}",
            me.account_id,
            f.tracking_code,
            changed.from.map_or("-", |s| s.as_str()),
            f.status.as_str()
        ));
    }
    let steps = fb::history(ctx.ports.sql, f).map_err(|e| ctx.store(e))?;
    Ok(private(Response::json(
        200,
        &view::full(f, Access::Handler, Some(&steps)),
    )))
}

/// `POST /api/v1/feedback/{id}/rating` `{score, comment?}` → 201.
fn rate(ctx: &Ctx<'_>, req: &Request, params: &Params<'_>) -> Result<Response, ApiError> {
    let me = authenticate_request(ctx.ports, req)?;
    let body: RatingInput = json_body(req)?;
    let rating = fb::rate(ctx.ports, &Viewer::of(Some(&me)), params.get("id")?, &body)
        .map_err(|e| ctx.fail(e))?;
    let out = json!({
        "score": rating.score,
        "comment": rating.comment,
        "created_at": rfc3339_vn(rating.created_at),
    });
    Ok(private(Response::json(201, &out)))
}
