//! The citizen's document vault (SPEC §7.3): listing, metadata, content
//! with an integrity check, uploads and deleting one's own uploads.
//!
//! Every query names the owner, so another citizen's document is simply
//! "not found" — existence never leaks.

use super::error::DocError;
use super::kinds::{check_content, doc_type, ContentType};
use super::quota::VaultQuotas;
use super::sha256_hex;
use crate::identity::Ports;
use crate::ids::{plausible_id, random_id};
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{all, first, Row};
use crate::text::clean_line;

/// Longest document title.
pub const TITLE_MAX_CHARS: usize = 200;

/// The issuing agency, as shown with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerRef {
    pub code: String,
    pub name: String,
}

/// A document without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    pub id: String,
    pub citizen_id: String,
    pub doc_type: String,
    pub title: String,
    /// `issued` or `uploaded`.
    pub source: String,
    /// `None` for uploads.
    pub issuer: Option<IssuerRef>,
    pub external_id: Option<String>,
    pub issued_at: i64,
    pub valid_until: Option<i64>,
    pub content_type: String,
    pub size: i64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// `valid` or `revoked`.
    pub status: String,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

/// Metadata columns (aliased so every SQL engine names them the same).
pub(crate) const META_COLUMNS: &str = "d.id AS id, d.citizen_id AS citizen_id, d.type AS type, \
     d.title AS title, d.source AS source, d.external_id AS external_id, d.issued_at AS issued_at, \
     d.valid_until AS valid_until, d.content_type AS content_type, d.size AS size, d.sha256 AS sha256, \
     d.status AS status, d.revoked_at AS revoked_at, d.created_at AS created_at, \
     i.code AS issuer_code, i.name AS issuer_name";

pub(crate) const FROM: &str = "FROM documents d LEFT JOIN issuers i ON i.id = d.issuer_id";

pub(crate) fn meta(r: &Row<'_>) -> Result<DocumentMeta, StoreError> {
    let issuer = match (r.opt_text("issuer_code")?, r.opt_text("issuer_name")?) {
        (Some(code), Some(name)) => Some(IssuerRef { code, name }),
        _ => None,
    };
    Ok(DocumentMeta {
        id: r.text("id")?,
        citizen_id: r.text("citizen_id")?,
        doc_type: r.text("type")?,
        title: r.text("title")?,
        source: r.text("source")?,
        issuer,
        external_id: r.opt_text("external_id")?,
        issued_at: r.i64("issued_at")?,
        valid_until: r.opt_i64("valid_until")?,
        content_type: r.text("content_type")?,
        size: r.i64("size")?,
        sha256: r.text("sha256")?,
        status: r.text("status")?,
        revoked_at: r.opt_i64("revoked_at")?,
        created_at: r.i64("created_at")?,
    })
}

/// Whether `id` could be a document id (checked before any query).
pub(crate) fn plausible_doc_id(id: &str) -> bool {
    plausible_id(id, "doc_", 64)
}

/// A document by id, whoever owns it (for issuers and shares, which check
/// ownership their own way).
pub(crate) fn meta_by_id(sql: &dyn Sql, id: &str) -> Result<Option<DocumentMeta>, StoreError> {
    let rows = sql.execute(
        &format!("SELECT {META_COLUMNS} {FROM} WHERE d.id = ?1"),
        &[id.into()],
    )?;
    first(&rows).map(|r| meta(&r)).transpose()
}

