//! Delivering one-time codes (docs/identity.md and docs/settings.md): one [`OtpSender`] port with an
//! eSMS-style SMS gateway, Zalo ZNS template messages and a development
//! outbox behind it, and [`choose_sender`] to pick one from the settings.

mod choose;
pub mod outbox;
pub mod sms;
mod store;
pub mod zalo_zns;

pub use choose::{choose_sender, is_dev_mode, ConfigError, SenderChoice};
pub use outbox::{list_outbox, Outbox, OutboxItem};
pub use sms::{SmsConfig, SmsGateway};
pub use zalo_zns::{ZaloConfig, ZaloZns};

use std::fmt;

use crate::ports::StoreError;

/// How a code reaches the citizen. Identity maps its own channel onto this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// A text message through the SMS gateway.
    Sms,
    /// A Zalo Notification Service template message.
    Zalo,
}

impl Channel {
    /// The wire / storage spelling: `"sms"` or `"zalo"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Zalo => "zalo",
        }
    }

    /// Parses the wire spelling; anything else is `None`.
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "sms" => Some(Channel::Sms),
            "zalo" => Some(Channel::Zalo),
            _ => None,
        }
    }
}

/// One code to deliver. `text` is the full SMS wording (it contains the code);
/// Zalo sends only `code` into its approved template.
#[derive(Clone, PartialEq)]
pub struct OtpMessage {
    /// E.164, `+84` and nine digits.
    pub phone_e164: String,
    /// The channel it goes through.
    pub channel: Channel,
    /// The one-time code itself.
    pub code: String,
    /// The full SMS wording, with the code.
    pub text: String,
    /// Our id for this delivery (e.g. the challenge id), echoed to providers
    /// for de-duplication and support tickets.
    pub tracking_id: String,
}

// Hand-written so that `{:?}` in a log line can never print the code.
impl fmt::Debug for OtpMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpMessage")
            .field("phone_e164", &crate::audit::mask_phone(&self.phone_e164))
            .field("channel", &self.channel)
            .field("code", &"[redacted]")
            .field("text", &"[redacted]")
            .field("tracking_id", &self.tracking_id)
            .finish()
    }
}

/// Sends a one-time code through some provider.
pub trait OtpSender {
    /// Hands the message to the provider; `Ok` once it accepted it.
    fn deliver(&self, msg: &OtpMessage) -> Result<(), DeliveryError>;
}

/// Why a delivery failed. Every variant is safe to log: it never holds the
/// code, the message text or provider keys. Components map it to 502
/// (or 503 for [`DeliveryError::Store`]).
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryError {
    /// The phone is not a Vietnamese E.164 number; nothing was sent.
    InvalidPhone,
    /// No answer from the provider (connection refused, DNS, timeout).
    Unreachable {
        /// Which provider (for the log).
        provider: &'static str,
        /// The transport error, shortened.
        reason: String,
    },
    /// The provider answered with a non-2xx HTTP status.
    HttpStatus {
        /// Which provider.
        provider: &'static str,
        /// The HTTP status it answered.
        status: u16,
    },
    /// The provider answered 2xx but refused the message with this code.
    Rejected {
        /// Which provider.
        provider: &'static str,
        /// The provider's own refusal code.
        code: String,
    },
    /// The provider's answer was not the JSON it documents.
    BadAnswer {
        /// Which provider.
        provider: &'static str,
    },
    /// The development outbox could not be written.
    Store(StoreError),
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryError::InvalidPhone => write!(f, "phone is not a Vietnamese E.164 number"),
            DeliveryError::Unreachable { provider, reason } => {
                write!(f, "{provider} unreachable: {reason}")
            }
            DeliveryError::HttpStatus { provider, status } => {
                write!(f, "{provider} answered HTTP {status}")
            }
            DeliveryError::Rejected { provider, code } => {
                write!(f, "{provider} rejected the message with code {code}")
            }
            DeliveryError::BadAnswer { provider } => {
                write!(f, "{provider} answered with an unexpected body")
            }
            DeliveryError::Store(e) => write!(f, "outbox: {e}"),
        }
    }
}

impl std::error::Error for DeliveryError {}

/// The nine national digits after `+84`, or `None` for anything else.
fn vn_subscriber_digits(phone_e164: &str) -> Option<&str> {
    let rest = phone_e164.strip_prefix("+84")?;
    (rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// `+84905123456` → `0905123456` (what eSMS expects).
pub(crate) fn national_format(phone_e164: &str) -> Option<String> {
    vn_subscriber_digits(phone_e164).map(|d| format!("0{d}"))
}

/// `+84905123456` → `84905123456` (what Zalo ZNS expects).
pub(crate) fn zalo_format(phone_e164: &str) -> Option<String> {
    vn_subscriber_digits(phone_e164).map(|d| format!("84{d}"))
}

/// Transport errors come from the host and could be long; keep log lines
/// bounded. They never contain request bodies or headers.
fn short_reason(reason: &str) -> String {
    reason.chars().take(200).collect()
}

/// POSTs `body` as JSON to a provider and reads its JSON answer: the one
/// way every provider is called, so a transport failure, a non-2xx status
/// and an unreadable answer are told apart the same way for each.
pub(crate) fn post_json(
    http: &dyn crate::ports::HttpClient,
    provider: &'static str,
    url: String,
    mut headers: Vec<(String, String)>,
    body: &serde_json::Value,
) -> Result<serde_json::Value, DeliveryError> {
    headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    let request = crate::ports::OutboundRequest {
        method: "POST".to_owned(),
        url,
        headers,
        body: body.to_string().into_bytes(),
    };
    let answer = http
        .send(&request)
        .map_err(|e| DeliveryError::Unreachable {
            provider,
            reason: short_reason(&e),
        })?;
    if !(200..300).contains(&answer.status) {
        return Err(DeliveryError::HttpStatus {
            provider,
            status: answer.status,
        });
    }
    serde_json::from_slice(&answer.body).map_err(|_| DeliveryError::BadAnswer { provider })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn phone_formats_for_providers() {
        assert_eq!(
            national_format("+84905123456").as_deref(),
            Some("0905123456")
        );
        assert_eq!(zalo_format("+84905123456").as_deref(), Some("84905123456"));
        for bad in [
            "0905123456",
            "+8490512345",
            "+849051234567",
            "+84 905123456",
            "+1905123456",
        ] {
            assert_eq!(national_format(bad), None, "{bad}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_code() {
        let m = OtpMessage {
            phone_e164: "+84905123456".into(),
            channel: Channel::Sms,
            code: "482913".into(),
            text: "Ma OTP cua ban la 482913".into(),
            tracking_id: "ch_1".into(),
        };
        let s = format!("{m:?}");
        assert!(!s.contains("482913") && !s.contains("905123456"), "{s}");
    }

    #[test]
    fn channel_round_trips_its_wire_spelling() {
        for c in [Channel::Sms, Channel::Zalo] {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("outbox"), None);
    }
}
