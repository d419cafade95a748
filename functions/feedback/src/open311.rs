//! Open311 GeoReport v2 (JSON) under `/open311/v2/` (SPEC §8). The mapping
//! is `cds_shared::feedback::open311`; this file routes and answers every
//! failure in the GeoReport error format.

use cds_shared::apikey::{authorize, KeyRefused, Scope};
use cds_shared::error::ApiError;
use cds_shared::feedback::categories::{find_category, list_categories};
use cds_shared::feedback::open311::{
    created_json, draft_from_form, error_response, field, find_request, list_requests,
    rename_fields, request_json, service_definition_json, service_json, RequestQuery,
};
use cds_shared::feedback::{self as fb, FeedbackError, FeedbackPolicy, Submitter};
use cds_shared::http::{form_body, Params, Request, Response, Router};
use serde_json::Value;

use crate::ctx::{log, with_ctx, Ctx};

/// Always a response: errors are rendered as GeoReport arrays here.
pub fn serve(req: &Request, id: &str) -> Response {
    let result = with_ctx(id, |ctx| {
        Router::new()
            .get("/open311/v2/services.json", |_, _| services(ctx))
            .get("/open311/v2/services/:code.json", |_, p| service(ctx, p))
            .post("/open311/v2/requests.json", |r, _| post_request(ctx, r))
            .get("/open311/v2/requests.json", |r, _| requests(ctx, r))
            .get("/open311/v2/requests/:id.json", |_, p| one_request(ctx, p))
            .dispatch(req)
    });
    result.unwrap_or_else(|e| error_response(&e, req.lang()))
}

fn services(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let all = list_categories(ctx.ports.sql).map_err(|e| ctx.store(e))?;
    Ok(Response::json(
        200,
        &Value::Array(all.iter().map(service_json).collect()),
    ))
}

fn service(ctx: &Ctx<'_>, params: &Params<'_>) -> Result<Response, ApiError> {
    let c = find_category(ctx.ports.sql, params.get("code")?)
        .map_err(|e| ctx.store(e))?
        .ok_or(ApiError::NotFound {
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
fn post_request(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let pairs = form_body(req)?;
    let key = field(&pairs, "api_key")
        .or_else(|| req.query_param("api_key"))
        .unwrap_or_default();
    let log_stamp = |e| log(ctx.id, format_args!("api key last-used stamp failed: {e}"));
    let partner = match authorize(
        ctx.ports.sql,
        ctx.ports.clock,
        key.trim(),
        Scope::Open311,
        &log_stamp,
    ) {
        Ok(holder) => holder,
        Err(KeyRefused::Store(e)) => return Err(ctx.store(e)),
        Err(KeyRefused::Unknown) => return Err(ApiError::Forbidden),
        Err(refused) => return Err(refused.to_api()),
    };
    let draft = draft_from_form(&pairs).map_err(|e| ctx.fail(e))?;
    let valid = fb::validate(&draft).map_err(|e| refused(ctx, e))?;
    let policy = FeedbackPolicy::from_settings(ctx.ports.settings);
    let who = Submitter::Partner {
        issuer_code: &partner.code,
    };
    let created = fb::submit(ctx.ports, &policy, who, &valid).map_err(|e| refused(ctx, e))?;
    let unit = find_category(ctx.ports.sql, &valid.category)
        .map_err(|e| ctx.store(e))?
        .map_or_else(|| created.unit_code.clone(), |c| c.unit_name);
    log(
        ctx.id,
        format_args!(
            "open311 request {} from partner {}",
            created.tracking_code, partner.code
        ),
    );
    Ok(Response::json(
        201,
        &created_json(&created, &unit, req.lang()),
    ))
}

/// A refused submission in GeoReport terms: an unknown `service_code` is
/// 404 (GeoReport: "service_code … was not found"), other field problems
/// are named by the parameter the client sent.
fn refused(ctx: &Ctx<'_>, e: FeedbackError) -> ApiError {
    match rename_fields(e) {
        FeedbackError::Invalid(list) if list.contains(&("service_code", "unknown_value")) => {
            ApiError::NotFound {
                code: "service_not_found",
            }
        }
        other => ctx.fail(other),
    }
}

fn requests(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let query = RequestQuery::from_request(req, ctx.ports.clock.now()).map_err(|e| ctx.fail(e))?;
    let found = list_requests(ctx.ports.sql, &query).map_err(|e| ctx.store(e))?;
    Ok(Response::json(
        200,
        &Value::Array(found.iter().map(request_json).collect()),
    ))
}

fn one_request(ctx: &Ctx<'_>, params: &Params<'_>) -> Result<Response, ApiError> {
    let f = find_request(ctx.ports.sql, params.get("id")?)
        .map_err(|e| ctx.store(e))?
        .ok_or(ApiError::NotFound {
            code: "request_not_found",
        })?;
    Ok(Response::json(200, &Value::Array(vec![request_json(&f)])))
}
