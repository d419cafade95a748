//! What the provider refuses, as OAuth 2.0 / OpenID Connect error codes
//! (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, OIDC Core §3.1.2.6), and
//! their messages for the pages and JSON bodies.

use std::fmt;

use crate::error::{ApiError, Message};
use crate::ports::StoreError;

/// A refusal of the provider. The variants carry no secrets: the text of
/// `InvalidRequest` is a short English description safe to show the client.
#[derive(Debug, Clone, PartialEq)]
pub enum SsoError {
    /// `invalid_request`: a parameter is missing, repeated or malformed.
    InvalidRequest(&'static str),
    /// `invalid_client`: unknown or disabled client, or its authentication
    /// failed (401).
    InvalidClient,
    /// `invalid_grant`: the code or refresh token is unknown, expired, used,
    /// revoked, or was issued to another client or redirect URI, or the PKCE
    /// verifier does not match.
    InvalidGrant,
    /// `invalid_grant` to the client: a used code or refresh token came
    /// back, and the grant it belonged to (every token of that family) was
    /// revoked by this request. The citizen's account, for the audit entry.
    Replayed {
        /// Whose grant was revoked.
        account_id: String,
    },
    /// `unauthorized_client`: the client may not use this grant.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`: unknown, or not allowed for the client.
    InvalidScope,
    /// `invalid_token` (RFC 6750): the access token is malformed, expired
    /// or revoked (401).
    InvalidToken,
    /// `insufficient_scope` (RFC 6750): the token does not carry the scope
    /// (403).
    InsufficientScope,
    /// The store failed.
    Store(StoreError),
}

impl SsoError {
    /// The protocol's error code.
    pub fn code(&self) -> &'static str {
        match self {
            SsoError::InvalidRequest(_) => "invalid_request",
            SsoError::InvalidClient => "invalid_client",
            SsoError::InvalidGrant | SsoError::Replayed { .. } => "invalid_grant",
            SsoError::UnauthorizedClient => "unauthorized_client",
            SsoError::UnsupportedGrantType => "unsupported_grant_type",
            SsoError::InvalidScope => "invalid_scope",
            SsoError::InvalidToken => "invalid_token",
            SsoError::InsufficientScope => "insufficient_scope",
            SsoError::Store(_) => "store_unavailable",
        }
    }
}

impl fmt::Display for SsoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SsoError::InvalidRequest(why) => write!(f, "invalid_request: {why}"),
            SsoError::Store(e) => write!(f, "store: {e}"),
            other => f.write_str(other.code()),
        }
    }
}

impl From<StoreError> for SsoError {
    fn from(e: StoreError) -> SsoError {
        SsoError::Store(e)
    }
}

impl From<SsoError> for ApiError {
    fn from(e: SsoError) -> ApiError {
        match e {
            SsoError::InvalidRequest(why) => ApiError::Protocol {
                code: "invalid_request",
                detail: why,
            },
            SsoError::InvalidClient => ApiError::Rejected {
                code: "invalid_client",
                fields: Default::default(),
            },
            SsoError::InvalidToken => ApiError::Rejected {
                code: "invalid_token",
                fields: Default::default(),
            },
            SsoError::InsufficientScope => ApiError::Denied {
                code: "insufficient_scope",
            },
            SsoError::Store(e) => e.into(),
            other => ApiError::Protocol {
                code: other.code(),
                detail: "",
            },
        }
    }
}

/// The messages of the provider's codes.
pub const MESSAGES: &[Message] = &[
    (
        "invalid_request",
        "Yêu cầu đăng nhập không hợp lệ.",
        "The sign-in request is not valid.",
    ),
    (
        "invalid_client",
        "Dịch vụ không được nhận diện hoặc xác thực không thành công.",
        "The service is unknown or its authentication failed.",
    ),
    (
        "invalid_grant",
        "Mã cấp quyền không hợp lệ, đã hết hạn hoặc đã được dùng.",
        "The grant is invalid, expired or already used.",
    ),
    (
        "unauthorized_client",
        "Dịch vụ không được phép dùng cách cấp quyền này.",
        "The service may not use this grant type.",
    ),
    (
        "unsupported_grant_type",
        "Cách cấp quyền này không được hỗ trợ.",
        "This grant type is not supported.",
    ),
    (
        "invalid_scope",
        "Dịch vụ yêu cầu thông tin không được phép.",
        "The service asked for information it may not have.",
    ),
    (
        "invalid_token",
        "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
        "The access token is invalid, expired or revoked.",
    ),
    (
        "insufficient_scope",
        "Mã truy cập không bao gồm quyền này.",
        "The access token does not carry this permission.",
    ),
    (
        "client_not_found",
        "Không tìm thấy dịch vụ đã đăng ký.",
        "No such registered service.",
    ),
];
