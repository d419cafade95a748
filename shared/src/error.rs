//! The one error type every API handler returns, rendered as docs/api.md JSON.
//!
//! A variant decides the status, the stable machine `code` clients branch on,
//! and a human message in Vietnamese (default) or English. Nothing a variant
//! carries from inside the platform (store errors, provider answers) reaches
//! the body: only codes, fixed messages and the client-safe `fields`. The 5xx
//! variants keep that inside text as a [`Cause`], which the component
//! skeleton logs once, with the request id, when it finishes the response.
//!
//! This module knows only the platform-wide codes. A domain that adds its own
//! codes (`slot_full`, `feedback_not_found`, …) keeps their messages beside
//! its error enum as a [`Message`] table and lists it in
//! `crate::messages`; domain errors become an `ApiError` by `From`.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::lang::Lang;
use crate::ports::StoreError;

/// The `Retry-After` seconds of a 503 `store_unavailable`.
pub const STORE_RETRY_SECONDS: u64 = 5;

/// One code's human messages: `(code, Vietnamese, English)`.
pub type Message = (&'static str, &'static str, &'static str);

/// What went wrong inside the platform behind a 5xx: the store's or the
/// provider's own message. It can name tables, hosts or SQL, so it is never
/// rendered; [`ApiError::log_line`] shows it to the operator.
///
/// Two causes always compare equal, so tests can compare errors by variant
/// (and status and code) without knowing the inside text.
#[derive(Debug, Clone, Default)]
pub struct Cause(String);

impl Cause {
    /// A cause with this text.
    pub fn new(text: impl fmt::Display) -> Cause {
        Cause(text.to_string())
    }

    /// The text, for the log.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Cause {
    fn eq(&self, _: &Cause) -> bool {
        true
    }
}

/// An API failure, mapped to a status code and a stable error `code`.
///
/// Render it with [`crate::http::Response::from_error`] (or let
/// [`crate::http::finish`] do it). Codes with a known meaning get a specific
/// message; any other code a component passes (e.g. `NotFound { code:
/// "slot_not_found" }`) gets the generic message of its status.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 400 `bad_request`: the request could not be read (broken JSON, bad
    /// encoding). The detail is a short, client-safe English explanation
    /// shown as `fields.detail`; never put internal errors in it.
    BadRequest(String),
    /// 400 with a specific code: a request that breaks a protocol's rules
    /// (OAuth 2.0's `invalid_grant`, `invalid_scope`, …, RFC 6749 §5.2).
    Protocol {
        /// The stable code.
        code: &'static str,
        /// A short, client-safe English explanation (`fields.detail`; the
        /// OAuth body's `error_description`), or empty.
        detail: &'static str,
    },
    /// 401 `unauthorized`: no token, or an invalid, expired or revoked one.
    Unauthorized,
    /// 403 `forbidden`: authenticated, but not allowed.
    Forbidden,
    /// 403 with a specific code: authenticated, and refused for a reason
    /// the client can act on (`key_scope`: the API key lacks the scope).
    Denied {
        /// The stable code.
        code: &'static str,
    },
    /// 404 with `not_found` or a specific code (`citizen_not_found`,
    /// `unknown_challenge`, …). Also for things that exist but are not the
    /// caller's, so existence does not leak.
    NotFound {
        /// The stable code.
        code: &'static str,
    },
    /// 405 `method_not_allowed`; `allow` becomes the `Allow` header.
    MethodNotAllowed {
        /// The methods the path supports.
        allow: Vec<String>,
    },
    /// 409 with a specific code (`slot_full`, `conflict`, …).
    Conflict {
        /// The stable code.
        code: &'static str,
        /// What the client needs to resolve it.
        fields: Map<String, Value>,
    },
    /// 410 with a specific code (`otp_expired`, `share_gone`, …).
    Gone {
        /// The stable code.
        code: &'static str,
    },
    /// 413 `payload_too_large`; `limit` (bytes) is shown in `fields`.
    PayloadTooLarge {
        /// The largest accepted body, in bytes.
        limit: usize,
    },
    /// 415 `unsupported_media_type`; the accepted types are shown in `fields`.
    UnsupportedMediaType {
        /// The media types the route accepts.
        expected: &'static [&'static str],
    },
    /// 422 with `validation_failed`, `invalid_phone`, …; `fields` maps each
    /// offending field to a short English description of the problem.
    Invalid {
        /// The stable code.
        code: &'static str,
        /// Each offending field and what is wrong with it.
        fields: Map<String, Value>,
    },
    /// 401 with a specific code: the credential was checked and is wrong
    /// (a wrong one-time code, with how many tries are left in `fields`).
    Rejected {
        /// The stable code.
        code: &'static str,
        /// What the client may show (tries left, …).
        fields: Map<String, Value>,
    },
    /// 429 with a specific code: this client must stop for a while (a
    /// locked phone, a challenge that used up its tries).
    Throttled {
        /// The stable code.
        code: &'static str,
        /// Seconds to wait, when known: in `fields` and `Retry-After`.
        retry_after: Option<u64>,
    },
    /// 429 `rate_limited`.
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// 502 `delivery_failed`: the SMS/Zalo provider did not take the message.
    DeliveryFailed {
        /// The provider's answer, for the log.
        source: Cause,
    },
    /// 503 `store_unavailable`.
    StoreUnavailable {
        /// `"kv"`, `"sql"`, `"store"`, `"config"`: for logs only, not rendered.
        part: &'static str,
        /// The store's own message, for the log.
        source: Cause,
    },
    /// 503 `not_configured`: the deployment's settings are unusable (a
    /// secret missing or shorter than 32 bytes, `public_base_url` unset, no
    /// Zalo OA secret). `setting` names the setting in `fields`; its value
    /// never appears anywhere.
    NotConfigured {
        /// The name of the unusable setting (never its value).
        setting: &'static str,
    },
    /// 500 `internal`, with a generic message and nothing else.
    Internal {
        /// What broke, for the log.
        source: Cause,
    },
}

