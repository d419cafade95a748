//! `/api/v1/me`: the profile (§7.1), the personal QR (§7.2) and the access
//! log (§7.5) — always the caller's own, there is no id in these paths.

use cds_shared::audit::{action, Entry};
use cds_shared::documents::profile::{read_profile, update_profile, ProfilePatch};
use cds_shared::documents::qr::{self, EcLevel, QrFields};
use cds_shared::documents::{access_log, DocError};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Request, Response};
use cds_shared::identity::rfc3339_vn;
use cds_shared::pagination::Page;
use serde_json::json;

use crate::ctx::Ctx;
use crate::views;

/// Pixels per module of the PNG: about 400 px for a typical code, crisp on
/// phones and printable at card size.
const PNG_MODULE_PX: usize = 8;

pub fn profile(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let p = read_profile(c.ports, &me.account_id)
        .map_err(|e| c.store(e))?
        .ok_or(ApiError::Unauthorized)?;
    Ok(Response::json(200, &views::profile(&p)).no_store())
}

pub fn update(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let patch: ProfilePatch = json_body(req)?;
    let p = update_profile(c.ports, &me.account_id, &patch).map_err(|e| c.fail(e))?;
    // Field names only: the values are personal data the log keeps forever.
    let changed: Vec<&str> = [
        ("full_name", patch.full_name.is_some()),
        ("date_of_birth", patch.date_of_birth.is_some()),
        ("gender", patch.gender.is_some()),
        ("id_number", patch.id_number.is_some()),
        ("address", patch.address.is_some()),
    ]
    .iter()
    .filter(|(_, set)| *set)
    .map(|(n, _)| *n)
    .collect();
    if !changed.is_empty() {
        c.audit(
            Entry::new(
                format!("citizen:{}", me.account_id),
                action::PROFILE_UPDATED,
            )
            .about(me.account_id.as_str())
            .detail(json!({"fields": changed})),
        );
    }
    Ok(Response::json(200, &views::profile(&p)).no_store())
}

/// `GET /api/v1/me/qr?format=svg|png|json` (default SVG).
pub fn qr(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let format = req.query_param("format").unwrap_or("svg");
    if !matches!(format, "svg" | "png" | "json") {
        return Err(ApiError::invalid_field("format", "one_of_svg_png_json"));
    }
    let secret = qr::qr_secret(c.ports.settings).map_err(|e| c.fail(e))?;
    let record = qr::ensure(c.ports, &me.account_id).map_err(|e| c.store(e))?;
    let profile = read_profile(c.ports, &me.account_id)
        .map_err(|e| c.store(e))?
        .ok_or(ApiError::Unauthorized)?;
    let payload = QrFields::for_profile(&profile, &record.qid, record.version).encode(&secret);
    // Q (25% recovery): printed cards get scuffed and screens get glare,
    // and the ~90-byte payload still fits a small code.
    let resp = match format {
        "png" => Response::bytes(
            200,
            "image/png",
            qr::png(&payload, EcLevel::Q, PNG_MODULE_PX).map_err(|e| c.fail(e))?,
        ),
        "json" => Response::json(
            200,
            &json!({"payload": payload, "qid": record.qid, "version": record.version}),
        ),
        _ => Response::bytes(
            200,
            "image/svg+xml",
            qr::svg(&payload, EcLevel::Q)
                .map_err(|e| c.fail(e))?
                .into_bytes(),
        ),
    };
    // A rotated code must not linger in caches.
    Ok(resp.no_store())
}

/// `POST /api/v1/me/qr/rotate`: every earlier code stops verifying.
pub fn rotate(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let me = c.me(req)?;
    let record = qr::rotate(c.ports, &me.account_id).map_err(|e| c.store(e))?;
    c.audit(
        Entry::new(format!("citizen:{}", me.account_id), action::QR_ROTATED)
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
pub fn access_log(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let page = Page::from_request(req)?;
    let before: Option<i64> = page.after()?;
    let me = c.me(req)?;
    let rows = access_log::read(c.ports.sql, &me.account_id, before, page.fetch_limit())
        .map_err(|e| c.fail(DocError::Store(e)))?;
    let out = page.paginate(rows, |(seq, _)| *seq)?;
    let items: Vec<_> = out.items.into_iter().map(|(_, v)| v).collect();
    Ok(Response::json(
        200,
        &json!({"items": items, "next_cursor": out.next_cursor}),
    ))
}
