//! The JSON shapes this component answers with. Times are RFC 3339 in the
//! city's zone (docs/api.md).

use cds_shared::admin::{FeedbackCategory, Service, Unit};
use cds_shared::apikey::KeyInfo;
use cds_shared::audit::VerifyReport;
use cds_shared::identity::{rfc3339_vn, Account};
use serde_json::{json, Value};

pub fn unit(u: &Unit) -> Value {
    json!({"code": u.code, "name": u.name, "created_at": rfc3339_vn(u.created_at)})
}

/// A key as the admin list shows it: never the key, never its hash.
pub fn key(k: &KeyInfo) -> Value {
    json!({
        "id": k.id,
        "code": k.code,
        "name": k.name,
        "key_prefix": k.key_prefix,
        "scopes": k.scopes.names(),
        "unit": k.unit_code,
        "created_at": rfc3339_vn(k.created_at),
        "last_used_at": k.last_used_at.map(rfc3339_vn),
        "revoked_at": k.revoked_at.map(rfc3339_vn),
    })
}

/// A new key with its plaintext: the one time the key is shown.
pub fn new_key(k: &KeyInfo, api_key: &str) -> Value {
    let mut v = key(k);
    v["api_key"] = json!(api_key);
    v
}

pub fn service(s: &Service) -> Value {
    let mut v = s.catalog_json();
    v["created_at"] = json!(rfc3339_vn(s.created_at));
    v
}

pub fn category(c: &FeedbackCategory) -> Value {
    json!({"code": c.code, "name": c.name, "unit": c.unit_code, "created_at": rfc3339_vn(c.created_at)})
}

/// An account as an official or admin sees it after changing it: identity
/// and standing only, no profile details beyond the name.
pub fn account(a: &Account) -> Value {
    json!({
        "id": a.id,
        "phone": a.phone_e164,
        "full_name": a.full_name,
        "level": a.level.as_str(),
        "role": a.role.as_str(),
        "unit": a.unit_code,
        "created_at": rfc3339_vn(a.created_at),
        "updated_at": rfc3339_vn(a.updated_at),
    })
}

pub fn verify_report(r: &VerifyReport, elapsed_ms: u64) -> Value {
    json!({
        "ok": r.ok,
        "entries": r.entries,
        "first_bad_seq": r.first_bad_seq,
        "head_hash": r.head_hash,
        "complete": r.complete,
        "verified_from": r.verified_from,
        "verified_through": r.verified_through,
        "checkpoint_seq": r.checkpoint_seq,
        "rejected_checkpoints": r.rejected_checkpoints,
        "elapsed_ms": elapsed_ms,
    })
}
