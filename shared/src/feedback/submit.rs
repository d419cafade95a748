//! Submitting feedback: one INSERT that checks the category, applies the
//! sender's quota and numbers the tracking code, all under SQLite's write
//! lock, so parallel submissions can neither share a number nor squeeze
//! past a quota.

use super::error::FeedbackError;
use super::policy::{FeedbackPolicy, WINDOW_SECONDS};
use super::status::Status;
use super::store::writes::{self, NewFeedback};
use super::tracking::year_of;
use super::validate::Valid;
use super::Source;
use crate::identity::Ports;
use crate::ids::random_id;
use crate::ports::{Sql, StoreError};

/// Who is submitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter<'a> {
    /// A logged-in citizen, who then owns the item.
    Citizen {
        /// Their account id.
        account_id: &'a str,
    },
    /// Nobody logged in; the quota is per client network (IPv4 address or
    /// IPv6 /64, see [`crate::client_addr::rate_key_of`]).
    Anonymous {
        /// The client's address, when the host says.
        client_ip: Option<&'a str>,
    },
    /// An Open311 partner app (issuer code).
    Partner {
        /// The partner's issuer code.
        issuer_code: &'a str,
    },
}

/// What the sender is told: `{id, tracking_code, status}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// `fb_…`.
    pub id: String,
    /// `PA-<year>-<6 digits>`.
    pub tracking_code: String,
    /// Always `received`.
    pub status: Status,
    /// The unit it went to.
    pub unit_code: String,
    /// Unix seconds.
    pub created_at: i64,
}

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
        let row = NewFeedback {
            id: &id,
            year: year_of(now),
            valid,
            owner,
            anonymous,
            source,
            partner,
            quota_key: &quota_key,
            now,
            limit,
        };
        let inserted = match writes::insert_feedback(ports.sql, &row) {
            Ok(inserted) => inserted,
            Err(StoreError::Constraint(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        if let Some(created) = inserted {
            return Ok(created);
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
    if !writes::category_exists(sql, category)? {
        return Ok(FeedbackError::invalid("category", "unknown_value"));
    }
    let blocking = writes::nth_newest_since(
        sql,
        quota_key,
        now - WINDOW_SECONDS,
        (i64::from(limit) - 1).max(0),
    )?;
    // A concurrent change can leave nothing blocking by now; the refused
    // request is still refused, so say "try again in a second".
    let retry_after = blocking.map_or(1, |t| (t + WINDOW_SECONDS - now).max(1));
    Ok(FeedbackError::RateLimited {
        retry_after: u64::try_from(retry_after).unwrap_or(1),
    })
}
