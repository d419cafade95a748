//! JSON shapes of the documents API (mirrored in docs/openapi/paths/documents.json).

use cds_shared::documents::shares::Share;
use cds_shared::documents::vault::DocumentMeta;
use cds_shared::documents::Profile;
use cds_shared::identity::rfc3339_vn;
use serde_json::{json, Value};

/// `id_number` is what the citizen gave (confirmed, else declared) and
/// `id_number_status` says which; a declared number routes nothing.
pub fn profile(p: &Profile) -> Value {
    json!({
        "id": p.citizen_id,
        "phone": p.phone,
        "full_name": p.full_name,
        "date_of_birth": p.date_of_birth,
        "gender": p.gender,
        "id_number": p.given_id_number(),
        "id_number_status": p.id_number_status().map(|s| s.as_str()),
        "address": p.address,
        "level": p.level.as_str(),
        "role": p.role.as_str(),
        "missing": p.missing(),
        "updated_at": rfc3339_vn(p.updated_at),
    })
}

pub fn issuer(d: &DocumentMeta) -> Value {
    match &d.issuer {
        Some(i) => json!({"code": i.code, "name": i.name}),
        None => Value::Null,
    }
}

pub fn document(d: &DocumentMeta) -> Value {
    json!({
        "id": d.id,
        "type": d.doc_type,
        "title": d.title,
        "issuer": issuer(d),
        "issued_at": rfc3339_vn(d.issued_at),
        "valid_until": d.valid_until.map(rfc3339_vn),
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "status": d.status,
        "source": d.source,
        "revoked_at": d.revoked_at.map(rfc3339_vn),
        "created_at": rfc3339_vn(d.created_at),
        "content_url": format!("/api/v1/documents/{}/content", d.id),
    })
}

/// What an issuer sees of a document it pushed (no content URL: issuers
/// cannot read vaults).
pub fn issued(d: &DocumentMeta) -> Value {
    let mut v = document(d);
    if let Some(map) = v.as_object_mut() {
        map.remove("content_url");
        map.insert("external_id".into(), json!(d.external_id));
    }
    v
}

pub fn share_url(origin: &str, token: &str) -> String {
    format!("{origin}/api/v1/shared/{token}")
}

pub fn share(s: &Share, origin: &str, now: i64) -> Value {
    json!({
        "token": s.token,
        "url": share_url(origin, &s.token),
        "document_id": s.document_id,
        "purpose": s.purpose,
        "max_uses": s.max_uses,
        "uses": s.uses,
        "state": s.state(now).as_str(),
        "created_at": rfc3339_vn(s.created_at),
        "expires_at": rfc3339_vn(s.expires_at),
        "revoked_at": s.revoked_at.map(rfc3339_vn),
    })
}
