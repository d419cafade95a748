//! The citizen's access log (docs/documents.md): who read or verified their data,
//! when and why — read straight from the hash-chained audit log, so it
//! cannot say anything the audit trail does not.
//!
//! This module writes the entries it later reads ([`share_entry`],
//! [`qr_entry`]), so the two sides cannot drift apart.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::qr::Verdict;
use super::shares::{Fetch, Opened};
use super::store::audit_reads;
use super::store::documents::title_of;
use crate::audit::{action, Actor, Entry};
use crate::identity::rfc3339_vn;
use crate::ports::{Sql, StoreError};

/// The audit actions a citizen's access log shows: reads and verifications
/// by someone other than the citizen.
pub const ACTIONS: &[&str] = &[
    action::SHARE_USED,
    action::DOCUMENT_ACCESSED,
    action::QR_VERIFIED,
    action::SSO_TOKEN_ISSUED,
    action::SSO_CLAIMS_RELEASED,
    action::SSO_DOCUMENT_PULLED,
];

/// Whether `act` is a city service's use of what the citizen consented to
/// give it (docs/sso.md).
fn by_service(act: &str) -> bool {
    [
        action::SSO_TOKEN_ISSUED,
        action::SSO_CLAIMS_RELEASED,
        action::SSO_DOCUMENT_PULLED,
    ]
    .contains(&act)
}

/// The audit entry of one fetch through a share link: `share_used` for the
/// metadata and verdict, `document_accessed` for the bytes. Never holds the
/// token itself — the share id identifies the link.
pub fn share_entry(opened: &Opened, fetch: Fetch) -> Entry {
    let act = match fetch {
        Fetch::Metadata => action::SHARE_USED,
        Fetch::Content => action::DOCUMENT_ACCESSED,
    };
    Entry::new(Actor::Share(opened.share.id.clone()), act)
        .about(opened.share.citizen_id.as_str())
        .detail(json!({
            "share_id": opened.share.id,
            "document_id": opened.document.id,
            "purpose": opened.share.purpose,
            "what": fetch.as_str(),
            "use": opened.share.uses,
            "max_uses": opened.share.max_uses,
        }))
}

/// The audit entry of one QR verification by an official of `unit`.
/// Audited whatever the verdict; about the citizen when the code points at one.
pub fn qr_entry(official_id: &str, unit: Option<(&str, &str)>, verdict: &Verdict) -> Entry {
    let mut entry = Entry::new(Actor::Official(official_id.to_owned()), action::QR_VERIFIED)
        .detail(json!({
            "unit": unit.map(|(code, _)| code),
            "unit_name": unit.map(|(_, name)| name),
            "result": verdict.result(),
            "qid": match verdict {
                Verdict::Genuine { qid, .. } => Some(qid.as_str()),
                Verdict::Rejected { qid, .. } => qid.as_deref(),
            },
        }));
    if let Some(citizen) = verdict.citizen_id() {
        entry = entry.about(citizen);
    }
    entry
}

/// One page of the log, newest first, strictly before `before_seq`. Each
/// item is the JSON shown to the citizen; its `id` is the cursor key.
pub fn read(
    sql: &dyn Sql,
    citizen_id: &str,
    before_seq: Option<i64>,
    limit: u32,
) -> Result<Vec<(i64, Value)>, StoreError> {
    let entries = audit_reads::about_citizen(sql, citizen_id, ACTIONS, before_seq, limit)?;
    let mut titles: HashMap<String, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for e in entries {
        let (seq, act) = (e.seq, e.action);
        let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
        let document = match detail["document_id"].as_str() {
            Some(id) => {
                if !titles.contains_key(id) {
                    titles.insert(id.to_owned(), title_of(sql, citizen_id, id)?);
                }
                json!({"id": id, "title": titles.get(id).cloned().flatten()})
            }
            None => Value::Null,
        };
        let by = if act == action::QR_VERIFIED {
            json!({"kind": "official", "unit": {"code": detail["unit"], "name": detail["unit_name"]}})
        } else if by_service(&act) {
            json!({"kind": "service", "client_id": detail["client_id"], "name": detail["client_name"]})
        } else {
            json!({"kind": "share_link", "share_id": detail["share_id"]})
        };
        let mut item = json!({
            "id": seq.to_string(),
            "at": rfc3339_vn(e.at),
            "event": act,
            "by": by,
            "document": document,
            "purpose": detail.get("purpose").cloned().unwrap_or(Value::Null),
        });
        if act == action::QR_VERIFIED {
            item["result"] = detail["result"].clone();
        } else if act == action::SSO_TOKEN_ISSUED {
            item["scope"] = detail["scope"].clone();
        } else if act == action::SSO_CLAIMS_RELEASED {
            item["claims"] = detail["claims"].clone();
        } else if act == action::SSO_DOCUMENT_PULLED {
            item["what"] = Value::from("content");
        } else {
            item["what"] = detail["what"].clone();
        }
        out.push((seq, item));
    }
    Ok(out)
}