impl ApiError {
    /// `BadRequest` with a client-safe detail.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest(detail.into())
    }

    /// 500 `internal`; `why` goes to the log only.
    pub fn internal(why: impl fmt::Display) -> ApiError {
        ApiError::Internal {
            source: Cause::new(why),
        }
    }

    /// 502 `delivery_failed`; the provider's answer goes to the log only.
    pub fn delivery_failed(why: impl fmt::Display) -> ApiError {
        ApiError::DeliveryFailed {
            source: Cause::new(why),
        }
    }

    /// 503 `store_unavailable` of `part`; `why` goes to the log only.
    pub fn store_unavailable(part: &'static str, why: impl fmt::Display) -> ApiError {
        ApiError::StoreUnavailable {
            part,
            source: Cause::new(why),
        }
    }

    /// The generic 404 `not_found`.
    pub fn not_found() -> ApiError {
        ApiError::NotFound { code: "not_found" }
    }

    /// A 409 with the given code and no fields.
    pub fn conflict(code: &'static str) -> ApiError {
        ApiError::Conflict {
            code,
            fields: Map::new(),
        }
    }

    /// A 422 `validation_failed` for one field.
    ///
    /// ```
    /// use cds_shared::error::ApiError;
    /// let e = ApiError::invalid_field("score", "must be between 1 and 5");
    /// assert_eq!(e.status(), 422);
    /// assert_eq!(e.code(), "validation_failed");
    /// ```
    pub fn invalid_field(field: &str, problem: &str) -> ApiError {
        let mut fields = Map::new();
        fields.insert(field.to_owned(), Value::String(problem.to_owned()));
        ApiError::Invalid {
            code: "validation_failed",
            fields,
        }
    }

    /// Adds (or replaces) one entry of `fields` on the variants that carry a
    /// map (`Conflict`, `Invalid`, `Rejected`); other variants are returned
    /// unchanged.
    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> ApiError {
        if let ApiError::Conflict { fields, .. }
        | ApiError::Invalid { fields, .. }
        | ApiError::Rejected { fields, .. } = &mut self
        {
            fields.insert(name.to_owned(), value.into());
        }
        self
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) | ApiError::Protocol { .. } => 400,
            ApiError::Unauthorized | ApiError::Rejected { .. } => 401,
            ApiError::Forbidden | ApiError::Denied { .. } => 403,
            ApiError::NotFound { .. } => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Conflict { .. } => 409,
            ApiError::Gone { .. } => 410,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::UnsupportedMediaType { .. } => 415,
            ApiError::Invalid { .. } => 422,
            ApiError::Throttled { .. } | ApiError::RateLimited { .. } => 429,
            ApiError::Internal { .. } => 500,
            ApiError::DeliveryFailed { .. } => 502,
            ApiError::StoreUnavailable { .. } | ApiError::NotConfigured { .. } => 503,
        }
    }

    /// The stable machine code (`snake_case`).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound { code }
            | ApiError::Protocol { code, .. }
            | ApiError::Denied { code }
            | ApiError::Conflict { code, .. }
            | ApiError::Gone { code }
            | ApiError::Invalid { code, .. }
            | ApiError::Rejected { code, .. }
            | ApiError::Throttled { code, .. } => code,
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType { .. } => "unsupported_media_type",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::DeliveryFailed { .. } => "delivery_failed",
            ApiError::StoreUnavailable { .. } => "store_unavailable",
            ApiError::NotConfigured { .. } => "not_configured",
            ApiError::Internal { .. } => "internal",
        }
    }

    /// The human message in `lang`: the code's own (platform-wide or from
    /// its domain's table), else the generic one of the status.
    pub fn message(&self, lang: Lang) -> &'static str {
        let code = self.code();
        let (vi, en) = platform_message(code)
            .or_else(|| crate::messages::lookup(code))
            .unwrap_or_else(|| generic_messages(self.status()));
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The `fields` object of the body (empty when there is nothing to add).
    pub fn fields(&self) -> Map<String, Value> {
        let mut map = Map::new();
        match self {
            ApiError::Protocol { detail, .. } if !detail.is_empty() => {
                map.insert("detail".into(), Value::from(*detail));
            }
            ApiError::BadRequest(detail) if !detail.is_empty() => {
                map.insert("detail".into(), Value::String(detail.clone()));
            }
            ApiError::Conflict { fields, .. }
            | ApiError::Invalid { fields, .. }
            | ApiError::Rejected { fields, .. } => {
                map.clone_from(fields);
            }
            ApiError::PayloadTooLarge { limit } => {
                map.insert("limit".into(), Value::from(*limit));
            }
            ApiError::UnsupportedMediaType { expected } => {
                map.insert("expected".into(), Value::from(expected.to_vec()));
            }
            ApiError::NotConfigured { setting } => {
                map.insert("setting".into(), Value::from(*setting));
            }
            // Also in the body because kiosk and chat-bot code reads JSON, not headers.
            ApiError::RateLimited { retry_after }
            | ApiError::Throttled {
                retry_after: Some(retry_after),
                ..
            } => {
                map.insert("retry_after".into(), Value::from(*retry_after));
            }
            _ => {}
        }
        map
    }

    /// Seconds for the `Retry-After` header, when the client should wait.
    /// A store outage has no known end; [`STORE_RETRY_SECONDS`] is a short
    /// guess, so that clients come back soon without hammering a database
    /// that is restarting.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            ApiError::Throttled { retry_after, .. } => *retry_after,
            ApiError::StoreUnavailable { .. } => Some(STORE_RETRY_SECONDS),
            _ => None,
        }
    }

    /// The value of the `Allow` header for a 405 (`"GET, POST"`).
    pub fn allow(&self) -> Option<String> {
        match self {
            ApiError::MethodNotAllowed { allow } => Some(allow.join(", ")),
            _ => None,
        }
    }

    /// Prefixes the unrendered cause of a 5xx with what was being done
    /// (`"otp for +84905***456"`), for the log line; other errors are
    /// returned unchanged.
    pub fn with_context(mut self, doing: impl fmt::Display) -> ApiError {
        if let ApiError::Internal { source }
        | ApiError::DeliveryFailed { source }
        | ApiError::StoreUnavailable { source, .. } = &mut self
        {
            *source = Cause(format!("{doing}: {}", source.0));
        }
        self
    }

    /// The inside text of a 5xx ([`Cause`]), never rendered.
    pub fn unrendered(&self) -> Option<&str> {
        match self {
            ApiError::Internal { source }
            | ApiError::DeliveryFailed { source }
            | ApiError::StoreUnavailable { source, .. } => Some(source.as_str()),
            _ => None,
        }
    }

    /// The line an operator sees for this error: [`fmt::Display`] plus the
    /// unrendered cause when there is one.
    pub fn log_line(&self) -> String {
        match self.unrendered() {
            Some(cause) if !cause.is_empty() => format!("{self}: {cause}"),
            _ => self.to_string(),
        }
    }

    /// The JSON body: `{"error":{"code":…,"message":…,"fields":{…}}}`, with
    /// `fields` present only when it has entries.
    pub fn to_json(&self, lang: Lang) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), Value::from(self.code()));
        error.insert("message".into(), Value::from(self.message(lang)));
        let fields = self.fields();
        if !fields.is_empty() {
            error.insert("fields".into(), Value::Object(fields));
        }
        let mut body = Map::new();
        body.insert("error".into(), Value::Object(error));
        Value::Object(body)
    }
}

