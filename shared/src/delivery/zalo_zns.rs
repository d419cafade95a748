//! OTP as a Zalo ZNS template message: POST `{api_base}/message/template`
//! with the OA `access_token` header; the answer's `error` is 0 on success.

use std::fmt;

use serde_json::{json, Value};

use super::{post_json, zalo_format, DeliveryError, OtpMessage, OtpSender};
use crate::ports::HttpClient;

const PROVIDER: &str = "zalo zns";

/// Zalo settings (`zalo_api_base`, `zalo_access_token`, `zalo_otp_template_id`).
#[derive(Clone, PartialEq)]
pub struct ZaloConfig {
    /// e.g. `https://business.openapi.zalo.me`
    pub api_base: String,
    /// The OA access token (sent as the `access_token` header).
    pub access_token: String,
    /// The approved one-time-code template.
    pub template_id: String,
}

// The access token stays out of logs even when someone debug-prints this.
impl fmt::Debug for ZaloConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZaloConfig")
            .field("api_base", &self.api_base)
            .field("access_token", &"[redacted]")
            .field("template_id", &self.template_id)
            .finish()
    }
}

impl ZaloConfig {
    /// The send endpoint; a trailing `/` on the base never doubles up.
    pub fn template_url(&self) -> String {
        format!("{}/message/template", self.api_base.trim_end_matches('/'))
    }
}

/// Sends codes through the OA's approved OTP template.
pub struct ZaloZns<'a> {
    /// The ZNS settings.
    pub config: ZaloConfig,
    /// Outbound HTTP.
    pub http: &'a dyn HttpClient,
}

impl<'a> ZaloZns<'a> {
    /// A ZNS sender through `http`.
    pub fn new(config: ZaloConfig, http: &'a dyn HttpClient) -> ZaloZns<'a> {
        ZaloZns { config, http }
    }
}

impl ZaloZns<'_> {
    /// Sends the approved template `template_id` filled with `data` to the
    /// Zalo account of `phone_e164`; Zalo de-duplicates on `tracking_id`.
    pub fn send_template(
        &self,
        phone_e164: &str,
        template_id: &str,
        data: Value,
        tracking_id: &str,
    ) -> Result<(), DeliveryError> {
        let phone = zalo_format(phone_e164).ok_or(DeliveryError::InvalidPhone)?;
        let body = json!({
            "phone": phone,
            "template_id": template_id,
            "template_data": data,
            "tracking_id": tracking_id,
        });
        let headers = vec![("access_token".to_owned(), self.config.access_token.clone())];
        let parsed = post_json(
            self.http,
            PROVIDER,
            self.config.template_url(),
            headers,
            &body,
        )?;
        match parsed.get("error") {
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(()),
            Some(Value::Number(n)) => Err(DeliveryError::Rejected {
                provider: PROVIDER,
                code: n.to_string(),
            }),
            _ => Err(DeliveryError::BadAnswer { provider: PROVIDER }),
        }
    }
}

impl OtpSender for ZaloZns<'_> {
    fn deliver(&self, msg: &OtpMessage) -> Result<(), DeliveryError> {
        self.send_template(
            &msg.phone_e164,
            &self.config.template_id,
            json!({ "otp": msg.code }),
            &msg.tracking_id,
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::delivery::Channel;
    use crate::testing::FakeHttp;

    fn config(base: &str) -> ZaloConfig {
        ZaloConfig {
            api_base: base.into(),
            access_token: "OA-TOKEN-xyz".into(),
            template_id: "312456".into(),
        }
    }

    fn message() -> OtpMessage {
        OtpMessage {
            phone_e164: "+84905123456".into(),
            channel: Channel::Zalo,
            code: "123456".into(),
            text: "Mã xác thực: 123456".into(),
            tracking_id: "ch_zalo_1".into(),
        }
    }

    fn deliver_with(http: &FakeHttp) -> Result<(), DeliveryError> {
        ZaloZns::new(config("https://business.openapi.zalo.me"), http).deliver(&message())
    }

    #[test]
    fn posts_template_message_with_84_phone_and_token_header() {
        let http = FakeHttp::answering(
            200,
            r#"{"error":0,"message":"Success","data":{"msg_id":"a"}}"#,
        );
        deliver_with(&http).unwrap();
        let (req, body) = http.only_request();
        assert_eq!(req.method, "POST");
        assert_eq!(req.url, "https://business.openapi.zalo.me/message/template");
        assert_eq!(
            req.headers,
            vec![
                ("access_token".to_owned(), "OA-TOKEN-xyz".to_owned()),
                ("Content-Type".to_owned(), "application/json".to_owned()),
            ]
        );
        assert_eq!(
            body,
            json!({
                "phone": "84905123456",
                "template_id": "312456",
                "template_data": {"otp": "123456"},
                "tracking_id": "ch_zalo_1",
            })
        );
    }

    #[test]
    fn trailing_slash_on_base_does_not_double() {
        let http = FakeHttp::answering(200, r#"{"error":0}"#);
        ZaloZns::new(config("http://localhost:9000/zalo/"), &http)
            .deliver(&message())
            .unwrap();
        assert_eq!(
            http.only_request().0.url,
            "http://localhost:9000/zalo/message/template"
        );
    }

    #[test]
    fn zalo_error_code_is_a_rejection() {
        let http =
            FakeHttp::answering(200, r#"{"error":-124,"message":"Access token is invalid"}"#);
        assert_eq!(
            deliver_with(&http),
            Err(DeliveryError::Rejected {
                provider: PROVIDER,
                code: "-124".into()
            })
        );
    }

    #[test]
    fn http_error_garbage_and_transport_failures_fail() {
        let http = FakeHttp::answering(502, r#"{"error":0}"#);
        assert_eq!(
            deliver_with(&http),
            Err(DeliveryError::HttpStatus {
                provider: PROVIDER,
                status: 502
            })
        );
        for body in ["not json", r#"{"message":"ok"}"#, r#"{"error":"0"}"#] {
            let http = FakeHttp::answering(200, body);
            assert_eq!(
                deliver_with(&http),
                Err(DeliveryError::BadAnswer { provider: PROVIDER }),
                "{body}"
            );
        }
        let http = FakeHttp::failing("dns error");
        let err = deliver_with(&http).unwrap_err();
        assert!(matches!(err, DeliveryError::Unreachable { .. }));
        assert!(!err.to_string().contains("OA-TOKEN"));
    }
}
