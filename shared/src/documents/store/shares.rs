//! Statements on the `shares` table. A use is counted by one conditional
//! `UPDATE … RETURNING`, and the live-link limit is part of the creating
//! `INSERT … SELECT`, so parallel requests can neither over-use a link nor
//! pass the limit.

use crate::documents::shares::Share;
use crate::ports::{Sql, StoreError};
use crate::rows::{all, first, Row};

const COLUMNS: &str =
    "id, token, document_id, citizen_id, purpose, max_uses, uses, created_at, expires_at, revoked_at";

/// A link that still opens, for the limit on live links: not revoked, not
/// expired (`?7` is now), not used up.
const LIVE: &str =
    "s.revoked_at IS NULL AND s.expires_at > ?7 AND (s.max_uses IS NULL OR s.uses < s.max_uses)";

fn share(r: &Row<'_>) -> Result<Share, StoreError> {
    Ok(Share {
        id: r.text("id")?,
        token: r.text("token")?,
        document_id: r.text("document_id")?,
        citizen_id: r.text("citizen_id")?,
        purpose: r.text("purpose")?,
        max_uses: r.opt_i64("max_uses")?,
        uses: r.i64("uses")?,
        created_at: r.i64("created_at")?,
        expires_at: r.i64("expires_at")?,
        revoked_at: r.opt_i64("revoked_at")?,
    })
}

fn first_share(
    sql: &dyn Sql,
    statement: &str,
    params: &[crate::ports::SqlValue],
) -> Result<Option<Share>, StoreError> {
    let rows = sql.execute(statement, params)?;
    first(&rows).map(|r| share(&r)).transpose()
}

/// The link holding `token`.
pub fn by_token(sql: &dyn Sql, token: &str) -> Result<Option<Share>, StoreError> {
    first_share(
        sql,
        &format!("SELECT {COLUMNS} FROM shares WHERE token = ?1"),
        &[token.into()],
    )
}

/// A validated link about to be stored.
pub struct NewLink<'a> {
    /// The share's id (shown in the access log).
    pub id: &'a str,
    /// The capability in the URL.
    pub token: &'a str,
    /// The shared document.
    pub document_id: &'a str,
    /// Its owner, who shares it.
    pub citizen_id: &'a str,
    /// Cleaned purpose text.
    pub purpose: &'a str,
    /// `None`: unlimited within the expiry.
    pub max_uses: Option<i64>,
    /// Creation time.
    pub now: i64,
    /// Expiry time.
    pub expires_at: i64,
    /// Most live links the document may have.
    pub live_limit: i64,
}

/// Creates the link if the document is the citizen's, still valid, and has
/// fewer than `live_limit` live links — all checked inside the one
/// `INSERT … SELECT`, so a document revoked at the same moment cannot get a
/// fresh link and two requests racing for the last place cannot both get
/// it. `None` when refused. The count needs SQLite's write lock or, on
/// PostgreSQL, the advisory lock on the document (?3) its `/* serializable per ?3 */`
/// marker asks for (docs/consistency.md, "Live links per document").
pub fn insert(sql: &dyn Sql, link: &NewLink<'_>) -> Result<Option<Share>, StoreError> {
    first_share(
        sql,
        &format!(
            "/* serializable per ?3 */ INSERT INTO shares (id, token, document_id, citizen_id, purpose, max_uses, uses, created_at, expires_at) \
             SELECT ?1, ?2, d.id, d.citizen_id, ?5, ?6, 0, ?7, ?8 FROM documents d \
             WHERE d.id = ?3 AND d.citizen_id = ?4 AND d.status = 'valid' \
             AND (SELECT count(*) FROM shares s WHERE s.document_id = d.id AND {LIVE}) < ?9 \
             RETURNING {COLUMNS}"
        ),
        &[
            link.id.into(),
            link.token.into(),
            link.document_id.into(),
            link.citizen_id.into(),
            link.purpose.into(),
            link.max_uses.into(),
            link.now.into(),
            link.expires_at.into(),
            link.live_limit.into(),
        ],
    )
}

/// The citizen's links, newest first, resuming after (created_at, id).
pub fn list(
    sql: &dyn Sql,
    citizen_id: &str,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Share>, StoreError> {
    let (at, id) = after.unwrap_or((i64::MAX, String::new()));
    let rows = sql.execute(
        &format!(
            "SELECT {COLUMNS} FROM shares WHERE citizen_id = ?1 \
             AND (created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
             ORDER BY created_at DESC, id DESC LIMIT ?4"
        ),
        &[
            citizen_id.into(),
            at.into(),
            id.into(),
            i64::from(limit).into(),
        ],
    )?;
    all(&rows).map(|r| share(&r)).collect()
}

/// Revokes the citizen's link; `None` when nothing changed (already
/// revoked, unknown, or someone else's).
pub fn revoke(
    sql: &dyn Sql,
    citizen_id: &str,
    token: &str,
    now: i64,
) -> Result<Option<Share>, StoreError> {
    first_share(
        sql,
        &format!(
            "UPDATE shares SET revoked_at = ?3 WHERE token = ?1 AND citizen_id = ?2 AND revoked_at IS NULL \
             RETURNING {COLUMNS}"
        ),
        &[token.into(), citizen_id.into(), now.into()],
    )
}

/// Counts one use of a live link and returns it after counting; `None` when
/// the link is expired, used up or revoked by now, or, for a fetch of the
/// content (`for_content`), when the issuer revoked the document (whose
/// bytes are not served, so no use is spent). One statement, so 50 parallel
/// fetches of a 3-use link serve exactly 3.
pub fn use_once(
    sql: &dyn Sql,
    token: &str,
    now: i64,
    for_content: bool,
) -> Result<Option<Share>, StoreError> {
    first_share(
        sql,
        &format!(
            "UPDATE shares SET uses = uses + 1 \
             WHERE token = ?1 AND revoked_at IS NULL AND expires_at > ?2 \
               AND (max_uses IS NULL OR uses < max_uses) \
               AND (?3 = 0 OR EXISTS (SELECT 1 FROM documents d \
                                      WHERE d.id = shares.document_id AND d.status = 'valid')) \
             RETURNING {COLUMNS}"
        ),
        &[token.into(), now.into(), i64::from(for_content).into()],
    )
}

/// Marks every open link of a (deleted) document revoked, so the owner's
/// list says so; their fetches already find no document.
pub fn revoke_all_of(sql: &dyn Sql, document_id: &str, now: i64) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE shares SET revoked_at = ?2 WHERE document_id = ?1 AND revoked_at IS NULL",
        &[document_id.into(), now.into()],
    )?;
    Ok(())
}
