//! The dispatcher (docs/notifications.md, "Delivery"): claims due notices,
//! plans each one's channels from the citizen's choices, the providers
//! configured and the clock, sends on the first channel that takes it, and
//! records every attempt. A provider that fails for now leaves the notice
//! pending with a backoff; one that refuses for good hands it to the next
//! channel; a notice no channel will take is marked failed.

use super::render::wording;
use super::schedule;
use super::send::{self, Message, Outcome, Route, Senders};
use super::store::dispatch::{self as store, tracking_id, Claimed};
use super::{Channels, Kind};
use crate::hex;
use crate::lang::Lang;
use crate::ports::{Clock, HttpClient, Random, Sql, StoreError};

/// How long a dispatcher holds what it claimed.
pub const LEASE_SECONDS: i64 = 120;
/// A dispatcher starts no new send after this many seconds and hands the
/// rest back, so it finishes well inside its lease.
pub const BUDGET_SECONDS: i64 = 20;
/// Attempts on one channel before it counts as refused.
pub const MAX_ATTEMPTS: i64 = 6;
/// The Zalo OA may send free messages this long after the user wrote.
pub const OA_WINDOW_SECONDS: i64 = 48 * 3600;
/// Zalo refuses ZNS messages from 22:00 to 06:00 local time.
pub const ZNS_NIGHT: (i64, i64) = (22 * 60, 6 * 60);
/// Default quiet hours, minutes after local midnight.
pub const DEFAULT_QUIET: (i64, i64) = (22 * 60, 6 * 60);
/// Notices and their delivery records are kept this long (a year), then
/// purged by the scheduled runs, a bounded batch each.
pub const KEEP_SECONDS: i64 = 365 * 86_400;
/// Asia/Ho_Chi_Minh has no daylight saving.
const VN_OFFSET: i64 = 7 * 3600;

/// The ports a dispatch needs.
pub struct DispatchPorts<'a> {
    /// The database.
    pub sql: &'a dyn Sql,
    /// Now.
    pub clock: &'a dyn Clock,
    /// The lease token.
    pub random: &'a dyn Random,
    /// The providers' HTTP.
    pub http: &'a dyn HttpClient,
}

/// What one run did, for the caller to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Report {
    /// Time-based notices written (reminders, check-in).
    pub scheduled: u64,
    /// Notices claimed.
    pub claimed: u64,
    /// Delivered outside the app.
    pub sent: u64,
    /// Left pending: a provider failed for now, or quiet hours.
    pub later: u64,
    /// No channel would take them.
    pub failed: u64,
    /// Nothing to send outside the app (no channel chosen or configured).
    pub in_app_only: u64,
    /// Claimed but handed back when the time budget ran out.
    pub handed_back: u64,
}

/// What to do with one notice now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Try these channels in order.
    Send(Vec<Route>),
    /// Not before this time (quiet hours, Zalo's night).
    Defer(i64),
    /// Nothing outside the app: delivered already or no channel.
    Nothing,
    /// Every channel it could take refused it before.
    Exhausted,
}

/// The facts a plan is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation<'a> {
    /// The notice's kind.
    pub kind: Kind,
    /// The citizen's channels for it (`None`: the defaults).
    pub chosen: Option<Channels>,
    /// Whether a Zalo account is linked.
    pub zalo_linked: bool,
    /// When the citizen last wrote to the OA.
    pub zalo_last_at: Option<i64>,
    /// The citizen's quiet hours (`None`: the defaults).
    pub quiet: Option<(i64, i64)>,
    /// The notice's detail (an alert's CAP severity).
    pub detail: Option<&'a str>,
    /// Each channel tried before and its status.
    pub tried: &'a [(Route, String, i64)],
    /// Now.
    pub now: i64,
}

/// The minute of the local day, 0..1440.
fn local_minute(now: i64) -> i64 {
    (now + VN_OFFSET).rem_euclid(86_400) / 60
}

/// Whether `minute` falls in `[start, end)`, the window wrapping midnight
/// when `start > end`; `start == end` is no window at all.
fn within((start, end): (i64, i64), minute: i64) -> bool {
    match start.cmp(&end) {
        std::cmp::Ordering::Less => (start..end).contains(&minute),
        std::cmp::Ordering::Greater => minute >= start || minute < end,
        std::cmp::Ordering::Equal => false,
    }
}

/// The next moment the local clock reads `end` (minutes), after `now`.
fn next_local(now: i64, end: i64) -> i64 {
    let minute = local_minute(now);
    let start_of_minute = now - (now + VN_OFFSET).rem_euclid(60);
    let ahead = (end - minute).rem_euclid(1440);
    let ahead = if ahead == 0 { 1440 } else { ahead };
    start_of_minute + ahead * 60
}

