//! `POST /api/v1/officials/citizens/{id}/verify`: an official confirms a
//! citizen's identity (docs/identity.md).

use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::documents::qr::mask_id_number;
use cds_shared::error::ApiError;
use cds_shared::http::Response;
use cds_shared::identity::{self, Verification};
use serde_json::json;

use crate::views;

/// Confirms the citizen's identity; audits the verification, a refusal and
/// each claim it clears.
pub fn verify_citizen(ctx: &Ctx<'_>, citizen_id: &str) -> Result<Response, ApiError> {
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
