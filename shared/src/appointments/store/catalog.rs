//! Services and slots: the catalog's reads and the schedule's INSERT.

use super::{service_row, slot_row, SERVICE_COLUMNS, SLOT_COLUMNS};
use crate::admin::{Service, ServiceKind};
use crate::appointments::model::Slot;
use crate::appointments::schedule::PlannedSlot;
use crate::appointments::SlotFilter;
use crate::ports::{Sql, SqlValue, StoreError};
use crate::rows::{decode_all, decode_first};

/// Services ordered by code, optionally of one kind, after `after` (a code).
pub(crate) fn services(
    sql: &dyn Sql,
    kind: Option<ServiceKind>,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Service>, StoreError> {
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
    decode_all(&rows, service_row)
}

/// The service with this code.
pub(crate) fn service(sql: &dyn Sql, code: &str) -> Result<Option<Service>, StoreError> {
    let rows = sql.execute(
        &format!("SELECT {SERVICE_COLUMNS} FROM services v WHERE v.code = ?"),
        &[code.into()],
    )?;
    decode_first(&rows, service_row)
}

/// Slots starting at or after `from` within the filter, ordered by start
/// time then id, after the `(starts_at, id)` key.
///
/// A service's slots are read through its `(service_code, starts_at)` key
/// and all services' through `starts_at`, each a range that ends at the
/// page: one statement for both (`? IS NULL OR service_code = ?`) would
/// walk every later slot of the city's other services to fill a page for a
/// service with few left (a year of slots at 40 counters made the list 6×
/// slower; docs/performance.md).
pub(crate) fn slots(
    sql: &dyn Sql,
    from: i64,
    filter: &SlotFilter,
    after: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<Slot>, StoreError> {
    let (after_at, after_id) = after.unwrap_or((i64::MIN, String::new()));
    // The range starts at the later of `from` and the cursor.
    let lower = from.max(after_at);
    let mut params: Vec<SqlValue> = Vec::with_capacity(8);
    let service = match filter.service.as_deref() {
        Some(code) => {
            params.push(code.into());
            "s.service_code = ? AND "
        }
        None => "",
    };
    params.extend([
        lower.into(),
        SqlValue::from(filter.to),
        SqlValue::from(filter.to),
        after_at.into(),
        after_id.into(),
        i64::from(limit).into(),
    ]);
    let rows = sql.execute(
        &format!(
            "SELECT {SLOT_COLUMNS} FROM appointment_slots s \
             WHERE {service}s.starts_at >= ? AND (? IS NULL OR s.starts_at < ?) \
             AND (s.starts_at > ? OR s.id > ?) \
             ORDER BY s.starts_at, s.id LIMIT ?"
        ),
        &params,
    )?;
    decode_all(&rows, slot_row)
}

/// The slot with this id.
pub(crate) fn slot(sql: &dyn Sql, id: &str) -> Result<Option<Slot>, StoreError> {
    let rows = sql.execute(
        &format!("SELECT {SLOT_COLUMNS} FROM appointment_slots s WHERE s.id = ?"),
        &[id.into()],
    )?;
    decode_first(&rows, slot_row)
}

/// Who creates a batch of slots, and with how many seats each.
pub(crate) struct SlotBatch<'a> {
    pub service_code: &'a str,
    pub official_id: &'a str,
    pub capacity: i64,
    pub now: i64,
}

/// Inserts `(id, slot)` pairs in one statement, skipping starts the service
/// already has (`ON CONFLICT (service_code, starts_at) DO NOTHING`, so two
/// racing runs of one schedule create each slot once); returns how many were
/// new. Callers keep a batch at or under 100 rows: 9 parameters each stays
/// under SQLite's oldest limit of 999.
pub(crate) fn insert_slots(
    sql: &dyn Sql,
    batch: &SlotBatch<'_>,
    chunk: &[(String, PlannedSlot)],
) -> Result<usize, StoreError> {
    let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
    let mut params: Vec<SqlValue> = Vec::with_capacity(chunk.len() * 9);
    for (id, p) in chunk {
        params.extend([
            id.as_str().into(),
            batch.service_code.into(),
            p.starts_at.into(),
            p.ends_at.into(),
            p.date.to_string().into(),
            batch.capacity.into(),
            batch.capacity.into(),
            batch.official_id.into(),
            batch.now.into(),
        ]);
    }
    let rows = sql.execute(
        &format!(
            "INSERT INTO appointment_slots \
             (id, service_code, starts_at, ends_at, local_date, capacity, remaining, created_by, \
             created_at) \
             VALUES {values} ON CONFLICT (service_code, starts_at) DO NOTHING RETURNING id"
        ),
        &params,
    )?;
    Ok(rows.rows.len())
}
