//! The citizen's document vault (docs/documents.md): listing, metadata, content
//! with an integrity check, uploads and deleting one's own uploads.
//!
//! Every query names the owner, so another citizen's document is simply
//! "not found" — existence never leaks.

use super::error::DocError;
use super::kinds::{check_content, doc_type, ContentType};
use super::quota::VaultQuotas;
use super::sha256_hex;
use super::store::documents::{self as store, NewDocument};
use super::store::shares as share_store;
use crate::identity::Ports;
use crate::ids::{plausible_id, random_id};
use crate::ports::{Sql, StoreError};
use crate::text::clean_line;

/// The citizen's documents, newest first (the store's statement is the rule).
pub use super::store::documents::list;

/// Longest document title.
pub const TITLE_MAX_CHARS: usize = 200;

/// The issuing agency, as shown with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerRef {
    /// The agency's code.
    pub code: String,
    /// The agency's name.
    pub name: String,
}

/// A document without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    /// `doc_…`.
    pub id: String,
    /// The owner.
    pub citizen_id: String,
    /// One of `kinds::DOC_TYPES`.
    pub doc_type: String,
    /// The title shown and used as file name.
    pub title: String,
    /// `issued` or `uploaded`.
    pub source: String,
    /// `None` for uploads.
    pub issuer: Option<IssuerRef>,
    /// The issuer's own reference, for issued documents.
    pub external_id: Option<String>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds, if it expires.
    pub valid_until: Option<i64>,
    /// The checked media type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// `valid` or `revoked`.
    pub status: String,
    /// When the issuer revoked it.
    pub revoked_at: Option<i64>,
    /// When it was stored, Unix seconds.
    pub created_at: i64,
}

/// Whether `id` could be a document id (checked before any query).
pub(crate) fn plausible_doc_id(id: &str) -> bool {
    plausible_id(id, "doc_", 64)
}

/// One of the citizen's documents.
pub fn get(sql: &dyn Sql, citizen_id: &str, id: &str) -> Result<DocumentMeta, DocError> {
    if !plausible_doc_id(id) {
        return Err(DocError::NotFound);
    }
    store::owned(sql, citizen_id, id)?.ok_or(DocError::NotFound)
}

/// A document's bytes, checked against the stored SHA-256. `owner` limits
/// the lookup to one citizen's vault (`None` for a share, already checked).
/// A mismatch is [`DocError::Integrity`]: the bytes are never returned.
pub(crate) fn load_content(
    sql: &dyn Sql,
    id: &str,
    owner: Option<&str>,
) -> Result<(DocumentMeta, Vec<u8>), DocError> {
    if !plausible_doc_id(id) {
        return Err(DocError::NotFound);
    }
    let (doc, bytes) = store::with_content(sql, id, owner)?.ok_or(DocError::NotFound)?;
    let bytes = checked_content(&doc, bytes)?;
    Ok((doc, bytes))
}

/// `bytes` if they are what the document's stored SHA-256 and size say;
/// [`DocError::Integrity`] otherwise (never serve altered papers).
pub(crate) fn checked_content(doc: &DocumentMeta, bytes: Vec<u8>) -> Result<Vec<u8>, DocError> {
    if sha256_hex(&bytes) != doc.sha256 || i64::try_from(bytes.len()).ok() != Some(doc.size) {
        return Err(DocError::Integrity {
            document_id: doc.id.clone(),
        });
    }
    Ok(bytes)
}

/// The citizen's document with its verified bytes.
pub fn content(
    sql: &dyn Sql,
    citizen_id: &str,
    id: &str,
) -> Result<(DocumentMeta, Vec<u8>), DocError> {
    load_content(sql, id, Some(citizen_id))
}

/// A citizen's own upload (docs/documents.md): `doc_type` defaults to `other`, the
/// title is required, the bytes must be a PDF, JPEG or PNG of at most 5 MiB
/// matching `declared_type`. Stored `source = uploaded`, issued "now".
pub fn upload(
    ports: Ports<'_>,
    citizen_id: &str,
    doc_type_raw: Option<&str>,
    title: Option<&str>,
    declared_type: &str,
    bytes: &[u8],
) -> Result<DocumentMeta, DocError> {
    // Size and format first: they are the cheapest answers for a huge body.
    let ct = check_content("body", declared_type, bytes)?;
    let mut errors = Vec::new();
    let kind = match doc_type_raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some("other"),
        Some(t) => doc_type(t).or_else(|| {
            errors.push(("type", "unknown_value"));
            None
        }),
    };
    let title = match clean_line(title.unwrap_or(""), TITLE_MAX_CHARS) {
        Ok(t) => Some(t),
        Err(reason) => {
            errors.push(("title", reason));
            None
        }
    };
    let (Some(kind), Some(title), true) = (kind, title, errors.is_empty()) else {
        return Err(DocError::Invalid(errors));
    };
    insert_upload(ports, citizen_id, kind, &title, ct, bytes)
}

fn insert_upload(
    ports: Ports<'_>,
    citizen_id: &str,
    kind: &str,
    title: &str,
    ct: ContentType,
    bytes: &[u8],
) -> Result<DocumentMeta, DocError> {
    let now = ports.clock.now();
    let id = random_id(ports.random, "doc_", 16);
    let size = i64::try_from(bytes.len()).map_err(|_| DocError::TooLarge {
        limit: super::kinds::MAX_DOCUMENT_BYTES,
    })?;
    let q = VaultQuotas::from_settings(ports.settings);
    let new = NewDocument {
        id: &id,
        citizen_id,
        kind,
        title,
        content_type: ct.as_mime(),
        sha256: &sha256_hex(bytes),
        bytes,
        size,
        now,
    };
    if !store::insert_upload(ports.sql, &new, &q)? {
        return Err(quota_refusal(ports.sql, citizen_id, &q)?);
    }
    store::by_id(ports.sql, &id)?.ok_or(DocError::Store(StoreError::Unavailable(
        "upload vanished".into(),
    )))
}

/// Which upload quota refused (only chooses the answer; the refusal itself
/// already happened atomically).
fn quota_refusal(sql: &dyn Sql, citizen_id: &str, q: &VaultQuotas) -> Result<DocError, DocError> {
    Ok(
        if store::upload_count(sql, citizen_id)? >= q.upload_max_count {
            DocError::UploadQuota {
                quota: "count",
                limit: q.upload_max_count,
            }
        } else {
            DocError::UploadQuota {
                quota: "bytes",
                limit: q.upload_max_bytes,
            }
        },
    )
}

/// Deletes the citizen's own upload and revokes its shares. Someone else's
/// document → `NotFound`; an issued one → `NotDeletable` (it is the agency's
/// record; the agency revokes it).
pub fn delete(ports: Ports<'_>, citizen_id: &str, id: &str) -> Result<(), DocError> {
    if !plausible_doc_id(id) {
        return Err(DocError::NotFound);
    }
    if !store::delete_upload(ports.sql, citizen_id, id)? {
        // Only decides which error to show.
        get(ports.sql, citizen_id, id)?;
        return Err(DocError::NotDeletable);
    }
    // Shares of a deleted document are already dead (their fetch finds no
    // document); marking them revoked makes the owner's list say so.
    share_store::revoke_all_of(ports.sql, id, ports.clock.now())?;
    Ok(())
}
