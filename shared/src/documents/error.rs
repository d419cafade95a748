//! What can go wrong in the documents domain, and its API error rendering
//! (docs/openapi: the common error shape).

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ports::StoreError;

/// A documents-domain failure; becomes an [`ApiError`] by `From` (the
/// internal detail of `Store`, `Integrity` and `Render` stays an unrendered
/// cause, for the log).
#[derive(Debug, Clone, PartialEq)]
pub enum DocError {
    /// 404: no such document/share, or it is not the caller's.
    NotFound,
    /// 404 `citizen_not_found`: an issuer pushed for nobody we know.
    CitizenNotFound,
    /// 422 `validation_failed`: (field, reason) pairs, reasons in snake_case.
    Invalid(Vec<(&'static str, &'static str)>),
    /// 413: a document over the limit (bytes).
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// 415: the upload's `Content-Type` is not PDF, JPEG or PNG.
    UnsupportedType,
    /// 409 `conflict` naming the field (an id number of another account, an
    /// external id already used for different content).
    Conflict {
        /// The field named in the answer.
        field: &'static str,
        /// Why, in snake_case.
        reason: &'static str,
    },
    /// 409 `profile_locked`: identity fields of a verified account.
    ProfileLocked(Vec<&'static str>),
    /// 422 `upload_quota_exceeded`: the citizen's uploads would pass the
    /// `quota` (`count` or `bytes`) of `limit` (see `documents::quota`).
    UploadQuota {
        /// `count` or `bytes`.
        quota: &'static str,
        /// That quota's limit.
        limit: i64,
    },
    /// 422 `share_limit_reached`: the document already has `limit` live links.
    ShareLimit {
        /// Most live links per document.
        limit: i64,
    },
    /// 409 `document_revoked`: a revoked document cannot be shared.
    DocumentRevoked,
    /// 403: issued documents are the agency's record; only uploads are deletable.
    NotDeletable,
    /// 410 `share_gone`: expired, used up or revoked.
    ShareGone,
    /// 410 `document_revoked` through a share: the issuer withdrew it.
    RevokedContent,
    /// The stored bytes no longer hash to the stored SHA-256 (500).
    Integrity {
        /// The damaged document.
        document_id: String,
    },
    /// A required setting is missing (503); the name is for the log.
    Config(&'static str),
    /// A QR code could not be drawn (500); the detail is for the log.
    Render(String),
    /// The database failed (503, or 409 for an unexpected constraint).
    Store(StoreError),
}

impl From<StoreError> for DocError {
    fn from(e: StoreError) -> DocError {
        DocError::Store(e)
    }
}

impl DocError {
    /// One invalid field.
    pub fn invalid(field: &'static str, reason: &'static str) -> DocError {
        DocError::Invalid(vec![(field, reason)])
    }
}

/// The client-facing error. 5xx variants keep their detail as the
/// unrendered cause, logged once where the response is finished.
impl From<DocError> for ApiError {
    fn from(e: DocError) -> ApiError {
        match e {
            DocError::NotFound => ApiError::not_found(),
            DocError::CitizenNotFound => ApiError::NotFound {
                code: "citizen_not_found",
            },
            DocError::Invalid(pairs) => ApiError::Invalid {
                code: "validation_failed",
                fields: fields(&pairs),
            },
            DocError::TooLarge { limit } => ApiError::PayloadTooLarge { limit },
            DocError::UnsupportedType => ApiError::UnsupportedMediaType {
                expected: crate::documents::kinds::ACCEPTED_MEDIA_TYPES,
            },
            DocError::Conflict { field, reason } => {
                ApiError::conflict("conflict").with_field(field, reason)
            }
            DocError::ProfileLocked(names) => ApiError::Conflict {
                code: "profile_locked",
                fields: fields(
                    &names
                        .iter()
                        .map(|n| (*n, "confirmed_by_official"))
                        .collect::<Vec<_>>(),
                ),
            },
            DocError::UploadQuota { quota, limit } => ApiError::Invalid {
                code: "upload_quota_exceeded",
                fields: Map::new(),
            }
            .with_field("quota", quota)
            .with_field("limit", limit),
            DocError::ShareLimit { limit } => ApiError::Invalid {
                code: "share_limit_reached",
                fields: Map::new(),
            }
            .with_field("limit", limit),
            DocError::DocumentRevoked => ApiError::conflict("document_revoked"),
            DocError::NotDeletable => ApiError::Forbidden,
            DocError::ShareGone => ApiError::Gone { code: "share_gone" },
            DocError::RevokedContent => ApiError::Gone {
                code: "document_revoked",
            },
            // The inside text, kept for the log.
            DocError::Integrity { .. } | DocError::Render(_) => ApiError::internal(&e),
            DocError::Config(setting) => ApiError::NotConfigured { setting },
            DocError::Store(e) => ApiError::from(e),
        }
    }
}

fn fields(pairs: &[(&'static str, &'static str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(f, r)| ((*f).to_owned(), Value::from(*r)))
        .collect()
}

impl std::fmt::Display for DocError {
    /// A log line; store messages can name tables, so they go to logs only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocError::Integrity { document_id } => {
                write!(
                    f,
                    "INTEGRITY: stored content of {document_id} does not match its sha256"
                )
            }
            DocError::Config(name) => write!(f, "setting `{name}` is missing or blank"),
            DocError::Render(e) => write!(f, "QR rendering failed: {e}"),
            DocError::Store(e) => write!(f, "{e}"),
            other => write!(f, "{}", ApiError::from(other.clone())),
        }
    }
}

/// The messages (vi, en) of the codes of the document vault and share links; see
/// `crate::messages`.
pub const MESSAGES: &[crate::error::Message] = &[
    (
        "share_gone",
        "Liên kết chia sẻ đã hết hạn, hết lượt sử dụng hoặc đã bị thu hồi.",
        "This share link has expired, been used up or been revoked.",
    ),
    (
        "upload_quota_exceeded",
        "Kho giấy tờ của bạn đã đạt giới hạn số tệp hoặc dung lượng tải lên. Hãy xóa bớt tệp đã tải lên rồi thử lại.",
        "Your vault has reached its upload limit (number of files or total size). Delete some uploads and try again.",
    ),
    (
        "share_limit_reached",
        "Giấy tờ này đã có quá nhiều liên kết chia sẻ. Hãy thu hồi bớt liên kết rồi thử lại.",
        "This document has too many share links. Revoke some and try again.",
    ),
];
