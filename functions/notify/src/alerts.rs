//! The alert routes (docs/alerts.md): the public feed as JSON, the CAP 1.2
//! documents and their RSS index; publishing, updating and cancelling for
//! officials with the `alerts` role; the admin's grants of that role.

use cds_shared::alerts::draft::{CancelInput, DraftInput};
use cds_shared::alerts::publish::{self, Ports};
use cds_shared::alerts::publishers::{self, GrantInput};
use cds_shared::alerts::{area, feed, xml, Message};
use cds_shared::audit::{action, mask_phone, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::config;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use cds_shared::phone::Phone;
use serde_json::json;

/// Public, and the same for everyone: caches may keep it a minute.
fn public(resp: Response) -> Response {
    resp.with_header("cache-control", "public, max-age=60")
}

/// The public origin links are built on, or none (relative links).
fn origin(ctx: &Ctx<'_>) -> String {
    config::public_base_url(ctx.settings()).unwrap_or_default()
}

/// `?area=` once, or none.
fn area_param<'a>(ctx: &'a Ctx<'_>) -> Result<Option<&'a str>, ApiError> {
    Ok(ctx.req.query_param_once("area")?.filter(|a| !a.is_empty()))
}

/// `GET /api/v1/alerts?area=`: the active alerts, most severe first.
pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let area = area_param(ctx)?;
    let sql = ctx.sql()?;
    let now = ctx.clock().now();
    let found = feed::active(sql, now, area)?;
    let areas = area::all(sql)?;
    Ok(public(Response::json(
        200,
        &feed::list_json(&found, &areas, now),
    )))
}

/// `GET /api/v1/alerts.cap.xml?area=`: the RSS 2.0 index of the active
/// alerts, each item linking to its CAP document.
pub fn index(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let area = area_param(ctx)?;
    let found = feed::active(ctx.sql()?, ctx.clock().now(), area)?;
    let body = xml::index_document(&found, &origin(ctx));
    Ok(public(Response::bytes(
        200,
        "application/rss+xml; charset=utf-8",
        body.into_bytes(),
    )))
}

/// `GET /api/v1/alerts/areas`: the city, its districts and wards.
pub fn areas(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let areas = area::all(ctx.sql()?)?;
    Ok(Response::json(200, &feed::areas_json(&areas))
        .with_header("cache-control", "public, max-age=3600"))
}

/// `GET /api/v1/alerts/{id}` (JSON: the latest message and the history)
/// and `GET /api/v1/alerts/{id}.cap.xml` (its CAP 1.2 document).
pub fn one(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let (id, as_cap) = match id.strip_suffix(".cap.xml") {
        Some(bare) => (bare, true),
        None => (id, false),
    };
    let sql = ctx.sql()?;
    let chain = feed::chain(sql, id)?;
    let areas = area::all(sql)?;
    let now = ctx.clock().now();
    if !as_cap {
        return Ok(public(Response::json(
            200,
            &feed::alert_json(&chain, &areas, now),
        )));
    }
    let latest = chain.last().ok_or(ApiError::NotFound {
        code: "alert_not_found",
    })?;
    let web = format!("{}/api/v1/alerts/{id}", origin(ctx));
    let body = xml::cap_document(latest, &chain, &areas, Some(&web));
    Ok(public(Response::bytes(
        200,
        "application/cap+xml; charset=utf-8",
        body.into_bytes(),
    )))
}

fn ports<'a>(ctx: &'a Ctx<'_>) -> Result<Ports<'a>, ApiError> {
    Ok(Ports {
        sql: ctx.sql()?,
        clock: ctx.clock(),
        random: ctx.random(),
    })
}

fn stored(ctx: &Ctx<'_>, status: u16, m: &Message) -> Result<Response, ApiError> {
    let areas = area::all(ctx.sql()?)?;
    Ok(Response::json(status, &feed::message_json(m, &areas, ctx.clock().now())).no_store())
}

fn audit_message(ctx: &Ctx<'_>, by: &str, what: &str, m: &Message) {
    ctx.audit(
        Entry::new(Actor::Official(by.to_owned()), what)
            .about(m.alert_id.as_str())
            .detail(json!({
                "identifier": m.id,
                "severity": m.severity.as_str(),
                "areas": m.areas,
            })),
    );
}

/// `POST /api/v1/officials/alerts`: 201 with the first message.
pub fn publish(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.official()?;
    let input: DraftInput = json_body(ctx.req)?;
    let m = publish::publish(&ports(ctx)?, &me.account_id, &input)?;
    audit_message(ctx, &me.account_id, action::ALERT_PUBLISHED, &m);
    stored(ctx, 201, &m)
}

/// `POST /api/v1/officials/alerts/{id}/update`: 201 with the `Update`.
pub fn update(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.official()?;
    let input: DraftInput = json_body(ctx.req)?;
    let m = publish::update(&ports(ctx)?, &me.account_id, id, &input)?;
    audit_message(ctx, &me.account_id, action::ALERT_UPDATED, &m);
    stored(ctx, 201, &m)
}

/// `POST /api/v1/officials/alerts/{id}/cancel`: 201 with the `Cancel`. The
/// body (`{"reason": …}`) may be left out.
pub fn cancel(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let me = ctx.official()?;
    let input: CancelInput = if ctx.req.body.iter().all(u8::is_ascii_whitespace) {
        CancelInput::default()
    } else {
        json_body(ctx.req)?
    };
    let m = publish::cancel(&ports(ctx)?, &me.account_id, id, &input)?;
    audit_message(ctx, &me.account_id, action::ALERT_CANCELLED, &m);
    stored(ctx, 201, &m)
}

/// `GET /api/v1/admin/alert-publishers`.
pub fn list_publishers(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    ctx.require_admin()?;
    let items = publishers::list(ctx.sql()?)?;
    Ok(Response::json(200, &json!({ "items": items })).no_store())
}

/// `POST /api/v1/admin/alert-publishers` `{"phone"}`: 200, idempotent.
pub fn grant(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    ctx.require_admin()?;
    let body: GrantInput = json_body(ctx.req)?;
    let account = publishers::grant(ctx.sql()?, &body.phone, ctx.clock().now())?;
    ctx.audit(
        Entry::new(Actor::Admin, action::ALERT_PUBLISHER_GRANTED)
            .about(account.as_str())
            .detail(json!({ "phone": mask_phone(body.phone.as_e164()) })),
    );
    Ok(Response::json(200, &json!({ "account_id": account, "role": "alerts" })).no_store())
}

/// `DELETE /api/v1/admin/alert-publishers/{phone}`: 204, idempotent.
pub fn revoke(ctx: &Ctx<'_>, phone: &str) -> Result<Response, ApiError> {
    ctx.require_admin()?;
    // Path segments arrive percent-encoded; a phone's `+` may be `%2B`.
    let raw = phone.replace("%2B", "+").replace("%2b", "+");
    let phone = Phone::parse(&raw).map_err(|e| e.for_field("phone"))?;
    if publishers::revoke(ctx.sql()?, &phone)? {
        ctx.audit(
            Entry::new(Actor::Admin, action::ALERT_PUBLISHER_REVOKED)
                .detail(json!({ "phone": mask_phone(phone.as_e164()) })),
        );
    }
    Ok(Response::no_content())
}
