//! Open311 GeoReport v2 (JSON) under `/open311/v2/`. The mapping is
//! `cds_shared::feedback::open311`; every failure is answered in the
//! GeoReport error format by the component's `Shape`.

use cds_shared::apikey::{authorize, Scope};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::feedback::categories::{find_category, list_categories};
use cds_shared::feedback::open311::{
    created_json, draft_from_form, field, find_request, list_requests, partner_key_error,
    request_json, service_definition_json, service_json, submission_error, RequestQuery,
};
use cds_shared::feedback::{self as fb, FeedbackPolicy, Submitter};
use cds_shared::http::{form_body, Response};
use serde_json::Value;

/// `GET services.json`: every category as a GeoReport service.
pub fn services(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let all = list_categories(ctx.sql()?)?;
    Ok(Response::json(
        200,
        &Value::Array(all.iter().map(service_json).collect()),
    ))
}

/// `GET services/{code}.json`: one service's definition.
pub fn service(ctx: &Ctx<'_>, code: &str) -> Result<Response, ApiError> {
    let c = find_category(ctx.sql()?, code)?.ok_or(ApiError::NotFound {
        code: "service_not_found",
    })?;
    Ok(Response::json(200, &service_definition_json(&c)))
}

/// `POST requests.json`: form-encoded, with a partner's `api_key` (in the
/// form, as GeoReport says, or in the query string) holding the `open311`
/// scope: 403 for a missing or unknown key, 403 `key_scope` for another
/// kind (an issuer's `documents` key, a kiosk's). The personal fields
/// (`phone`, `email`, …) are never looked up, so the answer is the same
/// whoever's phone a partner sends.
pub fn post_request(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let req = ctx.req;
    let pairs = form_body(req)?;
    let key = field(&pairs, "api_key")
        .or_else(|| req.query_param("api_key"))
        .unwrap_or_default();
    let log_stamp = |e| ctx.log(format_args!("api key last-used stamp failed: {e}"));
    let partner = authorize(
        ctx.sql()?,
        ctx.clock(),
        key.trim(),
        Scope::Open311,
        &log_stamp,
    )
    .map_err(partner_key_error)?;
    let draft = draft_from_form(&pairs)?;
    let valid = fb::validate(&draft).map_err(submission_error)?;
    let policy = FeedbackPolicy::from_settings(ctx.settings());
    let who = Submitter::Partner {
        issuer_code: &partner.code,
    };
    let created = fb::submit(ctx.ports()?, &policy, who, &valid).map_err(submission_error)?;
    let unit = find_category(ctx.sql()?, &valid.category)?
        .map_or_else(|| created.unit_code.clone(), |c| c.unit_name);
    ctx.log(format_args!(
        "open311 request {} from partner {}",
        created.tracking_code, partner.code
    ));
    Ok(Response::json(
        201,
        &created_json(&created, &unit, req.lang()),
    ))
}

/// `GET requests.json`: published requests matching the query.
pub fn requests(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let query = RequestQuery::from_request(ctx.req, ctx.clock().now())?;
    let found = list_requests(ctx.sql()?, &query)?;
    Ok(Response::json(
        200,
        &Value::Array(found.iter().map(request_json).collect()),
    ))
}

/// `GET requests/{id}.json`: one published request.
pub fn one_request(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let f = find_request(ctx.sql()?, id)?.ok_or(ApiError::NotFound {
        code: "request_not_found",
    })?;
    Ok(Response::json(200, &Value::Array(vec![request_json(&f)])))
}
