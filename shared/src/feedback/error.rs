//! Why a feedback operation refused, and how that reads as an API error.

use std::fmt;

use serde_json::{Map, Value};

use super::status::Status;
use crate::error::ApiError;
use crate::ports::StoreError;

/// Why a feedback operation refused.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedbackError {
    /// 422 `validation_failed`: each offending field (`title`,
    /// `location.lat`, …) with a stable reason (`required`, `too_long`,
    /// `out_of_range`, `unknown_value`, `control_characters`, `format`).
    Invalid(Vec<(&'static str, &'static str)>),
    /// 404 `feedback_not_found`: no such item, or one the caller may not see.
    NotFound,
    /// 403 `forbidden`: the caller sees the item but may not do this to it.
    Forbidden,
    /// 409 `invalid_transition`: the workflow does not allow `from` → `to`.
    InvalidTransition {
        /// The item's status.
        from: Status,
        /// The status asked for.
        to: Status,
    },
    /// 409 `status_changed`: another official changed the status between
    /// reading the item and writing; `current` is what it is now.
    StatusChanged {
        /// The status now (`None` if the item vanished).
        current: Option<Status>,
    },
    /// 409 `feedback_not_closed`: ratings wait until resolved or rejected.
    NotClosed,
    /// 409 `already_rated`: one rating per item.
    AlreadyRated,
    /// 429 `rate_limited`: the sender's submission quota is used up.
    RateLimited {
        /// Seconds until the oldest counted submission leaves the window.
        retry_after: u64,
    },
    /// 503 (or 409 for a constraint the domain did not expect).
    Store(StoreError),
}

impl FeedbackError {
    /// One invalid field.
    pub fn invalid(field: &'static str, reason: &'static str) -> FeedbackError {
        FeedbackError::Invalid(vec![(field, reason)])
    }
}

impl From<StoreError> for FeedbackError {
    fn from(e: StoreError) -> Self {
        FeedbackError::Store(e)
    }
}

impl fmt::Display for FeedbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeedbackError::Invalid(fields) => write!(f, "invalid: {fields:?}"),
            FeedbackError::NotFound => f.write_str("feedback not found"),
            FeedbackError::Forbidden => f.write_str("forbidden"),
            FeedbackError::InvalidTransition { from, to } => {
                write!(f, "invalid transition {} -> {}", from.as_str(), to.as_str())
            }
            FeedbackError::StatusChanged { .. } => f.write_str("status changed concurrently"),
            FeedbackError::NotClosed => f.write_str("feedback not closed"),
            FeedbackError::AlreadyRated => f.write_str("already rated"),
            FeedbackError::RateLimited { retry_after } => {
                write!(f, "rate limited ({retry_after} s)")
            }
            FeedbackError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FeedbackError {}

impl From<FeedbackError> for ApiError {
    fn from(e: FeedbackError) -> ApiError {
        match e {
            FeedbackError::Invalid(list) => {
                let mut fields = Map::new();
                for (field, reason) in list {
                    fields.insert(field.to_owned(), Value::from(reason));
                }
                ApiError::Invalid {
                    code: "validation_failed",
                    fields,
                }
            }
            FeedbackError::NotFound => ApiError::NotFound {
                code: "feedback_not_found",
            },
            FeedbackError::Forbidden => ApiError::Forbidden,
            FeedbackError::InvalidTransition { from, to } => {
                ApiError::conflict("invalid_transition")
                    .with_field("from", from.as_str())
                    .with_field("to", to.as_str())
            }
            FeedbackError::StatusChanged { current } => {
                let err = ApiError::conflict("status_changed");
                match current {
                    Some(s) => err.with_field("status", s.as_str()),
                    None => err,
                }
            }
            FeedbackError::NotClosed => ApiError::conflict("feedback_not_closed"),
            FeedbackError::AlreadyRated => ApiError::conflict("already_rated"),
            FeedbackError::RateLimited { retry_after } => ApiError::RateLimited { retry_after },
            FeedbackError::Store(s) => s.into(),
        }
    }
}

/// The messages (vi, en) of the codes of feedback and its workflow; see
/// `crate::messages`.
pub const MESSAGES: &[crate::error::Message] = &[
    (
        "feedback_not_found",
        "Không tìm thấy phản ánh.",
        "Feedback not found.",
    ),
    (
        "invalid_transition",
        "Không thể chuyển phản ánh sang trạng thái này từ trạng thái hiện tại.",
        "The feedback cannot move to this status from its current one.",
    ),
    (
        "status_changed",
        "Phản ánh vừa được cán bộ khác cập nhật. Vui lòng tải lại và thử lại.",
        "Another official has just updated this feedback. Reload and try again.",
    ),
    (
        "feedback_not_closed",
        "Chỉ đánh giá được khi phản ánh đã được xử lý xong hoặc bị từ chối.",
        "Feedback can only be rated once it is resolved or rejected.",
    ),
    (
        "already_rated",
        "Bạn đã đánh giá phản ánh này.",
        "You have already rated this feedback.",
    ),
];
