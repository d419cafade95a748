//! `/api/v1/issuer/documents`: agencies push and revoke documents with
//! their API key (`Authorization: Bearer iss_…`).

use cds_shared::apikey::{authorize, Issuer, Scope};
use cds_shared::audit::{action, Actor, Entry};
use cds_shared::component::Ctx;
use cds_shared::documents::issuer::{
    self as domain, PushOutcome, PushRequest, MAX_PUSH_JSON_BYTES,
};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body_with_limit, Response};
use serde_json::json;

use crate::views;

/// The agency behind the request's key (401 for a missing, unknown or
/// revoked key; 403 `key_scope` for a key without the `documents` scope,
/// e.g. an Open311 partner's). Checked before the body is read, so an
/// out-of-scope key learns nothing about the citizen it names.
fn issuer(ctx: &Ctx<'_>) -> Result<Issuer, ApiError> {
    let key = ctx.req.bearer_token().ok_or(ApiError::Unauthorized)?;
    let log_stamp = |e| ctx.log(format_args!("api key last-used stamp failed: {e}"));
    let holder = authorize(ctx.sql()?, ctx.clock(), key, Scope::Documents, &log_stamp)?;
    Ok(holder.to_issuer())
}

/// 201 with the new document, or 200 with the same one for a retry.
pub fn push(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let iss = issuer(ctx)?;
    let body: PushRequest = json_body_with_limit(ctx.req, MAX_PUSH_JSON_BYTES)?;
    let (status, doc) = match domain::push(ctx.ports()?, &iss, &body)? {
        PushOutcome::Created(doc) => {
            ctx.audit(
                Entry::new(Actor::Issuer(iss.code.clone()), action::DOCUMENT_ISSUED)
                    .about(doc.citizen_id.as_str())
                    .detail(json!({
                        "document_id": doc.id,
                        "type": doc.doc_type,
                        "external_id": doc.external_id,
                        "sha256": doc.sha256,
                    })),
            );
            ctx.dispatch_notices_of(&doc.citizen_id);
            (201, doc)
        }
        PushOutcome::Existing(doc) => (200, doc),
    };
    Ok(Response::json(status, &views::issued(&doc))
        .with_header("location", &format!("/api/v1/issuer/documents/{}", doc.id)))
}

/// 200 with the document, revoked (also when it already was).
pub fn revoke(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let iss = issuer(ctx)?;
    let (doc, changed) = domain::revoke(ctx.ports()?, &iss, id)?;
    if changed {
        ctx.audit(
            Entry::new(Actor::Issuer(iss.code), action::DOCUMENT_REVOKED)
                .about(doc.citizen_id.as_str())
                .detail(json!({"document_id": doc.id, "external_id": doc.external_id})),
        );
        ctx.dispatch_notices_of(&doc.citizen_id);
    }
    Ok(Response::json(200, &views::issued(&doc)))
}
