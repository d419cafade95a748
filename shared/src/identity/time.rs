//! Unix seconds → RFC 3339 in the city's zone (SPEC §4).
//!
//! Asia/Ho_Chi_Minh has been UTC+07:00 without daylight saving since 1975, so
//! a fixed offset is exact for every timestamp the platform deals with.

pub(crate) use crate::civil::civil_from_days;

const OFFSET_SECONDS: i64 = 7 * 3_600;

/// `1795935900` → `"2026-11-29T14:05:00+07:00"`.
pub fn rfc3339_vn(unix_seconds: i64) -> String {
    let local = unix_seconds.saturating_add(OFFSET_SECONDS);
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+07:00",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}
