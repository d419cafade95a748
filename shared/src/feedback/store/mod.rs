//! The feedback domain's SQL and row mapping. This file reads items: one
//! item, the public list, a citizen's own list, a unit's work queue, and an
//! item's history; [`writes`] holds the statements that change them and
//! [`tallies`] the category reads. Rule files (`submit`, `change`, `rating`,
//! `categories`) decide; only this module speaks SQL.

pub mod tallies;
pub mod writes;

use super::error::FeedbackError;
use super::open311::{RequestQuery, MAX_REQUESTS};
use super::status::Status;
use super::tracking;
use super::{Feedback, Rating, Report, Sender, Source};
use crate::audit::Actor;
use crate::http::Request;
use crate::pagination::{Page, PageOf};
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{all, Row};

/// Every column [`from_row`] reads, with the category's and unit's names,
/// the rating, and the owner's name and phone (for the views allowed to
/// show them).
const SELECT: &str = "\
SELECT f.id, f.tracking_code, f.category_code, COALESCE(c.name, f.category_code) AS category_name, \
       f.unit_code, COALESCE(u.name, f.unit_code) AS unit_name, f.title, f.content, f.lat, f.lng, \
       f.address, f.media_url, f.owner_id, f.anonymous, f.source, f.partner_code, f.status, \
       f.response, f.published, f.created_at, f.updated_at, \
       r.score AS rating_score, r.comment AS rating_comment, r.created_at AS rated_at, \
       ct.full_name AS sender_name, ct.phone AS sender_phone \
FROM feedback f \
LEFT JOIN feedback_categories c ON c.code = f.category_code \
LEFT JOIN units u ON u.code = f.unit_code \
LEFT JOIN feedback_ratings r ON r.feedback_id = f.id \
LEFT JOIN citizens ct ON ct.id = f.owner_id";

/// Builds a [`Feedback`] from a row selected with [`SELECT`].
fn from_row(r: &Row<'_>) -> Result<Feedback, StoreError> {
    let bad = |what: &str| StoreError::Unavailable(format!("unexpected stored {what}"));
    let status = Status::parse(&r.text("status")?).ok_or_else(|| bad("status"))?;
    let source = Source::parse(&r.text("source")?).ok_or_else(|| bad("source"))?;
    let rating = match r.opt_i64("rating_score")? {
        Some(score) => Some(Rating {
            score: u8::try_from(score).map_err(|_| bad("score"))?,
            comment: r.opt_text("rating_comment")?,
            created_at: r.i64("rated_at")?,
        }),
        None => None,
    };
    let sender = match r.opt_text("sender_phone")? {
        Some(phone) => Some(Sender {
            full_name: r.opt_text("sender_name")?,
            phone,
        }),
        None => None,
    };
    Ok(Feedback {
        id: r.text("id")?,
        tracking_code: r.text("tracking_code")?,
        category_code: r.text("category_code")?,
        category_name: r.text("category_name")?,
        unit_code: r.text("unit_code")?,
        unit_name: r.text("unit_name")?,
        report: Report {
            title: r.text("title")?,
            content: r.text("content")?,
            lat: r.f64("lat")?,
            lng: r.f64("lng")?,
            address: r.opt_text("address")?,
            media_url: r.opt_text("media_url")?,
        },
        owner_id: r.opt_text("owner_id")?,
        anonymous: r.i64("anonymous")? != 0,
        source,
        partner_code: r.opt_text("partner_code")?,
        status,
        response: r.opt_text("response")?,
        published: r.i64("published")? != 0,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
        rating,
        sender,
    })
}

pub(crate) fn read_all(
    sql: &dyn Sql,
    tail: &str,
    params: &[SqlValue],
) -> Result<Vec<Feedback>, StoreError> {
    let rows = sql.execute(&format!("{SELECT} {tail}"), params)?;
    all(&rows).map(|r| from_row(&r)).collect()
}

/// The item with this id (`fb_…`) or tracking code (`PA-…`), whoever may
/// see it — callers decide that with [`super::access`].
pub fn find(sql: &dyn Sql, id_or_code: &str) -> Result<Option<Feedback>, StoreError> {
    let column = if tracking::looks_like_code(id_or_code) {
        "f.tracking_code"
    } else {
        "f.id"
    };
    let mut found = read_all(
        sql,
        &format!("WHERE {column} = ? LIMIT 1"),
        &[id_or_code.into()],
    )?;
    Ok(found.pop())
}

/// The `?category=` and `?status=` filters of the lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only this category.
    pub category: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
}

