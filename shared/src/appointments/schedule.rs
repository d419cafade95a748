//! Bulk schedule creation by officials (SPEC §9): every local day in a date
//! range, slots of `interval_minutes` from `day_start` until `day_end`.
//!
//! Days and clock times are Asia/Ho_Chi_Minh ([`super::local_date`]), so
//! `23:00–24:00` on 1 December makes slots that belong to 1 December. Slots
//! that already exist (same service, same start) are skipped by the INSERT
//! itself, so running the same request twice creates nothing the second time,
//! even when both runs race. Slots that would start in the past are not made.

use super::catalog::get_service;
use super::error::ApptError;
use super::local_date::{parse_clock, LocalDate};
use crate::identity::Ports;
use crate::ids::random_hex_id;
use crate::ports::SqlValue;

/// Longest date range one request may cover, in days.
pub const MAX_DAYS: i64 = 62;
/// Most slots one request may create.
pub const MAX_SLOTS: usize = 2_000;
/// Bounds of `interval_minutes`.
pub const INTERVAL_MINUTES: std::ops::RangeInclusive<i64> = 5..=720;
/// Bounds of `capacity`.
pub const CAPACITY: std::ops::RangeInclusive<i64> = 1..=1_000;
/// Rows per INSERT: 9 parameters each stays under SQLite's oldest limit of 999.
const ROWS_PER_INSERT: usize = 100;

/// The body of `POST /api/v1/appointments/slots`, unvalidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRequest<'a> {
    pub service_code: &'a str,
    /// `YYYY-MM-DD`, inclusive.
    pub date_from: &'a str,
    /// `YYYY-MM-DD`, inclusive.
    pub date_to: &'a str,
    /// `HH:MM`, the first slot's start.
    pub day_start: &'a str,
    /// `HH:MM` (up to `24:00`); the last slot ends at or before it.
    pub day_end: &'a str,
    pub interval_minutes: i64,
    pub capacity: i64,
}

/// One slot a schedule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedSlot {
    pub starts_at: i64,
    pub ends_at: i64,
    pub date: LocalDate,
}

/// What a schedule request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleOutcome {
    pub created: usize,
    /// Already there from an earlier request.
    pub existing: usize,
    /// Not made because they would start at or before now.
    pub past: usize,
}

fn invalid(field: &'static str, reason: &'static str) -> ApptError {
    ApptError::Invalid { field, reason }
}

/// Validates a request and lists the slots it describes (pure: no store,
/// no clock), in time order.
pub fn plan(req: &ScheduleRequest<'_>) -> Result<Vec<PlannedSlot>, ApptError> {
    let from =
        LocalDate::parse(req.date_from).ok_or_else(|| invalid("date_from", "format YYYY-MM-DD"))?;
    let to =
        LocalDate::parse(req.date_to).ok_or_else(|| invalid("date_to", "format YYYY-MM-DD"))?;
    let days = from.days_until(to) + 1;
    if days < 1 {
        return Err(invalid("date_to", "before date_from"));
    }
    if days > MAX_DAYS {
        return Err(invalid("date_to", "range longer than 62 days"));
    }
    let start = parse_clock(req.day_start).ok_or_else(|| invalid("day_start", "format HH:MM"))?;
    let end =
        parse_clock(req.day_end).ok_or_else(|| invalid("day_end", "format HH:MM up to 24:00"))?;
    if end <= start {
        return Err(invalid("day_end", "not after day_start"));
    }
    if !INTERVAL_MINUTES.contains(&req.interval_minutes) {
        return Err(invalid("interval_minutes", "between 5 and 720"));
    }
    if !CAPACITY.contains(&req.capacity) {
        return Err(invalid("capacity", "between 1 and 1000"));
    }
    let step = u32::try_from(req.interval_minutes)
        .map_err(|_| invalid("interval_minutes", "between 5 and 720"))?;
    let per_day = ((end - start) / step) as usize;
    if per_day == 0 {
        return Err(invalid("interval_minutes", "longer than the opening hours"));
    }
    if per_day * days as usize > MAX_SLOTS {
        return Err(invalid(
            "interval_minutes",
            "more than 2000 slots in one request",
        ));
    }
    let mut out = Vec::with_capacity(per_day * days as usize);
    let mut date = from;
    for _ in 0..days {
        let mut minute = start;
        while minute + step <= end {
            out.push(PlannedSlot {
                starts_at: date.at(minute),
                ends_at: date.at(minute + step),
                date,
            });
            minute += step;
        }
        date = date.next();
    }
    Ok(out)
}

/// Creates the schedule for an official of `official_unit`.
///
/// Unknown service → 422 on `service_code`; a service of another unit → 403.
pub fn create_schedule(
    ports: Ports<'_>,
    official_id: &str,
    official_unit: &str,
    req: &ScheduleRequest<'_>,
) -> Result<ScheduleOutcome, ApptError> {
    if req.service_code.is_empty() {
        return Err(invalid("service_code", "required"));
    }
    let planned = plan(req)?;
    let service = get_service(ports.sql, req.service_code)?
        .ok_or_else(|| invalid("service_code", "unknown_value"))?;
    if service.unit_code != official_unit {
        return Err(ApptError::Forbidden);
    }
    let now = ports.clock.now();
    let (future, past): (Vec<PlannedSlot>, Vec<PlannedSlot>) =
        planned.into_iter().partition(|p| p.starts_at > now);
    let mut created = 0;
    for chunk in future.chunks(ROWS_PER_INSERT) {
        created += insert_chunk(ports, &service.code, official_id, req.capacity, now, chunk)?;
    }
    Ok(ScheduleOutcome {
        created,
        existing: future.len() - created,
        past: past.len(),
    })
}

/// Inserts one chunk, skipping starts that exist; returns how many were new.
fn insert_chunk(
    ports: Ports<'_>,
    service_code: &str,
    official_id: &str,
    capacity: i64,
    now: i64,
    chunk: &[PlannedSlot],
) -> Result<usize, ApptError> {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let values = vec![row; chunk.len()].join(", ");
    let mut params: Vec<SqlValue> = Vec::with_capacity(chunk.len() * 9);
    for p in chunk {
        params.extend([
            random_hex_id(ports.random, "slt_", 10).into(),
            service_code.into(),
            p.starts_at.into(),
            p.ends_at.into(),
            p.date.to_string().into(),
            capacity.into(),
            capacity.into(),
            official_id.into(),
            now.into(),
        ]);
    }
    let rows = ports.sql.execute(
        &format!(
            "INSERT INTO appointment_slots \
             (id, service_code, starts_at, ends_at, local_date, capacity, remaining, created_by, created_at) \
             VALUES {values} ON CONFLICT (service_code, starts_at) DO NOTHING RETURNING id"
        ),
        &params,
    )?;
    Ok(rows.rows.len())
}
