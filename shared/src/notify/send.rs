//! The outside channels a notice can take, read from the settings, and one
//! send on one of them with its outcome sorted into "sent", "try again
//! later" and "this channel will never take it".
//!
//! Notices use the providers' real settings even in dev mode: the
//! development outbox holds one-time codes only, and a notice there would
//! be mistaken for one.

use serde_json::json;

use crate::delivery::{DeliveryError, SmsConfig, SmsGateway, ZaloConfig, ZaloZns};
use crate::ports::{HttpClient, Settings};
use crate::zalo::reply::{self, OaConfig, ReplyError};

/// A channel as the delivery records name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// A free OA customer-service message (only within 48 hours of the
    /// citizen's last message to the OA).
    ZaloOa,
    /// A ZNS template message to the phone's Zalo account.
    ZaloZns,
    /// A text message.
    Sms,
}

impl Route {
    /// The storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::ZaloOa => "zalo_oa",
            Route::ZaloZns => "zalo_zns",
            Route::Sms => "sms",
        }
    }

    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Route> {
        [Route::ZaloOa, Route::ZaloZns, Route::Sms]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// What one send came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The provider took it.
    Sent,
    /// The provider could not take it now (unreachable, 5xx, 429, an
    /// unreadable answer): the same send later may work.
    Retry(String),
    /// The provider refused it for good (bad phone, user unreachable on
    /// Zalo, a refusal code): the next channel's turn.
    Failed(String),
}

/// The configured providers. A provider whose settings are incomplete is
/// `None`, and its channel is skipped as if the citizen had none.
#[derive(Debug, Clone, PartialEq)]
pub struct Senders {
    /// OA customer-service messages (`zalo_api_base`, `zalo_access_token`).
    pub oa: Option<OaConfig>,
    /// ZNS with the notice template (`zalo_notice_template_id`).
    pub zns: Option<ZaloConfig>,
    /// The SMS gateway (`sms_gateway_url`, `sms_api_key`, `sms_secret_key`,
    /// `sms_brandname`).
    pub sms: Option<SmsConfig>,
}

fn setting(settings: &dyn Settings, name: &str) -> Option<String> {
    settings
        .get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn http_setting(settings: &dyn Settings, name: &str) -> Option<String> {
    setting(settings, name).filter(|v| v.starts_with("https://") || v.starts_with("http://"))
}

impl Senders {
    /// The providers the settings configure.
    pub fn from_settings(settings: &dyn Settings) -> Senders {
        let oa = OaConfig::from_settings(settings);
        let zns = match (
            http_setting(settings, "zalo_api_base"),
            setting(settings, "zalo_access_token"),
            setting(settings, "zalo_notice_template_id"),
        ) {
            (Some(api_base), Some(access_token), Some(template_id)) => Some(ZaloConfig {
                api_base,
                access_token,
                template_id,
            }),
            _ => None,
        };
        let sms = match (
            http_setting(settings, "sms_gateway_url"),
            setting(settings, "sms_api_key"),
            setting(settings, "sms_secret_key"),
            setting(settings, "sms_brandname"),
        ) {
            (Some(url), Some(api_key), Some(secret_key), Some(brandname)) => Some(SmsConfig {
                url,
                api_key,
                secret_key,
                brandname,
            }),
            _ => None,
        };
        Senders { oa, zns, sms }
    }

    /// Whether `route` has a provider.
    pub fn has(&self, route: Route) -> bool {
        match route {
            Route::ZaloOa => self.oa.is_some(),
            Route::ZaloZns => self.zns.is_some(),
            Route::Sms => self.sms.is_some(),
        }
    }
}

/// Who to send to and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// E.164.
    pub phone: &'a str,
    /// The linked Zalo user, for OA messages.
    pub zalo_user_id: Option<&'a str>,
    /// The notice's title.
    pub title: &'a str,
    /// The notice's body.
    pub body: &'a str,
    /// `n<id>-<route>`: the same for every attempt on this channel.
    pub tracking_id: &'a str,
}

/// Longest SMS text sent: a notice is cut to what fits in three
/// concatenated Unicode messages (3 × 67 characters).
const SMS_MAX_CHARS: usize = 201;

/// Sends `msg` on `route` once.
pub fn send(senders: &Senders, http: &dyn HttpClient, route: Route, msg: &Message<'_>) -> Outcome {
    match route {
        Route::ZaloOa => match (&senders.oa, msg.zalo_user_id) {
            (Some(oa), Some(user)) => {
                let text = format!("{}\n{}", msg.title, msg.body);
                oa_outcome(reply::send_text(http, oa, user, &text))
            }
            _ => Outcome::Failed("no OA provider or no linked Zalo user".to_owned()),
        },
        Route::ZaloZns => match &senders.zns {
            Some(config) => {
                let zns = ZaloZns::new(config.clone(), http);
                let data = json!({ "title": msg.title, "content": msg.body });
                delivery_outcome(zns.send_template(
                    msg.phone,
                    &config.template_id,
                    data,
                    msg.tracking_id,
                ))
            }
            None => Outcome::Failed("no ZNS provider".to_owned()),
        },
        Route::Sms => match &senders.sms {
            Some(config) => {
                let text: String = format!("{}: {}", msg.title, msg.body)
                    .chars()
                    .take(SMS_MAX_CHARS)
                    .collect();
                let gateway = SmsGateway::new(config.clone(), http);
                delivery_outcome(gateway.send_text(msg.phone, &text, msg.tracking_id))
            }
            None => Outcome::Failed("no SMS provider".to_owned()),
        },
    }
}

fn transient_status(status: u16) -> bool {
    status == 429 || status == 408 || status >= 500
}

fn delivery_outcome(r: Result<(), DeliveryError>) -> Outcome {
    match r {
        Ok(()) => Outcome::Sent,
        Err(e @ (DeliveryError::Unreachable { .. } | DeliveryError::BadAnswer { .. })) => {
            Outcome::Retry(e.to_string())
        }
        Err(e @ DeliveryError::HttpStatus { status, .. }) if transient_status(status) => {
            Outcome::Retry(e.to_string())
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn oa_outcome(r: Result<(), ReplyError>) -> Outcome {
    match r {
        Ok(()) => Outcome::Sent,
        Err(e @ (ReplyError::Unreachable(_) | ReplyError::BadAnswer)) => {
            Outcome::Retry(e.to_string())
        }
        Err(e @ ReplyError::HttpStatus(status)) if transient_status(status) => {
            Outcome::Retry(e.to_string())
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}