impl ListFilter {
    /// Reads the filters; an unknown status → 422 on `status`. An empty
    /// value means no filter.
    pub fn from_request(req: &Request) -> Result<ListFilter, FeedbackError> {
        let non_empty = |name: &str| {
            req.query_param(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let status = match non_empty("status") {
            Some(s) => Some(
                Status::parse(s)
                    .ok_or_else(|| FeedbackError::invalid("status", "unknown_value"))?,
            ),
            None => None,
        };
        Ok(ListFilter {
            category: non_empty("category").map(str::to_owned),
            status,
        })
    }
}

/// Newest first, resuming after the cursor's `(created_at, id)`.
fn list(
    sql: &dyn Sql,
    scope: &str,
    scope_params: Vec<SqlValue>,
    filter: &ListFilter,
    page: &Page,
) -> Result<PageOf<Feedback>, FeedbackError> {
    let mut conditions = vec![scope.to_owned()];
    let mut params = scope_params;
    if let Some(category) = &filter.category {
        conditions.push("f.category_code = ?".into());
        params.push(category.as_str().into());
    }
    if let Some(status) = filter.status {
        conditions.push("f.status = ?".into());
        params.push(status.as_str().into());
    }
    let after: Option<(i64, String)> = page
        .after()
        .map_err(|_| FeedbackError::invalid("cursor", "format"))?;
    if let Some((at, id)) = after {
        conditions.push("(f.created_at < ? OR (f.created_at = ? AND f.id < ?))".into());
        params.extend([at.into(), at.into(), id.into()]);
    }
    params.push(i64::from(page.fetch_limit()).into());
    let tail = format!(
        "WHERE {} ORDER BY f.created_at DESC, f.id DESC LIMIT ?",
        conditions.join(" AND ")
    );
    let rows = read_all(sql, &tail, &params)?;
    page.paginate(rows, |f| (f.created_at, f.id.clone()))
        .map_err(|_| FeedbackError::Store(StoreError::Unavailable("cursor encoding".into())))
}

/// Published items, for everyone.
pub fn list_public(
    sql: &dyn Sql,
    filter: &ListFilter,
    page: &Page,
) -> Result<PageOf<Feedback>, FeedbackError> {
    list(sql, "f.published = 1", vec![], filter, page)
}

/// A citizen's own items, published or not.
pub fn list_owned(
    sql: &dyn Sql,
    owner_id: &str,
    filter: &ListFilter,
    page: &Page,
) -> Result<PageOf<Feedback>, FeedbackError> {
    list(sql, "f.owner_id = ?", vec![owner_id.into()], filter, page)
}

/// Everything a unit handles, published or not: its officials' work queue.
pub fn list_unit(
    sql: &dyn Sql,
    unit_code: &str,
    filter: &ListFilter,
    page: &Page,
) -> Result<PageOf<Feedback>, FeedbackError> {
    list(sql, "f.unit_code = ?", vec![unit_code.into()], filter, page)
}

/// One step of an item's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// Unix seconds.
    pub at: i64,
    /// `None` for the first entry (submission).
    pub from: Option<Status>,
    /// The status reached.
    pub status: Status,
    /// The official's note with this change.
    pub note: Option<String>,
    /// Audit actor (`official:<id>`, `citizen:<id>`, …), for officials.
    pub actor: Option<String>,
    /// The unit that made the change (for the first entry: the unit the
    /// item went to).
    pub unit_code: String,
}

/// The item's history, oldest first: its submission, then every status
/// change the trigger recorded.
pub fn history(sql: &dyn Sql, f: &Feedback) -> Result<Vec<HistoryEntry>, StoreError> {
    let submitted_by = match (f.source, &f.owner_id, &f.partner_code) {
        (Source::Citizen, Some(owner), _) => Some(Actor::Citizen(owner.clone()).into()),
        (Source::Open311, _, Some(partner)) => Some(Actor::Issuer(partner.clone()).into()),
        _ => None,
    };
    let mut entries = vec![HistoryEntry {
        at: f.created_at,
        from: None,
        status: Status::Received,
        note: None,
        actor: submitted_by,
        unit_code: f.unit_code.clone(),
    }];
    let rows = sql.execute(
        "SELECT at, actor, unit_code, from_status, to_status, note FROM feedback_history \
         WHERE feedback_id = ? ORDER BY id",
        &[f.id.as_str().into()],
    )?;
    let bad = || StoreError::Unavailable("unexpected stored status in history".into());
    for r in all(&rows) {
        entries.push(HistoryEntry {
            at: r.i64("at")?,
            from: Some(Status::parse(&r.text("from_status")?).ok_or_else(bad)?),
            status: Status::parse(&r.text("to_status")?).ok_or_else(bad)?,
            note: r.opt_text("note")?,
            actor: r.opt_text("actor")?,
            unit_code: r.text("unit_code")?,
        });
    }
    Ok(entries)
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Published requests matching an Open311 query, newest first, at most 1,000.
pub fn list_requests(sql: &dyn Sql, q: &RequestQuery) -> Result<Vec<Feedback>, StoreError> {
    let mut conditions = vec!["f.published = 1".to_owned()];
    let mut params: Vec<SqlValue> = Vec::new();
    if q.ids.is_empty() {
        conditions.push("f.created_at BETWEEN ? AND ?".into());
        params.extend([q.start.into(), q.end.into()]);
        if !q.service_codes.is_empty() {
            conditions.push(format!(
                "f.category_code IN ({})",
                placeholders(q.service_codes.len())
            ));
            params.extend(q.service_codes.iter().map(|c| c.as_str().into()));
        }
        if !q.statuses.is_empty() {
            conditions.push(format!("f.status IN ({})", placeholders(q.statuses.len())));
            params.extend(q.statuses.iter().map(|s| s.as_str().into()));
        }
    } else {
        conditions.push(format!(
            "f.tracking_code IN ({})",
            placeholders(q.ids.len())
        ));
        params.extend(q.ids.iter().map(|c| c.as_str().into()));
    }
    params.push(MAX_REQUESTS.into());
    let tail = format!(
        "WHERE {} ORDER BY f.created_at DESC, f.id DESC LIMIT ?",
        conditions.join(" AND ")
    );
    read_all(sql, &tail, &params)
}

/// The published request with this `service_request_id` (tracking code).
pub fn find_request(
    sql: &dyn Sql,
    service_request_id: &str,
) -> Result<Option<Feedback>, StoreError> {
    let mut found = read_all(
        sql,
        "WHERE f.tracking_code = ? AND f.published = 1 LIMIT 1",
        &[service_request_id.into()],
    )?;
    Ok(found.pop())
}
