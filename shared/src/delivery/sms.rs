//! SMS through an eSMS-style HTTP gateway (JSON POST, `CodeResult` "100" = accepted).
//!
//! Request (eSMS `SendMultipleMessage_V4_post_json`): `ApiKey`, `SecretKey`,
//! `Phone` in national format (`0905123456`), `Content`, `Brandname`,
//! `SmsType` "2" (customer care / OTP via a registered brandname) and
//! `RequestId` (eSMS de-duplicates on it).

use std::fmt;

use serde_json::{json, Value};

use super::{national_format, post_json, DeliveryError, OtpMessage, OtpSender};
use crate::ports::HttpClient;

const PROVIDER: &str = "sms gateway";

/// eSMS: "Brandname customer-care message" — the type used for OTPs.
const SMS_TYPE_CUSTOMER_CARE: &str = "2";

/// The only `CodeResult` that means eSMS accepted the message.
const CODE_ACCEPTED: &str = "100";

/// Gateway settings (`sms_gateway_url`, `sms_api_key`, `sms_secret_key`,
/// `sms_brandname`).
#[derive(Clone, PartialEq)]
pub struct SmsConfig {
    /// The gateway's send endpoint.
    pub url: String,
    /// The account's API key.
    pub api_key: String,
    /// The account's secret key.
    pub secret_key: String,
    /// The registered sender name shown on phones.
    pub brandname: String,
}

// Keys stay out of logs even when someone debug-prints the config.
impl fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &self.url)
            .field("api_key", &"[redacted]")
            .field("secret_key", &"[redacted]")
            .field("brandname", &self.brandname)
            .finish()
    }
}

/// Sends codes by SMS through the configured gateway.
pub struct SmsGateway<'a> {
    /// The gateway settings.
    pub config: SmsConfig,
    /// Outbound HTTP.
    pub http: &'a dyn HttpClient,
}

impl<'a> SmsGateway<'a> {
    /// A gateway sending through `http`.
    pub fn new(config: SmsConfig, http: &'a dyn HttpClient) -> SmsGateway<'a> {
        SmsGateway { config, http }
    }
}

impl SmsGateway<'_> {
    /// Sends `text` to `phone_e164`; `tracking_id` is the gateway's
    /// `RequestId`, on which it de-duplicates a retried send.
    pub fn send_text(
        &self,
        phone_e164: &str,
        text: &str,
        tracking_id: &str,
    ) -> Result<(), DeliveryError> {
        let phone = national_format(phone_e164).ok_or(DeliveryError::InvalidPhone)?;
        let body = json!({
            "ApiKey": self.config.api_key,
            "SecretKey": self.config.secret_key,
            "Phone": phone,
            "Content": text,
            "Brandname": self.config.brandname,
            "SmsType": SMS_TYPE_CUSTOMER_CARE,
            "RequestId": tracking_id,
        });
        let parsed = post_json(
            self.http,
            PROVIDER,
            self.config.url.clone(),
            Vec::new(),
            &body,
        )?;
        match code_result(&parsed) {
            Some(code) if code == CODE_ACCEPTED => Ok(()),
            Some(code) => Err(DeliveryError::Rejected {
                provider: PROVIDER,
                code,
            }),
            None => Err(DeliveryError::BadAnswer { provider: PROVIDER }),
        }
    }
}

impl OtpSender for SmsGateway<'_> {
    fn deliver(&self, msg: &OtpMessage) -> Result<(), DeliveryError> {
        self.send_text(&msg.phone_e164, &msg.text, &msg.tracking_id)
    }
}

/// `CodeResult` as text; eSMS documents a string but some gateways send a number.
/// Non-numeric codes are cut short so a hostile answer cannot flood the logs.
fn code_result(answer: &Value) -> Option<String> {
    match answer.get("CodeResult")? {
        Value::String(s) => Some(s.trim().chars().take(16).collect()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::delivery::Channel;
    use crate::testing::FakeHttp;

    fn config() -> SmsConfig {
        SmsConfig {
            url: "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
                .into(),
            api_key: "AK123".into(),
            secret_key: "SK456".into(),
            brandname: "DANANG".into(),
        }
    }

    fn message() -> OtpMessage {
        OtpMessage {
            phone_e164: "+84905123456".into(),
            channel: Channel::Sms,
            code: "482913".into(),
            text: "Mã xác thực Công dân số: 482913".into(),
            tracking_id: "ch_abc".into(),
        }
    }

    fn deliver_with(http: &FakeHttp) -> Result<(), DeliveryError> {
        SmsGateway::new(config(), http).deliver(&message())
    }

    #[test]
    fn posts_esms_json_with_national_phone_and_keys() {
        let http = FakeHttp::answering(200, r#"{"CodeResult":"100","SMSID":"d533"}"#);
        deliver_with(&http).unwrap();
        let (req, body) = http.only_request();
        assert_eq!(req.method, "POST");
        assert_eq!(req.url, config().url);
        assert_eq!(
            req.headers,
            vec![("Content-Type".to_owned(), "application/json".to_owned())]
        );
        assert_eq!(
            body,
            json!({
                "ApiKey": "AK123",
                "SecretKey": "SK456",
                "Phone": "0905123456",
                "Content": "Mã xác thực Công dân số: 482913",
                "Brandname": "DANANG",
                "SmsType": "2",
                "RequestId": "ch_abc",
            })
        );
    }

    #[test]
    fn numeric_code_result_100_is_accepted() {
        let http = FakeHttp::answering(200, r#"{"CodeResult":100,"SMSID":"x"}"#);
        assert_eq!(deliver_with(&http), Ok(()));
    }

    #[test]
    fn code_result_other_than_100_is_a_rejection() {
        let http =
            FakeHttp::answering(200, r#"{"CodeResult":"99","ErrorMessage":"Unknown error"}"#);
        assert_eq!(
            deliver_with(&http),
            Err(DeliveryError::Rejected {
                provider: PROVIDER,
                code: "99".into()
            })
        );
    }

    #[test]
    fn http_500_fails() {
        let http = FakeHttp::answering(500, r#"{"CodeResult":"100"}"#);
        assert_eq!(
            deliver_with(&http),
            Err(DeliveryError::HttpStatus {
                provider: PROVIDER,
                status: 500
            })
        );
    }

    #[test]
    fn garbage_or_missing_code_result_fails() {
        for body in [
            "<html>oops</html>",
            "",
            r#"{"SMSID":"x"}"#,
            r#"{"CodeResult":null}"#,
            "[100]",
        ] {
            let http = FakeHttp::answering(200, body);
            assert_eq!(
                deliver_with(&http),
                Err(DeliveryError::BadAnswer { provider: PROVIDER }),
                "{body}"
            );
        }
    }

    #[test]
    fn transport_error_fails_without_leaking_secrets() {
        let http = FakeHttp::failing("connection refused");
        let err = deliver_with(&http).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("connection refused"));
        for secret in ["AK123", "SK456", "482913"] {
            assert!(!shown.contains(secret));
        }
    }

    #[test]
    fn non_vietnamese_phone_is_not_sent() {
        let http = FakeHttp::answering(200, r#"{"CodeResult":"100"}"#);
        let mut m = message();
        m.phone_e164 = "+14155550100".into();
        assert_eq!(
            SmsGateway::new(config(), &http).deliver(&m),
            Err(DeliveryError::InvalidPhone)
        );
        assert!(http.sent.borrow().is_empty());
    }

    #[test]
    fn config_debug_hides_keys() {
        let s = format!("{:?}", config());
        assert!(!s.contains("AK123") && !s.contains("SK456"));
    }
}
