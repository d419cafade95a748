//! Publishing, updating and cancelling an alert (docs/alerts.md).
//!
//! Each call checks the whole input first (422 naming every broken field,
//! nothing stored), then stores one CAP message in one statement; the
//! notices to the citizens of its areas are written inside it (migration
//! 0016). An update or cancel follows the latest message the caller's
//! request read: if another one was stored meanwhile the call is refused
//! with 409 `alert_changed`, and nothing follows a `Cancel` (409
//! `alert_cancelled`).

use super::area;
use super::cap::MsgType;
use super::draft::{self, CancelInput, Content, DraftInput};
use super::store::{self, Next};
use super::{publishers, AlertError, Message, SENDER};
use crate::ids::{plausible_id, random_hex_id};
use crate::ports::{Clock, Random, Sql};

/// The ports a publication needs.
pub struct Ports<'a> {
    /// The database.
    pub sql: &'a dyn Sql,
    /// Now (the message's `sent`).
    pub clock: &'a dyn Clock,
    /// The alert's id.
    pub random: &'a dyn Random,
}

/// The prefix of an alert's id.
pub const ID_PREFIX: &str = "al_";

/// Whether `id` could be an alert's id (so a wild one never reaches SQL).
pub fn plausible(id: &str) -> bool {
    plausible_id(id, ID_PREFIX, 40)
}

/// Publishes a new alert for `publisher`; its first message.
pub fn publish(p: &Ports<'_>, publisher: &str, input: &DraftInput) -> Result<Message, AlertError> {
    publishers::require(p.sql, publisher)?;
    let now = p.clock.now();
    let areas = area::all(p.sql)?;
    let content = draft::check(input, None, &areas, now)?;
    let alert_id = random_hex_id(p.random, ID_PREFIX, 8);
    if !store::insert_first(p.sql, &alert_id, &content, publisher, SENDER, now)? {
        return Err(AlertError::NotPublisher);
    }
    stored(p.sql, &alert_id, 1)
}

/// Publishes an `Update` of `alert_id`: the latest message with the
/// fields `input` gives.
pub fn update(
    p: &Ports<'_>,
    publisher: &str,
    alert_id: &str,
    input: &DraftInput,
) -> Result<Message, AlertError> {
    publishers::require(p.sql, publisher)?;
    let latest = latest(p.sql, alert_id)?;
    let now = p.clock.now();
    let areas = area::all(p.sql)?;
    let content = draft::check(input, Some(&Content::of(&latest)), &areas, now)?;
    next(p, publisher, &latest, MsgType::Update, &content)
}

/// Publishes the `Cancel` of `alert_id`: the citizens who got it are told,
/// and it leaves the active feed.
pub fn cancel(
    p: &Ports<'_>,
    publisher: &str,
    alert_id: &str,
    input: &CancelInput,
) -> Result<Message, AlertError> {
    publishers::require(p.sql, publisher)?;
    let latest = latest(p.sql, alert_id)?;
    let content = draft::cancellation(input, &Content::of(&latest), p.clock.now())?;
    next(p, publisher, &latest, MsgType::Cancel, &content)
}

/// The latest message of `alert_id`, which must not be a `Cancel`.
fn latest(sql: &dyn Sql, alert_id: &str) -> Result<Message, AlertError> {
    if !plausible(alert_id) {
        return Err(AlertError::NotFound);
    }
    let last = store::chain(sql, alert_id)?
        .pop()
        .ok_or(AlertError::NotFound)?;
    if last.msg_type == MsgType::Cancel {
        return Err(AlertError::Cancelled);
    }
    Ok(last)
}

fn next(
    p: &Ports<'_>,
    publisher: &str,
    latest: &Message,
    msg_type: MsgType,
    content: &Content,
) -> Result<Message, AlertError> {
    let now = p.clock.now();
    match store::insert_next(
        p.sql,
        &latest.alert_id,
        latest.version,
        msg_type,
        content,
        publisher,
        SENDER,
        now,
    )? {
        Next::Stored => stored(p.sql, &latest.alert_id, latest.version + 1),
        Next::Taken => Err(AlertError::Changed),
        // The role went (the statement re-checks it) or a cancel won.
        Next::Refused => {
            publishers::require(p.sql, publisher)?;
            Err(AlertError::Changed)
        }
    }
}

fn stored(sql: &dyn Sql, alert_id: &str, version: i64) -> Result<Message, AlertError> {
    store::chain(sql, alert_id)?
        .into_iter()
        .find(|m| m.version == version)
        .ok_or_else(|| {
            AlertError::Store(crate::ports::StoreError::Unavailable(
                "a stored alert message is missing".to_owned(),
            ))
        })
}
