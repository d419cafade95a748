//! `POST /api/v1/officials/verify-qr`: an official checks a scanned
//! personal QR (SPEC §7.2). Every check is audited, and shows in the
//! citizen's access log with the official's unit.

use cds_shared::documents::access_log::qr_entry;
use cds_shared::documents::qr::{self, mask_id_number, unconfirmed_notice, Verdict};
use cds_shared::error::ApiError;
use cds_shared::guard::require_official;
use cds_shared::http::{json_body, Request, Response};
use cds_shared::identity::{rfc3339_vn, Level};
use cds_shared::ports::StoreError;
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    payload: String,
}

/// 200 `{valid:true, citizen:{…}}` or 200 `{valid:false, reason, message}`:
/// a refused code is a successful check, not a failed request.
///
/// A genuine code of a citizen no official has verified says so:
/// `citizen.confirmed: false`, the masked id number with
/// `id_number_status: "declared"`, and a `notice` for the screen — the
/// signature proves the platform issued the code, not who the person is.
pub fn verify_qr(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let official = c.me(req)?;
    require_official(&official)?;
    let body: Body = json_body(req)?;
    let secret = qr::qr_secret(c.ports.settings).map_err(|e| c.fail(e))?;
    let verdict = qr::verify(c.ports, &secret, &body.payload).map_err(|e| c.store(e))?;
    let unit = match &official.unit_code {
        Some(code) => Some((
            code.clone(),
            unit_name(c, code)
                .map_err(|e| c.store(e))?
                .unwrap_or_default(),
        )),
        None => None,
    };
    c.audit(qr_entry(
        &official.account_id,
        unit.as_ref().map(|(c, n)| (c.as_str(), n.as_str())),
        &verdict,
    ));
    let checked_at = rfc3339_vn(c.ports.clock.now());
    let body = match &verdict {
        Verdict::Genuine {
            profile,
            qid,
            version,
        } => {
            let confirmed = profile.level == Level::Verified;
            json!({
                "valid": true,
                "citizen": {
                    "full_name": profile.full_name,
                    "masked_id_number": profile.given_id_number().map(mask_id_number),
                    "id_number_status": profile.id_number_status().map(|s| s.as_str()),
                    "date_of_birth": profile.date_of_birth,
                    "level": profile.level.as_str(),
                    "confirmed": confirmed,
                },
                "notice": (!confirmed).then(|| unconfirmed_notice(req.lang())),
                "qid": qid,
                "version": version,
                "checked_at": checked_at,
            })
        }
        Verdict::Rejected { reason, .. } => json!({
            "valid": false,
            "reason": reason.as_str(),
            "message": reason.message(req.lang()),
            "checked_at": checked_at,
        }),
    };
    Ok(Response::json(200, &body).no_store())
}

fn unit_name(c: &Ctx<'_>, code: &str) -> Result<Option<String>, StoreError> {
    let rows = c
        .ports
        .sql
        .execute("SELECT name FROM units WHERE code = ?1", &[code.into()])?;
    Ok(rows
        .rows
        .first()
        .and_then(|r| r.first())
        .and_then(|v| v.as_str())
        .map(str::to_owned))
}