/// The citizen's documents, newest first, optionally of one type; resumes
/// strictly after `after` = (created_at, id) of the previous page's last.
pub fn list(
    sql: &dyn Sql,
    citizen_id: &str,
    type_filter: Option<&str>,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<DocumentMeta>, StoreError> {
    let (at, id) = after.unwrap_or((i64::MAX, String::new()));
    let rows = sql.execute(
        &format!(
            "SELECT {META_COLUMNS} {FROM} WHERE d.citizen_id = ?1 AND (?2 IS NULL OR d.type = ?2) \
             AND (d.created_at < ?3 OR (d.created_at = ?3 AND d.id < ?4)) \
             ORDER BY d.created_at DESC, d.id DESC LIMIT ?5"
        ),
        &[
            citizen_id.into(),
            type_filter.into(),
            at.into(),
            id.into(),
            i64::from(limit).into(),
        ],
    )?;
    all(&rows).map(|r| meta(&r)).collect()
}

/// One of the citizen's documents.
pub fn get(sql: &dyn Sql, citizen_id: &str, id: &str) -> Result<DocumentMeta, DocError> {
    if !plausible_doc_id(id) {
        return Err(DocError::NotFound);
    }
    let rows = sql.execute(
        &format!("SELECT {META_COLUMNS} {FROM} WHERE d.id = ?1 AND d.citizen_id = ?2"),
        &[id.into(), citizen_id.into()],
    )?;
    first(&rows)
        .map(|r| meta(&r))
        .transpose()?
        .ok_or(DocError::NotFound)
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
    let rows = sql.execute(
        &format!(
            "SELECT {META_COLUMNS}, d.content AS content {FROM} \
             WHERE d.id = ?1 AND (?2 IS NULL OR d.citizen_id = ?2)"
        ),
        &[id.into(), owner.into()],
    )?;
    let row = first(&rows).ok_or(DocError::NotFound)?;
    let doc = meta(&row)?;
    let bytes = row.blob("content")?;
    if sha256_hex(&bytes) != doc.sha256 || i64::try_from(bytes.len()).ok() != Some(doc.size) {
        return Err(DocError::Integrity {
            document_id: doc.id,
        });
    }
    Ok((doc, bytes))
}

/// The citizen's document with its verified bytes.
pub fn content(
    sql: &dyn Sql,
    citizen_id: &str,
    id: &str,
) -> Result<(DocumentMeta, Vec<u8>), DocError> {
    load_content(sql, id, Some(citizen_id))
}

/// A citizen's own upload (SPEC §7.3): `doc_type` defaults to `other`, the
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
    // The quotas are part of the INSERT, so concurrent uploads cannot both
    // squeeze past the last free place (see `documents::quota`).
    let inserted = ports.sql.execute(
        "INSERT INTO documents (id, citizen_id, type, title, source, issued_at, content_type, size, \
           sha256, status, created_at, content) \
         SELECT ?1, ?2, ?3, ?4, 'uploaded', ?5, ?6, ?7, ?8, 'valid', ?5, ?9 \
         WHERE (SELECT count(*) FROM documents WHERE citizen_id = ?2 AND source = 'uploaded') < ?10 \
           AND (SELECT COALESCE(sum(size), 0) FROM documents WHERE citizen_id = ?2 AND source = 'uploaded') + ?7 <= ?11 \
         RETURNING id",
        &[
            id.as_str().into(),
            citizen_id.into(),
            kind.into(),
            title.into(),
            now.into(),
            ct.as_mime().into(),
            size.into(),
            sha256_hex(bytes).into(),
            SqlValue::Blob(bytes.to_vec()),
            q.upload_max_count.into(),
            q.upload_max_bytes.into(),
        ],
    )?;
    if inserted.is_empty() {
        return Err(quota_refusal(ports.sql, citizen_id, &q)?);
    }
    meta_by_id(ports.sql, &id)?.ok_or(DocError::Store(StoreError::Unavailable(
        "upload vanished".into(),
    )))
}

/// Which upload quota refused (only chooses the answer; the refusal itself
/// already happened atomically).
fn quota_refusal(sql: &dyn Sql, citizen_id: &str, q: &VaultQuotas) -> Result<DocError, DocError> {
    let rows = sql.execute(
        "SELECT count(*) AS n FROM documents WHERE citizen_id = ?1 AND source = 'uploaded'",
        &[citizen_id.into()],
    )?;
    let count = first(&rows).map(|r| r.i64("n")).transpose()?.unwrap_or(0);
    Ok(if count >= q.upload_max_count {
        DocError::UploadQuota {
            quota: "count",
            limit: q.upload_max_count,
        }
    } else {
        DocError::UploadQuota {
            quota: "bytes",
            limit: q.upload_max_bytes,
        }
    })
}

/// Deletes the citizen's own upload and revokes its shares. Someone else's
/// document → `NotFound`; an issued one → `NotDeletable` (it is the agency's
/// record; the agency revokes it).
pub fn delete(ports: Ports<'_>, citizen_id: &str, id: &str) -> Result<(), DocError> {
    if !plausible_doc_id(id) {
        return Err(DocError::NotFound);
    }
    let deleted = ports.sql.execute(
        "DELETE FROM documents WHERE id = ?1 AND citizen_id = ?2 AND source = 'uploaded' RETURNING id",
        &[id.into(), citizen_id.into()],
    )?;
    if deleted.is_empty() {
        // Only decides which error to show.
        get(ports.sql, citizen_id, id)?;
        return Err(DocError::NotDeletable);
    }
    // Shares of a deleted document are already dead (their fetch finds no
    // document); marking them revoked makes the owner's list say so.
    ports.sql.execute(
        "UPDATE shares SET revoked_at = ?2 WHERE document_id = ?1 AND revoked_at IS NULL",
        &[id.into(), ports.clock.now().into()],
    )?;
    Ok(())
}
