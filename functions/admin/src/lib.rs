//! Admin component (SPEC §13): units, officials (and deactivating them),
//! API keys (issuer / partner keys with scopes, kiosk keys; list, revoke),
//! services and feedback categories, and the audit-chain check — all
//! behind the `admin_token` (docs/admin.md) — plus
//! `POST /api/v1/officials/citizens/{id}/verify`, by which an official
//! confirms a citizen's identity (SPEC §6.1).
//!
//! Thin by design: decode, call `cds_shared::{admin, identity, audit}`,
//! record the audit entry, encode.

// `#[http_component]` generates the unsafe export glue.
#![allow(unsafe_code)]

mod errors;
mod keys;
mod officials;
mod views;

use cds_shared::admin::{self, NewService};
use cds_shared::audit::{self, action, mask_phone, Entry};
use cds_shared::documents::qr::mask_id_number;
use cds_shared::error::ApiError;
use cds_shared::guard::{authenticate_request, require_admin, require_official};
use cds_shared::http::{json_body, Params, Request, Response, Router};
use cds_shared::identity::{self, Ports, Role, Verification};
use cds_shared::phone::Phone;
use cds_shared::ports::{OsRandom, SystemClock};
use cds_shared::spin_adapter::{SpinSettings, SpinSql};
use serde::Deserialize;
use serde_json::json;
use spin_sdk::http_component;

use errors::{admin_error, store_error};

/// Longest official name accepted (same bound as other admin names).
const FULL_NAME_MAX_CHARS: usize = 200;

#[http_component]
fn handle(req: spin_sdk::http::Request) -> spin_sdk::http::Response {
    cds_shared::spin_adapter::handle(&req, serve)
}

fn serve(req: &Request, id: &str) -> Result<Response, ApiError> {
    let settings = SpinSettings;
    // The admin token is checked before routing, so without it every admin
    // path answers 401 and nobody can map which admin routes exist.
    if req.path.starts_with("/api/v1/admin/") || req.path == "/api/v1/admin" {
        require_admin(&settings, req)?;
    }
    let sql = SpinSql::open_default().map_err(|e| store_error(id, e))?;
    let ports = Ports {
        sql: &sql,
        clock: &SystemClock,
        random: &OsRandom,
        settings: &settings,
    };
    let ctx = Ctx { ports, id };
    let router = Router::new()
        .post("/api/v1/admin/units", |r, _| create_unit(&ctx, r))
        .post("/api/v1/admin/officials", |r, _| create_official(&ctx, r))
        .post("/api/v1/admin/officials/:account/deactivate", |_, p| {
            officials::deactivate(&ctx, p)
        })
        .post("/api/v1/admin/issuers", |r, _| keys::create_issuer(&ctx, r))
        .post("/api/v1/admin/kiosks", |r, _| keys::create_kiosk(&ctx, r))
        .get("/api/v1/admin/keys", |r, _| keys::list(&ctx, r))
        .post("/api/v1/admin/keys/:code/revoke", |_, p| {
            keys::revoke(&ctx, p)
        })
        .post("/api/v1/admin/services", |r, _| create_service(&ctx, r))
        .post("/api/v1/admin/feedback-categories", |r, _| {
            create_category(&ctx, r)
        })
        .get("/api/v1/admin/audit/verify", |_, _| verify_audit(&ctx))
        .post("/api/v1/officials/citizens/:id/verify", |r, p| {
            verify_citizen(&ctx, r, p)
        });
    router.dispatch(req)
}

/// What every handler needs for one request.
struct Ctx<'a> {
    ports: Ports<'a>,
    /// The request id, for log lines.
    id: &'a str,
}

impl Ctx<'_> {
    /// Appends to the audit log after the change it describes was committed.
    ///
    /// If the append fails the change stands and the answer is still a
    /// success: failing would make a retry answer 409 (and lose an issuer key
    /// that is shown only once). The entry goes to the log output instead, so
    /// the event is never silently lost. Entries never hold secrets.
    fn audit(&self, entry: Entry) {
        audit::append_or_log(self.ports.sql, self.ports.clock, self.id, entry);
    }
}

/// Actor name of admin-token requests in the audit log.
const ADMIN_ACTOR: &str = "admin";

// Missing fields decode as "" so the domain reports them as `required`, the
// same reason as an empty value.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeName {
    code: String,
    name: String,
}

