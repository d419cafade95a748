//! Statements on the `documents` table: the vault's reads, uploads under
//! the quotas, issuer pushes keyed on (issuer, `external_id`), deletes and
//! revocations.

use crate::documents::quota::VaultQuotas;
use crate::documents::vault::{DocumentMeta, IssuerRef};
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{all, first, Row};

/// Metadata columns (aliased so every SQL engine names them the same).
const META_COLUMNS: &str = "d.id AS id, d.citizen_id AS citizen_id, d.type AS type, \
     d.title AS title, d.source AS source, d.external_id AS external_id, d.issued_at AS issued_at, \
     d.valid_until AS valid_until, d.content_type AS content_type, d.size AS size, d.sha256 AS sha256, \
     d.status AS status, d.revoked_at AS revoked_at, d.created_at AS created_at, \
     i.code AS issuer_code, i.name AS issuer_name";

const FROM: &str = "FROM documents d LEFT JOIN issuers i ON i.id = d.issuer_id";

fn meta(r: &Row<'_>) -> Result<DocumentMeta, StoreError> {
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

/// The metadata of the first row `where_clause` selects, if any.
fn one(
    sql: &dyn Sql,
    where_clause: &str,
    params: &[SqlValue],
) -> Result<Option<DocumentMeta>, StoreError> {
    let rows = sql.execute(
        &format!("SELECT {META_COLUMNS} {FROM} WHERE {where_clause}"),
        params,
    )?;
    first(&rows).map(|r| meta(&r)).transpose()
}

/// A document by id, whoever owns it.
pub fn by_id(sql: &dyn Sql, id: &str) -> Result<Option<DocumentMeta>, StoreError> {
    one(sql, "d.id = ?1", &[id.into()])
}

/// A document by id, only if `citizen_id` owns it.
pub fn owned(
    sql: &dyn Sql,
    citizen_id: &str,
    id: &str,
) -> Result<Option<DocumentMeta>, StoreError> {
    one(
        sql,
        "d.id = ?1 AND d.citizen_id = ?2",
        &[id.into(), citizen_id.into()],
    )
}

/// A document by id, only if `issuer_id` pushed it.
pub fn issued_by(
    sql: &dyn Sql,
    issuer_id: i64,
    id: &str,
) -> Result<Option<DocumentMeta>, StoreError> {
    one(
        sql,
        "d.id = ?1 AND d.issuer_id = ?2",
        &[id.into(), issuer_id.into()],
    )
}

/// The document an issuer pushed under its own `external_id`.
pub fn by_external_id(
    sql: &dyn Sql,
    issuer_id: i64,
    external_id: &str,
) -> Result<Option<DocumentMeta>, StoreError> {
    one(
        sql,
        "d.issuer_id = ?1 AND d.external_id = ?2",
        &[issuer_id.into(), external_id.into()],
    )
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

/// A document with its stored bytes (unchecked: the caller compares them
/// with the stored SHA-256). `owner` limits the lookup to one vault.
pub fn with_content(
    sql: &dyn Sql,
    id: &str,
    owner: Option<&str>,
) -> Result<Option<(DocumentMeta, Vec<u8>)>, StoreError> {
    let rows = sql.execute(
        &format!(
            "SELECT {META_COLUMNS}, d.content AS content {FROM} \
             WHERE d.id = ?1 AND (?2 IS NULL OR d.citizen_id = ?2)"
        ),
        &[id.into(), owner.into()],
    )?;
    first(&rows)
        .map(|row| Ok((meta(&row)?, row.blob("content")?)))
        .transpose()
}

/// What a relying party sees through a link, read in one round trip after
/// the use was counted: the document (with its stored bytes when
/// `with_content`), its holder's name, and the audit chain's tail for the
/// entry that records the fetch.
pub struct ThroughShare {
    /// The shared document.
    pub document: DocumentMeta,
    /// Its stored bytes (unchecked), when asked for.
    pub content: Option<Vec<u8>>,
    /// The holder's name.
    pub holder_name: Option<String>,
    /// The audit chain's tail as this statement saw it.
    pub audit_tail: Option<crate::audit::Tail>,
}

/// [`ThroughShare`] of document `id`; `None` if it is gone.
pub fn through_share(
    sql: &dyn Sql,
    id: &str,
    with_content: bool,
) -> Result<Option<ThroughShare>, StoreError> {
    let content = if with_content {
        "d.content AS content"
    } else {
        "NULL AS content"
    };
    let rows = sql.execute(
        &format!(
            "SELECT {META_COLUMNS}, {content}, \
               (SELECT c.full_name FROM citizens c WHERE c.id = d.citizen_id) AS holder_name, \
               {tail} \
             {FROM} WHERE d.id = ?1",
            tail = crate::audit::TAIL_COLUMNS
        ),
        &[id.into()],
    )?;
    first(&rows)
        .map(|row| {
            Ok(ThroughShare {
                document: meta(&row)?,
                content: if with_content {
                    Some(row.blob("content")?)
                } else {
                    None
                },
                holder_name: row.opt_text("holder_name")?,
                audit_tail: crate::audit::Tail::from_row(&row),
            })
        })
        .transpose()
}

/// A validated document about to be stored.
pub struct NewDocument<'a> {
    /// The new document's id.
    pub id: &'a str,
    /// Whose vault it goes into.
    pub citizen_id: &'a str,
    /// One of `kinds::DOC_TYPES`.
    pub kind: &'a str,
    /// Cleaned title.
    pub title: &'a str,
    /// Checked media type.
    pub content_type: &'a str,
    /// The bytes' lower-case hex SHA-256.
    pub sha256: &'a str,
    /// The bytes.
    pub bytes: &'a [u8],
    /// Their length.
    pub size: i64,
    /// Stored as `created_at` (and `issued_at` for uploads).
    pub now: i64,
}

/// Stores a citizen's upload (`source = uploaded`) unless it would pass the
/// upload quotas; `false` when a quota refused. The quotas are part of the
/// INSERT, so concurrent uploads cannot both squeeze past the last free
/// place (see `documents::quota`): SQLite holds its write lock across the
/// counts and the insert; on PostgreSQL the `/* serializable per ?2 */` marker
/// runs it behind the citizen's advisory lock, as a READ COMMITTED count alone
/// would miss a parallel upload.
pub fn insert_upload(
    sql: &dyn Sql,
    doc: &NewDocument<'_>,
    q: &VaultQuotas,
) -> Result<bool, StoreError> {
    let inserted = sql.execute(
        "/* serializable per ?2 */ INSERT INTO documents (id, citizen_id, type, title, source, issued_at, content_type, size, \
           sha256, status, created_at, content) \
         SELECT ?1, ?2, ?3, ?4, 'uploaded', ?5, ?6, ?7, ?8, 'valid', ?5, ?9 \
         WHERE (SELECT count(*) FROM documents WHERE citizen_id = ?2 AND source = 'uploaded') < ?10 \
           AND (SELECT COALESCE(sum(size), 0) FROM documents WHERE citizen_id = ?2 AND source = 'uploaded') + ?7 <= ?11 \
         RETURNING id",
        &[
            doc.id.into(),
            doc.citizen_id.into(),
            doc.kind.into(),
            doc.title.into(),
            doc.now.into(),
            doc.content_type.into(),
            doc.size.into(),
            doc.sha256.into(),
            SqlValue::Blob(doc.bytes.to_vec()),
            q.upload_max_count.into(),
            q.upload_max_bytes.into(),
        ],
    )?;
    Ok(!inserted.is_empty())
}

/// How many uploads the citizen holds.
pub fn upload_count(sql: &dyn Sql, citizen_id: &str) -> Result<i64, StoreError> {
    let rows = sql.execute(
        "SELECT count(*) AS n FROM documents WHERE citizen_id = ?1 AND source = 'uploaded'",
        &[citizen_id.into()],
    )?;
    Ok(first(&rows).map(|r| r.i64("n")).transpose()?.unwrap_or(0))
}

/// What an issuer push adds to [`NewDocument`].
pub struct Issued<'a> {
    /// The pushing agency.
    pub issuer_id: i64,
    /// The agency's own reference, unique per issuer.
    pub external_id: &'a str,
    /// When the agency issued it.
    pub issued_at: i64,
    /// Until when it holds, if it expires.
    pub valid_until: Option<i64>,
}

