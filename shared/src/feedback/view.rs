//! The JSON shapes of a feedback item: public (redacted) and full (owner,
//! handling official). The public one is built field by field from an
//! allow-list, so nothing personal can reach it by being added to
//! [`Feedback`] later.

use serde_json::{json, Value};

use super::access::Access;
use super::redact::{mask_personal_data, round_coordinate, street_only};
use super::store::HistoryEntry;
use super::submit::Created;
use super::Feedback;
use crate::identity::rfc3339_vn;

/// The public view: no sender, no account, no exact address or position,
/// phone numbers masked in every text (see [`super::redact`]).
pub fn public(f: &Feedback) -> Value {
    with_common(
        f,
        json!({
            "title": mask_personal_data(&f.report.title),
            "content": mask_personal_data(&f.report.content),
            "location": {
                "lat": round_coordinate(f.report.lat),
                "lng": round_coordinate(f.report.lng),
                "address": f.report.address.as_deref().and_then(street_only),
            },
            "response": f.response.as_deref().map(mask_personal_data),
            "rating": f.rating.as_ref().map(|r| json!({"score": r.score})),
        }),
    )
}

/// `body` with the fields every view shows as stored: which item it is,
/// who handles it, where it stands and when (nothing personal).
fn with_common(f: &Feedback, mut body: Value) -> Value {
    let common = json!({
        "id": f.id,
        "tracking_code": f.tracking_code,
        "category": f.category_code,
        "category_name": f.category_name,
        "unit": f.unit_code,
        "unit_name": f.unit_name,
        "media_url": f.report.media_url,
        "status": f.status.as_str(),
        "created_at": rfc3339_vn(f.created_at),
        "updated_at": rfc3339_vn(f.updated_at),
    });
    if let (Some(map), Value::Object(common)) = (body.as_object_mut(), common) {
        map.extend(common);
    }
    body
}

/// Everything, for the owner ([`Access::Owner`]) or an official of the
/// handling unit ([`Access::Handler`]); `history` is included when given.
///
/// The sender (name, phone) is shown to the owner, and to officials unless
/// the owner chose to stay anonymous. Officials also see who made each
/// change; the owner sees the unit.
pub fn full(f: &Feedback, access: Access, history: Option<&[HistoryEntry]>) -> Value {
    let handler = access == Access::Handler;
    let sender = match (&f.sender, access) {
        (Some(s), Access::Owner) => json!({"full_name": s.full_name, "phone": s.phone}),
        (Some(s), Access::Handler) if !f.anonymous => {
            json!({"full_name": s.full_name, "phone": s.phone})
        }
        _ => Value::Null,
    };
    let mut body = with_common(
        f,
        json!({
            "title": f.report.title,
            "content": f.report.content,
            "location": {"lat": f.report.lat, "lng": f.report.lng, "address": f.report.address},
            "response": f.response,
            "published": f.published,
            "anonymous": f.anonymous,
            "source": f.source.as_str(),
            "sender": sender,
            "rating": f.rating.as_ref().map(|r| json!({
                "score": r.score,
                "comment": r.comment,
                "created_at": rfc3339_vn(r.created_at),
            })),
            "can_rate": access == Access::Owner && f.status.is_closed() && f.rating.is_none(),
        }),
    );
    if let Some(entries) = history {
        body["history"] = history_json(entries, handler);
    }
    body
}

/// The view a viewer with `access` gets (never called for `Hidden`).
pub fn for_access(f: &Feedback, access: Access, history: Option<&[HistoryEntry]>) -> Value {
    match access {
        Access::Owner | Access::Handler => full(f, access, history),
        Access::Public | Access::Hidden => public(f),
    }
}

/// History entries, oldest first; `actor` only for officials.
pub fn history_json(entries: &[HistoryEntry], with_actor: bool) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|e| {
                let mut v = json!({
                    "status": e.status.as_str(),
                    "from": e.from.map(|s| s.as_str()),
                    "note": e.note,
                    "unit": e.unit_code,
                    "at": rfc3339_vn(e.at),
                });
                if with_actor {
                    v["actor"] = json!(e.actor);
                }
                v
            })
            .collect(),
    )
}

/// The 201 answer to a submission: `{id, tracking_code, status, unit, created_at}`.
pub fn created(c: &Created) -> Value {
    json!({
        "id": c.id,
        "tracking_code": c.tracking_code,
        "status": c.status.as_str(),
        "unit": c.unit_code,
        "created_at": rfc3339_vn(c.created_at),
    })
}
