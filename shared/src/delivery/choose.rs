//! Picking the provider for a channel from the settings (docs/settings.md).

use std::fmt;

use super::{Channel, OtpSender, Outbox, SmsConfig, SmsGateway, ZaloConfig, ZaloZns};
use crate::ports::{Clock, HttpClient, Settings, Sql};

/// Which provider a channel uses, with its settings already read.
#[derive(Debug, Clone, PartialEq)]
pub enum SenderChoice {
    /// `dev_mode=true`: every channel goes to the development outbox.
    Outbox,
    /// A real SMS gateway (eSMS).
    Sms(SmsConfig),
    /// Zalo ZNS templates.
    Zalo(ZaloConfig),
}

impl SenderChoice {
    /// Builds the sender; it borrows the request's ports.
    pub fn into_sender<'a>(
        self,
        sql: &'a dyn Sql,
        clock: &'a dyn Clock,
        http: &'a dyn HttpClient,
    ) -> Box<dyn OtpSender + 'a> {
        match self {
            SenderChoice::Outbox => Box::new(Outbox::new(sql, clock)),
            SenderChoice::Sms(c) => Box::new(SmsGateway::new(c, http)),
            SenderChoice::Zalo(c) => Box::new(ZaloZns::new(c, http)),
        }
    }
}

/// A provider setting is missing or unusable. Names the setting, never its
/// value; components answer 503.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The named setting is unset or blank.
    Missing(&'static str),
    /// The named setting is set but unusable (e.g. not an http(s) URL).
    Invalid(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing(name) => write!(f, "setting `{name}` is not set"),
            ConfigError::Invalid(name) => write!(f, "setting `{name}` is not valid"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// `dev_mode` is on only when set to `true` (any case); unset, empty or any
/// other value — including typos — means production behaviour.
pub fn is_dev_mode(settings: &dyn Settings) -> bool {
    settings
        .get("dev_mode")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Decides how codes for `channel` are delivered: the outbox in dev mode,
/// otherwise the channel's gateway with every setting it needs present.
pub fn choose_sender(
    settings: &dyn Settings,
    channel: Channel,
) -> Result<SenderChoice, ConfigError> {
    if is_dev_mode(settings) {
        return Ok(SenderChoice::Outbox);
    }
    match channel {
        Channel::Sms => Ok(SenderChoice::Sms(SmsConfig {
            url: http_url(settings, "sms_gateway_url")?,
            api_key: required(settings, "sms_api_key")?,
            secret_key: required(settings, "sms_secret_key")?,
            brandname: required(settings, "sms_brandname")?,
        })),
        Channel::Zalo => Ok(SenderChoice::Zalo(ZaloConfig {
            api_base: http_url(settings, "zalo_api_base")?,
            access_token: required(settings, "zalo_access_token")?,
            template_id: required(settings, "zalo_otp_template_id")?,
        })),
    }
}

fn required(settings: &dyn Settings, name: &'static str) -> Result<String, ConfigError> {
    match settings.get(name) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(ConfigError::Missing(name)),
    }
}

fn http_url(settings: &dyn Settings, name: &'static str) -> Result<String, ConfigError> {
    let url = required(settings, name)?;
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(ConfigError::Invalid(name))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, &'static str>);

    impl Settings for Vars {
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| v.to_string())
        }
    }

    fn production() -> Vars {
        Vars(HashMap::from([
            (
                "sms_gateway_url",
                "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/",
            ),
            ("sms_api_key", "AK"),
            ("sms_secret_key", "SK"),
            ("sms_brandname", "DANANG"),
            ("zalo_api_base", "https://business.openapi.zalo.me"),
            ("zalo_access_token", "TOK"),
            ("zalo_otp_template_id", "312456"),
        ]))
    }

    #[test]
    fn dev_mode_sends_every_channel_to_the_outbox() {
        let vars = Vars(HashMap::from([("dev_mode", "true")]));
        assert_eq!(choose_sender(&vars, Channel::Sms), Ok(SenderChoice::Outbox));
        assert_eq!(
            choose_sender(&vars, Channel::Zalo),
            Ok(SenderChoice::Outbox)
        );
    }

    #[test]
    fn anything_but_true_is_not_dev_mode() {
        for v in ["false", "1", "yes", "", "ture"] {
            let vars = Vars(HashMap::from([("dev_mode", v)]));
            assert!(!is_dev_mode(&vars), "{v}");
            assert_eq!(
                choose_sender(&vars, Channel::Sms),
                Err(ConfigError::Missing("sms_gateway_url"))
            );
        }
    }

    #[test]
    fn production_builds_gateways_from_settings() {
        let vars = production();
        match choose_sender(&vars, Channel::Sms) {
            Ok(SenderChoice::Sms(c)) => {
                assert_eq!((c.api_key.as_str(), c.brandname.as_str()), ("AK", "DANANG"))
            }
            other => panic!("{other:?}"),
        }
        match choose_sender(&vars, Channel::Zalo) {
            Ok(SenderChoice::Zalo(c)) => assert_eq!(c.template_id, "312456"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_missing_setting_is_named() {
        for name in [
            "sms_gateway_url",
            "sms_api_key",
            "sms_secret_key",
            "sms_brandname",
            "zalo_api_base",
            "zalo_access_token",
            "zalo_otp_template_id",
        ] {
            let mut vars = production();
            vars.0.remove(name);
            let channel = if name.starts_with("sms") {
                Channel::Sms
            } else {
                Channel::Zalo
            };
            let err = choose_sender(&vars, channel).unwrap_err();
            assert_eq!(err, ConfigError::Missing(name));
            assert!(err.to_string().contains(name));
        }
    }

    #[test]
    fn non_http_gateway_url_is_invalid_and_value_is_not_shown() {
        let mut vars = production();
        vars.0.insert("sms_gateway_url", "ftp://secret-host");
        let err = choose_sender(&vars, Channel::Sms).unwrap_err();
        assert_eq!(err, ConfigError::Invalid("sms_gateway_url"));
        assert!(!err.to_string().contains("secret-host"));
    }
}