/// Messages for codes whose meaning is fixed platform-wide.
const PLATFORM_MESSAGES: &[Message] = &[
    (
        "bad_request",
        "Yêu cầu không hợp lệ.",
        "The request is malformed.",
    ),
    (
        "unauthorized",
        "Bạn chưa đăng nhập hoặc phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
        "You are not signed in or your session has expired. Please sign in again.",
    ),
    (
        "forbidden",
        "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to do this.",
    ),
    (
        "not_found",
        "Không tìm thấy nội dung yêu cầu.",
        "The requested resource was not found.",
    ),
    (
        "method_not_allowed",
        "Phương thức này không được hỗ trợ cho địa chỉ này.",
        "This method is not allowed for this URL.",
    ),
    (
        "conflict",
        "Yêu cầu xung đột với dữ liệu hiện có.",
        "The request conflicts with the current state.",
    ),
    (
        "payload_too_large",
        "Dữ liệu gửi lên quá lớn.",
        "The request body is too large.",
    ),
    (
        "unsupported_media_type",
        "Định dạng dữ liệu không được hỗ trợ.",
        "The content type is not supported.",
    ),
    (
        "validation_failed",
        "Dữ liệu không hợp lệ, vui lòng kiểm tra lại.",
        "Some fields are invalid. Please check them.",
    ),
    (
        "rate_limited",
        "Quá nhiều yêu cầu, vui lòng thử lại sau.",
        "Too many requests, please try again later.",
    ),
    (
        "delivery_failed",
        "Không gửi được tin nhắn. Vui lòng thử lại sau.",
        "The message could not be delivered. Please try again later.",
    ),
    (
        "store_unavailable",
        "Hệ thống đang tạm thời gián đoạn, vui lòng thử lại sau.",
        "The service is temporarily unavailable, please try again later.",
    ),
    (
        "not_configured",
        "Hệ thống chưa được cấu hình đầy đủ nên tạm thời không phục vụ. Vui lòng thử lại sau.",
        "The service is not fully configured and cannot serve requests yet. Please try again later.",
    ),
    (
        "internal",
        "Đã có lỗi xảy ra, vui lòng thử lại sau.",
        "Something went wrong, please try again later.",
    ),
];

