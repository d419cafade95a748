//! Authenticating a webhook delivery and reading the event out of it.

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use super::signature::signature_matches;

/// How far an event's timestamp may be from our clock, either way. Zalo
/// delivers within seconds; an older signed event is a replay.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// The secrets a delivery is checked against (`zalo_app_id`, `zalo_oa_secret`).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookKeys {
    /// The OA's app id (part of the signed text).
    pub app_id: String,
    /// The OA secret key.
    pub oa_secret: String,
}

// The OA secret stays out of logs even when someone debug-prints this.
impl std::fmt::Debug for WebhookKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookKeys")
            .field("app_id", &self.app_id)
            .field("oa_secret", &"[redacted]")
            .finish()
    }
}

/// Why a delivery was refused. All of them answer 401: none can be shown to
/// come from Zalo now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `X-ZEvent-Signature` header.
    MissingSignature,
    /// Not a JSON object with a numeric `timestamp`, so nothing to check the
    /// signature against.
    Unreadable,
    /// The signature does not match.
    BadSignature,
    /// Correctly signed but more than [`MAX_SKEW_SECONDS`] away from now.
    Stale,
}

impl Refusal {
    /// For the log line.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::MissingSignature => "missing signature",
            Refusal::Unreadable => "unreadable event",
            Refusal::BadSignature => "bad signature",
            Refusal::Stale => "stale timestamp",
        }
    }
}

/// What happened, as far as the bot cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The user followed the OA.
    Follow,
    /// The user unfollowed it.
    Unfollow,
    /// `user_send_text`.
    Text(String),
    /// Anything else (images, stickers, OA-side events): acknowledged, ignored.
    Other(String),
}

/// One authenticated event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The OA-scoped id of the Zalo user (`sender.id`, or `follower.id` for
    /// follow events) — the id replies are addressed to. `None` when absent
    /// or implausible.
    pub user_id: Option<String>,
    /// Milliseconds since the epoch, from the event.
    pub timestamp_ms: i64,
    /// Identifies the delivery for at-most-once handling: `msg:<msg_id>`, or
    /// for events without one a hash of the signed body (a redelivery repeats
    /// the body byte for byte).
    pub dedupe_key: String,
}

/// Checks the signature and freshness of a delivery and reads its event.
/// `header` is the `X-ZEvent-Signature` value; `now` is Unix seconds.
pub fn authenticate(
    keys: &WebhookKeys,
    body: &[u8],
    header: Option<&str>,
    now: i64,
) -> Result<Event, Refusal> {
    let header = header.ok_or(Refusal::MissingSignature)?;
    let json: Value = serde_json::from_slice(body).map_err(|_| Refusal::Unreadable)?;
    let timestamp = timestamp_text(&json).ok_or(Refusal::Unreadable)?;
    if !signature_matches(header, &keys.app_id, body, &timestamp, &keys.oa_secret) {
        return Err(Refusal::BadSignature);
    }
    let timestamp_ms: i64 = timestamp.parse().map_err(|_| Refusal::Unreadable)?;
    if (timestamp_ms.div_euclid(1000) - now).abs() > MAX_SKEW_SECONDS {
        return Err(Refusal::Stale);
    }
    Ok(read_event(&json, body, timestamp_ms))
}

/// `timestamp` exactly as the body spells it: Zalo sends a string of digits;
/// a bare number is accepted too.
fn timestamp_text(json: &Value) -> Option<String> {
    let text = match json.get("timestamp")? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let plausible =
        !text.is_empty() && text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit());
    plausible.then_some(text)
}

fn read_event(json: &Value, body: &[u8], timestamp_ms: i64) -> Event {
    let name = json
        .get("event_name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let message = json.get("message");
    let kind = match name {
        "follow" => EventKind::Follow,
        "unfollow" => EventKind::Unfollow,
        "user_send_text" => {
            let text = message
                .and_then(|m| m.get("text"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            EventKind::Text(text.nfc().collect())
        }
        other => EventKind::Other(other.chars().take(64).collect()),
    };
    let user_field = match kind {
        EventKind::Follow | EventKind::Unfollow => "follower",
        _ => "sender",
    };
    let user_id = json
        .get(user_field)
        .and_then(|u| u.get("id"))
        .and_then(id_text)
        .filter(|id| plausible_id(id));
    let msg_id = message
        .and_then(|m| m.get("msg_id"))
        .and_then(id_text)
        .filter(|id| plausible_id(id));
    let dedupe_key = match msg_id {
        Some(id) => format!("msg:{id}"),
        None => format!("body:{}", crate::hex::sha256_hex(body)),
    };
    Event {
        kind,
        user_id,
        timestamp_ms,
        dedupe_key,
    }
}

/// Ids arrive as strings; numbers are tolerated (big ones lose nothing as
/// serde_json keeps integers exact).
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// Zalo ids are short alphanumerics; anything else is not used as a store key.
fn plausible_id(id: &str) -> bool {
    !id.is_empty() && crate::ids::plausible_id(id, "", 128)
}
