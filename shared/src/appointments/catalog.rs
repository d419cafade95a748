//! Reading what can be booked: services and their future slots.
//!
//! List functions take the resume key and the row count from the caller
//! (`Page::after`, `Page::fetch_limit`) and return rows in list order; the
//! edge turns them into a page.

use super::error::ApptError;
use super::local_date::LocalDate;
use super::model::Slot;
use super::store;
use crate::admin::{Service, ServiceKind};
use crate::local_time::parse_instant;
use crate::ports::Sql;

/// Services ordered by code, optionally of one kind, after `after` (a code).
pub fn list_services(
    sql: &dyn Sql,
    kind: Option<ServiceKind>,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Service>, ApptError> {
    Ok(store::services(sql, kind, after, limit)?)
}

/// The service with this code, if there is one.
pub fn get_service(sql: &dyn Sql, code: &str) -> Result<Option<Service>, ApptError> {
    Ok(store::service(sql, code)?)
}

/// Which slots to list. Times are Unix seconds; `to` is exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotFilter {
    /// Only this service's slots.
    pub service: Option<String>,
    /// Starting at or after this instant.
    pub from: Option<i64>,
    /// Starting before this instant.
    pub to: Option<i64>,
}

/// Slots that have not started yet (`starts_at > now`) within the filter,
/// ordered by start time then id, after the `(starts_at, id)` key. A filter
/// naming a service that does not exist is 404 `service_not_found`, not an
/// empty list.
pub fn list_slots(
    sql: &dyn Sql,
    now: i64,
    filter: &SlotFilter,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Slot>, ApptError> {
    if let Some(code) = &filter.service {
        get_service(sql, code)?.ok_or(ApptError::ServiceNotFound)?;
    }
    let from = filter.from.map_or(now + 1, |f| f.max(now + 1));
    Ok(store::slots(sql, from, filter, after, limit)?)
}

/// The slot with this id, if there is one.
pub fn get_slot(sql: &dyn Sql, id: &str) -> Result<Option<Slot>, ApptError> {
    Ok(store::slot(sql, id)?)
}

/// A time bound of a slot listing: an RFC 3339 instant, or a local date's
/// start (for an `end` bound, the next day's start, so `to` as a date
/// includes that whole day). `None` when it is neither.
pub fn parse_bound(raw: &str, end: bool) -> Option<i64> {
    match LocalDate::parse(raw) {
        Some(date) if end => Some(date.next().start()),
        Some(date) => Some(date.start()),
        None => parse_instant(raw),
    }
}