/// The platform-wide message of `code`, if it is one.
pub(crate) fn platform_message(code: &str) -> Option<(&'static str, &'static str)> {
    find(PLATFORM_MESSAGES, code)
}

/// The `(vi, en)` pair of `code` in `table`.
pub(crate) fn find(table: &[Message], code: &str) -> Option<(&'static str, &'static str)> {
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, vi, en)| (*vi, *en))
}

/// Fallback for component-specific codes without their own message.
fn generic_messages(status: u16) -> (&'static str, &'static str) {
    let code = match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        410 => {
            return (
                "Nội dung này không còn khả dụng.",
                "This resource is no longer available.",
            )
        }
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        429 => "rate_limited",
        502 => "delivery_failed",
        503 => "store_unavailable",
        _ => "internal",
    };
    platform_message(code).unwrap_or((
        "Đã có lỗi xảy ra, vui lòng thử lại sau.",
        "Something went wrong, please try again later.",
    ))
}

impl fmt::Display for ApiError {
    /// A log line: status and code, plus what helps an operator (never secrets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status(), self.code())?;
        match self {
            ApiError::BadRequest(detail) => write!(f, ": {detail}"),
            ApiError::StoreUnavailable { part, .. } => write!(f, " ({part})"),
            ApiError::NotConfigured { setting } => write!(f, " ({setting})"),
            ApiError::Invalid { fields, .. } | ApiError::Conflict { fields, .. }
                if !fields.is_empty() =>
            {
                write!(f, " {}", Value::Object(fields.clone()))
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    /// The store's own message is kept as the unrendered [`Cause`]: it can
    /// name tables, hosts or SQL, so only the log shows it.
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::Unavailable(why) => ApiError::store_unavailable("store", why),
            // A constraint that domain code did not turn into its own error is
            // almost always a unique key lost to a concurrent request.
            StoreError::Constraint(_) => ApiError::conflict("conflict"),
        }
    }
}

