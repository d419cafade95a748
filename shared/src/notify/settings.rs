//! The citizen's notification settings: language, quiet hours, and the
//! outside channels per kind (`GET/PATCH /api/v1/me/notification-settings`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::dispatch::DEFAULT_QUIET;
use super::store::settings as store;
use super::{Channels, Kind, NotifyError};
use crate::lang::Lang;
use crate::ports::Sql;

/// Quiet hours as the API writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// `HH:MM`, local time.
    pub start: String,
    /// `HH:MM`, local time; equal to `start` for none.
    pub end: String,
}

/// `PATCH` body: every field optional, unknown fields refused, and a field
/// sent as `null` refused too (it sets nothing, so it is a mistake the
/// client should hear about, not a silent no-op).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// `vi` or `en`: the language of notices.
    #[serde(default, deserialize_with = "present")]
    pub language: Option<String>,
    /// When nothing but security notices may arrive outside the app.
    #[serde(default, deserialize_with = "present")]
    pub quiet_hours: Option<QuietHours>,
    /// Kind → channels (`in_app`, `zalo`, `sms`).
    #[serde(default, deserialize_with = "present")]
    pub channels: Option<BTreeMap<String, Vec<String>>>,
}

/// A field that is there must hold a value: absent is `None` (through
/// `default`), `null` is an error.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Everything the citizen chose, with the defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// `vi` or `en`.
    pub lang: String,
    /// Minutes after local midnight.
    pub quiet: (i64, i64),
    /// Every kind and its channels.
    pub channels: Vec<(Kind, Channels)>,
    /// Whether the language was chosen (else the request's is used).
    pub lang_chosen: bool,
    /// Whether a Zalo account is linked.
    pub zalo_linked: bool,
}

/// `HH:MM` → minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<i64> {
    let (h, m) = s.split_once(':')?;
    let two = |t: &str| -> Option<i64> {
        (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let h = two(h)?;
    let m = two(m)?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn invalid(field: String, problem: &'static str) -> NotifyError {
    NotifyError::Invalid { field, problem }
}

/// A patch checked whole before anything is written, so a bad field
/// changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidPatch {
    lang: Option<String>,
    quiet: Option<(i64, i64)>,
    channels: Vec<(Kind, Channels)>,
}

/// Checks a patch.
pub fn validate(patch: &SettingsPatch) -> Result<ValidPatch, NotifyError> {
    let lang = match patch.language.as_deref() {
        None => None,
        Some(l @ ("vi" | "en")) => Some(l.to_owned()),
        Some(_) => return Err(invalid("language".into(), "must be \"vi\" or \"en\"")),
    };
    let quiet = match &patch.quiet_hours {
        None => None,
        Some(q) => {
            let start = parse_hhmm(&q.start)
                .ok_or_else(|| invalid("quiet_hours.start".into(), "must be HH:MM"))?;
            let end = parse_hhmm(&q.end)
                .ok_or_else(|| invalid("quiet_hours.end".into(), "must be HH:MM"))?;
            Some((start, end))
        }
    };
    let mut channels = Vec::new();
    for (name, list) in patch.channels.iter().flatten() {
        let field = format!("channels.{name}");
        let kind =
            Kind::parse(name).ok_or_else(|| invalid(field.clone(), "is not a kind of notice"))?;
        let mut chosen = Channels::default();
        for channel in list {
            match channel.as_str() {
                "in_app" => {}
                "zalo" => chosen.zalo = true,
                "sms" => chosen.sms = true,
                _ => {
                    return Err(invalid(
                        field,
                        "channels are \"in_app\", \"zalo\" and \"sms\"",
                    ))
                }
            }
        }
        if !kind.suppressible() {
            return Err(invalid(field, "security notices always use every channel"));
        }
        channels.push((kind, chosen));
    }
    Ok(ValidPatch {
        lang,
        quiet,
        channels,
    })
}

/// The account's settings with the defaults filled in.
pub fn read(sql: &dyn Sql, account_id: &str) -> Result<Effective, NotifyError> {
    let stored = store::read(sql, account_id)?;
    let channels = Kind::ALL
        .into_iter()
        .map(|k| {
            let chosen = stored
                .channels
                .iter()
                .find(|(kind, _)| *kind == k)
                .map(|(_, c)| *c);
            let c = if k.suppressible() {
                chosen.unwrap_or_else(|| k.default_channels())
            } else {
                Channels {
                    zalo: true,
                    sms: true,
                }
            };
            (k, c)
        })
        .collect();
    Ok(Effective {
        lang_chosen: stored.lang.is_some(),
        zalo_linked: stored.zalo_linked,
        lang: stored.lang.unwrap_or_else(|| "vi".to_owned()),
        quiet: match (stored.quiet_start, stored.quiet_end) {
            (Some(s), Some(e)) => (s, e),
            _ => DEFAULT_QUIET,
        },
        channels,
    })
}

/// The language notices are worded in for `account_id`: its choice, else
/// `fallback` (the request's). One read of one row: the inbox asks on every
/// page, and needs nothing else of the settings.
pub fn lang_of(sql: &dyn Sql, account_id: &str, fallback: Lang) -> Result<Lang, NotifyError> {
    Ok(match store::chosen_lang(sql, account_id)?.as_deref() {
        Some("en") => Lang::En,
        Some(_) => Lang::Vi,
        None => fallback,
    })
}

/// Writes a checked patch: the general row in one upsert, each kind in its
/// own, so two patches of different kinds never undo each other.
pub fn apply(
    sql: &dyn Sql,
    account_id: &str,
    patch: &ValidPatch,
    now: i64,
) -> Result<(), NotifyError> {
    if patch.lang.is_some() || patch.quiet.is_some() {
        store::write_general(sql, account_id, patch.lang.as_deref(), patch.quiet, now)?;
    }
    for (kind, channels) in &patch.channels {
        store::write_channels(sql, account_id, *kind, *channels, now)?;
    }
    Ok(())
}

/// The settings as the API shows them.
pub fn settings_json(e: &Effective) -> Value {
    let kinds: Vec<Value> = e
        .channels
        .iter()
        .map(|(k, c)| {
            json!({
                "kind": k.as_str(),
                "channels": c.api_names(),
                "changeable": k.suppressible(),
            })
        })
        .collect();
    json!({
        "language": e.lang,
        "quiet_hours": {"start": hhmm(e.quiet.0), "end": hhmm(e.quiet.1)},
        "zalo_linked": e.zalo_linked,
        "kinds": kinds,
    })
}
