//! `/api/v1/me`: the profile, the personal QR and the access log — always
//! the caller's own, there is no id in these paths.

use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::documents::access_log;
use cds_shared::documents::profile::{read_profile, update_profile, Profile, ProfilePatch};
use cds_shared::documents::qr::{self, EcLevel, QrFields};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use cds_shared::identity::rfc3339_vn;
use cds_shared::pagination::Page;
use serde_json::json;

use crate::views;

/// Pixels per module of the PNG: about 400 px for a typical code, crisp on
/// phones and printable at card size.
const PNG_MODULE_PX: usize = 8;

/// The caller's profile (401 when the session's account is gone).
fn own_profile(ctx: &Ctx<'_>, account_id: &str) -> Result<Profile, ApiError> {
    read_profile(ctx.ports()?, account_id)?.ok_or(ApiError::Unauthorized)
}

/// `GET /api/v1/me`.
pub fn profile(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let p = own_profile(ctx, &me.account_id)?;
    Ok(Response::json(200, &views::profile(&p)).no_store())
}

/// `PATCH /api/v1/me`; the audit entry names the fields, not their values.
pub fn update(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let patch: ProfilePatch = json_body(ctx.req)?;
    let p = update_profile(ctx.ports()?, &me.account_id, &patch)?;
    let changed = patch.given_fields();
    if !changed.is_empty() {
        ctx.audit(
            Entry::new(
                Actor::Citizen(me.account_id.clone()),
                action::PROFILE_UPDATED,
            )
            .about(me.account_id.as_str())
            .detail(json!({"fields": changed})),
        );
    }
    Ok(Response::json(200, &views::profile(&p)).no_store())
}

/// `GET /api/v1/me/qr?format=svg|png|json` (default SVG).
pub fn qr(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let format = ctx.req.query_param("format").unwrap_or("svg");
    if !matches!(format, "svg" | "png" | "json") {
        return Err(ApiError::invalid_field("format", "one_of_svg_png_json"));
    }
    let secret = qr::qr_secret(ctx.settings())?;
    let record = qr::ensure(ctx.ports()?, &me.account_id)?;
    let profile = own_profile(ctx, &me.account_id)?;
    let payload = QrFields::for_profile(&profile, &record.qid, record.version).encode(&secret);
    // Q (25% recovery): printed cards get scuffed and screens get glare,
    // and the ~90-byte payload still fits a small code.
    let resp = match format {
        "png" => Response::bytes(
            200,
            "image/png",
            qr::png(&payload, EcLevel::Q, PNG_MODULE_PX)?,
        ),
        "json" => Response::json(
            200,
            &json!({"payload": payload, "qid": record.qid, "version": record.version}),
        ),
        _ => Response::bytes(
            200,
            "image/svg+xml",
            qr::svg(&payload, EcLevel::Q)?.into_bytes(),
        ),
    };
    // A rotated code must not linger in caches.
    Ok(resp.no_store())
}

/// `POST /api/v1/me/qr/rotate`: every earlier code stops verifying.
pub fn rotate(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let me = ctx.caller()?;
    let record = qr::rotate(ctx.ports()?, &me.account_id)?;
    ctx.audit(
        Entry::new(Actor::Citizen(me.account_id.clone()), action::QR_ROTATED)
            .about(me.account_id.as_str())
            .detail(json!({"qid": record.qid, "version": record.version})),
    );
    Ok(Response::json(
        200,
        &json!({
            "qid": record.qid,
            "version": record.version,
            "rotated_at": record.rotated_at.map(rfc3339_vn),
        }),
    )
    .no_store())
}

/// `GET /api/v1/me/access-log`: newest first, paginated by audit sequence.
pub fn access_log(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = Page::from_request(ctx.req)?;
    let before: Option<i64> = page.after()?;
    let me = ctx.caller()?;
    let rows = access_log::read(ctx.sql()?, &me.account_id, before, page.fetch_limit())?;
    let out = page.paginate(rows, |(seq, _)| *seq)?;
    let items: Vec<_> = out.items.into_iter().map(|(_, v)| v).collect();
    Ok(Response::json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    ))
}
