//! Notices to citizens (docs/notifications.md): the inbox, the citizen's
//! channel choices, and the dispatcher that delivers each notice outside
//! the app by Zalo or SMS, losing none when a provider fails.
//!
//! Notices are written by database triggers inside the statement of the
//! change they report (migration 0015) and by [`schedule`] for the ones
//! that depend on the time. This
//! module reads them, renders them in the citizen's language and sends them.

pub mod dispatch;
mod error;
pub mod inbox;
mod kind;
pub mod render;
pub mod schedule;
pub mod send;
pub mod settings;
mod store;

#[cfg(test)]
mod tests;

pub use error::{NotifyError, MESSAGES};
pub use kind::{Channels, Kind};

/// One notice as stored: the facts its writer knew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Its number (the API shows it as a string).
    pub id: i64,
    /// Whose inbox.
    pub account_id: String,
    /// What happened.
    pub kind: Kind,
    /// What it is about.
    pub ref_id: String,
    /// How to name it.
    pub subject: Option<String>,
    /// A status, a client, a purpose.
    pub detail: Option<String>,
    /// An official's answer, an alert's text.
    pub note: Option<String>,
    /// When the thing happens (a slot's start).
    pub at_time: Option<i64>,
    /// When it was written.
    pub created_at: i64,
    /// When the citizen read it.
    pub read_at: Option<i64>,
}

/// Most notices a dispatch right after a change claims: the change's own.
pub const DISPATCH_RIGHT_AFTER: u32 = 3;

/// Most notices one dispatch run claims.
pub const MAX_DISPATCH_BATCH: u32 = 20;

/// How long the dispatcher waits for a provider: a dead one costs a few
/// seconds of one run, never the run's whole budget.
pub const PROVIDER_TIMEOUTS: crate::ports::HttpTimeouts = crate::ports::HttpTimeouts {
    connect: std::time::Duration::from_secs(2),
    first_byte: std::time::Duration::from_secs(4),
    between_bytes: std::time::Duration::from_secs(2),
};

/// Records that the Zalo user wrote to the OA at `now` (one upsert that
/// never moves the time back), opening the 48-hour window for free OA
/// messages.
pub fn record_zalo_interaction(
    sql: &dyn crate::ports::Sql,
    zalo_user_id: &str,
    now: i64,
) -> Result<(), crate::ports::StoreError> {
    sql.execute(
        "INSERT INTO zalo_interactions (zalo_user_id, last_at) VALUES (?1, ?2) \
         ON CONFLICT (zalo_user_id) DO UPDATE SET last_at = ?2 \
         WHERE zalo_interactions.last_at < ?2",
        &[zalo_user_id.into(), now.into()],
    )?;
    Ok(())
}

/// The account's latest notices as chat lines, in Vietnamese (the bot
/// speaks Vietnamese): "• title: body".
pub fn latest_lines(
    sql: &dyn crate::ports::Sql,
    account_id: &str,
    n: u32,
) -> Result<Vec<String>, crate::ports::StoreError> {
    let notices = store::inbox::page(sql, account_id, None, false, n)?;
    Ok(notices
        .iter()
        .map(|notice| {
            let w = render::wording(notice, crate::lang::Lang::Vi);
            let time = render::local_time(notice.created_at);
            format!("• {} ({time}): {}", w.title, w.body)
        })
        .collect())
}