/// The channels for one notice now.
pub fn plan(s: &Situation<'_>, senders: &Senders) -> Plan {
    if s.tried.iter().any(|(_, status, _)| status == "sent") {
        return Plan::Nothing;
    }
    let channels = if s.kind.suppressible() {
        s.chosen.unwrap_or_else(|| s.kind.default_channels())
    } else {
        Channels {
            zalo: true,
            sms: true,
        }
    };
    let window_open = s
        .zalo_last_at
        .is_some_and(|at| s.now - at < OA_WINDOW_SECONDS);
    let mut routes = Vec::new();
    if channels.zalo && s.zalo_linked {
        if window_open {
            routes.push(Route::ZaloOa);
        }
        routes.push(Route::ZaloZns);
    }
    if channels.sms {
        routes.push(Route::Sms);
    }
    let refused = |r: &Route| {
        s.tried
            .iter()
            .any(|(tried, status, _)| tried == r && status == "failed")
    };
    routes.retain(|r| senders.has(*r));
    if routes.is_empty() {
        return Plan::Nothing;
    }
    routes.retain(|r| !refused(r));
    if routes.is_empty() {
        return Plan::Exhausted;
    }
    let minute = local_minute(s.now);
    let quiet = s.quiet.unwrap_or(DEFAULT_QUIET);
    // An extreme alert (CAP severity "Extreme": a threat to life) does not
    // wait for the morning; everything else the citizen may hold back.
    let extreme = s.kind == Kind::Alert && s.detail == Some("Extreme");
    if s.kind.suppressible() && !extreme && within(quiet, minute) {
        return Plan::Defer(next_local(s.now, quiet.1));
    }
    if within(ZNS_NIGHT, minute) {
        routes.retain(|r| *r != Route::ZaloZns);
        if routes.is_empty() {
            return Plan::Defer(next_local(s.now, ZNS_NIGHT.1));
        }
    }
    Plan::Send(routes)
}

/// Deletes a bounded batch of each notice table's rows older than `cutoff`.
fn purge_old(sql: &dyn Sql, cutoff: i64) -> Result<(), StoreError> {
    crate::purge::older_than(sql, "notifications", "id", "created_at", false, cutoff)?;
    crate::purge::older_than(sql, "notification_attempts", "id", "at", false, cutoff)?;
    sql.execute(
        "DELETE FROM notification_deliveries WHERE (notification_id, channel) IN \
         (SELECT notification_id, channel FROM notification_deliveries \
          WHERE updated_at < ?1 ORDER BY updated_at LIMIT ?2)",
        &[cutoff.into(), crate::purge::BATCH.into()],
    )?;
    Ok(())
}

/// How long to wait after the `attempts`-th failure on a channel.
pub fn backoff(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    (60_i64 << doublings).min(3600)
}

/// One dispatch run: writes the time-based notices, then delivers due
/// notices (`account`: only that citizen's), at most `limit`.
pub fn run(
    ports: &DispatchPorts<'_>,
    senders: &Senders,
    account: Option<&str>,
    limit: u32,
) -> Result<Report, StoreError> {
    let started = ports.clock.now();
    let mut report = Report::default();
    if account.is_none() {
        report.scheduled = schedule::write_due(ports.sql, started)?;
        purge_old(ports.sql, started - KEEP_SECONDS)?;
    }
    let mut token = [0u8; 16];
    ports.random.fill(&mut token);
    let lease = hex::encode(&token);
    let claimed = store::claim(
        ports.sql,
        started,
        &lease,
        started + LEASE_SECONDS,
        limit,
        account,
    )?;
    report.claimed = claimed.len() as u64;
    for c in &claimed {
        if ports.clock.now() >= started + BUDGET_SECONDS {
            break;
        }
        deliver(ports, senders, &lease, c, &mut report)?;
    }
    let finished = report.sent + report.later + report.failed + report.in_app_only;
    report.handed_back = report.claimed.saturating_sub(finished);
    if report.handed_back > 0 {
        store::release(ports.sql, &lease)?;
    }
    Ok(report)
}

fn deliver(
    ports: &DispatchPorts<'_>,
    senders: &Senders,
    lease: &str,
    c: &Claimed,
    report: &mut Report,
) -> Result<(), StoreError> {
    let now = ports.clock.now();
    let id = c.notice.id;
    let situation = Situation {
        kind: c.notice.kind,
        chosen: c.channels,
        zalo_linked: c.zalo_user_id.is_some(),
        zalo_last_at: c.zalo_last_at,
        quiet: c.quiet,
        detail: c.notice.detail.as_deref(),
        tried: &c.deliveries,
        now,
    };
    let routes = match plan(&situation, senders) {
        Plan::Nothing => {
            report.in_app_only += 1;
            return store::finish(ports.sql, id, lease, "done", now);
        }
        Plan::Exhausted => {
            report.failed += 1;
            return store::finish(ports.sql, id, lease, "failed", now);
        }
        Plan::Defer(until) => {
            report.later += 1;
            return store::finish(ports.sql, id, lease, "pending", until);
        }
        Plan::Send(routes) => routes,
    };
    let lang = match c.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    };
    let words = wording(&c.notice, lang);
    for route in routes {
        let tracking = tracking_id(id, route);
        let msg = Message {
            phone: &c.phone,
            zalo_user_id: c.zalo_user_id.as_deref(),
            title: &words.title,
            body: &words.body,
            tracking_id: &tracking,
        };
        match send::send(senders, ports.http, route, &msg) {
            Outcome::Sent => {
                store::record_attempt(ports.sql, id, route, now, "sent", None)?;
                store::record_delivery(ports.sql, id, route, "sent", None, now)?;
                report.sent += 1;
                return store::finish(ports.sql, id, lease, "done", now);
            }
            Outcome::Retry(why) => {
                store::record_attempt(ports.sql, id, route, now, "retry", Some(&why))?;
                let attempts =
                    store::record_delivery(ports.sql, id, route, "retrying", Some(&why), now)?;
                if attempts < MAX_ATTEMPTS {
                    report.later += 1;
                    return store::finish(ports.sql, id, lease, "pending", now + backoff(attempts));
                }
                store::give_up_channel(ports.sql, id, route, now)?;
            }
            Outcome::Failed(why) => {
                store::record_attempt(ports.sql, id, route, now, "failed", Some(&why))?;
                store::record_delivery(ports.sql, id, route, "failed", Some(&why), now)?;
            }
        }
    }
    report.failed += 1;
    store::finish(ports.sql, id, lease, "failed", now)
}
