//! Statements that write feedback: the submitting INSERT (category check,
//! quota and tracking number in one statement), the officials' conditional
//! status UPDATE, and the once-only rating INSERT — with the reads that only
//! choose the error after one of them refused.

use crate::feedback::policy::WINDOW_SECONDS;
use crate::feedback::status::Status;
use crate::feedback::submit::Created;
use crate::feedback::validate::Valid;
use crate::feedback::Source;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::all;

/// The category check, the quota count and `MAX(seq) + 1` must see exactly
/// the rows this INSERT is ordered after. SQLite runs a writing statement
/// under the database write lock from its first read; on PostgreSQL the
/// `/* serializable */` marker has the adapter run it behind the statement's
/// advisory lock, because otherwise under READ COMMITTED two submissions
/// would count and number from the same snapshot.
/// UNIQUE (year, seq) backs the number up on either engine: a loser gets a
/// constraint error and [`crate::feedback::submit`] tries again
/// (docs/consistency.md, "Tracking codes" and "Feedback quota").
const INSERT: &str = "\
/* serializable */ INSERT INTO feedback (id, tracking_code, year, seq, category_code, unit_code, title, content, lat, lng, \
                      address, media_url, owner_id, anonymous, source, partner_code, quota_key, status, \
                      published, created_at, updated_at) \
SELECT ?1, 'PA-' || CAST(?2 AS TEXT) || '-' || CASE WHEN n.next < 1000000 \
           THEN substr('00000' || CAST(n.next AS TEXT), length(CAST(n.next AS TEXT))) \
           ELSE CAST(n.next AS TEXT) END, ?2, n.next, c.code, c.unit_code, ?4, ?5, ?6, ?7, \
       ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'received', 1, ?15, ?15 \
FROM feedback_categories c, \
     (SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM feedback WHERE year = ?2) n \
WHERE c.code = ?3 \
  AND (SELECT count(*) FROM feedback WHERE quota_key = ?14 AND created_at > ?15 - ?17) < ?16 \
RETURNING id, tracking_code, unit_code, created_at";

/// One submission, validated, with who sent it and the quota it counts
/// against.
pub struct NewFeedback<'a> {
    /// The new item's id.
    pub id: &'a str,
    /// The tracking-code year (Đà Nẵng time).
    pub year: i64,
    /// The checked texts and position.
    pub valid: &'a Valid,
    /// The citizen who owns it, if sent logged in.
    pub owner: Option<&'a str>,
    /// Hidden from officials.
    pub anonymous: bool,
    /// How it arrived.
    pub source: Source,
    /// The Open311 partner's issuer code.
    pub partner: Option<&'a str>,
    /// The sender's quota key.
    pub quota_key: &'a str,
    /// Submission time.
    pub now: i64,
    /// Most submissions per quota window.
    pub limit: u32,
}

/// Stores the submission; `None` when the category is unknown or the quota
/// is used up. A lost race for the tracking number surfaces as
/// [`StoreError::Constraint`] (UNIQUE (year, seq)) for the caller to retry.
pub fn insert_feedback(sql: &dyn Sql, f: &NewFeedback<'_>) -> Result<Option<Created>, StoreError> {
    let v = &f.valid.report;
    let params: Vec<SqlValue> = vec![
        f.id.into(),
        f.year.into(),
        f.valid.category.as_str().into(),
        v.title.as_str().into(),
        v.content.as_str().into(),
        SqlValue::Real(v.lat),
        SqlValue::Real(v.lng),
        v.address.clone().into(),
        v.media_url.clone().into(),
        f.owner.into(),
        i64::from(f.anonymous).into(),
        f.source.as_str().into(),
        f.partner.into(),
        f.quota_key.into(),
        f.now.into(),
        i64::from(f.limit).into(),
        WINDOW_SECONDS.into(),
    ];
    let rows = sql.execute(INSERT, &params)?;
    let created = all(&rows)
        .next()
        .map(|r| {
            Ok(Created {
                id: r.text("id")?,
                tracking_code: r.text("tracking_code")?,
                status: Status::Received,
                unit_code: r.text("unit_code")?,
                created_at: r.i64("created_at")?,
            })
        })
        .transpose();
    created
}

