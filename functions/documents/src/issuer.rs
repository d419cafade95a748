//! `/api/v1/issuer/documents`: agencies push and revoke documents with
//! their API key (`Authorization: Bearer iss_…`).

use cds_shared::apikey::{authorize, Issuer, KeyRefused, Scope};
use cds_shared::audit::{action, Entry};
use cds_shared::documents::issuer::{
    self as domain, PushOutcome, PushRequest, MAX_PUSH_JSON_BYTES,
};
use cds_shared::error::ApiError;
use cds_shared::http::{json_body_with_limit, Request, Response};
use serde_json::json;

use crate::ctx::Ctx;
use crate::views;

/// The agency behind the request's key (401 for a missing, unknown or
/// revoked key; 403 `key_scope` for a key without the `documents` scope,
/// e.g. an Open311 partner's). Checked before the body is read, so an
/// out-of-scope key learns nothing about the citizen it names.
fn issuer(c: &Ctx<'_>, req: &Request) -> Result<Issuer, ApiError> {
    let key = req.bearer_token().ok_or(ApiError::Unauthorized)?;
    let log_stamp = |e| eprintln!("[{}] api key last-used stamp failed: {e}", c.rid);
    match authorize(
        c.ports.sql,
        c.ports.clock,
        key,
        Scope::Documents,
        &log_stamp,
    ) {
        Ok(holder) => Ok(holder.to_issuer()),
        Err(KeyRefused::Store(e)) => Err(c.store(e)),
        Err(refused) => Err(refused.to_api()),
    }
}

fn actor(i: &Issuer) -> String {
    format!("issuer:{}", i.code)
}

/// 201 with the new document, or 200 with the same one for a retry.
pub fn push(c: &Ctx<'_>, req: &Request) -> Result<Response, ApiError> {
    let iss = issuer(c, req)?;
    let body: PushRequest = json_body_with_limit(req, MAX_PUSH_JSON_BYTES)?;
    let (status, doc) = match domain::push(c.ports, &iss, &body).map_err(|e| c.fail(e))? {
        PushOutcome::Created(doc) => {
            c.audit(
                Entry::new(actor(&iss), action::DOCUMENT_ISSUED)
                    .about(doc.citizen_id.as_str())
                    .detail(json!({
                        "document_id": doc.id,
                        "type": doc.doc_type,
                        "external_id": doc.external_id,
                        "sha256": doc.sha256,
                    })),
            );
            (201, doc)
        }
        PushOutcome::Existing(doc) => (200, doc),
    };
    Ok(Response::json(status, &views::issued(&doc))
        .with_header("location", &format!("/api/v1/issuer/documents/{}", doc.id)))
}

/// 200 with the document, revoked (also when it already was).
pub fn revoke(c: &Ctx<'_>, req: &Request, id: &str) -> Result<Response, ApiError> {
    let iss = issuer(c, req)?;
    let (doc, changed) = domain::revoke(c.ports, &iss, id).map_err(|e| c.fail(e))?;
    if changed {
        c.audit(
            Entry::new(actor(&iss), action::DOCUMENT_REVOKED)
                .about(doc.citizen_id.as_str())
                .detail(json!({"document_id": doc.id, "external_id": doc.external_id})),
        );
    }
    Ok(Response::json(200, &views::issued(&doc)))
}
