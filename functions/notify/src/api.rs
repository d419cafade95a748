//! The handlers: the inbox, the settings and the dispatch endpoint.

use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::guard::require_bearer_secret;
use cds_shared::http::{json_body, Response};
use cds_shared::lang::Lang;
use cds_shared::notify::dispatch::{self, DispatchPorts};
use cds_shared::notify::send::Senders;
use cds_shared::notify::settings::{self, SettingsPatch};
use cds_shared::notify::{inbox, MAX_DISPATCH_BATCH};
use cds_shared::pagination::Page;
use serde_json::json;

/// Personal views must not sit in shared caches.
fn private(resp: Response) -> Response {
    resp.with_header("cache-control", "private, no-store")
}

/// The language notices are worded in: the citizen's choice, else the
/// request's.
fn lang_for(ctx: &Ctx<'_>, account_id: &str) -> Result<Lang, ApiError> {
    Ok(settings::lang_of(ctx.sql()?, account_id, ctx.req.lang())?)
}

/// `GET /api/v1/me/notifications?unread=true&limit=&cursor=`.
pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let page = Page::from_request(ctx.req)?;
    let unread_only = match ctx.req.query_param("unread") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::invalid_field("unread", "must be true or false")),
    };
    let lang = lang_for(ctx, &me.account_id)?;
    let found = inbox::list(ctx.sql()?, &me.account_id, &page, unread_only)?;
    Ok(private(Response::json(
        200,
        &inbox::page_json(&found, lang),
    )))
}

/// `GET /api/v1/me/notifications/{id}`.
pub fn one(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let lang = lang_for(ctx, &me.account_id)?;
    let n = inbox::get(ctx.sql()?, &me.account_id, id)?;
    Ok(private(Response::json(200, &inbox::notice_json(&n, lang))))
}

/// `POST /api/v1/me/notifications/{id}/read`.
pub fn read(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let lang = lang_for(ctx, &me.account_id)?;
    let n = inbox::mark_read(ctx.sql()?, &me.account_id, id, ctx.clock().now())?;
    Ok(private(Response::json(200, &inbox::notice_json(&n, lang))))
}

/// `POST /api/v1/me/notifications/read-all`.
pub fn read_all(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let marked = inbox::mark_all_read(ctx.sql()?, &me.account_id, ctx.clock().now())?;
    Ok(private(Response::json(200, &json!({ "marked": marked }))))
}

/// `DELETE /api/v1/me/notifications/{id}`.
pub fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    inbox::delete(ctx.sql()?, &me.account_id, id, ctx.clock().now())?;
    Ok(Response::no_content())
}

/// `GET /api/v1/me/notification-settings`.
pub fn settings(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let current = settings::read(ctx.sql()?, &me.account_id)?;
    Ok(private(Response::json(
        200,
        &settings::settings_json(&current),
    )))
}

/// `PATCH /api/v1/me/notification-settings`: checked whole, then written.
pub fn change_settings(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let patch: SettingsPatch = json_body(ctx.req)?;
    let valid = settings::validate(&patch)?;
    settings::apply(ctx.sql()?, &me.account_id, &valid, ctx.clock().now())?;
    let current = settings::read(ctx.sql()?, &me.account_id)?;
    Ok(private(Response::json(
        200,
        &settings::settings_json(&current),
    )))
}

/// `POST /api/v1/internal/dispatch`, `Authorization: Bearer
/// <dispatch_secret>`: one dispatch run; its report.
pub fn dispatch(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    require_bearer_secret(ctx.settings(), ctx.req, "dispatch_secret")?;
    let http = ctx.http_within(cds_shared::notify::PROVIDER_TIMEOUTS);
    let ports = DispatchPorts {
        sql: ctx.sql()?,
        clock: ctx.clock(),
        random: ctx.random(),
        http: http.as_ref(),
    };
    let senders = Senders::from_settings(ctx.settings());
    let report = dispatch::run(&ports, &senders, None, MAX_DISPATCH_BATCH)?;
    ctx.log(format_args!(
        "dispatch: claimed {} sent {} later {} failed {} in-app {} handed back {} scheduled {}",
        report.claimed,
        report.sent,
        report.later,
        report.failed,
        report.in_app_only,
        report.handed_back,
        report.scheduled
    ));
    Ok(Response::json(200, &json!(report)).no_store())
}
