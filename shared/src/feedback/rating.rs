//! Satisfaction ratings (đánh giá hài lòng) and the per-category statistics
//! of `GET /api/v1/feedback/stats`.
//!
//! Rules: the owner only, once, only after the item was resolved or
//! rejected, score 1–5 with an optional comment. "Owner, closed, not yet
//! rated" is one conditional INSERT keyed by the feedback id, so two
//! ratings sent at once cannot both land.

use serde::Deserialize;
use serde_json::{json, Value};

use super::access::{access, Access, Viewer};
use super::error::FeedbackError;
use super::status::Status;
use super::store::writes;
use super::store::{find, tallies};
use super::validate::COMMENT_MAX_CHARS;
use super::Rating;
use crate::identity::Ports;
use crate::ports::{Sql, StoreError};
use crate::text::{clean_multiline, optional};

/// `POST /api/v1/feedback/{id}/rating` body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    /// 1 (very unsatisfied) to 5 (very satisfied); a whole number.
    pub score: i64,
    /// Optional, up to 1,000 characters.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Records the owner's rating.
///
/// Someone else's item: 403 when they can see it, 404 when not. Still
/// open: 409 `feedback_not_closed`. Rated before: 409 `already_rated`.
pub fn rate(
    ports: Ports<'_>,
    viewer: &Viewer<'_>,
    id_or_code: &str,
    input: &RatingInput,
) -> Result<Rating, FeedbackError> {
    let mut problems = Vec::new();
    let score = u8::try_from(input.score)
        .ok()
        .filter(|s| (1..=5).contains(s));
    if score.is_none() {
        problems.push(("score", "out_of_range"));
    }
    let comment = optional(input.comment.as_deref(), |c| {
        clean_multiline(c, COMMENT_MAX_CHARS)
    })
    .unwrap_or_else(|reason| {
        problems.push(("comment", reason));
        None
    });
    let Some(score) = score.filter(|_| problems.is_empty()) else {
        return Err(FeedbackError::Invalid(problems));
    };
    let f = find(ports.sql, id_or_code)?.ok_or(FeedbackError::NotFound)?;
    match access(&f, viewer) {
        Access::Owner => {}
        Access::Handler | Access::Public => return Err(FeedbackError::Forbidden),
        Access::Hidden => return Err(FeedbackError::NotFound),
    }
    let owner = f.owner_id.as_deref().ok_or(FeedbackError::Forbidden)?;
    let now = ports.clock.now();
    let inserted = writes::insert_rating(ports.sql, &f.id, owner, score, comment.as_deref(), now);
    match inserted {
        Ok(true) => Ok(Rating {
            score,
            comment,
            created_at: now,
        }),
        Ok(false) => Err(why_not(ports.sql, &f.id)?),
        Err(StoreError::Constraint(_)) => Err(FeedbackError::AlreadyRated),
        Err(e) => Err(e.into()),
    }
}

/// The owner check already passed, so the insert refused because a rating
/// exists or the item is still open (statuses never reopen).
fn why_not(sql: &dyn Sql, feedback_id: &str) -> Result<FeedbackError, StoreError> {
    Ok(if writes::is_rated(sql, feedback_id)? {
        FeedbackError::AlreadyRated
    } else {
        FeedbackError::NotClosed
    })
}

/// Counts and ratings of one category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryStats {
    /// The category's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The handling unit.
    pub unit_code: String,
    /// Items in the category.
    pub total: i64,
    /// Items per status, in [`Status::ALL`] order.
    pub by_status: [i64; 4],
    /// How many ratings.
    pub ratings: i64,
    /// Mean score, `None` without ratings.
    pub average: Option<f64>,
}

/// Statistics of every category, including those without feedback.
pub fn stats(sql: &dyn Sql) -> Result<Vec<CategoryStats>, StoreError> {
    tallies::category_stats(sql)
}

/// `{"category","name","unit","feedback":{total,received,…},"ratings","average_score"}`,
/// the average rounded to two decimals.
pub fn stats_json(s: &CategoryStats) -> Value {
    let mut counts = serde_json::Map::new();
    counts.insert("total".into(), json!(s.total));
    for (status, n) in Status::ALL.iter().zip(s.by_status) {
        counts.insert(status.as_str().into(), json!(n));
    }
    json!({
        "category": s.code,
        "name": s.name,
        "unit": s.unit_code,
        "feedback": counts,
        "ratings": s.ratings,
        "average_score": s.average.map(|a| (a * 100.0).round() / 100.0),
    })
}