fn create_unit(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let body: CodeName = json_body(req)?;
    let unit = admin::create_unit(ctx.ports.sql, ctx.ports.clock, &body.code, &body.name)
        .map_err(|e| admin_error(ctx.id, e))?;
    ctx.audit(
        Entry::new(ADMIN_ACTOR, action::UNIT_CREATED)
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

fn create_official(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let body: NewOfficial = json_body(req)?;
    let map = |e| admin_error(ctx.id, e);
    let full_name =
        admin::normalize_text("full_name", &body.full_name, FULL_NAME_MAX_CHARS).map_err(map)?;
    let unit = admin::validate_code("unit", &body.unit).map_err(map)?;
    // Units are never deleted, so checking before writing leaves no gap.
    if !unit_exists(ctx, &unit)? {
        return Err(map(admin::AdminError::UnknownUnit));
    }
    let change = identity::set_official(ctx.ports, &body.phone, Some(&full_name), &unit)
        .map_err(|e| store_error(ctx.id, e))?;
    let unchanged = change.previous_role == Some(Role::Official)
        && change.previous_unit_code.as_deref() == Some(unit.as_str());
    if unchanged {
        // A replay (e.g. the demo seeder run again): nothing changed, so
        // there is no role change to record.
        return Ok(Response::json(200, &views::account(&change.account)));
    }
    ctx.audit(
        Entry::new(ADMIN_ACTOR, action::ROLE_CHANGED)
            .about(change.account.id.as_str())
            .detail(json!({
                "phone": mask_phone(body.phone.as_e164()),
                "account_created": change.created,
                "previous_role": change.previous_role.map(Role::as_str),
                "previous_unit": change.previous_unit_code,
                "role": Role::Official.as_str(),
                "unit": unit,
            })),
    );
    Ok(Response::json(201, &views::account(&change.account)))
}

fn unit_exists(ctx: &Ctx<'_>, code: &str) -> Result<bool, ApiError> {
    let rows = ctx
        .ports
        .sql
        .execute("SELECT 1 FROM units WHERE code = ? LIMIT 1", &[code.into()])
        .map_err(|e| store_error(ctx.id, e))?;
    Ok(!rows.is_empty())
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

fn create_service(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let body: ServiceBody = json_body(req)?;
    let new = NewService {
        code: &body.code,
        name: &body.name,
        kind: &body.kind,
        unit: &body.unit,
        address: &body.address,
    };
    let service = admin::create_service(ctx.ports.sql, ctx.ports.clock, &new)
        .map_err(|e| admin_error(ctx.id, e))?;
    ctx.audit(
        Entry::new(ADMIN_ACTOR, action::SERVICE_CREATED).detail(json!({
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

fn create_category(ctx: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let body: CategoryBody = json_body(req)?;
    let category = admin::create_feedback_category(
        ctx.ports.sql,
        ctx.ports.clock,
        &body.code,
        &body.name,
        &body.unit,
    )
    .map_err(|e| admin_error(ctx.id, e))?;
    ctx.audit(
        Entry::new(ADMIN_ACTOR, action::FEEDBACK_CATEGORY_CREATED).detail(json!({
            "code": category.code,
            "unit": category.unit_code,
        })),
    );
    Ok(Response::json(201, &views::category(&category)))
}

fn verify_audit(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let report = audit::verify(ctx.ports.sql).map_err(|e| store_error(ctx.id, e))?;
    // Logging the head hash anchors the chain outside the database, which
    // is what detects truncation of the newest rows (see `audit` docs).
    eprintln!(
        "[{}] audit chain: ok={} entries={} first_bad_seq={} head_hash={}",
        ctx.id,
        report.ok,
        report.entries,
        report
            .first_bad_seq
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        report.head_hash.as_deref().unwrap_or("-"),
    );
    Ok(
        Response::json(200, &views::verify_report(&report))
            .with_header("cache-control", "no-store"),
    )
}

fn verify_citizen(ctx: &Ctx<'_>, req: &Request, params: &Params<'_>) -> Result<Response, ApiError> {
    let official = authenticate_request(ctx.ports, req)?;
    require_official(&official)?;
    let citizen_id = params.get("id")?;
    // Confirming one's own identity would defeat the point of a second person.
    if citizen_id == official.account_id {
        return Err(ApiError::Forbidden);
    }
    let actor = format!("official:{}", official.account_id);
    let outcome =
        identity::mark_verified(ctx.ports, citizen_id).map_err(|e| store_error(ctx.id, e))?;
    let (citizen, confirmed, cleared) = match outcome {
        Verification::Verified {
            account,
            confirmed_id_number,
            cleared_claims,
        } => (account, confirmed_id_number, cleared_claims),
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
    Ok(Response::json(200, &body).with_header("cache-control", "no-store"))
}
