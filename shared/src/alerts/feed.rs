//! What everyone may read: the active alerts (optionally those concerning
//! one area), and one alert with its history, as JSON.

use serde_json::{json, Value};

use super::area::{self, Area};
use super::{store, AlertError, Message};
use crate::local_time::rfc3339_vn;
use crate::ports::Sql;

/// Most alerts the feed lists.
pub const MAX_ACTIVE: u32 = 200;

/// The active alerts at `now`, most severe first, then newest; with `area`,
/// only those for that area, an area above it or one below it. An unknown
/// area → 422 on `area`.
pub fn active(sql: &dyn Sql, now: i64, area: Option<&str>) -> Result<Vec<Message>, AlertError> {
    let mut found = store::active(sql, now, MAX_ACTIVE)?;
    if let Some(code) = area {
        let areas = area::all(sql)?;
        if area::find(&areas, code).is_none() {
            return Err(AlertError::field("area", "unknown area"));
        }
        let wanted = area::concerning(&areas, code);
        found.retain(|m| m.areas.iter().any(|a| wanted.contains(a)));
    }
    found.sort_by(|a, b| a.severity.cmp(&b.severity).then(b.sent.cmp(&a.sent)));
    Ok(found)
}

/// Every message of `alert_id`, oldest first (never empty).
pub fn chain(sql: &dyn Sql, alert_id: &str) -> Result<Vec<Message>, AlertError> {
    if !super::publish::plausible(alert_id) {
        return Err(AlertError::NotFound);
    }
    let chain = store::chain(sql, alert_id)?;
    if chain.is_empty() {
        return Err(AlertError::NotFound);
    }
    Ok(chain)
}

/// One message as JSON, its areas named.
pub fn message_json(m: &Message, areas: &[Area], now: i64) -> Value {
    let named: Vec<Value> = m
        .areas
        .iter()
        .map(|code| match area::find(areas, code) {
            Some(a) => json!({ "code": a.code, "kind": a.kind, "name": a.name }),
            None => json!({ "code": code }),
        })
        .collect();
    json!({
        "id": m.alert_id,
        "identifier": m.id,
        "version": m.version,
        "msg_type": m.msg_type.as_str(),
        "status": m.status.as_str(),
        "scope": "Public",
        "sender": m.sender,
        "sent": rfc3339_vn(m.sent),
        "category": m.category.as_str(),
        "event": m.event,
        "urgency": m.urgency.as_str(),
        "severity": m.severity.as_str(),
        "certainty": m.certainty.as_str(),
        "effective": rfc3339_vn(m.effective),
        "expires": rfc3339_vn(m.expires),
        "headline": m.headline,
        "description": m.description,
        "instruction": m.instruction,
        "areas": named,
        "references": m.previous_id,
        "active": m.active_at(now),
        "cap_url": format!("/api/v1/alerts/{}.cap.xml", m.alert_id),
    })
}

/// The feed as JSON: `{"items": [...]}`.
pub fn list_json(found: &[Message], areas: &[Area], now: i64) -> Value {
    let items: Vec<Value> = found.iter().map(|m| message_json(m, areas, now)).collect();
    json!({ "items": items })
}

/// One alert: its latest message, and the history of its messages.
pub fn alert_json(chain: &[Message], areas: &[Area], now: i64) -> Value {
    let Some(latest) = chain.last() else {
        return json!({});
    };
    let mut v = message_json(latest, areas, now);
    let history: Vec<Value> = chain
        .iter()
        .map(|m| {
            json!({
                "identifier": m.id,
                "msg_type": m.msg_type.as_str(),
                "sent": rfc3339_vn(m.sent),
                "headline": m.headline,
            })
        })
        .collect();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("history".to_owned(), Value::Array(history));
    }
    v
}

/// The areas as JSON: `{"items": [{code, kind, name, parent}]}`.
pub fn areas_json(areas: &[Area]) -> Value {
    let items: Vec<Value> = areas
        .iter()
        .map(|a| json!({ "code": a.code, "kind": a.kind, "name": a.name, "parent": a.parent }))
        .collect();
    json!({ "items": items })
}
