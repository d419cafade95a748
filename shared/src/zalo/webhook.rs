//! One webhook delivery from start to finish: authenticate, claim it once,
//! let the bot answer, send the replies. The component only adapts HTTP.

use super::bot::{self, BotPorts, Outcome};
use super::dedupe;
use super::event::{authenticate, Refusal, WebhookKeys};
use super::reply::{send_all, OaConfig, ReplyError};
use super::texts;
use crate::error::ApiError;
use crate::ports::{HttpClient, Settings, StoreError};

/// What became of a delivery that was not refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Refused (401): unsigned, wrongly signed, unreadable or stale.
    Refused(Refusal),
    /// A redelivery of an event already handled: acknowledged, ignored.
    Duplicate,
    /// Handled now.
    Handled(Handled),
}

/// What handling produced, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// Replies the bot wanted to send.
    pub replies: usize,
    /// Replies that went out.
    pub replies_sent: usize,
    /// The reply that failed; the webhook still answers 200.
    pub reply_error: Option<ReplyError>,
    /// Lines for the operator's log.
    pub notes: Vec<String>,
}

/// Why a delivery could not be looked at (503; Zalo retries later).
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookError {
    /// `zalo_app_id` or `zalo_oa_secret` is unset: with no secret anyone
    /// could sign events, so none is accepted.
    NotConfigured(&'static str),
    /// The database failed; the message is for the log only.
    Store(StoreError),
}

impl std::fmt::Display for WebhookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebhookError::NotConfigured(name) => write!(f, "setting `{name}` is not set"),
            WebhookError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl From<StoreError> for WebhookError {
    fn from(e: StoreError) -> Self {
        WebhookError::Store(e)
    }
}

impl From<WebhookError> for ApiError {
    /// 503 either way: `not_configured` naming the setting (Zalo's retries
    /// cannot help until an operator sets it), or the store's outage with
    /// its message kept for the log.
    fn from(e: WebhookError) -> ApiError {
        match e {
            WebhookError::NotConfigured(setting) => ApiError::NotConfigured { setting },
            WebhookError::Store(s) => ApiError::from(s).with_context("zalo event not handled"),
        }
    }
}

impl Handled {
    /// What the operator's log gets for this delivery: the notes, and the
    /// reply that failed (the rest were not tried).
    pub fn log_lines(&self) -> Vec<String> {
        let mut lines = self.notes.clone();
        if let Some(e) = &self.reply_error {
            lines.push(format!(
                "reply {} of {} not sent: {e}",
                self.replies_sent + 1,
                self.replies
            ));
        }
        lines
    }
}

/// The keys deliveries are checked against.
pub fn webhook_keys(settings: &dyn Settings) -> Result<WebhookKeys, WebhookError> {
    let get = |name: &'static str| match settings.get(name) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(WebhookError::NotConfigured(name)),
    };
    Ok(WebhookKeys {
        app_id: get("zalo_app_id")?,
        oa_secret: get("zalo_oa_secret")?,
    })
}

/// Handles one delivery. `signature` is the `X-ZEvent-Signature` header;
/// replies go out through `reply_http`.
pub fn receive(
    ports: BotPorts<'_>,
    reply_http: &dyn HttpClient,
    body: &[u8],
    signature: Option<&str>,
) -> Result<Received, WebhookError> {
    let keys = webhook_keys(ports.core.settings)?;
    let now = ports.core.clock.now();
    let event = match authenticate(&keys, body, signature, now) {
        Ok(e) => e,
        Err(r) => return Ok(Received::Refused(r)),
    };
    if !dedupe::claim(ports.core.sql, &event.dedupe_key, now)? {
        return Ok(Received::Duplicate);
    }
    let mut notes = Vec::new();
    // About one delivery in 64 tidies up; the index keeps that cheap.
    let mut dice = [0u8; 1];
    ports.core.random.fill(&mut dice);
    if dice[0] < 4 {
        if let Err(e) = dedupe::purge(ports.core.sql, now) {
            notes.push(format!("purge of handled events failed: {e}"));
        }
    }
    // The event is claimed: whatever fails now, it is not handled twice, and
    // the user hears that the system is busy rather than nothing.
    let outcome = bot::handle(ports, &event).unwrap_or_else(|e| {
        let busy = if event.user_id.is_some() {
            Outcome::say(texts::BUSY)
        } else {
            Outcome::default()
        };
        busy.note(format!("event not handled: {e}"))
    });
    notes.extend(outcome.notes);
    let (replies_sent, reply_error) = match (outcome.replies.is_empty(), event.user_id.as_deref()) {
        (false, Some(user)) => match OaConfig::from_settings(ports.core.settings) {
            Some(config) => send_all(reply_http, &config, user, &outcome.replies),
            None => {
                notes
                    .push("replies not sent: zalo_api_base or zalo_access_token is not set".into());
                (0, None)
            }
        },
        _ => (0, None),
    };
    Ok(Received::Handled(Handled {
        replies: outcome.replies.len(),
        replies_sent,
        reply_error,
        notes,
    }))
}
