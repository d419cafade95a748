//! The dispatcher's statements: claim, read what a send needs, record.
//!
//! Every rule is one statement (docs/consistency.md, "Notifications"): the
//! claim is one conditional UPDATE, so of several dispatchers only one
//! holds a notice; every record afterwards names the holder's lease, so a
//! dispatcher whose lease ran out records nothing over the next one's.

use crate::notify::send::Route;
use crate::notify::{Channels, Notice};
use crate::ports::{Sql, StoreError};
use crate::rows::{self, Row};

use super::inbox::notice_row;

/// A claimed notice with everything its delivery needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Claimed {
    pub notice: Notice,
    pub phone: String,
    pub zalo_user_id: Option<String>,
    pub lang: Option<String>,
    pub quiet: Option<(i64, i64)>,
    pub channels: Option<Channels>,
    pub zalo_last_at: Option<i64>,
    /// Each channel tried before: its status and attempts.
    pub deliveries: Vec<(Route, String, i64)>,
}

/// Claims up to `limit` due notices for the holder `lease` until
/// `lease_until`: only rows nobody holds, re-checked by the UPDATE itself.
/// `account` limits the claim to one citizen's notices (the dispatch right
/// after a change).
pub(crate) fn claim(
    sql: &dyn Sql,
    now: i64,
    lease: &str,
    lease_until: i64,
    limit: u32,
    account: Option<&str>,
) -> Result<Vec<Claimed>, StoreError> {
    let claimed = sql.execute(
        "UPDATE notifications SET lease = ?2, lease_until = ?3 \
         WHERE id IN (SELECT id FROM notifications \
                      WHERE dispatch = 'pending' AND due_at <= ?1 AND lease_until < ?1 \
                        AND (?5 = '' OR account_id = ?5) \
                      ORDER BY due_at, id LIMIT ?4) \
           AND dispatch = 'pending' AND lease_until < ?1 \
         RETURNING id",
        &[
            now.into(),
            lease.into(),
            lease_until.into(),
            i64::from(limit).into(),
            account.unwrap_or("").into(),
        ],
    )?;
    if claimed.rows.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sql.execute(
        "SELECT n.id, n.account_id, n.kind, n.ref_id, n.subject, n.detail, n.note, n.at_time, \
                n.created_at, n.read_at, c.phone, c.zalo_user_id, st.lang, st.quiet_start, \
                st.quiet_end, ch.channels, zi.last_at \
         FROM notifications n JOIN citizens c ON c.id = n.account_id \
         LEFT JOIN notification_settings st ON st.account_id = n.account_id \
         LEFT JOIN notification_channels ch ON ch.account_id = n.account_id AND ch.kind = n.kind \
         LEFT JOIN zalo_interactions zi ON zi.zalo_user_id = c.zalo_user_id \
         WHERE n.lease = ?1 AND n.lease_until = ?2 ORDER BY n.due_at, n.id",
        &[lease.into(), lease_until.into()],
    )?;
    let mut out = rows::decode_all(&rows, claimed_row)?;
    let tried = sql.execute(
        "SELECT d.notification_id, d.channel, d.status, d.attempts \
         FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id \
         WHERE n.lease = ?1 AND n.lease_until = ?2",
        &[lease.into(), lease_until.into()],
    )?;
    for r in rows::all(&tried) {
        let id = r.i64("notification_id")?;
        let route = r.parsed("channel", Route::parse)?;
        let status = r.text("status")?;
        let attempts = r.i64("attempts")?;
        if let Some(c) = out.iter_mut().find(|c| c.notice.id == id) {
            c.deliveries.push((route, status, attempts));
        }
    }
    Ok(out)
}

fn claimed_row(r: &Row<'_>) -> Result<Claimed, StoreError> {
    let quiet = match (r.opt_i64("quiet_start")?, r.opt_i64("quiet_end")?) {
        (Some(s), Some(e)) => Some((s, e)),
        _ => None,
    };
    Ok(Claimed {
        notice: notice_row(r)?,
        phone: r.text("phone")?,
        zalo_user_id: r.opt_text("zalo_user_id")?,
        lang: r.opt_text("lang")?,
        quiet,
        channels: r.opt_text("channels")?.map(|c| Channels::from_storage(&c)),
        zalo_last_at: r.opt_i64("last_at")?,
        deliveries: Vec::new(),
    })
}

/// Logs one attempt.
pub(crate) fn record_attempt(
    sql: &dyn Sql,
    id: i64,
    route: Route,
    now: i64,
    outcome: &str,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO notification_attempts (notification_id, channel, at, outcome, error) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            id.into(),
            route.as_str().into(),
            now.into(),
            outcome.into(),
            error.map(str::to_owned).into(),
        ],
    )?;
    Ok(())
}

/// Sets the channel's delivery status and counts the attempt; the
/// attempts made on that channel so far.
pub(crate) fn record_delivery(
    sql: &dyn Sql,
    id: i64,
    route: Route,
    status: &str,
    error: Option<&str>,
    now: i64,
) -> Result<i64, StoreError> {
    let rows = sql.execute(
        "INSERT INTO notification_deliveries \
         (notification_id, channel, status, attempts, tracking_id, last_error, updated_at) \
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6) \
         ON CONFLICT (notification_id, channel) DO UPDATE SET \
           status = ?3, attempts = notification_deliveries.attempts + 1, \
           last_error = ?5, updated_at = ?6 \
         RETURNING attempts",
        &[
            id.into(),
            route.as_str().into(),
            status.into(),
            tracking_id(id, route).into(),
            error.map(str::to_owned).into(),
            now.into(),
        ],
    )?;
    let first = rows::first(&rows).ok_or_else(|| rows::shape("attempts", "a row"))?;
    first.i64("attempts")
}

/// Marks a channel failed without an attempt (too many retries).
pub(crate) fn give_up_channel(
    sql: &dyn Sql,
    id: i64,
    route: Route,
    now: i64,
) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE notification_deliveries SET status = 'failed', updated_at = ?3 \
         WHERE notification_id = ?1 AND channel = ?2",
        &[id.into(), route.as_str().into(), now.into()],
    )?;
    Ok(())
}

/// Ends the holder's turn: the notice's new dispatch state and, when it
/// stays pending, when to try again. Nothing happens when the lease is no
/// longer this holder's.
pub(crate) fn finish(
    sql: &dyn Sql,
    id: i64,
    lease: &str,
    dispatch: &str,
    due_at: i64,
) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE notifications SET dispatch = ?3, due_at = ?4, lease_until = 0, lease = NULL, \
                tries = tries + 1 \
         WHERE id = ?1 AND lease = ?2",
        &[id.into(), lease.into(), dispatch.into(), due_at.into()],
    )?;
    Ok(())
}

/// Hands back every notice the holder claimed and did not finish.
pub(crate) fn release(sql: &dyn Sql, lease: &str) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE notifications SET lease_until = 0, lease = NULL WHERE lease = ?1",
        &[lease.into()],
    )?;
    Ok(())
}

/// The provider-facing id of a notice on a channel: the same on every
/// attempt, so a provider that saw it already drops the repeat.
pub fn tracking_id(id: i64, route: Route) -> String {
    format!("n{id}-{}", route.as_str())
}
