//! `POST /api/v1/admin/{units,services,feedback-categories}`: what the
//! city's catalogue is made of, each creation audited.

use cds_shared::admin::{self, NewService};
use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use serde::Deserialize;
use serde_json::json;

use crate::views;

// Missing fields decode as "" so the domain reports them as `required`, the
// same reason as an empty value.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeName {
    code: String,
    name: String,
}

pub fn create_unit(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: CodeName = json_body(ctx.req)?;
    let unit = admin::create_unit(ctx.sql()?, ctx.clock(), &body.code, &body.name)?;
    ctx.audit(
        Entry::new(Actor::Admin, action::UNIT_CREATED)
            .detail(json!({"code": unit.code, "name": unit.name})),
    );
    Ok(Response::json(201, &views::unit(&unit)))
}

pub fn create_service(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let new: NewService = json_body(ctx.req)?;
    let service = admin::create_service(ctx.sql()?, ctx.clock(), &new)?;
    ctx.audit(
        Entry::new(Actor::Admin, action::SERVICE_CREATED).detail(json!({
            "code": service.code,
            "kind": service.kind.as_str(),
            "unit": service.unit_code,
        })),
    );
    Ok(Response::json(201, &views::service(&service)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CategoryBody {
    code: String,
    name: String,
    unit: String,
}

pub fn create_category(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: CategoryBody = json_body(ctx.req)?;
    let category = admin::create_feedback_category(
        ctx.sql()?,
        ctx.clock(),
        &body.code,
        &body.name,
        &body.unit,
    )?;
    ctx.audit(
        Entry::new(Actor::Admin, action::FEEDBACK_CATEGORY_CREATED).detail(json!({
            "code": category.code,
            "unit": category.unit_code,
        })),
    );
    Ok(Response::json(201, &views::category(&category)))
}
