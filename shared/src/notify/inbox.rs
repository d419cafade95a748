//! The citizen's inbox: a page of notices with the unread count, marking
//! read, deleting (docs/notifications.md, "The inbox").

use serde_json::{json, Value};

use super::render::wording;
use super::store::inbox as store;
use super::{Notice, NotifyError};
use crate::error::ApiError;
use crate::identity::rfc3339_vn;
use crate::lang::Lang;
use crate::pagination::{Page, PageOf};
use crate::ports::Sql;

/// One page of the inbox and how many notices are unread in all.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxPage {
    /// The notices, newest first.
    pub page: PageOf<Notice>,
    /// Unread notices in the whole inbox.
    pub unread: i64,
}

/// A page of `account_id`'s inbox (`unread_only` keeps the unread ones).
pub fn list(
    sql: &dyn Sql,
    account_id: &str,
    page: &Page,
    unread_only: bool,
) -> Result<InboxPage, ApiError> {
    let before: Option<i64> = page.after()?;
    let rows = store::page(sql, account_id, before, unread_only, page.fetch_limit())?;
    let unread = store::unread_count(sql, account_id)?;
    Ok(InboxPage {
        page: page.paginate(rows, |n| n.id)?,
        unread,
    })
}

/// The API id of a notice is its number as a string; anything else is
/// simply not found.
pub fn parse_id(raw: &str) -> Result<i64, NotifyError> {
    let digits = !raw.is_empty() && raw.len() <= 18 && raw.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| raw.parse().ok())
        .flatten()
        .ok_or(NotifyError::NotFound)
}

/// One notice of the account.
pub fn get(sql: &dyn Sql, account_id: &str, id: &str) -> Result<Notice, NotifyError> {
    store::one(sql, account_id, parse_id(id)?)?.ok_or(NotifyError::NotFound)
}

/// Marks one notice read; reading it again keeps the first time.
pub fn mark_read(
    sql: &dyn Sql,
    account_id: &str,
    id: &str,
    now: i64,
) -> Result<Notice, NotifyError> {
    store::mark_read(sql, account_id, parse_id(id)?, now)?.ok_or(NotifyError::NotFound)
}

/// Marks the whole inbox read; how many notices that changed.
pub fn mark_all_read(sql: &dyn Sql, account_id: &str, now: i64) -> Result<i64, NotifyError> {
    Ok(store::mark_all_read(sql, account_id, now)?)
}

/// Deletes one notice from the inbox.
pub fn delete(sql: &dyn Sql, account_id: &str, id: &str, now: i64) -> Result<(), NotifyError> {
    if store::delete(sql, account_id, parse_id(id)?, now)? {
        Ok(())
    } else {
        Err(NotifyError::NotFound)
    }
}

/// A notice as the API shows it, worded in `lang`.
pub fn notice_json(n: &Notice, lang: Lang) -> Value {
    let w = wording(n, lang);
    json!({
        "id": n.id.to_string(),
        "kind": n.kind.as_str(),
        "title": w.title,
        "body": w.body,
        "link": w.link,
        "created_at": rfc3339_vn(n.created_at),
        "read": n.read_at.is_some(),
        "read_at": n.read_at.map(rfc3339_vn),
    })
}

/// The page as the API shows it: `{items, next_cursor, unread_count}`.
pub fn page_json(inbox: &InboxPage, lang: Lang) -> Value {
    let items: Vec<Value> = inbox
        .page
        .items
        .iter()
        .map(|n| notice_json(n, lang))
        .collect();
    json!({
        "items": items,
        "next_cursor": inbox.page.next_cursor,
        "unread_count": inbox.unread,
    })
}
