//! The JSON shapes this component answers with. Times are RFC 3339 in the
//! city's zone (SPEC §4).

use cds_shared::admin::{FeedbackCategory, Service, Unit};
use cds_shared::apikey::Issuer;
use cds_shared::audit::VerifyReport;
use cds_shared::identity::{rfc3339_vn, Account};
use serde_json::{json, Value};

pub fn unit(u: &Unit) -> Value {
    json!({"code": u.code, "name": u.name, "created_at": rfc3339_vn(u.created_at)})
}

/// The issuer with its new key: the one time the plaintext key is shown.
pub fn new_issuer(i: &Issuer, api_key: &str) -> Value {
    json!({
        "id": i.id,
        "code": i.code,
        "name": i.name,
        "api_key": api_key,
        "key_prefix": i.key_prefix,
        "created_at": rfc3339_vn(i.created_at),
    })
}

pub fn service(s: &Service) -> Value {
    json!({
        "code": s.code,
        "name": s.name,
        "kind": s.kind.as_str(),
        "unit": s.unit_code,
        "address": s.address,
        "created_at": rfc3339_vn(s.created_at),
    })
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

pub fn verify_report(r: &VerifyReport) -> Value {
    json!({
        "ok": r.ok,
        "entries": r.entries,
        "first_bad_seq": r.first_bad_seq,
        "head_hash": r.head_hash,
    })
}
