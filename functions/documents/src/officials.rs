//! `POST /api/v1/officials/verify-qr`: an official checks a scanned
//! personal QR. Every check is audited, and shows in the citizen's access
//! log with the official's unit (`cds_shared::documents::officials`).

use cds_shared::component::Ctx;
use cds_shared::documents::officials::check_qr;
use cds_shared::documents::qr::{mask_id_number, unconfirmed_notice, Verdict};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body, Response};
use cds_shared::identity::{rfc3339_vn, Level};
use serde::Deserialize;
use serde_json::json;

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
pub fn verify_qr(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let official = ctx.official()?;
    let body: Body = json_body(ctx.req)?;
    let check = check_qr(ctx.ports()?, official.unit_code.as_deref(), &body.payload)?;
    ctx.audit(check.audit_entry(&official.account_id));
    let checked_at = rfc3339_vn(ctx.clock().now());
    let lang = ctx.req.lang();
    let body = match &check.verdict {
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
                "notice": (!confirmed).then(|| unconfirmed_notice(lang)),
                "qid": qid,
                "version": version,
                "checked_at": checked_at,
            })
        }
        Verdict::Rejected { reason, .. } => json!({
            "valid": false,
            "reason": reason.as_str(),
            "message": reason.message(lang),
            "checked_at": checked_at,
        }),
    };
    Ok(Response::json(200, &body).no_store())
}