impl Serialize for ApiError {
    /// Serializes as the Vietnamese body, for embedding in other documents.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json(Lang::Vi).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::OtpError;
    use serde_json::json;
    use unicode_normalization::is_nfc;

    fn all_variants() -> Vec<ApiError> {
        vec![
            ApiError::bad_request("expected value"),
            ApiError::Protocol {
                code: "invalid_grant",
                detail: "",
            },
            ApiError::Unauthorized,
            ApiError::Forbidden,
            ApiError::Denied { code: "key_scope" },
            ApiError::not_found(),
            ApiError::NotFound {
                code: "citizen_not_found",
            },
            ApiError::NotFound {
                code: "unknown_challenge",
            },
            ApiError::MethodNotAllowed {
                allow: vec!["GET".into(), "POST".into()],
            },
            ApiError::conflict("slot_full"),
            ApiError::Gone {
                code: "otp_expired",
            },
            ApiError::Gone { code: "share_gone" },
            ApiError::PayloadTooLarge { limit: 65_536 },
            ApiError::UnsupportedMediaType {
                expected: &["application/json"],
            },
            ApiError::invalid_field("title", "required"),
            ApiError::Invalid {
                code: "invalid_phone",
                fields: Map::new(),
            },
            OtpError::Invalid { attempts_left: 3 }.into(),
            OtpError::Exhausted.into(),
            OtpError::PhoneLocked { retry_after: 900 }.into(),
            ApiError::RateLimited { retry_after: 60 },
            ApiError::delivery_failed("smpp: connection reset"),
            ApiError::store_unavailable("kv", "redis refused"),
            ApiError::internal("bug"),
        ]
    }

    #[test]
    fn maps_variants_to_spec_status_and_code() {
        let got: Vec<(u16, &str)> = all_variants()
            .iter()
            .map(|e| (e.status(), e.code()))
            .collect();
        assert_eq!(
            got,
            vec![
                (400, "bad_request"),
                (400, "invalid_grant"),
                (401, "unauthorized"),
                (403, "forbidden"),
                (403, "key_scope"),
                (404, "not_found"),
                (404, "citizen_not_found"),
                (404, "unknown_challenge"),
                (405, "method_not_allowed"),
                (409, "slot_full"),
                (410, "otp_expired"),
                (410, "share_gone"),
                (413, "payload_too_large"),
                (415, "unsupported_media_type"),
                (422, "validation_failed"),
                (422, "invalid_phone"),
                (401, "otp_invalid"),
                (429, "otp_exhausted"),
                (429, "phone_locked"),
                (429, "rate_limited"),
                (502, "delivery_failed"),
                (503, "store_unavailable"),
                (500, "internal"),
            ]
        );
    }

    #[test]
    fn renders_otp_invalid_with_attempts_left() {
        let body = ApiError::from(OtpError::Invalid { attempts_left: 2 }).to_json(Lang::Vi);
        assert_eq!(
            body,
            json!({"error":{"code":"otp_invalid","message":"Mã xác thực không đúng.","fields":{"attempts_left":2}}})
        );
    }

