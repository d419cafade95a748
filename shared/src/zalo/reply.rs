//! Sending text replies through the OA API:
//! `POST {zalo_api_base}/v3.0/oa/message/cs` with the `access_token` header.

use std::fmt;

use serde_json::{json, Value};

use crate::ports::{HttpClient, OutboundRequest, Settings};

/// Settings for replies (`zalo_api_base`, `zalo_access_token`).
#[derive(Clone, PartialEq, Eq)]
pub struct OaConfig {
    /// `zalo_api_base`, e.g. `https://openapi.zalo.me`.
    pub api_base: String,
    /// `zalo_access_token`.
    pub access_token: String,
}

// The access token stays out of logs even when someone debug-prints this.
impl fmt::Debug for OaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OaConfig")
            .field("api_base", &self.api_base)
            .field("access_token", &"[redacted]")
            .finish()
    }
}

impl OaConfig {
    /// Both settings present and the base an http(s) URL; `None` otherwise.
    pub fn from_settings(settings: &dyn Settings) -> Option<OaConfig> {
        let api_base = settings.get("zalo_api_base")?.trim().to_owned();
        let access_token = settings.get("zalo_access_token")?.trim().to_owned();
        let http = api_base.starts_with("https://") || api_base.starts_with("http://");
        (http && !access_token.is_empty()).then_some(OaConfig {
            api_base,
            access_token,
        })
    }

    /// The customer-service message endpoint; a trailing `/` never doubles.
    pub fn message_url(&self) -> String {
        format!("{}/v3.0/oa/message/cs", self.api_base.trim_end_matches('/'))
    }
}

/// Why a reply did not go out. Safe to log: never holds the token or the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyError {
    /// The transport failed (shortened reason).
    Unreachable(String),
    /// The OA API answered with a non-2xx status.
    HttpStatus(u16),
    /// Zalo answered with a non-zero `error` (e.g. -230: the user has not
    /// messaged the OA in the last 7 days).
    Rejected(i64),
    /// The answer was not the JSON expected.
    BadAnswer,
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::Unreachable(r) => write!(f, "OA API unreachable: {r}"),
            ReplyError::HttpStatus(s) => write!(f, "OA API answered HTTP {s}"),
            ReplyError::Rejected(code) => write!(f, "OA API refused the message with error {code}"),
            ReplyError::BadAnswer => f.write_str("OA API answered with an unexpected body"),
        }
    }
}

impl std::error::Error for ReplyError {}

/// Sends one text message to a Zalo user.
pub fn send_text(
    http: &dyn HttpClient,
    config: &OaConfig,
    user_id: &str,
    text: &str,
) -> Result<(), ReplyError> {
    let body = json!({"recipient": {"user_id": user_id}, "message": {"text": text}});
    let request = OutboundRequest {
        method: "POST".to_owned(),
        url: config.message_url(),
        headers: vec![
            ("access_token".to_owned(), config.access_token.clone()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ],
        body: body.to_string().into_bytes(),
    };
    let answer = http
        .send(&request)
        .map_err(|e| ReplyError::Unreachable(e.chars().take(200).collect()))?;
    if !(200..300).contains(&answer.status) {
        return Err(ReplyError::HttpStatus(answer.status));
    }
    let parsed: Value = serde_json::from_slice(&answer.body).map_err(|_| ReplyError::BadAnswer)?;
    match parsed.get("error").and_then(Value::as_i64) {
        Some(0) => Ok(()),
        Some(code) => Err(ReplyError::Rejected(code)),
        None => Err(ReplyError::BadAnswer),
    }
}

/// Sends the parts in order, stopping at the first failure (later parts
/// would arrive without their beginning). Returns how many went out and the
/// failure, if any, for the caller to log.
pub fn send_all(
    http: &dyn HttpClient,
    config: &OaConfig,
    user_id: &str,
    parts: &[String],
) -> (usize, Option<ReplyError>) {
    for (i, part) in parts.iter().enumerate() {
        if let Err(e) = send_text(http, config, user_id, part) {
            return (i, Some(e));
        }
    }
    (parts.len(), None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::testing::FakeHttp;

    fn config() -> OaConfig {
        OaConfig {
            api_base: "https://openapi.zalo.me/".into(),
            access_token: "OA-TOKEN".into(),
        }
    }

    #[test]
    fn posts_the_cs_message_with_token_header() {
        let http = FakeHttp::answering(200, r#"{"error":0,"message":"Success"}"#);
        send_text(&http, &config(), "2468", "Xin chào").unwrap();
        let (req, body) = http.only_request();
        assert_eq!(req.url, "https://openapi.zalo.me/v3.0/oa/message/cs");
        assert!(req
            .headers
            .contains(&("access_token".into(), "OA-TOKEN".into())));
        assert_eq!(
            body,
            json!({"recipient":{"user_id":"2468"},"message":{"text":"Xin chào"}})
        );
    }

    #[test]
    fn failures_are_reported_without_secrets() {
        let http =
            FakeHttp::answering(200, r#"{"error":-230,"message":"User has not interacted"}"#);
        assert_eq!(
            send_text(&http, &config(), "1", "a"),
            Err(ReplyError::Rejected(-230))
        );
        let http = FakeHttp::answering(503, "");
        assert_eq!(
            send_text(&http, &config(), "1", "a"),
            Err(ReplyError::HttpStatus(503))
        );
        let http = FakeHttp::answering(200, "nope");
        assert_eq!(
            send_text(&http, &config(), "1", "a"),
            Err(ReplyError::BadAnswer)
        );
        let http = FakeHttp::failing("connection refused");
        let err = send_text(&http, &config(), "1", "a").unwrap_err();
        assert!(!err.to_string().contains("OA-TOKEN"));
    }

    #[test]
    fn send_all_stops_at_the_first_failure() {
        let http = FakeHttp::failing("timeout");
        let (sent, err) = send_all(&http, &config(), "1", &["a".into(), "b".into()]);
        assert_eq!(sent, 0);
        assert!(err.is_some());
        assert_eq!(http.sent.borrow().len(), 1);
    }

    #[test]
    fn config_needs_a_url_and_a_token() {
        use crate::testing::MapSettings;
        let ok = MapSettings::default()
            .with("zalo_api_base", "http://127.0.0.1:9")
            .with("zalo_access_token", "t");
        assert!(OaConfig::from_settings(&ok).is_some());
        let no_token = MapSettings::default()
            .with("zalo_api_base", "http://127.0.0.1:9")
            .with("zalo_access_token", " ");
        assert!(OaConfig::from_settings(&no_token).is_none());
        let bad_url = MapSettings::default()
            .with("zalo_api_base", "ftp://x")
            .with("zalo_access_token", "t");
        assert!(OaConfig::from_settings(&bad_url).is_none());
    }
}