/// Whether a category with this code exists.
pub fn category_exists(sql: &dyn Sql, code: &str) -> Result<bool, StoreError> {
    let known = sql.execute(
        "SELECT 1 FROM feedback_categories WHERE code = ? LIMIT 1",
        &[code.into()],
    )?;
    Ok(!known.is_empty())
}

/// The creation time of the `offset`-th newest submission under
/// `quota_key` after `since` (the one that must leave the window first).
pub fn nth_newest_since(
    sql: &dyn Sql,
    quota_key: &str,
    since: i64,
    offset: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = sql.execute(
        "SELECT created_at FROM feedback WHERE quota_key = ? AND created_at > ? \
         ORDER BY created_at DESC LIMIT 1 OFFSET ?",
        &[quota_key.into(), since.into(), offset.into()],
    )?;
    let newest = all(&rows).next().map(|r| r.i64("created_at")).transpose();
    newest
}

/// A status change by an official, as the UPDATE needs it.
pub struct StatusChange<'a> {
    /// The item.
    pub id: &'a str,
    /// Its unit, which the official belongs to.
    pub unit_code: &'a str,
    /// The status the official saw.
    pub from: Status,
    /// The new status.
    pub to: Status,
    /// The note that goes with it.
    pub response: Option<&'a str>,
    /// Show or hide it publicly at the same time.
    pub published: Option<bool>,
    /// The audit actor, stored as `changed_by` for the history trigger.
    pub actor: &'a str,
    /// Change time.
    pub now: i64,
}

/// Applies the change only if the item still has the status the official
/// saw; `false` when another change landed first. The history row is
/// written by a trigger inside this same UPDATE (migration 0005).
pub fn update_status(sql: &dyn Sql, c: &StatusChange<'_>) -> Result<bool, StoreError> {
    let rows = sql.execute(
        "UPDATE feedback SET status = ?, response = ?, published = COALESCE(?, published), \
         changed_by = ?, updated_at = ? \
         WHERE id = ? AND unit_code = ? AND status = ? RETURNING id",
        &[
            c.to.as_str().into(),
            c.response.into(),
            c.published.map(i64::from).into(),
            c.actor.into(),
            c.now.into(),
            c.id.into(),
            c.unit_code.into(),
            c.from.as_str().into(),
        ],
    )?;
    Ok(!rows.is_empty())
}

/// Shows or hides the item publicly (`None` leaves it, but still stamps
/// `updated_at`, as a change without effect did before).
pub fn update_published(
    sql: &dyn Sql,
    id: &str,
    unit_code: &str,
    published: Option<bool>,
    now: i64,
) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE feedback SET published = ?, updated_at = ? WHERE id = ? AND unit_code = ?",
        &[
            published.map(i64::from).into(),
            now.into(),
            id.into(),
            unit_code.into(),
        ],
    )?;
    Ok(())
}

/// Stores the owner's rating only if the item is theirs, closed and not yet
/// rated — one conditional INSERT keyed by the feedback id, so two ratings
/// sent at once cannot both land. `false` when refused.
pub fn insert_rating(
    sql: &dyn Sql,
    feedback_id: &str,
    owner_id: &str,
    score: u8,
    comment: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let inserted = sql.execute(
        "INSERT INTO feedback_ratings (feedback_id, owner_id, score, comment, created_at) \
         SELECT f.id, f.owner_id, ?1, ?2, ?3 FROM feedback f \
         WHERE f.id = ?4 AND f.owner_id = ?5 AND f.status IN ('resolved', 'rejected') \
         ON CONFLICT (feedback_id) DO NOTHING \
         RETURNING feedback_id",
        &[
            i64::from(score).into(),
            comment.into(),
            now.into(),
            feedback_id.into(),
            owner_id.into(),
        ],
    )?;
    Ok(!inserted.is_empty())
}

/// Whether the item has a rating.
pub fn is_rated(sql: &dyn Sql, feedback_id: &str) -> Result<bool, StoreError> {
    let rated = sql.execute(
        "SELECT 1 FROM feedback_ratings WHERE feedback_id = ?",
        &[feedback_id.into()],
    )?;
    Ok(!rated.is_empty())
}
