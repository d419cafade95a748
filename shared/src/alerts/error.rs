//! What the alert calls can refuse, and how the edge shows it.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ports::StoreError;

/// A refusal of an alert call.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertError {
    /// No such alert (or one only an exercise's publisher may see).
    NotFound,
    /// The caller is an official without the `alerts` role.
    NotPublisher,
    /// No official has that phone (the role is for officials only).
    OfficialNotFound,
    /// The alert was cancelled: nothing may follow a `Cancel`.
    Cancelled,
    /// Another update or cancel of the alert was stored first; read it
    /// and try again.
    Changed,
    /// Fields that break a rule, each with why (English).
    Invalid(Vec<(String, String)>),
    /// The database failed.
    Store(StoreError),
}

impl AlertError {
    /// One field's refusal.
    pub fn field(field: &str, problem: impl Into<String>) -> AlertError {
        AlertError::Invalid(vec![(field.to_owned(), problem.into())])
    }
}

impl fmt::Display for AlertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlertError::NotFound => f.write_str("alert not found"),
            AlertError::NotPublisher => f.write_str("not an alert publisher"),
            AlertError::OfficialNotFound => f.write_str("no official with that phone"),
            AlertError::Cancelled => f.write_str("the alert was cancelled"),
            AlertError::Changed => f.write_str("the alert changed meanwhile"),
            AlertError::Invalid(fields) => {
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                f.write_str(&parts.join("; "))
            }
            AlertError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AlertError {}

impl From<StoreError> for AlertError {
    fn from(e: StoreError) -> AlertError {
        AlertError::Store(e)
    }
}

impl From<AlertError> for ApiError {
    fn from(e: AlertError) -> ApiError {
        match e {
            AlertError::NotFound => ApiError::NotFound {
                code: "alert_not_found",
            },
            AlertError::NotPublisher => ApiError::Denied {
                code: "not_alert_publisher",
            },
            AlertError::OfficialNotFound => ApiError::NotFound {
                code: "official_not_found",
            },
            AlertError::Cancelled => ApiError::Conflict {
                code: "alert_cancelled",
                fields: Map::new(),
            },
            AlertError::Changed => ApiError::Conflict {
                code: "alert_changed",
                fields: Map::new(),
            },
            AlertError::Invalid(list) => {
                let mut fields = Map::new();
                for (k, v) in list {
                    fields.insert(k, Value::String(v));
                }
                ApiError::Invalid {
                    code: "validation_failed",
                    fields,
                }
            }
            AlertError::Store(e) => e.into(),
        }
    }
}

/// The alert codes' messages (`messages.rs`). `alert_not_found` is in the
/// notification table already.
pub const MESSAGES: &[crate::error::Message] = &[
    (
        "not_alert_publisher",
        "Tài khoản chưa được cấp quyền phát cảnh báo.",
        "This account may not publish alerts.",
    ),
    (
        "official_not_found",
        "Không tìm thấy cán bộ có số điện thoại này.",
        "No official has this phone number.",
    ),
    (
        "alert_cancelled",
        "Cảnh báo đã bị hủy, không thể cập nhật.",
        "The alert was cancelled and cannot change.",
    ),
    (
        "alert_changed",
        "Cảnh báo vừa được cập nhật; vui lòng xem lại rồi thử lại.",
        "The alert was just changed; read it and try again.",
    ),
];
