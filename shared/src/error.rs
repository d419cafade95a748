//! The one error type every API handler returns, rendered as SPEC §4 JSON.
//!
//! A variant decides the status, the stable machine `code` clients branch on,
//! and a human message in Vietnamese (default) or English. Nothing a variant
//! carries from inside the platform (store errors, provider answers) reaches
//! the body: only codes, fixed messages and the client-safe `fields`.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::lang::Lang;
use crate::ports::StoreError;

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
    /// 401 `unauthorized`: no token, or an invalid, expired or revoked one.
    Unauthorized,
    /// 403 `forbidden`: authenticated, but not allowed.
    Forbidden,
    /// 403 with a specific code: authenticated, and refused for a reason
    /// the client can act on (`key_scope`: the API key lacks the scope).
    Denied { code: &'static str },
    /// 404 with `not_found` or a specific code (`citizen_not_found`,
    /// `unknown_challenge`, …). Also for things that exist but are not the
    /// caller's, so existence does not leak.
    NotFound { code: &'static str },
    /// 405 `method_not_allowed`; `allow` becomes the `Allow` header.
    MethodNotAllowed { allow: Vec<String> },
    /// 409 with a specific code (`slot_full`, `conflict`, …).
    Conflict {
        code: &'static str,
        fields: Map<String, Value>,
    },
    /// 410 with a specific code (`otp_expired`, `share_gone`, …).
    Gone { code: &'static str },
    /// 413 `payload_too_large`; `limit` (bytes) is shown in `fields`.
    PayloadTooLarge { limit: usize },
    /// 415 `unsupported_media_type`; the accepted types are shown in `fields`.
    UnsupportedMediaType { expected: &'static [&'static str] },
    /// 422 with `validation_failed`, `invalid_phone`, …; `fields` maps each
    /// offending field to a short English description of the problem.
    Invalid {
        code: &'static str,
        fields: Map<String, Value>,
    },
    /// 401 `otp_invalid`: wrong one-time code.
    OtpInvalid { attempts_left: u32 },
    /// 429 `otp_exhausted`: the challenge used up its tries.
    OtpExhausted,
    /// 429 `phone_locked`: too many failures on this phone.
    PhoneLocked { retry_after: u64 },
    /// 429 `rate_limited`.
    RateLimited { retry_after: u64 },
    /// 502 `delivery_failed`: the SMS/Zalo provider did not take the message.
    DeliveryFailed,
    /// 503 `store_unavailable`. `part` (`"kv"`, `"sql"`, `"store"`) is for
    /// logs only and is not rendered.
    StoreUnavailable { part: &'static str },
    /// 500 `internal`, with a generic message and nothing else.
    Internal,
}

impl ApiError {
    /// `BadRequest` with a client-safe detail.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest(detail.into())
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
    /// map (`Conflict`, `Invalid`); other variants are returned unchanged.
    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> ApiError {
        if let ApiError::Conflict { fields, .. } | ApiError::Invalid { fields, .. } = &mut self {
            fields.insert(name.to_owned(), value.into());
        }
        self
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized | ApiError::OtpInvalid { .. } => 401,
            ApiError::Forbidden | ApiError::Denied { .. } => 403,
            ApiError::NotFound { .. } => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Conflict { .. } => 409,
            ApiError::Gone { .. } => 410,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::UnsupportedMediaType { .. } => 415,
            ApiError::Invalid { .. } => 422,
            ApiError::OtpExhausted
            | ApiError::PhoneLocked { .. }
            | ApiError::RateLimited { .. } => 429,
            ApiError::Internal => 500,
            ApiError::DeliveryFailed => 502,
            ApiError::StoreUnavailable { .. } => 503,
        }
    }

    /// The stable machine code (`snake_case`).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound { code }
            | ApiError::Denied { code }
            | ApiError::Conflict { code, .. }
            | ApiError::Gone { code }
            | ApiError::Invalid { code, .. } => code,
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType { .. } => "unsupported_media_type",
            ApiError::OtpInvalid { .. } => "otp_invalid",
            ApiError::OtpExhausted => "otp_exhausted",
            ApiError::PhoneLocked { .. } => "phone_locked",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::DeliveryFailed => "delivery_failed",
            ApiError::StoreUnavailable { .. } => "store_unavailable",
            ApiError::Internal => "internal",
        }
    }

    /// The human message in `lang`.
    pub fn message(&self, lang: Lang) -> &'static str {
        let (vi, en) = messages(self.code()).unwrap_or_else(|| generic_messages(self.status()));
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The `fields` object of the body (empty when there is nothing to add).
    pub fn fields(&self) -> Map<String, Value> {
        let mut map = Map::new();
        match self {
            ApiError::BadRequest(detail) if !detail.is_empty() => {
                map.insert("detail".into(), Value::String(detail.clone()));
            }
            ApiError::Conflict { fields, .. } | ApiError::Invalid { fields, .. } => {
                map.clone_from(fields);
            }
            ApiError::PayloadTooLarge { limit } => {
                map.insert("limit".into(), Value::from(*limit));
            }
            ApiError::UnsupportedMediaType { expected } => {
                map.insert("expected".into(), Value::from(expected.to_vec()));
            }
            ApiError::OtpInvalid { attempts_left } => {
                map.insert("attempts_left".into(), Value::from(*attempts_left));
            }
            // Also in the body because kiosk and chat-bot code reads JSON, not headers.
            ApiError::PhoneLocked { retry_after } | ApiError::RateLimited { retry_after } => {
                map.insert("retry_after".into(), Value::from(*retry_after));
            }
            _ => {}
        }
        map
    }

    /// Seconds for the `Retry-After` header, when the client should wait.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::PhoneLocked { retry_after } | ApiError::RateLimited { retry_after } => {
                Some(*retry_after)
            }
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
fn messages(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "bad_request" => (
            "Yêu cầu không hợp lệ.",
            "The request is malformed.",
        ),
        "unauthorized" => (
            "Bạn chưa đăng nhập hoặc phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
            "You are not signed in or your session has expired. Please sign in again.",
        ),
        "forbidden" => (
            "Bạn không có quyền thực hiện thao tác này.",
            "You are not allowed to do this.",
        ),
        "not_found" => (
            "Không tìm thấy nội dung yêu cầu.",
            "The requested resource was not found.",
        ),
        "citizen_not_found" => ("Không tìm thấy công dân.", "Citizen not found."),
        "key_scope" => (
            "Khóa API này không được cấp quyền cho thao tác này.",
            "This API key is not allowed to do this.",
        ),
        "key_not_found" => ("Không tìm thấy khóa API.", "API key not found."),
        "account_not_found" => ("Không tìm thấy tài khoản.", "Account not found."),
        "unknown_challenge" => (
            "Yêu cầu xác thực không tồn tại. Vui lòng yêu cầu mã mới.",
            "Unknown verification request. Please request a new code.",
        ),
        "method_not_allowed" => (
            "Phương thức này không được hỗ trợ cho địa chỉ này.",
            "This method is not allowed for this URL.",
        ),
        "conflict" => (
            "Yêu cầu xung đột với dữ liệu hiện có.",
            "The request conflicts with the current state.",
        ),
        "feedback_not_found" => ("Không tìm thấy phản ánh.", "Feedback not found."),
        "invalid_transition" => (
            "Không thể chuyển phản ánh sang trạng thái này từ trạng thái hiện tại.",
            "The feedback cannot move to this status from its current one.",
        ),
        "status_changed" => (
            "Phản ánh vừa được cán bộ khác cập nhật. Vui lòng tải lại và thử lại.",
            "Another official has just updated this feedback. Reload and try again.",
        ),
        "feedback_not_closed" => (
            "Chỉ đánh giá được khi phản ánh đã được xử lý xong hoặc bị từ chối.",
            "Feedback can only be rated once it is resolved or rejected.",
        ),
        "already_rated" => (
            "Bạn đã đánh giá phản ánh này.",
            "You have already rated this feedback.",
        ),
        "slot_full" => (
            "Khung giờ này đã hết chỗ. Vui lòng chọn khung giờ khác.",
            "This time slot is full. Please choose another one.",
        ),
        "already_booked" => (
            "Bạn đã có lịch hẹn cho dịch vụ này trong ngày. Mỗi ngày chỉ được đặt một lịch cho một dịch vụ.",
            "You already have an appointment for this service that day. One booking per service per day.",
        ),
        "slot_past" => (
            "Khung giờ này đã bắt đầu hoặc đã qua. Vui lòng chọn khung giờ khác.",
            "This time slot has already started. Please choose another one.",
        ),
        "slot_started" => (
            "Lịch hẹn đã đến giờ nên không thể hủy hoặc đổi nữa.",
            "The appointment has started and can no longer be cancelled or moved.",
        ),
        "outside_checkin_window" => (
            "Chỉ có thể xác nhận có mặt từ 30 phút trước đến 15 phút sau giờ hẹn (xem opens_at, closes_at).",
            "Check-in is open from 30 minutes before to 15 minutes after the appointment time (see opens_at, closes_at).",
        ),
        "already_checked_in" => (
            "Vé này đã được xác nhận có mặt.",
            "This ticket has already been checked in.",
        ),
        "appointment_not_found" => ("Không tìm thấy lịch hẹn.", "Appointment not found."),
        "ticket_not_found" => ("Không tìm thấy vé với mã này.", "No ticket with this code."),
        "otp_expired" => (
            "Mã xác thực đã hết hạn. Vui lòng yêu cầu mã mới.",
            "The verification code has expired. Please request a new one.",
        ),
        "share_gone" => (
            "Liên kết chia sẻ đã hết hạn, hết lượt sử dụng hoặc đã bị thu hồi.",
            "This share link has expired, been used up or been revoked.",
        ),
        "payload_too_large" => (
            "Dữ liệu gửi lên quá lớn.",
            "The request body is too large.",
        ),
        "unsupported_media_type" => (
            "Định dạng dữ liệu không được hỗ trợ.",
            "The content type is not supported.",
        ),
        "validation_failed" => (
            "Dữ liệu không hợp lệ, vui lòng kiểm tra lại.",
            "Some fields are invalid. Please check them.",
        ),
        "invalid_phone" => (
            "Số điện thoại không hợp lệ. Vui lòng nhập số di động Việt Nam, ví dụ 0905 123 456.",
            "Invalid phone number. Please enter a Vietnamese mobile number, e.g. 0905 123 456.",
        ),
        "otp_invalid" => (
            "Mã xác thực không đúng.",
            "The verification code is incorrect.",
        ),
        "otp_exhausted" => (
            "Bạn đã nhập sai mã quá số lần cho phép. Vui lòng yêu cầu mã mới.",
            "Too many wrong attempts. Please request a new code.",
        ),
        "phone_locked" => (
            "Số điện thoại tạm thời bị khóa do nhập sai mã quá nhiều lần. Vui lòng thử lại sau.",
            "This phone number is temporarily locked after too many failed attempts. Please try again later.",
        ),
        "rate_limited" => (
            "Quá nhiều yêu cầu, vui lòng thử lại sau.",
            "Too many requests, please try again later.",
        ),
        "delivery_failed" => (
            "Không gửi được tin nhắn. Vui lòng thử lại sau.",
            "The message could not be delivered. Please try again later.",
        ),
        "store_unavailable" => (
            "Hệ thống đang tạm thời gián đoạn, vui lòng thử lại sau.",
            "The service is temporarily unavailable, please try again later.",
        ),
        "internal" => (
            "Đã có lỗi xảy ra, vui lòng thử lại sau.",
            "Something went wrong, please try again later.",
        ),
        _ => return None,
    })
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
    messages(code).unwrap_or((
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
            ApiError::StoreUnavailable { part } => write!(f, " ({part})"),
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
    /// The store's own message is dropped: it can name tables, hosts or SQL.
    /// Log the `StoreError` first if it is needed.
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::Unavailable(_) => ApiError::StoreUnavailable { part: "store" },
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
    use serde_json::json;
    use unicode_normalization::is_nfc;

    fn all_variants() -> Vec<ApiError> {
        vec![
            ApiError::bad_request("expected value"),
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
            ApiError::OtpInvalid { attempts_left: 3 },
            ApiError::OtpExhausted,
            ApiError::PhoneLocked { retry_after: 900 },
            ApiError::RateLimited { retry_after: 60 },
            ApiError::DeliveryFailed,
            ApiError::StoreUnavailable { part: "kv" },
            ApiError::Internal,
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
        let body = ApiError::OtpInvalid { attempts_left: 2 }.to_json(Lang::Vi);
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
            ApiError::PhoneLocked { retry_after: 900 }.retry_after(),
            Some(900)
        );
        assert_eq!(
            ApiError::RateLimited { retry_after: 60 }.retry_after(),
            Some(60)
        );
        assert_eq!(ApiError::OtpExhausted.retry_after(), None);
        let e = ApiError::MethodNotAllowed {
            allow: vec!["GET".into(), "DELETE".into()],
        };
        assert_eq!(e.allow().as_deref(), Some("GET, DELETE"));
        assert_eq!(ApiError::Internal.allow(), None);
    }

    #[test]
    fn with_field_adds_to_map_variants_only() {
        let e = ApiError::conflict("already_booked").with_field("appointment_id", "ap_1");
        assert_eq!(e.fields()["appointment_id"], "ap_1");
        assert_eq!(ApiError::Forbidden.with_field("x", 1), ApiError::Forbidden);
    }

    #[test]
    fn internal_error_says_nothing_specific() {
        let body = ApiError::Internal.to_json(Lang::En);
        assert_eq!(
            body,
            json!({"error":{"code":"internal","message":"Something went wrong, please try again later."}})
        );
    }

    #[test]
    fn display_is_a_useful_log_line() {
        assert_eq!(
            ApiError::StoreUnavailable { part: "sql" }.to_string(),
            "503 store_unavailable (sql)"
        );
        assert_eq!(
            ApiError::bad_request("trailing characters").to_string(),
            "400 bad_request: trailing characters"
        );
    }
}