/// Stores an issued document; `false` when the issuer already used this
/// `external_id`. The unique index on (issuer_id, external_id) and
/// `ON CONFLICT DO NOTHING` decide which of any number of parallel retries
/// creates it.
pub fn insert_issued(
    sql: &dyn Sql,
    doc: &NewDocument<'_>,
    issued: &Issued<'_>,
) -> Result<bool, StoreError> {
    let inserted = sql.execute(
        "INSERT INTO documents (id, citizen_id, type, title, source, issuer_id, external_id, issued_at, \
           valid_until, content_type, size, sha256, status, created_at, content) \
         VALUES (?1, ?2, ?3, ?4, 'issued', ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'valid', ?12, ?13) \
         ON CONFLICT (issuer_id, external_id) DO NOTHING RETURNING id",
        &[
            doc.id.into(),
            doc.citizen_id.into(),
            doc.kind.into(),
            doc.title.into(),
            issued.issuer_id.into(),
            issued.external_id.into(),
            issued.issued_at.into(),
            issued.valid_until.into(),
            doc.content_type.into(),
            doc.size.into(),
            doc.sha256.into(),
            doc.now.into(),
            SqlValue::Blob(doc.bytes.to_vec()),
        ],
    )?;
    Ok(!inserted.is_empty())
}

/// Deletes the citizen's own upload; `false` when nothing matched (not
/// theirs, unknown, or issued).
pub fn delete_upload(sql: &dyn Sql, citizen_id: &str, id: &str) -> Result<bool, StoreError> {
    let deleted = sql.execute(
        "DELETE FROM documents WHERE id = ?1 AND citizen_id = ?2 AND source = 'uploaded' RETURNING id",
        &[id.into(), citizen_id.into()],
    )?;
    Ok(!deleted.is_empty())
}

/// Marks a valid document the issuer pushed as revoked; `false` when
/// nothing changed (already revoked, or not this issuer's).
pub fn revoke_issued(
    sql: &dyn Sql,
    issuer_id: i64,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = sql.execute(
        "UPDATE documents SET status = 'revoked', revoked_at = ?3 \
         WHERE id = ?1 AND issuer_id = ?2 AND status = 'valid' RETURNING id",
        &[id.into(), issuer_id.into(), now.into()],
    )?;
    Ok(!changed.is_empty())
}

/// The title of the citizen's document (`None` once deleted).
pub fn title_of(
    sql: &dyn Sql,
    citizen_id: &str,
    document_id: &str,
) -> Result<Option<String>, StoreError> {
    let rows = sql.execute(
        "SELECT title FROM documents WHERE id = ?1 AND citizen_id = ?2",
        &[document_id.into(), citizen_id.into()],
    )?;
    first(&rows).map(|r| r.text("title")).transpose()
}
