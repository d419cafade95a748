//! Submitting feedback: one INSERT that checks the category, applies the
//! sender's quota and numbers the tracking code, all under SQLite's write
//! lock, so parallel submissions can neither share a number nor squeeze
//! past a quota.

use super::error::FeedbackError;
use super::policy::{FeedbackPolicy, WINDOW_SECONDS};
use super::status::Status;
use super::tracking::year_of;
use super::validate::Valid;
use super::Source;
use crate::identity::Ports;
use crate::ids::random_id;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::all;

/// Who is submitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter<'a> {
    /// A logged-in citizen, who then owns the item.
    Citizen { account_id: &'a str },
    /// Nobody logged in; the quota is per client network (IPv4 address or
    /// IPv6 /64, see [`crate::client_addr::rate_key_of`]).
    Anonymous { client_ip: Option<&'a str> },
    /// An Open311 partner app (issuer code).
    Partner { issuer_code: &'a str },
}

/// What the sender is told: `{id, tracking_code, status}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub tracking_code: String,
    pub status: Status,
    pub unit_code: String,
    pub created_at: i64,
}

/// SQLite runs a writing statement under the database write lock from its
/// first read, so the category check, the quota count and `MAX(seq) + 1`
/// see exactly the rows this INSERT is ordered after. UNIQUE (year, seq)
/// backs that up on engines that might not: there the loser gets a
/// constraint error and [`submit`] tries again.
const INSERT: &str = "\
INSERT INTO feedback (id, tracking_code, year, seq, category_code, unit_code, title, content, lat, lng, \
                      address, media_url, owner_id, anonymous, source, partner_code, quota_key, status, \
                      published, created_at, updated_at) \
SELECT ?1, printf('PA-%04d-%06d', ?2, n.next), ?2, n.next, c.code, c.unit_code, ?4, ?5, ?6, ?7, \
       ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'received', 1, ?15, ?15 \
FROM feedback_categories c, \
     (SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM feedback WHERE year = ?2) n \
WHERE c.code = ?3 \
  AND (SELECT count(*) FROM feedback WHERE quota_key = ?14 AND created_at > ?15 - ?17) < ?16 \
RETURNING id, tracking_code, unit_code, created_at";

/// Tries after a lost race on an engine that reports it as a constraint.
const MAX_ATTEMPTS: usize = 5;

/// Stores a validated submission and returns its tracking code.
///
/// Unknown category → 422 on `category`; quota used up → 429 with the
/// seconds until the oldest submission in the window leaves it.
pub fn submit(
    ports: Ports<'_>,
    policy: &FeedbackPolicy,
    who: Submitter<'_>,
    valid: &Valid,
) -> Result<Created, FeedbackError> {
    let now = ports.clock.now();
    let (owner, anonymous, source, partner, quota_key, limit) = match who {
        Submitter::Citizen { account_id } => (
            Some(account_id),
            valid.anonymous,
            Source::Citizen,
            None,
            format!("citizen:{account_id}"),
            policy.citizen_hourly,
        ),
        Submitter::Anonymous { client_ip } => (
            None,
            true,
            Source::Anonymous,
            None,
            // The one per-client key of every limit: IPv6 by /64, and no
            // address known (a host that does not say) means one shared
            // quota rather than none.
            format!("ip:{}", crate::client_addr::rate_key_of(client_ip)),
            policy.anonymous_ip_hourly,
        ),
        Submitter::Partner { issuer_code } => (
            None,
            false,
            Source::Open311,
            Some(issuer_code),
            format!("partner:{issuer_code}"),
            policy.partner_hourly,
        ),
    };
    for _ in 0..MAX_ATTEMPTS {
        let id = random_id(ports.random, "fb_", 16);
        let params: Vec<SqlValue> = vec![
            id.as_str().into(),
            year_of(now).into(),
            valid.category.as_str().into(),
            valid.title.as_str().into(),
            valid.content.as_str().into(),
            SqlValue::Real(valid.lat),
            SqlValue::Real(valid.lng),
            valid.address.clone().into(),
            valid.media_url.clone().into(),
            owner.into(),
            i64::from(anonymous).into(),
            source.as_str().into(),
            partner.into(),
            quota_key.as_str().into(),
            now.into(),
            i64::from(limit).into(),
            WINDOW_SECONDS.into(),
        ];
        let rows = match ports.sql.execute(INSERT, &params) {
            Ok(rows) => rows,
            Err(StoreError::Constraint(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        if let Some(r) = all(&rows).next() {
            return Ok(Created {
                id: r.text("id")?,
                tracking_code: r.text("tracking_code")?,
                status: Status::Received,
                unit_code: r.text("unit_code")?,
                created_at: r.i64("created_at")?,
            });
        }
        return Err(refusal(ports.sql, &valid.category, &quota_key, limit, now)?);
    }
    Err(StoreError::Unavailable("tracking number kept colliding".into()).into())
}

/// Why the INSERT wrote nothing: the category is unknown, or the quota is
/// full (until the `limit`-th newest submission leaves the window).
/// Categories are never deleted, so "exists now" means "existed then".
fn refusal(
    sql: &dyn Sql,
    category: &str,
    quota_key: &str,
    limit: u32,
    now: i64,
) -> Result<FeedbackError, StoreError> {
    let known = sql.execute(
        "SELECT 1 FROM feedback_categories WHERE code = ? LIMIT 1",
        &[category.into()],
    )?;
    if known.is_empty() {
        return Ok(FeedbackError::invalid("category", "unknown_value"));
    }
    let rows = sql.execute(
        "SELECT created_at FROM feedback WHERE quota_key = ? AND created_at > ? \
         ORDER BY created_at DESC LIMIT 1 OFFSET ?",
        &[
            quota_key.into(),
            (now - WINDOW_SECONDS).into(),
            (i64::from(limit) - 1).max(0).into(),
        ],
    )?;
    let blocking = all(&rows).next().map(|r| r.i64("created_at")).transpose()?;
    // A concurrent change can leave nothing blocking by now; the refused
    // request is still refused, so say "try again in a second".
    let retry_after = blocking.map_or(1, |t| (t + WINDOW_SECONDS - now).max(1));
    Ok(FeedbackError::RateLimited {
        retry_after: u64::try_from(retry_after).unwrap_or(1),
    })
}
