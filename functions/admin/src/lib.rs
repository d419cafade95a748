//! Admin component (docs/admin.md): units, officials (and deactivating them),
//! API keys (issuer / partner keys with scopes, kiosk keys; list, revoke),
//! services and feedback categories, and the audit-chain check — all
//! behind the `admin_token` (docs/admin.md) — plus
//! `POST /api/v1/officials/citizens/{id}/verify`, by which an official
//! confirms a citizen's identity (docs/identity.md).
//!
//! Thin by design: decode, call `cds_shared::{admin, identity, audit}`,
//! record the audit entry, encode.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

mod keys;
mod officials;
mod views;

use cds_shared::admin::{self, NewService};
use cds_shared::audit::{self, action, mask_phone, Actor, Entry};
use cds_shared::component::{self, Ctx};
use cds_shared::documents::qr::mask_id_number;
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response, Router};
use cds_shared::identity::{self, Role, Verification};
use cds_shared::phone::Phone;
use serde::Deserialize;
use serde_json::json;
use spin_sdk::http_component;

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    component::serve(&req, routes)
}

/// Every route of the component.
fn routes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    // The admin token is checked before routing, so without it every admin
    // path answers 401 and nobody can map which admin routes exist.
    let path = ctx.req.path.as_str();
    if path.starts_with("/api/v1/admin/") || path == "/api/v1/admin" {
        ctx.require_admin()?;
    }
    Router::new()
        .post("/api/v1/admin/units", |_, _| create_unit(ctx))
        .post("/api/v1/admin/officials", |_, _| create_official(ctx))
        .post("/api/v1/admin/officials/:account/deactivate", |_, p| {
            officials::deactivate(ctx, p)
        })
        .post("/api/v1/admin/issuers", |_, _| keys::create_issuer(ctx))
        .post("/api/v1/admin/kiosks", |_, _| keys::create_kiosk(ctx))
        .get("/api/v1/admin/keys", |_, _| keys::list(ctx))
        .post("/api/v1/admin/keys/:code/revoke", |_, p| {
            keys::revoke(ctx, p)
        })
        .post("/api/v1/admin/services", |_, _| create_service(ctx))
        .post("/api/v1/admin/feedback-categories", |_, _| {
            create_category(ctx)
        })
        .get("/api/v1/admin/audit/verify", |_, _| verify_audit(ctx))
        .post("/api/v1/officials/citizens/:id/verify", |_, p| {
            verify_citizen(ctx, p.get("id")?)
        })
        .dispatch(ctx.req)
}

// Missing fields decode as "" so the domain reports them as `required`, the
// same reason as an empty value.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeName {
    code: String,
    name: String,
}

fn create_unit(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: CodeName = json_body(ctx.req)?;
    let unit = admin::create_unit(ctx.sql()?, ctx.clock(), &body.code, &body.name)?;
    ctx.audit(
        Entry::new(Actor::Admin, action::UNIT_CREATED)
            .detail(json!({"code": unit.code, "name": unit.name})),
    );
    Ok(Response::json(201, &views::unit(&unit)))
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

fn create_official(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct ServiceBody {
    code: String,
    name: String,
    kind: String,
    unit: String,
    address: String,
}

fn create_service(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body: ServiceBody = json_body(ctx.req)?;
    let new = NewService {
        code: &body.code,
        name: &body.name,
        kind: &body.kind,
        unit: &body.unit,
        address: &body.address,
    };
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

fn create_category(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

fn verify_audit(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let report = audit::verify(ctx.sql()?)?;
    // Logging the head hash anchors the chain outside the database, which
    // is what detects truncation of the newest rows (see `audit` docs).
    ctx.log(format_args!(
        "audit chain: ok={} entries={} first_bad_seq={} head_hash={}",
        report.ok,
        report.entries,
        report
            .first_bad_seq
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        report.head_hash.as_deref().unwrap_or("-"),
    ));
    Ok(Response::json(200, &views::verify_report(&report)).no_store())
}

fn verify_citizen(ctx: &Ctx<'_>, citizen_id: &str) -> Result<Response, ApiError> {
    let official = ctx.official()?;
    let actor = Actor::Official(official.account_id.clone());
    let outcome = identity::verify_by_official(ctx.ports()?, &official.account_id, citizen_id)?;
    let (citizen, confirmed, cleared) = match outcome {
        Verification::Verified {
            account,
            confirmed_id_number,
            cleared_claims,
        } => (account, confirmed_id_number, cleared_claims),
        Verification::OwnAccount => return Err(ApiError::Forbidden),
        Verification::NotFound => {
            return Err(ApiError::NotFound {
                code: "citizen_not_found",
            })
        }
        Verification::IdNumberTaken { claimed_id_number } => {
            // Someone claims a number another verified citizen holds: worth
            // a trace, and nothing changed.
            ctx.audit(
                Entry::new(actor, action::CITIZEN_VERIFICATION_REFUSED)
                    .about(citizen_id)
                    .detail(json!({
                        "reason": "id_number_taken",
                        "masked_id_number": mask_id_number(&claimed_id_number),
                        "unit": official.unit_code,
                    })),
            );
            return Err(ApiError::conflict("id_number_taken")
                .with_field("id_number", "held_by_a_verified_citizen"));
        }
    };
    let masked = citizen.id_number.as_deref().map(mask_id_number);
    ctx.audit(
        Entry::new(actor.clone(), action::CITIZEN_VERIFIED)
            .about(citizen.id.as_str())
            .detail(json!({
                "level": citizen.level.as_str(),
                "unit": official.unit_code,
                "masked_id_number": masked,
                "id_number_confirmed": confirmed.is_some(),
                "cleared_claims": cleared.len(),
            })),
    );
    for holder in &cleared {
        ctx.audit(
            Entry::new(actor.clone(), action::ID_NUMBER_CLAIM_CLEARED)
                .about(holder.as_str())
                .detail(json!({
                    "masked_id_number": masked,
                    "confirmed_for": citizen.id,
                })),
        );
    }
    let mut body = views::account(&citizen);
    if let Some(map) = body.as_object_mut() {
        // What the official just confirmed, masked like everywhere officials look.
        map.insert("masked_id_number".into(), json!(masked));
    }
    Ok(Response::json(200, &body).no_store())
}
