//! Reading what can be booked: services and their future slots.
//!
//! List functions take the resume key and the row count from the caller
//! (`Page::after`, `Page::fetch_limit`) and return rows in list order; the
//! edge turns them into a page.

use super::error::ApptError;
use super::model::{Slot, SERVICE_COLUMNS, SLOT_COLUMNS};
use crate::admin::{Service, ServiceKind};
use crate::ports::{Sql, SqlValue};
use crate::rows::{decode_all, decode_first};

/// Services ordered by code, optionally of one kind, after `after` (a code).
pub fn list_services(
    sql: &dyn Sql,
    kind: Option<ServiceKind>,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Service>, ApptError> {
    let rows = sql.execute(
        &format!(
            "SELECT {SERVICE_COLUMNS} FROM services v \
             WHERE (?1 IS NULL OR v.kind = ?1) AND v.code > ?2 ORDER BY v.code LIMIT ?3"
        ),
        &[
            kind.map(ServiceKind::as_str).into(),
            after.unwrap_or("").into(),
            i64::from(limit).into(),
        ],
    )?;
    Ok(decode_all(&rows, |r| r.service())?)
}

pub fn get_service(sql: &dyn Sql, code: &str) -> Result<Option<Service>, ApptError> {
    let rows = sql.execute(
        &format!("SELECT {SERVICE_COLUMNS} FROM services v WHERE v.code = ?"),
        &[code.into()],
    )?;
    Ok(decode_first(&rows, |r| r.service())?)
}

/// Which slots to list. Times are Unix seconds; `to` is exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotFilter {
    pub service: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// Slots that have not started yet (`starts_at > now`) within the filter,
/// ordered by start time then id, after the `(starts_at, id)` key.
pub fn list_slots(
    sql: &dyn Sql,
    now: i64,
    filter: &SlotFilter,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Slot>, ApptError> {
    let from = filter.from.map_or(now + 1, |f| f.max(now + 1));
    let (after_at, after_id) = after.unwrap_or((i64::MIN, String::new()));
    let rows = sql.execute(
        &format!(
            "SELECT {SLOT_COLUMNS} FROM appointment_slots s \
             WHERE s.starts_at >= ? AND (? IS NULL OR s.starts_at < ?) AND (? IS NULL OR s.service_code = ?) \
             AND (s.starts_at > ? OR (s.starts_at = ? AND s.id > ?)) \
             ORDER BY s.starts_at, s.id LIMIT ?"
        ),
        &[
            from.into(),
            SqlValue::from(filter.to),
            SqlValue::from(filter.to),
            filter.service.as_deref().into(),
            filter.service.as_deref().into(),
            after_at.into(),
            after_at.into(),
            after_id.into(),
            i64::from(limit).into(),
        ],
    )?;
    Ok(decode_all(&rows, |r| r.slot())?)
}

pub fn get_slot(sql: &dyn Sql, id: &str) -> Result<Option<Slot>, ApptError> {
    let rows = sql.execute(
        &format!("SELECT {SLOT_COLUMNS} FROM appointment_slots s WHERE s.id = ?"),
        &[id.into()],
    )?;
    Ok(decode_first(&rows, |r| r.slot())?)
}