    #[test]
    fn omits_fields_when_empty() {
        let body = ApiError::Unauthorized.to_json(Lang::En);
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"].get("fields").is_none());
    }

    #[test]
    fn a_store_outage_asks_clients_to_come_back_soon() {
        let e = ApiError::store_unavailable("sql", "connection refused");
        assert_eq!(e.status(), 503);
        assert_eq!(e.retry_after(), Some(STORE_RETRY_SECONDS));
        assert_eq!(ApiError::Unauthorized.retry_after(), None);
    }

    #[test]
    fn speaks_english_when_asked() {
        let e = ApiError::RateLimited { retry_after: 5 };
        assert_eq!(
            e.message(Lang::Vi),
            "Quá nhiều yêu cầu, vui lòng thử lại sau."
        );
        assert_eq!(
            e.message(Lang::En),
            "Too many requests, please try again later."
        );
    }

    #[test]
    fn every_message_is_nfc_and_distinct_per_language() {
        for e in all_variants() {
            let (vi, en) = (e.message(Lang::Vi), e.message(Lang::En));
            assert!(is_nfc(vi), "{vi}");
            assert!(!vi.is_empty() && !en.is_empty());
            assert_ne!(vi, en);
        }
    }

    #[test]
    fn unknown_component_codes_get_the_generic_message_of_their_status() {
        let e = ApiError::NotFound {
            code: "slot_not_found",
        };
        assert_eq!(e.code(), "slot_not_found");
        assert_eq!(e.message(Lang::En), "The requested resource was not found.");
        let g = ApiError::Gone { code: "revoked" };
        assert_eq!(g.message(Lang::Vi), "Nội dung này không còn khả dụng.");
    }

    #[test]
    fn store_errors_never_leak_their_detail() {
        let e: ApiError = StoreError::Unavailable("redis://10.0.0.3:6379 refused".into()).into();
        assert_eq!(e.status(), 503);
        let rendered = e.to_json(Lang::En).to_string();
        assert!(!rendered.contains("redis"), "{rendered}");
        assert!(!rendered.contains("10.0.0.3"));
        let c: ApiError =
            StoreError::Constraint("UNIQUE constraint failed: citizens.phone".into()).into();
        assert_eq!(c.status(), 409);
        assert!(!c.to_json(Lang::Vi).to_string().contains("citizens"));
    }

    #[test]
    fn exposes_retry_after_and_allow_for_headers() {
        assert_eq!(
            ApiError::from(OtpError::PhoneLocked { retry_after: 900 }).retry_after(),
            Some(900)
        );
        assert_eq!(
            ApiError::RateLimited { retry_after: 60 }.retry_after(),
            Some(60)
        );
        assert_eq!(ApiError::from(OtpError::Exhausted).retry_after(), None);
        let e = ApiError::MethodNotAllowed {
            allow: vec!["GET".into(), "DELETE".into()],
        };
        assert_eq!(e.allow().as_deref(), Some("GET, DELETE"));
        assert_eq!(ApiError::internal("").allow(), None);
    }

    #[test]
    fn with_field_adds_to_map_variants_only() {
        let e = ApiError::conflict("already_booked").with_field("appointment_id", "ap_1");
        assert_eq!(e.fields()["appointment_id"], "ap_1");
        assert_eq!(ApiError::Forbidden.with_field("x", 1), ApiError::Forbidden);
    }

    #[test]
    fn internal_error_says_nothing_specific() {
        let body = ApiError::internal("").to_json(Lang::En);
        assert_eq!(
            body,
            json!({"error":{"code":"internal","message":"Something went wrong, please try again later."}})
        );
    }

    #[test]
    fn display_is_a_useful_log_line() {
        assert_eq!(
            ApiError::store_unavailable("sql", "").to_string(),
            "503 store_unavailable (sql)"
        );
        assert_eq!(
            ApiError::bad_request("trailing characters").to_string(),
            "400 bad_request: trailing characters"
        );
    }
}
