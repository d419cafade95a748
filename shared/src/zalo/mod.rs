//! The Zalo Official Account chat-bot (docs/zalo.md): signed webhook events,
//! Vietnamese commands read without regard to diacritics, sign-up and
//! linking by a one-time code sent through ZNS, and replies through the OA
//! API split to Zalo's 2,000-character limit.
//!
//! Plain domain logic behind the [`crate::ports`]; the `zalo` component
//! only adapts HTTP. [`webhook::receive`] is the whole delivery:
//! 1. [`event::authenticate`]: `X-ZEvent-Signature` over the raw body,
//!    compared in constant time, and the event's timestamp within 5 minutes;
//! 2. [`dedupe::claim`]: one atomic INSERT, so a redelivered `msg_id` is
//!    handled once even when the copies arrive in parallel;
//! 3. [`bot::handle`]: the conversation ([`conversation`], in the KV store
//!    with its own expiry) and the commands ([`command`]);
//! 4. [`reply::send_all`]: the answers, each at most 2,000 characters
//!    ([`split`]); a failed reply is reported, never fatal.

pub mod bot;
pub mod command;
pub mod conversation;
pub mod dedupe;
pub mod event;
mod link;
pub mod lookups;
pub mod reply;
pub mod signature;
pub mod split;
pub mod store;
pub mod texts;
pub mod webhook;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
pub(crate) mod test_support;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests;

pub use bot::{handle, BotPorts, Outcome};
pub use event::{authenticate, Event, EventKind, Refusal, WebhookKeys, MAX_SKEW_SECONDS};
pub use reply::{send_text, OaConfig, ReplyError};
pub use signature::{event_mac, signature_header, signature_matches};
pub use split::{split_message, MAX_MESSAGE_CHARS};
pub use webhook::{receive, Handled, Received, WebhookError};
