//! `POST /api/v1/admin/officials` (appoint, or re-appoint: a replay changes
//! nothing) and `POST /api/v1/admin/officials/{id or phone}/deactivate`: the
//! day an official starts and the day they leave (docs/admin.md).

use cds_shared::admin::{self, AccountRef};
use cds_shared::audit::{action, mask_phone, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Params, Response};
use cds_shared::identity::Role;
use cds_shared::phone::Phone;
use serde::Deserialize;
use serde_json::json;

use crate::views;

/// 200 with the account (now a citizen) and how many sessions were ended;
/// 404 `account_not_found` for an unknown id or phone. Idempotent.
pub fn deactivate(ctx: &Ctx<'_>, params: &Params<'_>) -> Result<Response, ApiError> {
    // Path segments arrive percent-encoded; a phone's `+` may be `%2B`.
    let raw = params
        .get("account")?
        .replace("%2B", "+")
        .replace("%2b", "+")
        .replace("%20", " ");
    let who = AccountRef::parse(&raw).ok_or(ApiError::NotFound {
        code: "account_not_found",
    })?;
    let done = admin::deactivate_official(ctx.ports()?, &who)?.ok_or(ApiError::NotFound {
        code: "account_not_found",
    })?;
    if done.changed {
        ctx.audit(
            Entry::new(Actor::Admin, action::OFFICIAL_DEACTIVATED)
                .about(done.account.id.as_str())
                .detail(json!({
                    "phone": mask_phone(&done.account.phone_e164),
                    "previous_role": Role::Official.as_str(),
                    "previous_unit": done.previous_unit_code,
                    "role": done.account.role.as_str(),
                    "sessions_revoked": done.sessions_revoked,
                })),
        );
    }
    let mut body = views::account(&done.account);
    body["deactivated"] = json!(done.changed);
    body["sessions_revoked"] = json!(done.sessions_revoked);
    Ok(Response::json(200, &body).no_store())
}

#[derive(Deserialize)]
struct NewOfficial {
    // Parsed while decoding: a bad number answers 422 `invalid_phone`.
    phone: Phone,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    unit: String,
}

/// Appoints (or re-appoints) an official; a replay changes nothing.
pub fn create_official(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: NewOfficial = json_body(ctx.req)?;
    let change = admin::appoint_official(ctx.ports()?, &body.phone, &body.full_name, &body.unit)?;
    if admin::is_unchanged(&change) {
        // A replay (e.g. the demo seeder run again): nothing changed, so
        // there is no role change to record.
        return Ok(Response::json(200, &views::account(&change.account)));
    }
    ctx.audit(
        Entry::new(Actor::Admin, action::ROLE_CHANGED)
            .about(change.account.id.as_str())
            .detail(json!({
                "phone": mask_phone(body.phone.as_e164()),
                "account_created": change.created,
                "previous_role": change.previous_role.map(Role::as_str),
                "previous_unit": change.previous_unit_code,
                "role": Role::Official.as_str(),
                "unit": change.account.unit_code,
            })),
    );
    Ok(Response::json(201, &views::account(&change.account)))
}
