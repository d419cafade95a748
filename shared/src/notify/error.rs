//! What the notification calls can refuse, and how the edge shows it.

use std::fmt;

use crate::error::ApiError;
use crate::ports::StoreError;

/// A refusal of a notification call.
#[derive(Debug, Clone, PartialEq)]
pub enum NotifyError {
    /// No such notice in the caller's inbox (or not theirs).
    NotFound,
    /// A settings change that breaks a rule; the field and why.
    Invalid {
        /// The offending field.
        field: String,
        /// What is wrong, in English.
        problem: &'static str,
    },
    /// The database failed.
    Store(StoreError),
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyError::NotFound => f.write_str("notification not found"),
            NotifyError::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            NotifyError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for NotifyError {}

impl From<StoreError> for NotifyError {
    fn from(e: StoreError) -> NotifyError {
        NotifyError::Store(e)
    }
}

impl From<NotifyError> for ApiError {
    fn from(e: NotifyError) -> ApiError {
        match e {
            NotifyError::NotFound => ApiError::NotFound {
                code: "notification_not_found",
            },
            NotifyError::Invalid { field, problem } => ApiError::invalid_field(&field, problem),
            NotifyError::Store(e) => e.into(),
        }
    }
}

/// The notification codes' messages (`messages.rs`).
pub const MESSAGES: &[crate::error::Message] = &[
    (
        "notification_not_found",
        "Không tìm thấy thông báo.",
        "Notification not found.",
    ),
    (
        "alert_not_found",
        "Không tìm thấy cảnh báo.",
        "Alert not found.",
    ),
];
