//! Why an identity operation refused, with the stable codes of docs/identity.md.

use std::fmt;

use crate::delivery::DeliveryError;
use serde_json::Map;

use crate::error::ApiError;
use crate::ports::StoreError;

/// Why starting or verifying a one-time-code challenge failed.
///
/// A malformed code (anything but six ASCII digits) is not a separate error:
/// it counts as a wrong try and answers [`OtpError::Invalid`], so malformed
/// input can neither probe a challenge nor be used for free.
#[derive(Debug, Clone, PartialEq)]
pub enum OtpError {
    /// `unknown_challenge` (404): no such challenge (or purged long ago).
    UnknownChallenge,
    /// `otp_expired` (410): past its validity, or already used.
    Expired,
    /// `otp_invalid` (401): wrong code; this many tries remain.
    Invalid {
        /// Tries the challenge has left.
        attempts_left: u32,
    },
    /// `otp_exhausted` (429): the challenge used all its tries; even the
    /// right code is refused now.
    Exhausted,
    /// `phone_locked` (429): too many consecutive failures on this phone.
    PhoneLocked {
        /// Seconds until the lock ends.
        retry_after: u64,
    },
    /// `rate_limited` (429): cooldown or a per-phone / per-IP quota.
    RateLimited {
        /// Seconds before trying again may succeed.
        retry_after: u64,
    },
    /// `delivery_failed` (502): the provider did not take the message; the
    /// challenge was withdrawn and counts against no quota.
    DeliveryFailed(DeliveryError),
    /// `store_unavailable` (503). Also used when `otp_pepper` is not set:
    /// codes are not issued without it.
    Store(StoreError),
}

impl OtpError {
    /// The stable machine code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            OtpError::UnknownChallenge => "unknown_challenge",
            OtpError::Expired => "otp_expired",
            OtpError::Invalid { .. } => "otp_invalid",
            OtpError::Exhausted => "otp_exhausted",
            OtpError::PhoneLocked { .. } => "phone_locked",
            OtpError::RateLimited { .. } => "rate_limited",
            OtpError::DeliveryFailed(_) => "delivery_failed",
            OtpError::Store(_) => "store_unavailable",
        }
    }
}

impl From<StoreError> for OtpError {
    fn from(e: StoreError) -> Self {
        OtpError::Store(e)
    }
}

impl fmt::Display for OtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OtpError::Invalid { attempts_left } => {
                write!(f, "wrong code, {attempts_left} tries left")
            }
            OtpError::PhoneLocked { retry_after } | OtpError::RateLimited { retry_after } => {
                write!(f, "{}, retry after {retry_after} s", self.code())
            }
            OtpError::DeliveryFailed(e) => write!(f, "delivery failed: {e}"),
            OtpError::Store(e) => write!(f, "{e}"),
            other => f.write_str(other.code()),
        }
    }
}

impl std::error::Error for OtpError {}

impl From<OtpError> for ApiError {
    fn from(e: OtpError) -> ApiError {
        match e {
            OtpError::UnknownChallenge => ApiError::NotFound {
                code: "unknown_challenge",
            },
            OtpError::Expired => ApiError::Gone {
                code: "otp_expired",
            },
            OtpError::Invalid { attempts_left } => ApiError::Rejected {
                code: "otp_invalid",
                fields: Map::new(),
            }
            .with_field("attempts_left", attempts_left),
            OtpError::Exhausted => ApiError::Throttled {
                code: "otp_exhausted",
                retry_after: None,
            },
            OtpError::PhoneLocked { retry_after } => ApiError::Throttled {
                code: "phone_locked",
                retry_after: Some(retry_after),
            },
            OtpError::RateLimited { retry_after } => ApiError::RateLimited { retry_after },
            OtpError::DeliveryFailed(DeliveryError::Store(s)) | OtpError::Store(s) => s.into(),
            OtpError::DeliveryFailed(e) => ApiError::delivery_failed(e),
        }
    }
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthError {
    /// Unknown, malformed, expired (idle or absolute) or revoked — one answer
    /// for all (401), so a token's history does not leak.
    InvalidToken,
    /// The store failed (503).
    Store(StoreError),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        AuthError::Store(e)
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::InvalidToken => f.write_str("invalid, expired or revoked token"),
            AuthError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AuthError {}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> ApiError {
        match e {
            AuthError::InvalidToken => ApiError::Unauthorized,
            AuthError::Store(s) => s.into(),
        }
    }
}

/// The messages (vi, en) of the codes of sign-up, login and verification codes (`otp_*`, `phone_locked`), and the accounts they find; see
/// `crate::messages`.
pub const MESSAGES: &[crate::error::Message] = &[
    (
        "citizen_not_found",
        "Không tìm thấy công dân.",
        "Citizen not found.",
    ),
    (
        "account_not_found",
        "Không tìm thấy tài khoản.",
        "Account not found.",
    ),
    (
        "unknown_challenge",
        "Yêu cầu xác thực không tồn tại. Vui lòng yêu cầu mã mới.",
        "Unknown verification request. Please request a new code.",
    ),
    (
        "id_number_taken",
        "Số CCCD này đã được xác minh cho một công dân khác; không thể xác minh lại cho tài khoản này.",
        "This CCCD number is already verified for another citizen; it cannot be confirmed for this account.",
    ),
    (
        "otp_expired",
        "Mã xác thực đã hết hạn. Vui lòng yêu cầu mã mới.",
        "The verification code has expired. Please request a new one.",
    ),
    (
        "otp_invalid",
        "Mã xác thực không đúng.",
        "The verification code is incorrect.",
    ),
    (
        "otp_exhausted",
        "Bạn đã nhập sai mã quá số lần cho phép. Vui lòng yêu cầu mã mới.",
        "Too many wrong attempts. Please request a new code.",
    ),
    (
        "phone_locked",
        "Số điện thoại tạm thời bị khóa do nhập sai mã quá nhiều lần. Vui lòng thử lại sau.",
        "This phone number is temporarily locked after too many failed attempts. Please try again later.",
    ),
];
